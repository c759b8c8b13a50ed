package io.github.acppool.broker.bench;

import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.Sender;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.TurnEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * What the quiet gap before a session's next prompt costs, side by side in one run, against the fast python
 * agent of {@link BrokerBenchmark} (it answers at once, with one chunk before the answer and no tail):
 *
 * <ul>
 *   <li>{@code queuedTurns}: one operation is {@value #QUEUED} messages queued at once on one conversation, all
 *       awaited; the {@code turns} counter is turns per second. Param {@code drain} (the drain policy: {@code
 *       none} or the default {@code fixed200}) times {@code gap} ({@code 0} ms, the old behaviour, or {@code
 *       200} ms, the default with the default drain). With the default drain the gap has passed by the time the
 *       drain ends, so it costs nothing; with drain none every back-to-back prompt waits for it.
 *   <li>{@code firstChunk}: time from a message to its first chunk when the conversation's previous turn ended
 *       longer ago than the gap (the usual chat: a message arrives after a pause), for both gaps: the gap costs
 *       nothing then.
 * </ul>
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core test-compile exec:exec -Dbench.args="TurnBoundaryBenchmark -f 1 -wi 2 -i 3 -r 2s"
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class TurnBoundaryBenchmark {
    static final int QUEUED = 8;
    private static final Sender USER = new Sender("u1", "User");
    private static final ChatMessage HELLO = ChatMessage.text("m", USER, "hello");

    static AcpBroker broker(Path work, String drain, int gapMillis) {
        return AcpBroker.builder()
                .agent(BrokerBenchmark.fastAgent())
                .workingDirectory(id -> work)
                .poolConfig(PoolConfig.builder().name("bench").maxSize(1).build())
                .drainPolicy(drain.equals("none") ? DrainPolicy.none() : DrainPolicy.fixed(Duration.ofMillis(200)))
                .quietGap(Duration.ofMillis(gapMillis))
                .promptComposer(PromptComposer.plain())
                .maxMessagesPerTurn(1)
                .build();
    }

    @State(Scope.Benchmark)
    public static class Queued {
        @Param({"none", "fixed200"})
        public String drain;

        @Param({"0", "200"})
        public int gap;

        AcpBroker broker;

        @Setup(Level.Trial)
        public void start() throws IOException {
            broker = broker(Files.createTempDirectory("acp-gap-bench"), drain, gap);
            broker.prompt("bench:queued", HELLO);
        }

        @TearDown(Level.Trial)
        public void stop() {
            broker.shutdown();
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class TurnCount {
        public long turns;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void queuedTurns(Queued state, TurnCount count) {
        List<CompletableFuture<BrokerResult>> results = new ArrayList<>(QUEUED);
        for (int i = 0; i < QUEUED; i++) {
            results.add(state.broker.promptAsync("bench:queued", HELLO));
        }
        for (CompletableFuture<BrokerResult> result : results) {
            if (result.join().outcome() != BrokerResult.Outcome.COMPLETED) {
                throw new IllegalStateException("turn failed");
            }
        }
        count.turns += QUEUED;
    }

    /** Longer than the largest {@code gap} param. */
    private static final long PAUSE_MILLIS = 220;

    /** One warm conversation whose previous turn ended longer ago than the gap before each message. */
    @State(Scope.Benchmark)
    public static class AfterAPause {
        @Param({"0", "200"})
        public int gap;

        AcpBroker broker;
        final AtomicReference<CountDownLatch> chunk = new AtomicReference<>(new CountDownLatch(1));
        CompletableFuture<?> pending = CompletableFuture.completedFuture(null);
        final MessageListener listener = new MessageListener() {
            @Override
            public void onEvent(TurnEvent event) {
                if (event instanceof TurnEvent.TextChunk) {
                    chunk.get().countDown();
                }
            }
        };

        @Setup(Level.Trial)
        public void start() throws IOException {
            broker = broker(Files.createTempDirectory("acp-gap-bench"), "none", gap);
            broker.prompt("bench:pause", HELLO);
        }

        /**
         * The previous turn ends, then the conversation stays quiet a little longer than the largest gap. The pause is
         * the same for every gap, so both settings start their message from the same idle machine state.
         */
        @Setup(Level.Invocation)
        public void pause() throws InterruptedException {
            pending.join();
            Thread.sleep(PAUSE_MILLIS); // outside the measurement: the time between two chat messages
            chunk.set(new CountDownLatch(1));
        }

        @TearDown(Level.Trial)
        public void stop() {
            pending.join();
            broker.shutdown();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void firstChunk(AfterAPause state) throws InterruptedException {
        state.pending = state.broker.promptAsync("bench:pause", HELLO, state.listener);
        if (!state.chunk.get().await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no chunk");
        }
    }
}
