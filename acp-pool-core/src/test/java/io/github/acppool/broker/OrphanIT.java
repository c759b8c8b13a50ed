package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.acp.AgentLaunchSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents left behind by a killed broker instance: recorded in the state directory, stopped by the next broker
 * that starts there, and never a process that merely reuses a recorded pid or belongs to a live instance.
 */
@Timeout(120)
final class OrphanIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private Path state;
    private final List<ProcessHandle> started = new ArrayList<>();

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
        state = root.resolve("state");
    }

    @AfterEach
    void close() {
        started.forEach(ProcessHandle::destroyForcibly);
        fixture.agentProcesses().forEach(ProcessHandle::destroyForcibly);
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    /**
     * The previous run: a shell stands in for the broker JVM that started a lingering fake agent (it outlives its
     * client, as some real agents' node children do) and recorded it; then the shell is killed with SIGKILL.
     *
     * @return the orphaned agent
     */
    private ProcessHandle orphanOf(String instance, @Nullable ProcessHandle owner) throws IOException {
        AgentLaunchSpec agent = fixture.agent("--linger");
        String line = agent.commandLine().stream().map(arg -> "'" + arg + "'").collect(Collectors.joining(" "));
        ProcessBuilder shell = new ProcessBuilder("sh", "-c", line + " </dev/null >/dev/null 2>&1 & echo $!; wait");
        shell.environment().put(OrphanRecords.OWNER_VARIABLE, instance);
        Process previous = shell.start();
        started.add(previous.toHandle());
        long pid;
        try (BufferedReader out = previous.inputReader()) {
            pid = Long.parseLong(out.readLine().trim());
        }
        ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
        started.add(orphan);
        new OrphanRecords(state, instance, owner == null ? previous.toHandle() : owner, "previous")
                .started(OptionalInt.of((int) pid), "alpha");
        if (owner == null) {
            previous.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
            await().atMost(Duration.ofSeconds(20)).until(() -> !previous.isAlive());
        }
        return orphan;
    }

    @Test
    void agentOfAKilledPreviousRun_isStoppedAtStart_butAReusedPidIsSpared() throws Exception {
        ProcessHandle orphan = orphanOf("killed-run", null);
        // A pid of that run that now belongs to another process: alive, but started at another instant.
        Process reused = new ProcessBuilder("sleep", "600").start();
        started.add(reused.toHandle());
        Path record = state.resolve("agents-killed-run.json");
        ObjectNode root = (ObjectNode) JSON.readTree(record.toFile());
        ((ArrayNode) root.get("agents"))
                .addObject()
                .put("pid", reused.pid())
                .put("start", Instant.parse("2020-01-01T00:00:00Z").toString())
                .put("agent", "beta");
        JSON.writeValue(record.toFile(), root);
        assertThat(orphan.isAlive()).as("its broker is gone, the agent runs on").isTrue();

        fixture.start(b -> b.stateDirectory(state));

        assertThat(orphan.onExit().get(20, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(reused.isAlive()).as("a reused pid is never killed").isTrue();
        assertThat(record).doesNotExist();
    }

    @Test
    void agentsOfALiveInstance_areLeftAlone() throws Exception {
        ProcessHandle agent = orphanOf("live-run", ProcessHandle.current());
        fixture.start(b -> b.stateDirectory(state));
        assertThat(agent.isAlive()).isTrue();
        assertThat(state.resolve("agents-live-run.json")).exists();
    }

    @Test
    void brokerRecordsItsAgents_marksTheirEnvironment_andDeletesTheRecordAtShutdown() throws IOException {
        AcpBroker broker = fixture.start(b -> b.stateDirectory(state));
        String marker = broker.prompt("test:a", message("a1", "ann", "env " + OrphanRecords.OWNER_VARIABLE))
                .replyText();
        assertThat(marker)
                .startsWith("env " + OrphanRecords.OWNER_VARIABLE + "=")
                .doesNotEndWith("unset");
        String instance = marker.substring(marker.indexOf('=') + 1);
        Path record = state.resolve("agents-" + instance + ".json");
        long pid = fixture.agentProcesses().get(0).pid();
        assertThat(JSON.readTree(record.toFile())
                        .path("agents")
                        .get(0)
                        .path("pid")
                        .asLong())
                .isEqualTo(pid);

        broker.shutdown();
        try (Stream<Path> files = Files.list(state)) {
            assertThat(files).isEmpty();
        }
    }
}
