package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance against a peer nobody here wrote: the example agents of the ACP TypeScript SDK
 * ({@code @agentclientprotocol/sdk@1.9.0}), installed by the build with {@code npm ci} from {@code
 * src/test/npm}. The expected texts and tool calls are what that package's {@code agent.js} streams.
 */
@Timeout(60)
final class AcpConformanceIT {
    private static final String FIRST =
            "I'll help you with that. Let me start by reading some files to understand the current situation.";
    private static final String SECOND =
            " Now I understand the project structure. I need to make some changes to improve it.";
    private static final String ALLOWED =
            " Perfect! I've successfully updated the configuration. The changes have been applied.";
    private static final String REJECTED =
            " I understand you prefer not to make that change. I'll skip the configuration update.";

    private static Path examples;

    @TempDir
    Path cwd;

    private AcpClient client;

    @BeforeAll
    static void findAgents() {
        Path npm = Path.of(System.getProperty("acp.npm.dir", "src/test/npm"));
        examples = npm.resolve("node_modules/@agentclientprotocol/sdk/dist/examples");
        assertThat(examples.resolve("agent.js"))
                .as("the SDK's example agents (installed by `npm ci` in the pre-integration-test phase)")
                .exists();
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private AcpClient launch(String script, AcpClientOptions options) {
        client = AcpClient.launch(
                AgentLaunchSpec.builder("node")
                        .args(examples.resolve(script).toString())
                        .build(),
                options);
        return client;
    }

    @Test
    void exampleAgentStreamsTextAndToolCallsAndAsksPermission() throws Exception {
        Map<String, String> choice = new ConcurrentHashMap<>();
        Map<String, SessionUpdate.ToolCallUpdate> asked = new ConcurrentHashMap<>();
        AcpClient agent = launch(
                "agent.js",
                AcpClientOptions.builder()
                        .permissionPolicy(request -> {
                            asked.put(request.sessionId(), request.toolCall());
                            return CompletableFuture.completedFuture(
                                    choice.get(request.sessionId()).equals("allow")
                                            ? request.allowOnce()
                                            : request.reject());
                        })
                        .build());
        InitializeResult init = agent.initialize().get(30, TimeUnit.SECONDS);
        assertThat(init.protocolVersion()).isEqualTo(1);
        assertThat(init.agentCapabilities().loadSession()).isFalse();

        Recorder allowed = new Recorder();
        Recorder rejected = new Recorder();
        String allowSession = agent.newSession(SessionSetup.of(cwd), allowed)
                .get(30, TimeUnit.SECONDS)
                .sessionId();
        String rejectSession = agent.newSession(SessionSetup.of(cwd), rejected)
                .get(30, TimeUnit.SECONDS)
                .sessionId();
        choice.put(allowSession, "allow");
        choice.put(rejectSession, "reject");
        // Both turns run at once (the agent sleeps about 5 s per turn).
        CompletableFuture<PromptResult> allowTurn =
                agent.prompt(allowSession, List.of(ContentBlock.text("hello"))).future();
        CompletableFuture<PromptResult> rejectTurn =
                agent.prompt(rejectSession, List.of(ContentBlock.text("hello"))).future();
        assertThat(allowTurn.get(30, TimeUnit.SECONDS).stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(rejectTurn.get(30, TimeUnit.SECONDS).stopReason()).isEqualTo(StopReason.END_TURN);

        assertThat(allowed.messages()).containsExactly(FIRST, SECOND, ALLOWED);
        assertThat(String.join("", rejected.messages())).isEqualTo(FIRST + SECOND + REJECTED);
        assertThat(toolCalls(allowed))
                .containsExactly(
                        "tool_call call_1 read pending Reading project files",
                        "tool_call_update call_1 completed",
                        "tool_call call_2 edit pending Modifying critical configuration file",
                        "tool_call_update call_2 completed");
        assertThat(toolCalls(rejected))
                .containsExactly(
                        "tool_call call_1 read pending Reading project files",
                        "tool_call_update call_1 completed",
                        "tool_call call_2 edit pending Modifying critical configuration file");
        assertThat(asked.get(allowSession).toolCallId()).isEqualTo("call_2");
        assertThat(asked.get(allowSession).toolKind()).isEqualTo("edit");
        SessionUpdate.ToolCallUpdate firstResult =
                allowed.ofType(SessionUpdate.ToolCallUpdate.class).get(0);
        assertThat(firstResult.raw().at("/content/0/content/text").asText())
                .isEqualTo("# My Project\n\nThis is a sample project...");
    }

    @Test
    void exampleAgentAnswersCancelledWhenCancelledMidTurn() throws Exception {
        AcpClient agent = launch("agent.js", AcpClientOptions.defaults());
        agent.initialize().get(30, TimeUnit.SECONDS);
        Recorder recorder = new Recorder();
        String sessionId = agent.newSession(SessionSetup.of(cwd), recorder)
                .get(30, TimeUnit.SECONDS)
                .sessionId();
        CompletableFuture<PromptResult> turn =
                agent.prompt(sessionId, List.of(ContentBlock.text("hi"))).future();
        org.awaitility.Awaitility.await().until(() -> !recorder.messages().isEmpty());
        agent.cancel(sessionId);
        assertThat(turn.get(30, TimeUnit.SECONDS).stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(recorder.messages()).containsExactly(FIRST);
    }

    @Test
    void dualVersionAgentAnswersVersionOneAndStreamsItsGreeting() throws Exception {
        assertThat(Files.exists(examples.resolve("dual-version-agent.js"))).isTrue();
        AcpClient agent = launch("dual-version-agent.js", AcpClientOptions.defaults());
        assertThat(agent.initialize().get(30, TimeUnit.SECONDS).protocolVersion())
                .isEqualTo(1);
        Recorder recorder = new Recorder();
        String sessionId = agent.newSession(SessionSetup.of(cwd), recorder)
                .get(30, TimeUnit.SECONDS)
                .sessionId();
        for (int turn = 0; turn < 3; turn++) {
            PromptResult result = agent.prompt(sessionId, List.of(ContentBlock.text("hi")))
                    .future()
                    .get(30, TimeUnit.SECONDS);
            assertThat(result.stopReason()).isEqualTo(StopReason.END_TURN);
            // Delivered before the answer completed the future: no waiting needed.
            assertThat(recorder.messages()).hasSize(turn + 1).last().isEqualTo("Hello from the v1 implementation.");
        }
        // The agent exits when stdin closes.
        agent.close();
        assertThat(agent.exitCode()).hasValue(0);
    }

    private static List<String> toolCalls(Recorder recorder) {
        return recorder.updates().stream()
                .map(u -> {
                    if (u instanceof SessionUpdate.ToolCall t) {
                        return "tool_call " + t.toolCallId() + " " + t.toolKind() + " " + t.status() + " " + t.title();
                    }
                    if (u instanceof SessionUpdate.ToolCallUpdate t) {
                        return "tool_call_update " + t.toolCallId() + " " + t.status();
                    }
                    return null;
                })
                .filter(java.util.Objects::nonNull)
                .toList();
    }
}
