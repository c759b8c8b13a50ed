package io.github.acppool.turn.bench;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.PendingRequest;
import io.github.acppool.acp.SessionUpdateListener;
import io.github.acppool.acp.Subscription;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Json;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.PromptStreamer;
import io.github.acppool.turn.TurnEvent;
import io.github.acppool.turn.TurnHandle;
import io.github.acppool.turn.TurnListener;
import io.github.acppool.turn.TurnResult;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the {@link PromptStreamer} adds on top of {@link AcpClient}, against a real fake-agent process.
 *
 * <ul>
 *   <li>End of a turn, per drain policy: {@code endOfTurn_*} run a one-chunk turn ({@code say hi}) through the
 *       bare client and through streamers with {@code DrainPolicy.none()} and {@code DrainPolicy.fixed(200 ms)};
 *       the difference of the averages is what the streamer adds. Each streamer trial also prints, at its end,
 *       the distribution of {@code total - timeToAnswer} of its turns: the time from the prompt's answer
 *       reaching the turn to the turn's result, which is exactly the added latency at the end of a turn
 *       (expected: under 1 ms for none, the window plus under 1 ms for fixed).
 *   <li>Per-chunk overhead: {@code chunks10k_*} replay a transcript of {@value #CHUNKS} {@code
 *       agent_message_chunk}s (the fake agent copies it to stdout as fast as the pipe allows) through the bare
 *       client with a counting listener, and through a streamer (drain none) with a counting turn listener.
 *       Overhead per chunk = (streamer - client) / {@value #CHUNKS}. Through a process this difference is
 *       within the noise of the pipe and the parser, so
 *   <li>{@code delivery10k_*} isolate it: the same {@value #CHUNKS} parsed updates handed straight to a
 *       counting client listener ({@code listenerOnly}, what the client does without a streamer) and to a turn
 *       of a streamer whose client is an in-memory stand-in ({@code streamer}, which also starts and ends the
 *       turn: subscription, timers, result). Overhead per chunk = (streamer - listenerOnly) / {@value #CHUNKS}.
 * </ul>
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core test-compile exec:exec -Dbench.args="PromptStreamerBenchmark -f 1"
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PromptStreamerBenchmark {
    static final int CHUNKS = 10_000;
    private static final String SESSION = "sess-1"; // the fake agent's first session id
    private static final List<ContentBlock> SAY_HI = List.of(ContentBlock.text("say hi"));

    /** One agent process, its session, and a transcript of CHUNKS chunks for that session. */
    @State(Scope.Benchmark)
    public static class Agent {
        AcpClient client;
        Path transcript;
        List<ContentBlock> replay;
        PromptStreamer none;
        PromptStreamer fixed;
        final AtomicLong chunks = new AtomicLong();
        final AtomicLong chars = new AtomicLong();
        /** total - timeToAnswer of every streamer turn of the trial, in nanoseconds. */
        long[] added = new long[1024];

        int addedCount;

        @Setup(Level.Trial)
        public void start() throws IOException {
            client = AcpClient.launch(FakeAgent.launchSpec(), AcpClientOptions.defaults());
            client.initialize().join();
            String id = client.newSession(SessionSetup.of(Files.createTempDirectory("acp-bench")))
                    .join()
                    .sessionId();
            if (!id.equals(SESSION)) {
                throw new IllegalStateException("unexpected session id " + id);
            }
            transcript = Files.createTempFile("acp-turn-transcript", ".ndjson");
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < CHUNKS; i++) {
                text.append("{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{\"sessionId\":\"")
                        .append(SESSION)
                        .append("\",\"update\":{\"sessionUpdate\":\"agent_message_chunk\",\"content\":")
                        .append("{\"type\":\"text\",\"text\":\"")
                        .append(String.format(Locale.ROOT, "token %06d ", i))
                        .append("\"}}}}\n");
            }
            Files.write(transcript, text.toString().getBytes(StandardCharsets.UTF_8));
            replay = List.of(ContentBlock.text("replay " + transcript));
            none = PromptStreamer.builder().drainPolicy(DrainPolicy.none()).build();
            fixed = PromptStreamer.builder()
                    .drainPolicy(DrainPolicy.fixed(Duration.ofMillis(200)))
                    .build();
        }

        /** The bare client's listener: counts the text chunks, as the streamer's turn listener does. */
        void subscribeCounter() {
            var unused = client.subscribe(SESSION, (sessionId, update) -> {
                if (update instanceof SessionUpdate.AgentMessageChunk chunk
                        && chunk.content() instanceof ContentBlock.Text text) {
                    chars.addAndGet(text.text().length());
                    chunks.incrementAndGet();
                }
            });
        }

        TurnListener counter() {
            return event -> {
                if (event instanceof TurnEvent.TextChunk chunk) {
                    chars.addAndGet(chunk.text().length());
                    chunks.incrementAndGet();
                }
            };
        }

        void record(TurnResult result) {
            if (result.outcome() != TurnResult.Outcome.COMPLETED || result.timeToAnswer() == null) {
                throw new IllegalStateException("turn did not complete: " + result);
            }
            if (addedCount == added.length) {
                added = Arrays.copyOf(added, added.length * 2);
            }
            added[addedCount++] = result.total().minus(result.timeToAnswer()).toNanos();
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            if (addedCount > 0) {
                long[] sorted = Arrays.copyOf(added, addedCount);
                Arrays.sort(sorted);
                double mean = Arrays.stream(sorted).average().orElse(0);
                System.out.printf(
                        Locale.ROOT,
                        "%n# answer -> result (added at the end of a turn), %d turns: mean %.3f ms, p50 %.3f ms,"
                                + " p99 %.3f ms, max %.3f ms%n",
                        addedCount,
                        mean / 1e6,
                        sorted[addedCount / 2] / 1e6,
                        sorted[Math.min(addedCount - 1, (int) (addedCount * 0.99))] / 1e6,
                        sorted[addedCount - 1] / 1e6);
            }
            none.close();
            fixed.close();
            client.close();
            Files.deleteIfExists(transcript);
        }
    }

    @Benchmark
    public PromptResult endOfTurn_clientOnly(Agent agent) {
        if (agent.chunks.get() == 0) {
            agent.subscribeCounter();
        }
        return agent.client.prompt(SESSION, SAY_HI).future().join();
    }

    @Benchmark
    public TurnResult endOfTurn_drainNone(Agent agent) {
        TurnResult result = agent.none.run(agent.client, SESSION, SAY_HI, agent.counter());
        agent.record(result);
        return result;
    }

    @Benchmark
    public TurnResult endOfTurn_drainFixed200ms(Agent agent) {
        TurnResult result = agent.fixed.run(agent.client, SESSION, SAY_HI, agent.counter());
        agent.record(result);
        return result;
    }

    @Benchmark
    public long chunks10k_clientOnly(Agent agent) {
        if (agent.chunks.get() == 0) {
            agent.subscribeCounter();
        }
        long before = agent.chunks.get();
        PromptResult result =
                agent.client.prompt(SESSION, agent.replay).future().join();
        // Every chunk was delivered before the answer completed the future.
        if (result.stopReason() != StopReason.END_TURN || agent.chunks.get() - before != CHUNKS) {
            throw new IllegalStateException("got " + (agent.chunks.get() - before) + " chunks");
        }
        return agent.chars.get();
    }

    /** Pre-parsed updates and a client stand-in that hands them to whichever listener subscribed. */
    @State(Scope.Benchmark)
    public static class InMemory {
        final SessionUpdate[] updates = new SessionUpdate[CHUNKS];
        final AtomicLong chars = new AtomicLong();
        SessionUpdateListener listener;
        CompletableFuture<PromptResult> answer;
        AcpClient client;
        PromptStreamer streamer;
        TurnListener counter;
        SessionUpdateListener plainCounter;

        @Setup(Level.Trial)
        public void start() {
            for (int i = 0; i < CHUNKS; i++) {
                updates[i] = SessionUpdate.fromJson(Json.MAPPER
                        .createObjectNode()
                        .put("sessionUpdate", "agent_message_chunk")
                        .set(
                                "content",
                                Json.MAPPER
                                        .createObjectNode()
                                        .put("type", "text")
                                        .put("text", String.format(Locale.ROOT, "token %06d ", i))));
            }
            client = (AcpClient) Proxy.newProxyInstance(
                    AcpClient.class.getClassLoader(), new Class<?>[] {AcpClient.class}, this::invoke);
            streamer = PromptStreamer.builder().drainPolicy(DrainPolicy.none()).build();
            counter = event -> {
                if (event instanceof TurnEvent.TextChunk chunk) {
                    chars.addAndGet(chunk.text().length());
                }
            };
            plainCounter = (sessionId, update) -> {
                if (update instanceof SessionUpdate.AgentMessageChunk chunk
                        && chunk.content() instanceof ContentBlock.Text text) {
                    chars.addAndGet(text.text().length());
                }
            };
        }

        private Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "subscribe":
                    listener = (SessionUpdateListener) args[1];
                    return new Subscription() {
                        @Override
                        public String sessionId() {
                            return SESSION;
                        }

                        @Override
                        public void close() {}
                    };
                case "prompt":
                    answer = new CompletableFuture<>();
                    CompletableFuture<PromptResult> future = answer;
                    return new PendingRequest<PromptResult>() {
                        @Override
                        public long id() {
                            return 1;
                        }

                        @Override
                        public String method() {
                            return "session/prompt";
                        }

                        @Override
                        public CompletableFuture<PromptResult> future() {
                            return future;
                        }

                        @Override
                        public boolean abandon() {
                            return future.cancel(false);
                        }
                    };
                case "initializeResult":
                    return Optional.empty();
                case "isAlive":
                    return true;
                case "stderrTail":
                    return "";
                case "toString":
                    return "in-memory client";
                case "cancel":
                    return null;
                default:
                    throw new UnsupportedOperationException(method.getName());
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            streamer.close();
        }
    }

    private static final PromptResult END_TURN =
            PromptResult.fromJson(Json.MAPPER.createObjectNode().put("stopReason", "end_turn"));

    @Benchmark
    public long delivery10k_listenerOnly(InMemory memory) {
        SessionUpdateListener listener = memory.plainCounter;
        for (SessionUpdate update : memory.updates) {
            listener.onUpdate(SESSION, update);
        }
        return memory.chars.get();
    }

    @Benchmark
    public int delivery10k_streamer(InMemory memory) {
        TurnHandle turn = memory.streamer.start(memory.client, SESSION, SAY_HI, memory.counter);
        SessionUpdateListener listener = memory.listener;
        for (SessionUpdate update : memory.updates) {
            listener.onUpdate(SESSION, update);
        }
        memory.answer.complete(END_TURN);
        TurnResult result = turn.await();
        if (result.text().length() != CHUNKS * 13) {
            throw new IllegalStateException("got " + result.text().length() + " chars");
        }
        return result.text().length();
    }

    @Benchmark
    public int chunks10k_streamer(Agent agent) {
        long before = agent.chunks.get();
        TurnResult result = agent.none.run(agent.client, SESSION, agent.replay, agent.counter());
        if (result.outcome() != TurnResult.Outcome.COMPLETED || agent.chunks.get() - before != CHUNKS) {
            throw new IllegalStateException("got " + (agent.chunks.get() - before) + " chunks: " + result.outcome());
        }
        return result.text().length();
    }
}
