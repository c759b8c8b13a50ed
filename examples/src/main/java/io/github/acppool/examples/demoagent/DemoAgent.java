package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.examples.demoagent.SessionStore.StoredSession;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The acp-pool demo agent: a real ACP v1 agent over stdio, with a pretend brain, for trying acp-pool on a
 * fresh machine with no API key. It is the default agent of the console demo and of the Discord bot; start it
 * from Java with {@link DemoAgentLauncher#command(String...)}.
 *
 * <p>What it speaks: {@code initialize} (always protocol version 1), {@code session/new}, {@code session/load}
 * (replays the conversation as {@code user_message_chunk} and {@code agent_message_chunk} updates before it
 * answers), {@code session/resume}, {@code session/close}, {@code session/prompt} and {@code session/cancel}.
 * Anything else gets {@code -32601}; notifications are never answered. It exits with status 0 when stdin
 * closes. Logs go to stderr only.
 *
 * <p>What it does with a prompt (send {@code /help} for this list):
 *
 * <ul>
 *   <li>ordinary text: a pretend "read" tool call, then a streamed analysis of the message (words,
 *       characters, backwards) that also shows it remembers the conversation;
 *   <li>{@code /help}: the command list;
 *   <li>{@code /tool}: a pretend test run with progress updates;
 *   <li>{@code /slow [seconds]}: a tool call that stays silent (default 20 s), not to be mistaken for a hang;
 *   <li>{@code /permission}: asks {@code session/request_permission} (allow once / reject) and acts on the
 *       answer;
 *   <li>{@code /long}: a reply of more than 2000 characters with a code block across the 2000 mark;
 *   <li>{@code /late [ms]}: ends the turn, then sends the rest of the reply (default 100 ms later);
 *   <li>{@code /crash}: writes to stderr and exits with status 3 in the middle of a reply;
 *   <li>{@code /hang}: stops answering for good, ignoring {@code session/cancel} too.
 * </ul>
 *
 * <p>Options: {@code --sessions-file <path>} (or the environment variable
 * {@code ACP_POOL_DEMO_AGENT_SESSIONS_FILE}; default {@code ~/.acp-pool/demo-agent-sessions.json}),
 * {@code --no-delay} (or {@code ACP_POOL_DEMO_AGENT_NO_DELAY=true}) and {@code --verbose}. The sessions file is
 * shared safely by every demo agent process that uses it.
 *
 * <p>This class is a program: only {@link #main} is public. Internally it is thread-safe (see the design comment
 * in the source).
 */
public final class DemoAgent {
    /*
     * Concurrency: the main thread reads stdin and handles every message in arrival order. Requests that finish
     * quickly (initialize, session/new, load, resume) are answered on it; each session/prompt runs on its own
     * daemon thread so that the reader keeps reading (for session/cancel and for the answers to our permission
     * requests) while a turn streams. Sessions live in a concurrent map; each session guards its own history and
     * running turn. All output goes through Wire, which keeps lines whole.
     */

    static final String AGENT_NAME = "acp-pool-demo-agent";
    static final int PROTOCOL_VERSION = 1;

    /** How long shutdown waits for running turns to notice they are cancelled and save their text. */
    static final long SHUTDOWN_GRACE_MILLIS = 2000;

    private final ObjectMapper mapper;
    private final Wire wire;
    private final SessionStore store;
    private final StderrLog log;
    private final PromptTurn.Pacing pacing;
    private final IntConsumer exit;
    private final Clock clock = Clock.systemUTC();
    private final ConcurrentMap<String, DemoSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong toolCallIds = new AtomicLong();
    private final ExecutorService turns;

    DemoAgent(AgentOptions options, OutputStream stdout, StderrLog log, IntConsumer exit) {
        // "{...} junk" is a parse error, not a message followed by ignored junk.
        this.mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.log = log;
        this.wire = new Wire(mapper, stdout, log);
        this.store = new SessionStore(options.sessionsFile(), mapper, log);
        this.pacing = new PromptTurn.Pacing(options.delays());
        this.exit = exit;
        AtomicInteger threads = new AtomicInteger();
        this.turns = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "demo-agent-turn-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs the agent on this process's stdin and stdout until stdin closes.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        // Only ACP may reach stdout: anything printed by mistake goes to stderr instead. Both speak UTF-8
        // whatever the platform's default charset is.
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
        PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(stderr);
        System.setErr(stderr);
        AgentOptions options;
        try {
            options = AgentOptions.parse(
                    Arrays.asList(args),
                    System.getenv(),
                    System.getProperty("user.home"),
                    Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            stderr.println("demo agent: " + e.getMessage());
            stderr.println();
            stderr.print(AgentOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
            out.print(AgentOptions.USAGE);
            out.flush();
            System.exit(0);
            return;
        }
        StderrLog log = new StderrLog(stderr, options.verbose());
        DemoAgent agent = new DemoAgent(options, stdout, log, System::exit);
        log.info(
                "ready: ACP v%d on stdin/stdout, sessions in %s%s",
                PROTOCOL_VERSION, options.sessionsFile(), options.delays() ? "" : ", no delays");
        System.exit(agent.run(System.in));
    }

    /** Reads and handles messages until stdin closes; returns the exit status. */
    int run(InputStream stdin) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        int status = 0;
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                handleLine(line);
            }
            log.debug("stdin closed, shutting down");
        } catch (IOException e) {
            log.warn("cannot read stdin any more, shutting down: %s", e);
            status = 1;
        }
        shutdown();
        return status;
    }

    /** Handles one line of stdin; nothing a client sends stops the reader. */
    void handleLine(String line) {
        if (line.isBlank()) {
            return;
        }
        log.debug("RECV %s", line);
        try {
            handleMessage(line);
        } catch (RuntimeException e) {
            log.warn("cannot handle %s: %s", abbreviate(line), e);
        }
    }

    private void handleMessage(String line) {
        JsonNode message;
        try {
            message = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            log.warn("not JSON, answered with a parse error: %s", abbreviate(line));
            wire.error(null, -32700, "Parse error", null);
            return;
        }
        if (!message.isObject()) {
            wire.error(
                    null,
                    RpcException.INVALID_REQUEST,
                    message.isArray() ? "Invalid Request: batches are not supported" : "Invalid Request",
                    null);
            return;
        }
        JsonNode method = message.get("method");
        JsonNode id = message.get("id");
        if (method == null) {
            if (message.has("result") || message.has("error")) {
                wire.onResponse(message);
            } else {
                wire.error(id, RpcException.INVALID_REQUEST, "Invalid Request: no method, result or error", null);
            }
            return;
        }
        if (!method.isTextual()) {
            wire.error(id, RpcException.INVALID_REQUEST, "Invalid Request: method must be a string", null);
            return;
        }
        JsonNode params = message.path("params");
        if (id == null) {
            handleNotification(method.asText(), params);
            return;
        }
        try {
            handleRequest(id, method.asText(), params);
        } catch (RpcException e) {
            wire.error(id, e.code(), e.text(), e.data());
        } catch (RuntimeException e) {
            log.warn("%s failed: %s", method.asText(), e);
            wire.error(
                    id,
                    RpcException.INTERNAL_ERROR,
                    "Internal error",
                    Wire.JSON.objectNode().put("details", String.valueOf(e)));
        }
    }

    private void handleNotification(String method, JsonNode params) {
        if (method.equals("session/cancel")) {
            String sessionId = params.path("sessionId").asText("");
            DemoSession session = sessions.get(sessionId);
            Turn turn = session == null ? null : session.current();
            if (turn != null) {
                log.debug("session %s: cancelling the running turn", sessionId);
                turn.cancel();
            } else {
                log.debug("session %s: nothing to cancel", sessionId);
            }
        } else {
            log.debug("ignoring the notification %s", method);
        }
    }

    private void handleRequest(JsonNode id, String method, JsonNode params) {
        switch (method) {
            case "initialize" -> wire.respond(id, initializeResult());
            case "session/new" -> newSession(id, params);
            case "session/load" -> openSession(id, params, true);
            case "session/resume" -> openSession(id, params, false);
            case "session/close" -> closeSession(id, params);
            case "session/prompt" -> prompt(id, params);
            default ->
                throw new RpcException(
                        RpcException.METHOD_NOT_FOUND,
                        "Method not found: " + method,
                        Wire.JSON.objectNode().put("method", method));
        }
    }

    private ObjectNode initializeResult() {
        // Version 1 is the only one this agent speaks, so it is the answer to any version the client asks for.
        ObjectNode result = Wire.JSON.objectNode().put("protocolVersion", PROTOCOL_VERSION);
        ObjectNode capabilities = result.putObject("agentCapabilities").put("loadSession", true);
        capabilities
                .putObject("promptCapabilities")
                .put("image", true)
                .put("audio", false)
                .put("embeddedContext", true);
        capabilities.putObject("mcpCapabilities").put("http", false).put("sse", false);
        ObjectNode sessionCapabilities = capabilities.putObject("sessionCapabilities");
        sessionCapabilities.putObject("resume");
        sessionCapabilities.putObject("close");
        result.putArray("authMethods");
        result.putObject("agentInfo")
                .put("name", AGENT_NAME)
                .put("title", "acp-pool demo agent")
                .put("version", version());
        return result;
    }

    private void newSession(JsonNode id, JsonNode params) {
        String cwd = absolutePath(params, "cwd");
        requireMcpServers(params, true);
        DemoSession session = DemoSession.create(cwd, clock);
        sessions.put(session.id(), session);
        store.save(session.snapshot());
        log.debug("session %s: new, cwd %s", session.id(), cwd);
        wire.respond(id, Wire.JSON.objectNode().put("sessionId", session.id()));
        sendAvailableCommands(session.id());
    }

    /** session/load (with a replay of the conversation) and session/resume (without). */
    private void openSession(JsonNode id, JsonNode params, boolean replay) {
        String sessionId = requiredText(params, "sessionId");
        String cwd = absolutePath(params, "cwd");
        requireMcpServers(params, replay);
        DemoSession open = sessions.get(sessionId);
        if (open != null && open.current() != null) {
            throw new RpcException(
                    RpcException.INVALID_REQUEST,
                    "Invalid Request: session " + sessionId + " is open here with a prompt turn in progress");
        }
        Optional<StoredSession> stored;
        try {
            stored = store.load(sessionId);
        } catch (UncheckedIOException e) {
            throw new RpcException(
                    RpcException.INTERNAL_ERROR,
                    "Internal error",
                    Wire.JSON
                            .objectNode()
                            .put("details", "cannot read the sessions file " + store.file() + ": " + e.getCause()));
        }
        if (stored.isEmpty() && open != null) {
            stored = Optional.of(open.snapshot()); // it could not be saved, but this process still has it
        }
        if (stored.isEmpty()) {
            throw new RpcException(
                    RpcException.RESOURCE_NOT_FOUND,
                    "Resource not found: no session " + sessionId + " in " + store.file(),
                    Wire.JSON.objectNode().put("sessionId", sessionId));
        }
        DemoSession session = DemoSession.restore(stored.get(), cwd, clock);
        sessions.put(sessionId, session);
        if (replay) {
            for (SessionStore.StoredMessage message : stored.get().messages()) {
                ObjectNode update = Wire.JSON
                        .objectNode()
                        .put(
                                "sessionUpdate",
                                message.role() == SessionStore.Role.USER
                                        ? "user_message_chunk"
                                        : "agent_message_chunk");
                update.putObject("content").put("type", "text").put("text", message.text());
                update.put("messageId", message.id());
                sendUpdate(sessionId, update);
            }
        }
        log.debug(
                "session %s: %s, %d messages",
                sessionId,
                replay ? "loaded" : "resumed",
                stored.get().messages().size());
        wire.respond(id, Wire.JSON.objectNode());
        sendAvailableCommands(sessionId);
    }

    private void closeSession(JsonNode id, JsonNode params) {
        String sessionId = requiredText(params, "sessionId");
        DemoSession session = sessions.remove(sessionId);
        Turn turn = session == null ? null : session.current();
        if (turn == null) {
            wire.respond(id, Wire.JSON.objectNode());
            return;
        }
        // As if session/cancel had been sent: the turn answers "cancelled" first, then the close is answered
        // (at once for a turn that hangs on purpose, which would never let it).
        turn.cancel();
        CompletableFuture<Void> finished = turn.isHung()
                ? CompletableFuture.completedFuture(null)
                : turn.finished().completeOnTimeout(null, SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        CompletableFuture<?> unused =
                finished.whenComplete((ignored, failure) -> wire.respond(id, Wire.JSON.objectNode()));
    }

    private void prompt(JsonNode id, JsonNode params) {
        String sessionId = requiredText(params, "sessionId");
        PromptInput input = PromptInput.parse(params.path("prompt"));
        DemoSession session = sessions.get(sessionId);
        if (session == null) {
            throw new RpcException(
                    RpcException.RESOURCE_NOT_FOUND,
                    "Resource not found: session " + sessionId
                            + " is not open in this agent process (use session/new, session/load or session/resume)",
                    Wire.JSON.objectNode().put("sessionId", sessionId));
        }
        Turn turn = new Turn(id);
        if (!session.begin(turn)) {
            throw new RpcException(
                    RpcException.INVALID_REQUEST,
                    "Invalid Request: session " + sessionId + " already has a prompt turn in progress");
        }
        turns.execute(new PromptTurn(wire, store, session, turn, input, pacing, toolCallIds, log, exit));
    }

    private void sendAvailableCommands(String sessionId) {
        ObjectNode update = Wire.JSON.objectNode().put("sessionUpdate", "available_commands_update");
        ArrayNode commands = update.putArray("availableCommands");
        for (Command command : Command.values()) {
            ObjectNode entry =
                    commands.addObject().put("name", command.commandName).put("description", command.description);
            if (command.inputHint != null) {
                entry.putObject("input").put("hint", command.inputHint);
            }
        }
        sendUpdate(sessionId, update);
    }

    private void sendUpdate(String sessionId, ObjectNode update) {
        ObjectNode params = Wire.JSON.objectNode().put("sessionId", sessionId);
        params.set("update", update);
        wire.notify("session/update", params);
    }

    /** Cancels every running turn and gives them a moment to save what they streamed. */
    private void shutdown() {
        List<Turn> running = new ArrayList<>();
        for (DemoSession session : sessions.values()) {
            Turn turn = session.current();
            if (turn != null) {
                running.add(turn);
            }
        }
        running.forEach(Turn::cancel);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_GRACE_MILLIS);
        for (Turn turn : running) {
            if (turn.isHung()) {
                continue;
            }
            try {
                turn.finished().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("a turn did not finish within %d ms of shutdown", SHUTDOWN_GRACE_MILLIS);
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                log.warn("a turn failed during shutdown: %s", e.getCause());
            }
        }
        turns.shutdownNow();
    }

    private static String requiredText(JsonNode params, String field) {
        JsonNode value = params.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw RpcException.invalidParams(field + " is required (a non-empty string)");
        }
        return value.asText();
    }

    private static String absolutePath(JsonNode params, String field) {
        String value = requiredText(params, field);
        boolean absolute;
        try {
            absolute = Path.of(value).isAbsolute();
        } catch (InvalidPathException e) {
            absolute = false;
        }
        if (!absolute) {
            throw RpcException.invalidParams(field + " must be an absolute path: " + value);
        }
        return value;
    }

    private static void requireMcpServers(JsonNode params, boolean required) {
        JsonNode servers = params.path("mcpServers");
        if (servers.isMissingNode() && !required) {
            return;
        }
        if (!servers.isArray()) {
            throw RpcException.invalidParams("mcpServers is required (an array; [] for none)");
        }
        // This agent has no use for MCP servers; accepting them keeps real clients working.
    }

    private static String version() {
        @Nullable String version = DemoAgent.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    private static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "\u2026";
    }
}
