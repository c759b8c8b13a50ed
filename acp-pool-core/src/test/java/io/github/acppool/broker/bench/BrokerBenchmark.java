package io.github.acppool.broker.bench;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionUpdate;
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
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * The broker against a fast agent process: {@code src/test/resources/bench/fast-agent.py} (python3, stdlib
 * only), which answers every prompt at once with one chunk, so that the figures are the broker's and the
 * client's, not the agent's.
 *
 * <ul>
 *   <li>{@code turns} (param {@code conversations} = 1, 8, 64): one operation is one round in which every
 *       conversation gets one message at once and every result is awaited; the {@code turns} counter is turns
 *       per second (rounds/s x conversations). Each conversation's agent is started in the trial's setup. {@code
 *       turns_bareClients} runs the same rounds through one bare {@link AcpClient} per conversation (no
 *       streamer, no broker): the reference that separates the broker's cost from the processes' and the
 *       machine's.
 *   <li>{@code firstChunk_bareClient} / {@code firstChunk_broker}: time from sending a prompt to its first chunk
 *       reaching the caller, through a bare {@link AcpClient} (prompt plus a session listener) and through the
 *       broker (promptAsync plus a message listener, drain none); the difference is what the broker adds. The
 *       rest of the turn is awaited outside the measurement.
 *   <li>heap and threads per idle conversation: see {@link FootprintBenchmark}.
 * </ul>
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core test-compile exec:exec -Dbench.args="BrokerBenchmark -f 1"
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BrokerBenchmark {
    private static final Sender USER = new Sender("u1", "User");
    private static final ChatMessage HELLO = ChatMessage.text("m", USER, "hello");

    /** The fast agent's launch spec. */
    static AgentLaunchSpec fastAgent() {
        try {
            Path script = Path.of(Objects.requireNonNull(BrokerBenchmark.class.getResource("/bench/fast-agent.py"))
                    .toURI());
            return AgentLaunchSpec.builder("python3")
                    .args("-u", script.toString())
                    .build();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static AcpBroker broker(int maxSize, Path work) {
        return AcpBroker.builder()
                .agent(fastAgent())
                .workingDirectory(id -> work)
                .poolConfig(PoolConfig.builder().name("bench").maxSize(maxSize).build())
                .drainPolicy(DrainPolicy.none())
                .promptComposer(PromptComposer.plain())
                .build();
    }

    @State(Scope.Benchmark)
    public static class Conversations {
        @Param({"1", "8", "64"})
        public int conversations;

        AcpBroker broker;
        Path work;
        List<String> ids;

        @Setup(Level.Trial)
        public void start() throws IOException {
            work = Files.createTempDirectory("acp-broker-bench");
            broker = broker(conversations, work);
            ids = new ArrayList<>();
            for (int i = 0; i < conversations; i++) {
                ids.add("bench:" + i);
            }
            round(this);
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

    static void round(Conversations state) {
        List<CompletableFuture<BrokerResult>> results = new ArrayList<>(state.ids.size());
        for (String id : state.ids) {
            results.add(state.broker.promptAsync(id, HELLO));
        }
        for (CompletableFuture<BrokerResult> result : results) {
            BrokerResult done = result.join();
            if (done.outcome() != BrokerResult.Outcome.COMPLETED) {
                throw new IllegalStateException("turn failed: " + done.replyText());
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void turns(Conversations state, TurnCount count) {
        round(state);
        count.turns += state.conversations;
    }

    /** The same rounds through bare clients (one per conversation), as the reference for {@code turns}. */
    @State(Scope.Benchmark)
    public static class BareClients {
        @Param({"1", "8", "64"})
        public int conversations;

        final List<AcpClient> clients = new ArrayList<>();
        final List<String> sessions = new ArrayList<>();

        @Setup(Level.Trial)
        public void start() throws IOException {
            Path work = Files.createTempDirectory("acp-broker-bench");
            for (int i = 0; i < conversations; i++) {
                AcpClient client = AcpClient.launch(fastAgent(), AcpClientOptions.defaults());
                client.initialize().join();
                String session = client.newSession(SessionSetup.of(work)).join().sessionId();
                var unused = client.subscribe(session, (id, update) -> {});
                clients.add(client);
                sessions.add(session);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            clients.forEach(AcpClient::close);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void turns_bareClients(BareClients state, TurnCount count) {
        List<CompletableFuture<PromptResult>> results = new ArrayList<>(state.conversations);
        for (int i = 0; i < state.conversations; i++) {
            results.add(state.clients
                    .get(i)
                    .prompt(state.sessions.get(i), List.of(ContentBlock.text("hello")))
                    .future());
        }
        results.forEach(CompletableFuture::join);
        count.turns += state.conversations;
    }

    /** One bare client and one broker conversation, both warm. */
    @State(Scope.Benchmark)
    public static class FirstChunk {
        AcpClient client;
        String sessionId;
        AcpBroker broker;
        Path work;
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
            work = Files.createTempDirectory("acp-broker-bench");
            client = AcpClient.launch(fastAgent(), AcpClientOptions.defaults());
            client.initialize().join();
            sessionId = client.newSession(SessionSetup.of(work)).join().sessionId();
            var unused = client.subscribe(sessionId, (id, update) -> {
                if (update instanceof SessionUpdate.AgentMessageChunk) {
                    chunk.get().countDown();
                }
            });
            broker = broker(1, work);
            broker.prompt("bench:first-chunk", HELLO);
        }

        @Setup(Level.Invocation)
        public void arm() {
            chunk.set(new CountDownLatch(1));
        }

        /** The rest of the turn, outside the measurement. */
        @TearDown(Level.Invocation)
        public void finishTurn() {
            pending.join();
        }

        @TearDown(Level.Trial)
        public void stop() {
            client.close();
            broker.shutdown();
        }

        void awaitChunk() throws InterruptedException {
            if (!chunk.get().await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no chunk");
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void firstChunk_bareClient(FirstChunk state) throws InterruptedException {
        CompletableFuture<PromptResult> turn = state.client
                .prompt(state.sessionId, List.of(ContentBlock.text("hello")))
                .future();
        state.pending = turn;
        state.awaitChunk();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void firstChunk_broker(FirstChunk state) throws InterruptedException {
        state.pending = state.broker.promptAsync("bench:first-chunk", HELLO, state.listener);
        state.awaitChunk();
    }
}
