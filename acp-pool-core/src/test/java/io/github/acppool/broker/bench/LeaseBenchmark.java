package io.github.acppool.broker.bench;

import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.ConversationLeases;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.Sender;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.testing.Postgres;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.TurnEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Issue 14: the broker on the JSON file store alone ({@code json}) against the broker on the JDBC store with JDBC
 * leases in an embedded PostgreSQL ({@code jdbc}), with 8 and 64 conversations whose agents are the fast python
 * agent of {@link BrokerBenchmark}. {@code turns}: every conversation gets one message per round, turns per
 * second. {@code firstChunk}: message to first chunk for one conversation at a time (round robin) while all of
 * them hold their agents and leases (renewed in the background), sampled for percentiles.
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core test-compile exec:exec -Dbench.args="LeaseBenchmark -f 1 -wi 1 -i 3 -r 2s"
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class LeaseBenchmark {
    private static final Sender USER = new Sender("u1", "User");
    private static final ChatMessage HELLO = ChatMessage.text("m", USER, "hello");

    @State(Scope.Benchmark)
    public static class Brokers {
        @Param({"json", "jdbc"})
        public String store;

        @Param({"8", "64"})
        public int conversations;

        AcpBroker broker;
        List<String> ids;
        int next;
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
            Path work = Files.createTempDirectory("acp-lease-bench");
            AcpBroker.Builder builder = AcpBroker.builder()
                    .agent(BrokerBenchmark.fastAgent())
                    .workingDirectory(id -> work)
                    .poolConfig(PoolConfig.builder()
                            .name("bench")
                            .maxSize(conversations)
                            .build())
                    .drainPolicy(DrainPolicy.none())
                    .promptComposer(PromptComposer.plain());
            if (store.equals("jdbc")) {
                Postgres.Database db = Postgres.freshDatabase();
                builder.sessionStore(SessionStore.jdbc(db.dataSource()))
                        .leases(ConversationLeases.jdbc(db.dataSource()));
            } else {
                builder.sessionStore(SessionStore.jsonFile(work.resolve("sessions.json")));
            }
            broker = builder.build();
            ids = new ArrayList<>();
            for (int i = 0; i < conversations; i++) {
                ids.add("bench:" + i);
            }
            round(this);
        }

        @Setup(Level.Invocation)
        public void arm() {
            chunk.set(new CountDownLatch(1));
        }

        @TearDown(Level.Invocation)
        public void finishTurn() {
            pending.join();
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

    static void round(Brokers state) {
        List<CompletableFuture<BrokerResult>> results = new ArrayList<>(state.ids.size());
        for (String id : state.ids) {
            results.add(state.broker.promptAsync(id, HELLO));
        }
        for (CompletableFuture<BrokerResult> result : results) {
            BrokerResult done = result.join();
            if (done.outcome() != BrokerResult.Outcome.COMPLETED) {
                throw new IllegalStateException("turn failed: " + done.diagnostics());
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void turns(Brokers state, TurnCount count) {
        round(state);
        count.turns += state.conversations;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void firstChunk(Brokers state) throws InterruptedException {
        String id = state.ids.get(state.next++ % state.ids.size());
        state.pending = state.broker.promptAsync(id, HELLO, state.listener);
        if (!state.chunk.get().await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no chunk");
        }
    }
}
