package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent side of an in-memory connection, driven by the test: it reads the lines the client sends and
 * writes whatever lines the test wants, so framing and JSON-RPC corner cases can be tested without a process.
 */
final class ScriptedAgent implements AutoCloseable {
    private final MemoryPipe toClient = new MemoryPipe();
    private final MemoryPipe fromClient = new MemoryPipe();
    private final MemoryPipe stderr = new MemoryPipe();
    private final LinkedBlockingQueue<String> sent = new LinkedBlockingQueue<>();
    private final AtomicInteger syncs = new AtomicInteger();
    final DefaultAcpClient client;

    ScriptedAgent(AcpClientOptions options) {
        client = DefaultAcpClient.overStreams(options, toClient.in, fromClient.out, stderr.in);
        Thread reader = new Thread(this::readClient, "scripted-agent-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    ScriptedAgent() {
        this(AcpClientOptions.defaults());
    }

    private void readClient() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(fromClient.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                sent.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line the client wrote, as raw text. */
    String nextLine() {
        try {
            String line = sent.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("a line from the client within 10 s").isNotNull();
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message the client wrote. */
    JsonNode next() {
        try {
            return Json.MAPPER.readTree(nextLine());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends the client a request for a method it does not know and asserts that the next line the client writes
     * is the answer to it: the client had nothing else queued for the agent (no second answer, say), checked
     * without waiting for time to pass.
     */
    void assertNothingElseSent() {
        String id = "sync-" + syncs.incrementAndGet();
        writeLine("{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"_test/sync\",\"params\":{}}");
        JsonNode next = next();
        assertThat(next.path("id").asText())
                .as("the next line answers %s: %s", id, next)
                .isEqualTo(id);
    }

    /** Writes raw text to the client's stdout (add the newline yourself). */
    void write(String text) {
        try {
            toClient.out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void writeLine(String json) {
        write(json + "\n");
    }

    void writeStderr(String text) {
        try {
            stderr.out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the client's stdout (the agent "died"). */
    void closeStdout() {
        toClient.closeWrite();
        stderr.closeWrite();
    }

    @Override
    public void close() {
        closeStdout();
        client.close();
    }
}
