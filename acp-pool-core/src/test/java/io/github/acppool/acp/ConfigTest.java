package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.internal.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Launch spec, options, permission policies and the stderr ring. */
@Timeout(10)
final class ConfigTest {

    @Test
    void environmentIsMinimalUnlessAsked() {
        Map<String, String> parent = Map.of(
                "PATH",
                "/bin",
                "HOME",
                "/home/bot",
                "USER",
                "bot",
                "LANG",
                "C.UTF-8",
                "DISCORD_TOKEN",
                "secret",
                "ANTHROPIC_API_KEY",
                "key",
                "TERM",
                "xterm");
        AgentLaunchSpec minimal = AgentLaunchSpec.builder("agent").build();
        assertThat(minimal.environment(parent))
                .containsOnlyKeys("PATH", "HOME", "USER", "LANG")
                .doesNotContainKey("DISCORD_TOKEN");
        AgentLaunchSpec custom = AgentLaunchSpec.builder("agent")
                .args("--acp")
                .inheritEnv("ANTHROPIC_API_KEY", "NOT_SET")
                .env("HOME", "/srv/agent-home")
                .env("MODE", "ci")
                .build();
        assertThat(custom.environment(parent))
                .containsEntry("ANTHROPIC_API_KEY", "key")
                .containsEntry("HOME", "/srv/agent-home")
                .containsEntry("MODE", "ci")
                .doesNotContainKeys("DISCORD_TOKEN", "NOT_SET", "TERM");
        assertThat(custom.commandLine()).containsExactly("agent", "--acp");
    }

    @Test
    void withWorkingDirectoryKeepsTheRest() {
        AgentLaunchSpec spec = AgentLaunchSpec.builder("agent")
                .args("--x")
                .env("A", "1")
                .inheritEnv("TOKEN")
                .build();

        AgentLaunchSpec moved = spec.withWorkingDirectory(Path.of("/srv/thread-1"));

        assertThat(moved.workingDirectory()).isEqualTo(Path.of("/srv/thread-1"));
        assertThat(moved.withWorkingDirectory(null)).isEqualTo(spec);
    }

    @Test
    void buildersAreSetOnceAndValidated() {
        assertThatThrownBy(() -> AgentLaunchSpec.builder("a").env("X", "1").env("X", "2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("env X was already set");
        assertThatThrownBy(() -> AgentLaunchSpec.builder(" ").build()).hasMessage("command must not be blank");
        assertThatThrownBy(() -> AcpClientOptions.builder()
                        .closeGrace(Duration.ofSeconds(1))
                        .closeGrace(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("closeGrace was already set to PT1S");
        assertThatThrownBy(() -> AcpClientOptions.builder().maxLineBytes(0).build())
                .hasMessage("maxLineBytes must be positive: 0");
        assertThatThrownBy(() ->
                        AcpClientOptions.builder().requestTimeout(Duration.ZERO).build())
                .hasMessage("requestTimeout must be positive: PT0S");
        assertThatThrownBy(() -> SessionSetup.of(Path.of("relative"))).hasMessage("cwd must be absolute: relative");
        AcpClientOptions defaults = AcpClientOptions.defaults();
        assertThat(defaults.maxLineBytes()).isEqualTo(32 * 1024 * 1024);
        assertThat(defaults.promptTimeout()).isNull();
        assertThat(defaults.fsAccess()).isEqualTo(FsAccess.NONE);
    }

    private static PermissionRequest request(String toolKind, PermissionOption... options) {
        return new PermissionRequest(
                "s",
                new SessionUpdate.ToolCallUpdate("c", "t", toolKind, null, Json.object()),
                List.of(options),
                Json.object());
    }

    private static final PermissionOption ALLOW = new PermissionOption("a1", "Allow", "allow_once");
    private static final PermissionOption ALWAYS = new PermissionOption("a2", "Always", "allow_always");
    private static final PermissionOption REJECT = new PermissionOption("r1", "Reject", "reject_once");

    private static PermissionOutcome decide(PermissionPolicy policy, PermissionRequest request) {
        return policy.decide(request).toCompletableFuture().join();
    }

    @Test
    void builtInPermissionPolicies() {
        assertThat(decide(PermissionPolicy.rejectAll(), request("edit", ALLOW, REJECT)))
                .isEqualTo(PermissionOutcome.selected("r1"));
        assertThat(decide(PermissionPolicy.rejectAll(), request("edit", ALLOW)))
                .isEqualTo(PermissionOutcome.cancelled());
        assertThat(decide(PermissionPolicy.allowOnce(), request("edit", REJECT, ALWAYS, ALLOW)))
                .isEqualTo(PermissionOutcome.selected("a1"));
        assertThat(decide(PermissionPolicy.allowOnce(), request("edit", REJECT, ALWAYS)))
                .isEqualTo(PermissionOutcome.selected("a2"));
        PermissionPolicy reads = PermissionPolicy.allowToolKinds(Set.of("read", "search"));
        assertThat(decide(reads, request("read", ALLOW, REJECT))).isEqualTo(PermissionOutcome.selected("a1"));
        assertThat(decide(reads, request("execute", ALLOW, REJECT))).isEqualTo(PermissionOutcome.selected("r1"));
        assertThat(decide(reads, request(null, ALLOW, REJECT))).isEqualTo(PermissionOutcome.selected("r1"));
    }

    @Test
    void askHumanUsesTheAnswerOrFallsBack() {
        CompletableFuture<PermissionOutcome> answer = new CompletableFuture<>();
        PermissionPolicy human =
                PermissionPolicy.askHuman(r -> answer, Duration.ofMinutes(5), PermissionPolicy.rejectAll());
        CompletableFuture<PermissionOutcome> decided =
                human.decide(request("edit", ALLOW, REJECT)).toCompletableFuture();
        assertThat(decided).isNotDone();
        answer.complete(PermissionOutcome.selected("a1"));
        assertThat(decided.join()).isEqualTo(PermissionOutcome.selected("a1"));

        PermissionPolicy broken = PermissionPolicy.askHuman(
                r -> CompletableFuture.failedFuture(new IllegalStateException("chat down")),
                Duration.ofMinutes(5),
                PermissionPolicy.rejectAll());
        assertThat(decide(broken, request("edit", ALLOW, REJECT))).isEqualTo(PermissionOutcome.selected("r1"));

        PermissionPolicy slow = PermissionPolicy.askHuman(
                r -> new CompletableFuture<>(), Duration.ofMillis(50), PermissionPolicy.rejectAll());
        assertThat(decide(slow, request("edit", ALLOW, REJECT))).isEqualTo(PermissionOutcome.selected("r1"));

        CompletableFuture<PermissionOutcome> withdrawn = new CompletableFuture<>();
        AtomicInteger fallbacks = new AtomicInteger();
        PermissionPolicy cancellable = PermissionPolicy.askHuman(r -> withdrawn, Duration.ofMinutes(5), r -> {
            fallbacks.incrementAndGet();
            return PermissionPolicy.rejectAll().decide(r);
        });
        cancellable.decide(request("edit", ALLOW)).toCompletableFuture().cancel(false);
        assertThat(withdrawn)
                .as("the client's cancel reaches the human question")
                .isCancelled();
        assertThat(fallbacks).as("a withdrawn question needs no fallback").hasValue(0);
    }

    @Test
    void stderrRingKeepsTheLastBytes() {
        StderrRing ring = new StderrRing("t", java.io.InputStream.nullInputStream(), 8, org.slf4j.event.Level.TRACE);
        assertThat(ring.tail()).isEmpty();
        ring.append("abc".getBytes(StandardCharsets.UTF_8), 0, 3);
        assertThat(ring.tail()).isEqualTo("abc");
        ring.append("defghij".getBytes(StandardCharsets.UTF_8), 0, 7);
        assertThat(ring.tail()).isEqualTo("cdefghij");
        ring.append("0123456789XY".getBytes(StandardCharsets.UTF_8), 0, 12);
        assertThat(ring.tail()).isEqualTo("456789XY");
        ring.append("z".getBytes(StandardCharsets.UTF_8), 0, 1);
        assertThat(ring.tail()).isEqualTo("56789XYz");
    }

    @Test
    void exceptionsCarryWhatCallersReport() {
        AgentProcessException dead = new AgentProcessException("the agent exited", 3, "line1\nFATAL: no key\n");
        assertThat(dead.exitCode()).hasValue(3);
        assertThat(dead).hasMessageContaining("exit code 3").hasMessageContaining("FATAL: no key");
        assertThat(new AgentProcessException("x", null, "").exitCode()).isEmpty();
        assertThat(new AcpRequestTimeoutException("session/new", 4, Duration.ofSeconds(2), "alive"))
                .hasMessage("session/new (id 4) got no answer within PT2S; alive");
    }
}
