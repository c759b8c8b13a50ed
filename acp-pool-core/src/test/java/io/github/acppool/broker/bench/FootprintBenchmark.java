package io.github.acppool.broker.bench;

import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.Sender;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.turn.DrainPolicy;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 16: heap and threads per idle conversation in this JVM (the agent processes are not counted), right after
 * each of {@code conversations} (10, 1,000) conversations ran one turn. The agent is {@code
 * src/test/resources/bench/tiny-agent.awk} under {@code mawk} (about 1 MB per process, so a thousand fit; needs
 * mawk). Threads are every live thread of the JVM ({@link Thread#getAllStackTraces()}), so the JDK's process
 * reaper threads count too. Run it with its single iteration (JMH adds auxiliary counters across iterations):
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core test-compile exec:exec -Dbench.args="FootprintBenchmark"
 * </pre>
 */
@Fork(
        value = 1,
        jvmArgs = {"-Xmx2g", "-Xss512k"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FootprintBenchmark {
    private static final ChatMessage HELLO = ChatMessage.text("m", new Sender("u1", "User"), "hello");

    @State(Scope.Benchmark)
    public static class Size {
        @Param({"10", "1000"})
        public int conversations;
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Footprint {
        public double heapKiBPerConversation;
        public double threadsPerConversation;
    }

    static AgentLaunchSpec tinyAgent() {
        try {
            Path script = Path.of(Objects.requireNonNull(FootprintBenchmark.class.getResource("/bench/tiny-agent.awk"))
                    .toURI());
            return AgentLaunchSpec.builder("mawk")
                    .args("-W", "interactive", "-f", script.toString())
                    .build();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public void idleConversations(Size size, Footprint counters) throws IOException {
        Path work = Files.createTempDirectory("acp-footprint");
        AcpBroker broker = AcpBroker.builder()
                .agent(tinyAgent())
                .workingDirectory(id -> work)
                .poolConfig(PoolConfig.builder()
                        .name("footprint")
                        .maxSize(size.conversations + 1)
                        .build())
                .drainPolicy(DrainPolicy.none())
                .promptComposer(PromptComposer.plain())
                .build();
        try {
            // Shared state (the broker's threads, Jackson, class loading, the shared client workers) first.
            turn(broker, "footprint:first");
            Runtime runtime = Runtime.getRuntime();
            gc();
            long heapBefore = runtime.totalMemory() - runtime.freeMemory();
            int threadsBefore = Thread.getAllStackTraces().size();
            for (int i = 0; i < size.conversations; i++) {
                turn(broker, "footprint:" + i);
            }
            gc();
            counters.heapKiBPerConversation =
                    (runtime.totalMemory() - runtime.freeMemory() - heapBefore) / 1024.0 / size.conversations;
            counters.threadsPerConversation =
                    (double) (Thread.getAllStackTraces().size() - threadsBefore) / size.conversations;
        } finally {
            broker.shutdown();
        }
    }

    private static void turn(AcpBroker broker, String conversation) {
        BrokerResult result = broker.prompt(conversation, HELLO);
        if (result.outcome() != BrokerResult.Outcome.COMPLETED) {
            throw new IllegalStateException("turn failed: " + result.replyText());
        }
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }
}
