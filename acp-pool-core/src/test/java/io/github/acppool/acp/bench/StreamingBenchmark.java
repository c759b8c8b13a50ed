package io.github.acppool.acp.bench;

import com.agentclientprotocol.sdk.client.AcpClient.SyncSpec;
import com.agentclientprotocol.sdk.client.AcpSyncClient;
import com.agentclientprotocol.sdk.client.transport.AgentParameters;
import com.agentclientprotocol.sdk.client.transport.StdioAcpClientTransport;
import com.agentclientprotocol.sdk.spec.AcpSchema;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.testing.FakeAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Streaming throughput of a flood of small {@code agent_message_chunk} notifications from a real process
 * (the fake agent replaying a pre-generated transcript as fast as the pipe allows), side by side:
 *
 * <ul>
 *   <li>{@code acpPool}: our {@link AcpClient}, counting the text of every chunk in a session listener;
 *   <li>{@code rawJacksonLoop}: the raw limit, the same bytes from the same kind of process parsed by Jackson
 *       into trees in a plain loop on the calling thread;
 *   <li>{@code javaSdk}: the ACP Java SDK client ({@code com.agentclientprotocol:acp-core:0.14.0}), counting in
 *       its session update consumer (and waiting for the last chunk, since its prompt can return first).
 * </ul>
 *
 * <p>One operation is one prompt turn of {@value #CHUNKS} chunks ({@code transcriptBytes} bytes); messages/s =
 * CHUNKS / (s/op) and MB/s = bytes / (s/op). {@code footprint} launches {@value #FOOTPRINT_CLIENTS} idle
 * clients and reports threads and heap per live client as auxiliary counters (JMH adds those up across
 * measured iterations: run it with its own single iteration, i.e. without {@code -i}).
 *
 * <pre>
 * mvn -B -Pbench -pl acp-pool-core -am test-compile exec:exec -Dbench.args="StreamingBenchmark -f 1"
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StreamingBenchmark {
    static final int CHUNKS = 50_000;
    static final int FOOTPRINT_CLIENTS = 8;
    private static final String SESSION = "sess-1"; // the fake agent's first session id

    /** The transcript: CHUNKS agent_message_chunk lines for SESSION. */
    @State(Scope.Benchmark)
    public static class Transcript {
        Path file;
        long bytes;

        @Setup(Level.Trial)
        public void write() throws IOException {
            file = Files.createTempFile("acp-transcript", ".ndjson");
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < CHUNKS; i++) {
                text.append("{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{\"sessionId\":\"")
                        .append(SESSION)
                        .append("\",\"update\":{\"sessionUpdate\":\"agent_message_chunk\",\"content\":")
                        .append("{\"type\":\"text\",\"text\":\"")
                        .append(String.format(Locale.ROOT, "token %06d ", i))
                        .append("\"}}}}\n");
            }
            byte[] content = text.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(file, content);
            bytes = content.length;
            System.out.printf(
                    Locale.ROOT,
                    "%n# transcript: %d chunks, %d bytes (%.1f bytes/chunk)%n",
                    CHUNKS,
                    bytes,
                    (double) bytes / CHUNKS);
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            Files.deleteIfExists(file);
        }

        String script() {
            return "replay " + file;
        }
    }

    @State(Scope.Benchmark)
    public static class OurClient {
        AcpClient client;
        final AtomicLong chars = new AtomicLong();
        final AtomicLong chunks = new AtomicLong();

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
            var unused = client.subscribe(SESSION, (sessionId, update) -> {
                if (update instanceof SessionUpdate.AgentMessageChunk chunk
                        && chunk.content() instanceof ContentBlock.Text text) {
                    chars.addAndGet(text.text().length());
                    chunks.incrementAndGet();
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() {
            client.close();
        }
    }

    @Benchmark
    public long acpPool(OurClient state, Transcript transcript) {
        state.chunks.set(0);
        PromptResult result = state.client
                .prompt(SESSION, List.of(ContentBlock.text(transcript.script())))
                .future()
                .join();
        // Every chunk was delivered before the answer completed the future.
        if (result.stopReason() != StopReason.END_TURN || state.chunks.get() != CHUNKS) {
            throw new IllegalStateException("got " + state.chunks.get() + " chunks, " + result.stopReason());
        }
        return state.chars.get();
    }

    @State(Scope.Benchmark)
    public static class RawPipe {
        final ObjectMapper mapper = new ObjectMapper();
        Process process;
        OutputStream stdin;
        JsonParser stdout;
        long nextId;

        @Setup(Level.Trial)
        public void start() throws IOException {
            AgentLaunchSpec spec = FakeAgent.launchSpec();
            process = new ProcessBuilder(spec.commandLine())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            stdin = process.getOutputStream();
            call("initialize", "{\"protocolVersion\":1}");
            call("session/new", "{\"cwd\":\"/tmp\",\"mcpServers\":[]}");
        }

        /** Sends a request and parses every message until its answer; returns the text chars of chunks seen. */
        long call(String method, String params) throws IOException {
            long id = nextId++;
            stdin.write(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params
                            + "}\n")
                    .getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            if (stdout == null) {
                // Created only now: Jackson reads ahead to detect the encoding, which would block before the
                // first request was sent.
                stdout = mapper.createParser(process.getInputStream());
            }
            long chars = 0;
            JsonNode message;
            while ((message = mapper.readTree(stdout)) != null) {
                JsonNode answerId = message.get("id");
                if (answerId != null && message.get("method") == null && answerId.asLong() == id) {
                    return chars;
                }
                chars += message.path("params")
                        .path("update")
                        .path("content")
                        .path("text")
                        .asText()
                        .length();
            }
            throw new IOException("agent closed stdout");
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }

    @Benchmark
    public long rawJacksonLoop(RawPipe state, Transcript transcript) throws IOException {
        return state.call(
                "session/prompt",
                "{\"sessionId\":\"" + SESSION + "\",\"prompt\":[{\"type\":\"text\",\"text\":\"" + transcript.script()
                        + "\"}]}");
    }

    @State(Scope.Benchmark)
    public static class JavaSdk {
        AcpSyncClient client;
        final AtomicLong chars = new AtomicLong();
        volatile CountDownLatch remaining = new CountDownLatch(0);

        @Setup(Level.Trial)
        public void start() {
            AgentLaunchSpec spec = FakeAgent.launchSpec();
            StdioAcpClientTransport transport = new StdioAcpClientTransport(
                    AgentParameters.builder(spec.command()).args(spec.args()).build());
            SyncSpec builder = com.agentclientprotocol.sdk.client.AcpClient.sync(transport)
                    .requestTimeout(Duration.ofMinutes(5))
                    .sessionUpdateConsumer(notification -> {
                        if (notification.update() instanceof AcpSchema.AgentMessageChunk chunk
                                && chunk.content() instanceof AcpSchema.TextContent text) {
                            chars.addAndGet(text.text().length());
                            remaining.countDown();
                        }
                    });
            client = builder.build();
            client.initialize();
            String id = client.newSession(new AcpSchema.NewSessionRequest("/tmp", List.of()))
                    .sessionId();
            if (!id.equals(SESSION)) {
                throw new IllegalStateException("unexpected session id " + id);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            client.close();
        }
    }

    @Benchmark
    public long javaSdk(JavaSdk state, Transcript transcript) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(CHUNKS);
        state.remaining = latch;
        state.client.prompt(
                new AcpSchema.PromptRequest(SESSION, List.of(new AcpSchema.TextContent(transcript.script()))));
        // The SDK can complete the prompt before its consumer saw the last chunks: wait for them.
        if (!latch.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the SDK delivered only " + (CHUNKS - latch.getCount()) + " chunks");
        }
        return state.chars.get();
    }

    /** Threads and heap per live, idle client (after initialize, session/new and one short prompt). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Footprint {
        public double threadsPerClient;
        public double dedicatedThreadsPerClient;
        public double heapKiBPerClient;
    }

    /**
     * One operation per iteration (the iteration time is shorter than one operation), and one measured
     * iteration, because JMH adds auxiliary counters up across iterations. The warm-up iteration loads the
     * classes and the shared state (timer thread, Jackson caches) so that they are not counted per client.
     */
    @Benchmark
    @Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
    @Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
    public void footprint(Footprint counters) throws IOException {
        Runtime runtime = Runtime.getRuntime();
        gc();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        int threadsBefore = Thread.activeCount();
        Path cwd = Files.createTempDirectory("acp-footprint");
        AcpClient[] clients = new AcpClient[FOOTPRINT_CLIENTS];
        try {
            for (int i = 0; i < clients.length; i++) {
                clients[i] = AcpClient.launch(FakeAgent.launchSpec(), AcpClientOptions.defaults());
                clients[i].initialize().join();
                String id = clients[i].newSession(SessionSetup.of(cwd)).join().sessionId();
                var unused = clients[i].subscribe(id, (s, u) -> {});
                clients[i]
                        .prompt(id, List.of(ContentBlock.text("say hi")))
                        .future()
                        .join();
            }
            gc();
            long heapAfter = runtime.totalMemory() - runtime.freeMemory();
            int threadsAfter = Thread.activeCount();
            long dedicated = Thread.getAllStackTraces().keySet().stream()
                    .map(Thread::getName)
                    .filter(n -> n.startsWith("acp-client-") && (n.endsWith("-stdout") || n.endsWith("-stderr")))
                    .count();
            counters.threadsPerClient = (double) (threadsAfter - threadsBefore) / clients.length;
            counters.dedicatedThreadsPerClient = (double) dedicated / clients.length;
            counters.heapKiBPerClient = (heapAfter - heapBefore) / 1024.0 / clients.length;
        } finally {
            for (AcpClient client : clients) {
                if (client != null) {
                    client.close();
                }
            }
        }
    }

    private static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }
}
