package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tiny raw JSON-lines driver for the demo agent as a real process: writes lines to its stdin and reads its
 * stdout one message at a time. Deliberately not acp-pool's client, so the agent's wire behaviour is checked
 * on its own. Every wait is bounded by {@link #WAIT_SECONDS}, and a wait that runs out fails the test.
 */
final class AgentProcess implements AutoCloseable {
    /** Reads every integer as a long, so parsed messages and messages built with {@code put(name, long)} compare equal. */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

    static final long WAIT_SECONDS = 20;
    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();

    @SuppressWarnings("JdkObsolete") // synchronized on purpose: the stderr thread appends, the test reads
    private final StringBuffer stderr = new StringBuffer();

    private final Thread stderrReader;

    private AgentProcess(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread stdoutReader = new Thread(() -> drain(process, stdout), "agent-stdout");
        stdoutReader.setDaemon(true);
        stdoutReader.start();
        stderrReader = new Thread(
                () -> {
                    try (BufferedReader reader = new BufferedReader(
                            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            stderr.append(line).append('\n');
                        }
                    } catch (IOException e) {
                        stderr.append("(stderr read failed: ").append(e).append(")\n");
                    }
                },
                "agent-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /** Starts the agent with --no-delay on the given sessions file, plus {@code extraArgs}. */
    static AgentProcess start(Path sessionsFile, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--no-delay", "--sessions-file", sessionsFile.toString()));
        args.addAll(List.of(extraArgs));
        ProcessBuilder builder = new ProcessBuilder(DemoAgentLauncher.command(args));
        builder.environment().remove(AgentOptions.SESSIONS_FILE_ENV);
        builder.environment().remove(AgentOptions.NO_DELAY_ENV);
        try {
            return new AgentProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void drain(Process process, BlockingQueue<String> lines) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process was destroyed; EOF below tells the test
        } finally {
            lines.add(EOF);
        }
    }

    /** Writes one raw line. */
    void sendLine(String line) {
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(JsonNode message) {
        try {
            sendLine(MAPPER.writeValueAsString(message));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a request with a numeric id. */
    void request(long id, String method, JsonNode params) {
        ObjectNode message =
                MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        message.set("params", params);
        send(message);
    }

    void notify(String method, JsonNode params) {
        ObjectNode message = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        send(message);
    }

    /** The next message on stdout; fails if there is none in time or stdout closed. */
    JsonNode next() {
        String line = poll();
        if (line == null) {
            fail("no message from the agent within %d s; stderr:%n%s", WAIT_SECONDS, stderr);
        }
        if (line.equals(EOF)) {
            fail("the agent closed stdout (exit %s); stderr:%n%s", exitCodeIfExited(), stderr);
        }
        try {
            return MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the agent wrote a line that is not JSON: " + line, e);
        }
    }

    /** Reads messages up to and including the response to request {@code id}; returns them all. */
    List<JsonNode> untilResponse(long id) {
        return untilResponse(MAPPER.getNodeFactory().numberNode(id));
    }

    List<JsonNode> untilResponse(JsonNode id) {
        List<JsonNode> messages = new ArrayList<>();
        while (true) {
            JsonNode message = next();
            messages.add(message);
            if (!message.has("method") && id.equals(message.get("id"))) {
                return messages;
            }
        }
    }

    /** Reads messages up to and including the first agent request with this method. */
    List<JsonNode> untilRequest(String method) {
        List<JsonNode> messages = new ArrayList<>();
        while (true) {
            JsonNode message = next();
            messages.add(message);
            if (message.has("id") && method.equals(message.path("method").asText())) {
                return messages;
            }
        }
    }

    /** Everything left on stdout up to end of file, as raw text (for output that is not ACP). */
    String readRawToEnd() {
        StringBuilder text = new StringBuilder();
        while (true) {
            String line = poll();
            if (line == null) {
                fail("stdout did not end within %d s", WAIT_SECONDS);
            }
            if (line.equals(EOF)) {
                return text.toString();
            }
            text.append(line).append('\n');
        }
    }

    /** Asserts that stdout reaches end of file (with nothing more on it) in time. */
    void assertStdoutEnds() {
        String line = poll();
        assertThat(line).as("stdout after the last message").isEqualTo(EOF);
    }

    void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to exit; fails if it does not in time. */
    int awaitExit() {
        try {
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                fail("the agent did not exit within %d s; stderr:%n%s", WAIT_SECONDS, stderr);
            }
            stderrReader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    String stderr() {
        return stderr.toString();
    }

    private Optional<Integer> exitCodeIfExited() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    private String poll() {
        try {
            return stdout.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already closed
        }
        process.destroyForcibly();
        try {
            process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
