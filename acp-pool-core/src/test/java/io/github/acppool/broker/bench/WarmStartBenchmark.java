package io.github.acppool.broker.bench;

import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.Sender;
import io.github.acppool.broker.WarmProbe;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.TurnEvent;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 16: time from a new conversation's first message to its first chunk, without ({@code warm = 0}) and with
 * one warm agent ({@code warm = 1}), side by side in one run. Agents: {@code demo} is the examples module's demo
 * agent (a small JVM; its classes must be compiled: {@code mvn -pl examples -am compile}, or point {@code
 * -Dbench.demoClasses} at them), {@code slow} is the fake agent started with {@code --startup-delay=1000} (a
 * process that needs 1 s before it reads stdin, like a Node agent loading). Each measurement is one new
 * conversation (single shot); before it, the previous conversation is closed and, with warm agents, the spare has
 * been replaced, so every sample is a first message on an idle broker.
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core test-compile exec:exec -Dbench.args="WarmStartBenchmark"
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 2, batchSize = 1)
@Measurement(iterations = 8, batchSize = 1)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WarmStartBenchmark {
    private static final ChatMessage HELLO = ChatMessage.text("m", new Sender("u1", "User"), "hello");

    @State(Scope.Benchmark)
    public static class Broker {
        @Param({"demo", "slow"})
        public String agent;

        @Param({"0", "1"})
        public int warm;

        AcpBroker broker;
        int sequence;
        String conversation = "";
        CountDownLatch chunk = new CountDownLatch(1);
        CompletableFuture<BrokerResult> turn = CompletableFuture.completedFuture(null);
        final MessageListener listener = new MessageListener() {
            @Override
            public void onEvent(TurnEvent event) {
                if (event instanceof TurnEvent.TextChunk) {
                    chunk.countDown();
                }
            }
        };

        @Setup(Level.Trial)
        public void start() throws IOException {
            Path work = Files.createTempDirectory("acp-warm-bench");
            AcpBroker.Builder builder = AcpBroker.builder()
                    .agent(launch(agent).withWorkingDirectory(work))
                    .poolConfig(PoolConfig.builder().name("bench").maxSize(4).build())
                    .drainPolicy(DrainPolicy.none())
                    .promptComposer(PromptComposer.plain());
            if (warm > 0) {
                builder.warmAgents(warm);
            }
            broker = builder.build();
        }

        /** The previous conversation is gone and (with warm agents) its spare replaced: an idle broker. */
        @Setup(Level.Iteration)
        public void next() {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> WarmProbe.ready(broker) >= warm);
            conversation = "bench:" + sequence++;
            chunk = new CountDownLatch(1);
        }

        @TearDown(Level.Iteration)
        public void finish() {
            BrokerResult result = turn.join();
            if (result.outcome() != BrokerResult.Outcome.COMPLETED) {
                throw new IllegalStateException("turn failed: " + result.replyText());
            }
            broker.close(conversation);
        }

        @TearDown(Level.Trial)
        public void stop() {
            broker.shutdown();
        }
    }

    static AgentLaunchSpec launch(String agent) {
        return switch (agent) {
            case "slow" -> FakeAgent.launchSpec("--startup-delay=1000");
            case "demo" -> demoAgent();
            default -> throw new IllegalArgumentException("agent must be demo or slow: " + agent);
        };
    }

    /** The demo agent as the examples module starts it (its JVM options), from its compiled classes. */
    static AgentLaunchSpec demoAgent() {
        Path classes = Path.of(System.getProperty("bench.demoClasses", "../examples/target/classes"));
        if (!Files.isDirectory(classes.resolve("io/github/acppool/examples/demoagent"))) {
            throw new IllegalStateException("the demo agent's classes are not in " + classes.toAbsolutePath()
                    + ": run mvn -pl examples -am compile, or set -Dbench.demoClasses");
        }
        // FakeAgent's class path has Jackson, the demo agent's only dependency.
        String jackson = FakeAgent.classPath();
        List<String> args = new ArrayList<>(
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx128m", "-XX:-UsePerfData"));
        args.add("-cp");
        args.add(classes.toAbsolutePath() + File.pathSeparator + jackson);
        args.add("io.github.acppool.examples.demoagent.DemoAgent");
        args.add("--no-delay");
        return AgentLaunchSpec.builder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args(args)
                .build();
    }

    @Benchmark
    public void firstChunkOfANewConversation(Broker state) throws InterruptedException {
        state.turn = state.broker.promptAsync(state.conversation, HELLO, state.listener);
        if (!state.chunk.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no chunk within 60 s");
        }
    }
}
