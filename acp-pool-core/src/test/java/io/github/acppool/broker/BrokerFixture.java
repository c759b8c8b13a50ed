package io.github.acppool.broker;

import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.DrainPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Brokers over real fake-agent processes for one test: every agent carries a marker argument unique to the
 * fixture, so that {@link #agentProcesses()} finds exactly this test's processes in the process table. The
 * brokers' timers (pool cleanup, turn timers) run on {@link #clock}, which moves only when a test advances it;
 * the drain policy is {@link DrainPolicy#none()} by default so that turns end as soon as the agent answers.
 */
final class BrokerFixture implements AutoCloseable {
    final FakeScheduler clock = new FakeScheduler();
    final String marker = "--marker=broker-test-" + UUID.randomUUID();
    final Path root;
    private final List<AcpBroker> brokers = new ArrayList<>();

    BrokerFixture(Path root) {
        this.root = root;
    }

    AgentLaunchSpec agent(String... flags) {
        String[] all = Arrays.copyOf(flags, flags.length + 1);
        all[flags.length] = marker;
        return FakeAgent.launchSpec(all);
    }

    /** A builder with the fixture's agent (and flags), clock, a per-conversation directory and no drain. */
    AcpBroker.Builder builder(String... flags) {
        return AcpBroker.builder()
                .agent(agent(flags))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .scheduler(clock, false)
                .ticker(clock);
    }

    /** Builds the broker, defaulting a per-conversation working directory and a 5 s shutdown timeout. */
    AcpBroker start(AcpBroker.Builder builder) {
        if (builder.workingDirectory == null) {
            builder.workingDirectory(id -> root.resolve("work").resolve(id.replace(':', '_')));
        }
        if (builder.shutdownTimeout == null) {
            builder.shutdownTimeout(Duration.ofSeconds(5));
        }
        AcpBroker broker = builder.build();
        brokers.add(broker);
        return broker;
    }

    /** Builds the broker as configured (no per-conversation directory unless the builder has one). */
    AcpBroker startAsIs(AcpBroker.Builder builder) {
        if (builder.shutdownTimeout == null) {
            builder.shutdownTimeout(Duration.ofSeconds(5));
        }
        AcpBroker broker = builder.build();
        brokers.add(broker);
        return broker;
    }

    AcpBroker start(String... flags) {
        return start(builder(flags));
    }

    AcpBroker start(Consumer<AcpBroker.Builder> configure, String... flags) {
        AcpBroker.Builder builder = builder(flags);
        configure.accept(builder);
        return start(builder);
    }

    static PoolConfig pool(int maxSize) {
        return PoolConfig.builder().name("test-broker").maxSize(maxSize).build();
    }

    /** The live agent processes started by this fixture. */
    List<ProcessHandle> agentProcesses() {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info()
                        .arguments()
                        .map(args -> Arrays.asList(args).contains(marker))
                        .orElse(false))
                .toList();
    }

    void awaitNoAgentProcess() {
        await().atMost(Duration.ofSeconds(20)).until(() -> agentProcesses().isEmpty());
    }

    static ChatMessage message(String id, String sender, String text) {
        return ChatMessage.text(
                id, new Sender(sender, sender.substring(0, 1).toUpperCase() + sender.substring(1)), text);
    }

    static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** Releases the conversation's turn paused on {@code wait-for-continue}. */
    static void release(AcpBroker broker, String conversationId) {
        AcpClient client = Checks.notNull(((DefaultAcpBroker) broker).agentClient(conversationId), "agent client");
        String sessionId = broker.status(conversationId).orElseThrow().sessionId();
        client.notify("_fake/continue", Json.object().put("sessionId", sessionId));
    }

    /** Waits until the conversation's listener saw the first chunk of its turn. */
    static void awaitChunk(Recorder recorder) {
        try {
            if (!recorder.firstChunk.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("no chunk within 60 s: " + recorder.calls);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        brokers.forEach(AcpBroker::shutdown);
        clock.shutdownNow();
    }
}
