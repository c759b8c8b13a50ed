package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.internal.Checks;
import io.github.acppool.turn.DrainPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm agents against real fake-agent processes: each agent appends its pid to a start log, so a test sees which
 * process a conversation got and how many were started. The broker's scheduler is the fixture's fake clock, so
 * backoff moves only when a test advances it.
 */
@Timeout(120)
final class WarmAgentsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private Path startLog;
    private Path work;

    @BeforeEach
    void fixture() throws IOException {
        fixture = new BrokerFixture(root);
        startLog = root.resolve("starts.log");
        work = Files.createDirectories(root.resolve("work"));
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    /** A broker whose every conversation launches the agent in one directory (no directory function). */
    private AcpBroker.Builder oneDirectory(int warm, String... flags) {
        String[] all = new String[flags.length + 1];
        all[0] = "--start-log=" + startLog;
        System.arraycopy(flags, 0, all, 1, flags.length);
        return AcpBroker.builder()
                .agent(fixture.agent(all).withWorkingDirectory(work))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .scheduler(fixture.clock, false)
                .ticker(fixture.clock)
                .warmAgents(warm);
    }

    private List<Long> starts() {
        try {
            if (!Files.exists(startLog)) {
                return List.of();
            }
            return Files.readAllLines(startLog).stream()
                    .filter(line -> !line.isBlank())
                    .map(Long::parseLong)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int ready(AcpBroker broker) {
        return ((DefaultAcpBroker) broker).warmAgentsReady();
    }

    private static long pidOf(AcpBroker broker, String conversationId) {
        AcpClient client = Checks.notNull(((DefaultAcpBroker) broker).agentClient(conversationId), "client");
        return client.pid().orElseThrow();
    }

    @Test
    void newConversation_takesTheSpare_andItIsReplaced() {
        AcpBroker broker = fixture.startAsIs(oneDirectory(1));
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        long spare = starts().get(0);

        BrokerResult first = broker.prompt("test:a", message("a1", "ann", "say hello"));

        assertThat(first.replyText()).isEqualTo("hello");
        assertThat(pidOf(broker, "test:a")).isEqualTo(spare);
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        assertThat(starts()).hasSize(2);

        long replacement = starts().get(1);
        broker.prompt("test:b", message("b1", "bob", "say hi"));
        assertThat(pidOf(broker, "test:b")).isEqualTo(replacement);
    }

    /** A resumed conversation (its agent was evicted) takes a spare too, and resumes its session in it. */
    @Test
    void resumedConversation_takesASpare() {
        AcpBroker broker = fixture.startAsIs(oneDirectory(1, "--state-dir=" + root.resolve("agent-state")));
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        String session =
                broker.prompt("test:a", message("a1", "ann", "say one")).sessionId();
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        long spare = starts().get(1);
        ((DefaultAcpBroker) broker).agentClient("test:a").close(); // its agent dies

        BrokerResult resumed = broker.prompt("test:a", message("a2", "ann", "history"));

        assertThat(resumed.sessionId()).isEqualTo(session);
        assertThat(resumed.replyText()).isEqualTo("history: say one");
        assertThat(pidOf(broker, "test:a")).isEqualTo(spare);
    }

    @Test
    void shutdown_stopsEverySpare() {
        AcpBroker broker = fixture.startAsIs(oneDirectory(2));
        await().atMost(WAIT).until(() -> ready(broker) == 2);
        assertThat(fixture.agentProcesses()).hasSize(2);

        broker.shutdown();

        assertThat(fixture.agentProcesses()).isEmpty();
    }

    /**
     * Per-conversation directories never repeat, so no spare is started for them (it could never be taken); and
     * none is taken across directories.
     */
    @Test
    void perConversationDirectories_getNoSpare() {
        AcpBroker broker = fixture.start(fixture.builder("--start-log=" + startLog)
                .workingDirectory(id -> root.resolve(id.replace(':', '_')))
                .warmAgents(1));

        broker.prompt("test:a", message("a1", "ann", "say a"));
        broker.prompt("test:b", message("b1", "bob", "say b"));
        broker.prompt("test:c", message("c1", "cid", "say c"));

        assertThat(starts()).hasSize(3);
        assertThat(ready(broker)).isZero();
        assertThat(fixture.agentProcesses()).hasSize(3);
    }

    /**
     * With a directory function, the directory two conversations in a row started in is warmed; a conversation in
     * another directory does not take that spare. With the pool full (3), the conversation that needs a process of
     * its own stops the spare: no conversation is evicted for it.
     */
    @Test
    void learnedDirectory_isWarmed_andAFullPoolStopsTheSpareNotAConversation() {
        Path shared = root.resolve("shared");
        EventLog log = new EventLog();
        AcpBroker broker = fixture.start(fixture.builder("--start-log=" + startLog)
                .workingDirectory(id -> id.equals("test:other") ? root.resolve("other") : shared)
                .poolConfig(BrokerFixture.pool(3))
                .listener(log)
                .warmAgents(1));
        broker.prompt("test:a", message("a1", "ann", "say a"));
        broker.prompt("test:b", message("b1", "bob", "say b"));
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        // The spare may have started before test:b's agent: it is the process neither conversation has.
        List<Long> conversations = List.of(pidOf(broker, "test:a"), pidOf(broker, "test:b"));
        long spare = starts().stream()
                .filter(pid -> !conversations.contains(pid))
                .findFirst()
                .orElseThrow();

        broker.prompt("test:other", message("o1", "oli", "say o"));

        assertThat(pidOf(broker, "test:other")).isNotEqualTo(spare);
        assertThat(log.matching("evicted ")).isEmpty();
        await().atMost(WAIT)
                .until(() -> ProcessHandle.of(spare).map(p -> !p.isAlive()).orElse(true));
        assertThat(ready(broker)).isZero();
        assertThat(fixture.agentProcesses()).hasSize(3);
        assertThat(broker.status("test:a")).isPresent();
        assertThat(broker.status("test:b")).isPresent();
    }

    /** Spares use only free room: a pool of 2 with 2 spares wanted holds 2 processes, whatever is taken. */
    @Test
    void sparesCountAgainstThePoolSize() {
        AcpBroker broker = fixture.startAsIs(oneDirectory(2).poolConfig(BrokerFixture.pool(2)));
        await().atMost(WAIT).until(() -> ready(broker) == 2);

        broker.prompt("test:a", message("a1", "ann", "say a"));
        // Replenishing after the take finds no room: 1 conversation + 1 spare.
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        broker.prompt("test:b", message("b1", "bob", "say b"));

        assertThat(starts()).hasSize(2);
        assertThat(ready(broker)).isZero();
        assertThat(fixture.agentProcesses()).hasSize(2);
    }

    /** A spare killed while waiting is replaced after the first backoff (1 s on the fake clock), not before. */
    @Test
    void deadSpare_isReplacedAfterBackoff() {
        AcpBroker broker = fixture.startAsIs(oneDirectory(1));
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        long spare = starts().get(0);

        ProcessHandle.of(spare).orElseThrow().destroyForcibly();

        await().atMost(WAIT).until(() -> ready(broker) == 0);
        await().atMost(WAIT)
                .until(() -> fixture.clock.pendingTaskCount() > 0
                        && fixture.clock.nextDueIn().compareTo(WarmAgents.FIRST_BACKOFF) <= 0);
        assertThat(starts()).hasSize(1);
        fixture.clock.advance(WarmAgents.FIRST_BACKOFF);
        await().atMost(WAIT).until(() -> ready(broker) == 1);
        assertThat(starts()).hasSize(2);
        assertThat(broker.prompt("test:a", message("a1", "ann", "say ok")).replyText())
                .isEqualTo("ok");
        assertThat(pidOf(broker, "test:a")).isEqualTo(starts().get(1));
    }

    /**
     * An agent command that crash-loops does not spin: one start per backoff step (1 s, 2 s, 4 s), and a
     * conversation still gets a clear start failure of its own.
     */
    @Test
    void crashLoopingCommand_backsOffExponentially() {
        AcpBroker broker = fixture.startAsIs(oneDirectory(1, "--exit-before-initialize=3"));
        await().atMost(WAIT).until(() -> starts().size() == 1);
        awaitRetryIn(Duration.ofSeconds(1));

        fixture.clock.advance(Duration.ofSeconds(1));
        await().atMost(WAIT).until(() -> starts().size() == 2);
        awaitRetryIn(Duration.ofSeconds(2));
        fixture.clock.advance(Duration.ofSeconds(1));
        assertThat(starts()).hasSize(2);
        fixture.clock.advance(Duration.ofSeconds(1));
        await().atMost(WAIT).until(() -> starts().size() == 3);
        awaitRetryIn(Duration.ofSeconds(4));
        assertThat(ready(broker)).isZero();
    }

    /** Waits until the warm agents' retry is scheduled exactly {@code delay} ahead (the earliest timer). */
    private void awaitRetryIn(Duration delay) {
        await().atMost(WAIT)
                .until(() -> fixture.clock.pendingTaskCount() > 0
                        && fixture.clock.nextDueIn().equals(delay));
    }
}
