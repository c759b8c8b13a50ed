package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.Postgres;
import io.github.acppool.turn.DrainPolicy;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a broker in another JVM ({@link LeaseBrokerMain}) on a real PostgreSQL is killed with SIGKILL
 * mid-turn, its agent with it (the machine died). Its lease stays until it expires by the database's clock; until
 * then a broker in this JVM refuses the conversation, and afterwards takes it over and resumes its session from the
 * shared store, with the agent's memory of the earlier turn.
 */
@Timeout(120)
final class LeaseTakeoverIT {
    private static final String CONVERSATION = "t:crash";

    @TempDir
    Path root;

    private final List<Process> children = new CopyOnWriteArrayList<>();
    private BrokerFixture fixture;

    @AfterEach
    void close() {
        children.forEach(child -> {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        });
        if (fixture != null) {
            fixture.close();
            fixture.awaitNoAgentProcess();
        }
    }

    @Test
    void aKilledInstancesConversationIsTakenOverAfterItsLeaseExpiresAndResumed() throws Exception {
        fixture = new BrokerFixture(root);
        Postgres.Database db = Postgres.freshDatabase();
        String stateDir = root.resolve("agent-state").toString();
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        classPath(),
                        LeaseBrokerMain.class.getName(),
                        db.jdbcUrl(),
                        db.user(),
                        root.resolve("work").toString(),
                        stateDir,
                        fixture.marker,
                        CONVERSATION)
                .redirectError(root.resolve("child-stderr.txt").toFile())
                .start();
        children.add(child);
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String first = line(out, "FIRST ");
        String sessionId = first.split(" ")[1];
        assertThat(first).endsWith(" COMPLETED");
        line(out, "CHUNK"); // mid-turn

        ConversationLeases leases = ConversationLeases.jdbc(db.dataSource());
        SessionStore store = SessionStore.jdbc(db.dataSource());
        assertThat(leases.owner(CONVERSATION)).contains("crashing-instance");
        List<ProcessHandle> agents = child.descendants().toList();
        assertThat(agents).isNotEmpty();
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no release
        agents.forEach(ProcessHandle::destroyForcibly);
        child.waitFor(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> fixture.agentProcesses().isEmpty());

        List<String> conflicts = new CopyOnWriteArrayList<>();
        // A real scheduler (not the fixture's fake clock): the survivor's renewals must run to keep its 2 s lease.
        AcpBroker survivor = fixture.start(AcpBroker.builder()
                .agent(fixture.agent("--state-dir=" + stateDir, "--no-resume"))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .sessionStore(store)
                .leases(leases)
                .leaseOwner("survivor")
                .leaseTtl(Duration.ofSeconds(2))
                .listener(new BrokerListener() {
                    @Override
                    public void onLeaseConflict(String conversationId, String owner) {
                        conflicts.add(conversationId + " " + owner);
                    }
                }));

        BrokerResult early = survivor.prompt(CONVERSATION, message("m3", "bob", "say too early"));
        if (early.outcome() == Outcome.OWNED_ELSEWHERE) { // unless the 2 s lease already ran out on a slow machine
            assertThat(conflicts).containsExactly(CONVERSATION + " crashing-instance");
            assertThat(early.diagnostics()).contains("crashing-instance");
            assertThat(fixture.agentProcesses()).isEmpty();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> leases.owner(CONVERSATION).isEmpty());
        }

        BrokerResult resumed = survivor.prompt(CONVERSATION, message("m4", "bob", "history"));

        assertThat(resumed.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(resumed.sessionId()).isEqualTo(sessionId);
        assertThat(resumed.sessionReset()).isFalse();
        assertThat(resumed.userText()).contains("say one");
        assertThat(leases.owner(CONVERSATION)).contains("survivor");
        assertThat(store.get(CONVERSATION).orElseThrow().sessionId()).isEqualTo(sessionId);
    }

    private static String line(BufferedReader out, String prefix) throws Exception {
        CompletableFuture<String> found = CompletableFuture.supplyAsync(() -> {
            try {
                List<String> seen = new ArrayList<>();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                    seen.add(line);
                }
                throw new AssertionError("the child broker ended before printing " + prefix + ": " + seen);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return found.get(60, TimeUnit.SECONDS);
    }

    /** The child broker's class path: this module's classes and tests, Jackson, SLF4J and the PostgreSQL driver. */
    private static String classPath() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        List<Class<?>> types = new ArrayList<>(List.of(
                LeaseBrokerMain.class,
                AcpBroker.class,
                FakeAgent.class,
                ObjectMapper.class,
                JsonFactory.class,
                JsonInclude.class,
                org.slf4j.LoggerFactory.class,
                org.postgresql.Driver.class));
        try {
            types.add(Class.forName("org.slf4j.simple.SimpleLogger"));
        } catch (ClassNotFoundException e) {
            // no binding: the child logs nothing
        }
        for (Class<?> type : types) {
            entries.add(Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
