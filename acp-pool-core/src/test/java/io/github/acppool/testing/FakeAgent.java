package io.github.acppool.testing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.acp.AgentLaunchSpec;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted ACP v1 agent for tests: a real process that speaks newline-delimited JSON-RPC on stdin and
 * stdout, launched with {@link #launchSpec(String...)} ({@code java -cp <test classes + Jackson>
 * io.github.acppool.testing.FakeAgent [flags]}).
 *
 * <h2>Start-up flags</h2>
 *
 * <ul>
 *   <li>{@code --exit-before-initialize=<code>}: write "fake agent refuses to start" to stderr and exit;
 *   <li>{@code --banner=<n>}: write n non-JSON banner lines (and a blank line) to stdout first;
 *   <li>{@code --startup-delay=<ms>}: wait this long before reading stdin (a slow-starting agent, e.g. Node);
 *   <li>{@code --start-log=<file>}: append the process id to this file when started (counts starts across
 *       processes);
 *   <li>{@code --protocol-version=<n>}: answer {@code initialize} with this version (default 1);
 *   <li>{@code --no-load-session}: do not advertise {@code loadSession};
 *   <li>{@code --no-images}: do not advertise {@code promptCapabilities.image};
 *   <li>{@code --fail-load}: answer {@code session/load} with error -32002;
 *   <li>{@code --string-ids}: number the agent's own requests with strings ({@code "req-1"}) instead of numbers;
 *   <li>{@code --require-auth}: answer {@code session/new} with -32000 until {@code authenticate} was called;
 *   <li>{@code --require-auth-resume}: answer {@code session/load} and {@code session/resume} with -32000 until
 *       {@code authenticate} was called (as Gemini does);
 *   <li>{@code --require-auth-prompt}: answer {@code session/prompt} with -32000 until {@code authenticate} was
 *       called (as claude-code-acp does without a login);
 *   <li>{@code --auth-methods=<JSON array>}: advertise these {@code authMethods} instead of one {@code
 *       fake-login}; {@code authenticate} then refuses an id not in it (-32602), and one whose {@code varName} or
 *       {@code vars[].name} is not set in the agent's environment (-32000);
 *   <li>{@code --replay-after-load}: answer {@code session/load} first and replay the history after the answer
 *       (as some agents do);
 *   <li>{@code --no-resume}: do not advertise {@code sessionCapabilities.resume} (so a broker uses {@code
 *       session/load});
 *   <li>{@code --state-dir=<dir>}: keep each session's history in {@code <dir>/<session id>.jsonl} too, so that
 *       another fake agent process can {@code session/load} or {@code session/resume} it (a restarted broker);
 *       session ids are then unique across processes;
 *   <li>{@code --advertise-settings}: answer {@code session/new}, {@code session/load} and {@code session/resume}
 *       with modes ({@code ask}, {@code code}) and select config options {@code model} (category model:
 *       {@code small}, {@code large}) and {@code effort} (category thought_level: {@code low}, {@code high}), as
 *       claude-agent-acp does; {@code session/set_mode}, {@code session/set_config_option} and {@code
 *       session/set_model} change them (per process: a restarted agent starts from the defaults again);
 *   <li>{@code --linger}: stay alive after stdin closes, until a signal ends the process;
 *   <li>any other flag (e.g. {@code --marker=<text>}, to find the process in the process table) is ignored.
 * </ul>
 *
 * <h2>Prompt commands</h2>
 *
 * <p>The text blocks of a {@code session/prompt} are a script, one command per line; each line is run in
 * order, then the prompt is answered ({@code end_turn}, or {@code cancelled} if {@code session/cancel}
 * arrived during the turn). A line in brackets ({@code [Ann (u1)]}, a broker's sender attribution) is not a
 * command: it is kept for {@code senders}. Sessions live in memory (and in {@code --state-dir}); {@code
 * session/load} replays a session's history (every prompt text block as {@code user_message_chunk}, every
 * {@code say} as {@code agent_message_chunk}) and answers {@code null}.
 *
 * <ul>
 *   <li>{@code say <text>}: one {@code agent_message_chunk};
 *   <li>{@code chunks <n> <size>}: n chunks of size characters (chunk i is the digit i % 10, repeated);
 *   <li>{@code thought <text>}: an {@code agent_thought_chunk};
 *   <li>{@code tool <id> <kind> <title>}: a {@code tool_call} (pending); {@code tool-done <id>} completes it;
 *   <li>{@code permission <id>}: asks {@code session/request_permission} for tool call id (kind edit, options
 *       {@code allow} allow_once and {@code reject} reject_once), waits, then says {@code permission <id>:
 *       <answer JSON>};
 *   <li>{@code fs-read <path>} / {@code fs-write <path> <content>}: asks the client and says {@code fs-read:
 *       <answer>};
 *   <li>{@code client-request <method>}: sends any request to the client and says {@code <method>: <answer>};
 *   <li>{@code mode <id>} / {@code mode-legacy <id>}: {@code current_mode_update} with {@code currentModeId} /
 *       {@code modeId};
 *   <li>{@code unknown-update}: an update of kind {@code fake_future_kind}, then a chunk with unknown fields;
 *   <li>{@code garbage <text>}: the raw line text on stdout (not JSON);
 *   <li>{@code null-id-error}, {@code unknown-id-response}: an error with {@code id: null}, and a response to id
 *       424242;
 *   <li>{@code huge-line <bytes>}: one {@code agent_message_chunk} whose text is that many bytes;
 *   <li>{@code stderr-flood <kb>}: that many KiB of stderr lines;
 *   <li>{@code crash <exit code> <stderr text>}: write the text to stderr and exit at once;
 *   <li>{@code hang}: never answer this prompt (the agent stays alive and ignores cancel for it);
 *   <li>{@code stall}: like {@code hang}, but the client's request {@code _fake/answer-stalled} makes the agent
 *       answer it late (see below);
 *   <li>{@code auth}: says {@code auth: <method id>} (or {@code auth: none}), the method this process
 *       authenticated with;
 *   <li>{@code cancels}: say {@code cancels: <n>}, the number of {@code session/cancel}s this session received;
 *   <li>{@code say-as <session id> <text>}: an {@code agent_message_chunk} for another session id;
 *   <li>{@code split <n> <text>}: the text as chunks of n UTF-16 code units, so a chunk may end inside a
 *       surrogate pair or between a letter and its combining mark (non-ASCII characters as JSON escapes);
 *   <li>{@code tool-update <id> <json object>}: a {@code tool_call_update} with the object's fields (status,
 *       title, locations, content, rawOutput, ...);
 *   <li>{@code stderr <text>}: the text as a line on stderr;
 *   <li>{@code wait-for-continue}: pause until the client sends the notification {@code _fake/continue} (or
 *       cancels) any time after the prompt, even before the turn reaches this line;
 *   <li>{@code late <text>}: a chunk written after the prompt's answer;
 *   <li>{@code late-after <ms> <text>}: a chunk written that many milliseconds after the prompt's answer (the
 *       agent goes on reading prompts meanwhile);
 *   <li>{@code message-id <id>}: the chunks this prompt says from here on (late ones included) carry this
 *       {@code messageId};
 *   <li>{@code spawn-grandchild}: start {@code sleep 600} and say {@code grandchild <pid>};
 *   <li>{@code spawn-orphan}: the same, but the child inherits stdout (so stdout stays open if this agent dies);
 *       says {@code orphan <pid>};
 *   <li>{@code env <NAME>}: say {@code env NAME=<value>} or {@code env NAME unset};
 *   <li>{@code replay <file>}: copy the file's bytes to stdout verbatim (benchmarks; read once, then cached);
 *   <li>{@code stop <reason>}: answer with this stop reason;
 *   <li>{@code senders}: say {@code senders: <the bracketed attribution lines of this prompt, in order>};
 *   <li>{@code settings}: say {@code settings: mode=<id> model=<value> effort=<value>};
 *   <li>{@code history}: say {@code history: <the text blocks of this session's earlier prompts, attribution
 *       lines left out, joined by " | ">} (what the agent remembers, also after a load or resume).
 * </ul>
 *
 * <h2>Requests the client can send</h2>
 *
 * <p>They are handled on the agent's stdin thread, so their effect on stdout is in order with what the client
 * sends, and their answer comes after it: when the client's future completes, what they wrote has been
 * delivered.
 *
 * <ul>
 *   <li>{@code _fake/say {sessionId, text}}: an {@code agent_message_chunk} for the session (text arriving
 *       between or after turns), then {@code {}};
 *   <li>{@code _fake/answer-stalled {sessionId, error?}}: answers every {@code stall}ed prompt of the session
 *       ({@code end_turn}, or error -32603 if {@code error} is true), then {@code {"answered": <n>}};
 *   <li>{@code _fake/stalled {sessionId}}: {@code {"stalled": <n>}}, how many prompts of the session are stalled
 *       now (a cancel that arrives before a turn reaches {@code stall} ends that turn instead).
 * </ul>
 *
 * <p>Unknown methods are answered with -32601 and unknown commands with an agent_message_chunk that says so.
 * The fake agent is not part of the API; it lives in the core test-jar for the tests of other modules.
 */
public final class FakeAgent {

    private static final ObjectMapper JSON =
            new ObjectMapper(JsonFactory.builder().build()).setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    private final PrintStream err =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
    /** Ids of stalled prompts by session id. */
    private final Map<String, List<JsonNode>> stalled = new ConcurrentHashMap<>();

    private final AtomicInteger nextRequest = new AtomicInteger(1);
    private final AtomicInteger nextSession = new AtomicInteger(1);
    /** Replayed transcripts, read once so that a benchmark measures the pipe and the client, not the disk. */
    private final Map<String, byte[]> replays = new ConcurrentHashMap<>();

    private final Set<String> flags;
    private final int protocolVersion;
    private final Path stateDir;
    private volatile boolean authenticated;
    private volatile String authMethod = "";
    private final ArrayNode authMethods;

    private static final class Session {
        final String id;
        final List<ObjectNode> history = new CopyOnWriteArrayList<>();
        volatile boolean cancelled;
        volatile CountDownLatch resume = new CountDownLatch(1);
        final AtomicInteger cancels = new AtomicInteger();
        volatile String mode = "ask";
        volatile String model = "small";
        volatile String effort = "low";

        Session(String id) {
            this.id = id;
        }
    }

    private FakeAgent(Set<String> flags, int protocolVersion, Path stateDir, ArrayNode authMethods) {
        this.flags = flags;
        this.protocolVersion = protocolVersion;
        this.stateDir = stateDir;
        this.authMethods = authMethods;
    }

    /** The launch spec for a fake agent with these flags, on this JVM's Java and the test class path. */
    public static AgentLaunchSpec launchSpec(String... flags) {
        List<String> args = new ArrayList<>(List.of(
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Xss512k",
                "-XX:CICompilerCount=1",
                "-Xmx64m",
                "-cp",
                classPath(),
                FakeAgent.class.getName()));
        args.addAll(Arrays.asList(flags));
        return AgentLaunchSpec.builder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args(args)
                .build();
    }

    /** Just what the fake agent needs: its own classes, the API class its launch helper names, and Jackson. */
    public static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : List.of(
                FakeAgent.class, AgentLaunchSpec.class, ObjectMapper.class, JsonFactory.class, JsonInclude.class)) {
            try {
                entries.add(Path.of(type.getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI())
                        .toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Set<String> flags = new LinkedHashSet<>();
        int version = 1;
        int banner = 0;
        Path stateDir = null;
        long startupDelay = 0;
        ArrayNode authMethods = JSON.createArrayNode();
        authMethods.addObject().put("id", "fake-login").put("name", "Fake login");
        for (String arg : args) {
            if (arg.startsWith("--exit-before-initialize=")) {
                System.err.println("fake agent refuses to start");
                System.exit(Integer.parseInt(arg.substring(arg.indexOf('=') + 1)));
            } else if (arg.startsWith("--protocol-version=")) {
                version = Integer.parseInt(arg.substring(arg.indexOf('=') + 1));
            } else if (arg.startsWith("--banner=")) {
                banner = Integer.parseInt(arg.substring(arg.indexOf('=') + 1));
            } else if (arg.startsWith("--auth-methods=")) {
                authMethods = (ArrayNode) JSON.readTree(arg.substring(arg.indexOf('=') + 1));
            } else if (arg.startsWith("--startup-delay=")) {
                startupDelay = Long.parseLong(arg.substring(arg.indexOf('=') + 1));
            } else if (arg.startsWith("--start-log=")) {
                Files.writeString(
                        Path.of(arg.substring(arg.indexOf('=') + 1)),
                        ProcessHandle.current().pid() + "\n",
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } else if (arg.startsWith("--state-dir=")) {
                stateDir = Path.of(arg.substring(arg.indexOf('=') + 1));
            } else {
                flags.add(arg);
            }
        }
        if (startupDelay > 0) {
            try {
                Thread.sleep(startupDelay); // the start-up being simulated, not a wait for another thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        FakeAgent agent = new FakeAgent(flags, version, stateDir, authMethods);
        for (int i = 1; i <= banner; i++) {
            agent.raw("Fake agent banner line " + i + " (not JSON)");
        }
        if (banner > 0) {
            agent.raw("");
        }
        agent.run();
    }

    private void run() throws IOException, InterruptedException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode message;
            try {
                message = JSON.readTree(line);
            } catch (IOException e) {
                send(error(null, -32700, "Parse error"));
                continue;
            }
            JsonNode id = message.get("id");
            String method = message.path("method").asText(null);
            if (method == null) {
                CompletableFuture<JsonNode> answer = id == null ? null : waiting.remove(id.asText());
                if (answer != null) {
                    answer.complete(message);
                }
            } else if (id == null) {
                onNotification(method, message.path("params"));
            } else {
                onRequest(id, method, message.path("params"));
            }
        }
        if (flags.contains("--linger")) {
            // Like an agent that outlives its client: only a signal ends it (the orphan tests).
            new CountDownLatch(1).await();
        }
        System.exit(0);
    }

    /** The first variable a method names ({@code varName}, {@code vars[].name}) that is not set, or null. */
    private static String missingVariable(JsonNode method) {
        List<String> names = new ArrayList<>();
        if (method.hasNonNull("varName")) {
            names.add(method.get("varName").asText());
        }
        for (JsonNode var : method.path("vars")) {
            names.add(var.path("name").asText());
        }
        for (String name : names) {
            String value = System.getenv(name);
            if (value == null || value.isEmpty()) {
                return name;
            }
        }
        return null;
    }

    private void onNotification(String method, JsonNode params) {
        Session session = sessions.get(params.path("sessionId").asText(""));
        if (method.equals("session/cancel") && session != null) {
            session.cancels.incrementAndGet();
            session.cancelled = true;
            session.resume.countDown();
        } else if (method.equals("_fake/continue") && session != null) {
            session.resume.countDown();
        }
    }

    private void onRequest(JsonNode id, String method, JsonNode params) throws IOException {
        switch (method) {
            case "initialize" -> {
                ObjectNode result = JSON.createObjectNode().put("protocolVersion", protocolVersion);
                ObjectNode caps = result.putObject("agentCapabilities");
                caps.put("loadSession", !flags.contains("--no-load-session"));
                caps.putObject("promptCapabilities")
                        .put("image", !flags.contains("--no-images"))
                        .put("embeddedContext", true);
                ObjectNode sessionCaps = caps.putObject("sessionCapabilities");
                sessionCaps.putObject("close");
                if (!flags.contains("--no-resume")) {
                    sessionCaps.putObject("resume");
                }
                result.putObject("agentInfo").put("name", "fake-agent").put("version", "1.0.0");
                result.set("authMethods", authMethods);
                send(result(id, result));
            }
            case "authenticate" -> {
                String methodId = params.path("methodId").asText("");
                JsonNode offered = null;
                for (JsonNode advertised : authMethods) {
                    if (advertised.path("id").asText().equals(methodId)) {
                        offered = advertised;
                    }
                }
                String missing = offered == null ? null : missingVariable(offered);
                if (offered == null) {
                    send(error(id, -32602, "Invalid params: unknown auth method " + methodId));
                } else if (missing != null) {
                    send(error(id, -32000, "Authentication required: " + missing + " is not set"));
                } else {
                    authenticated = true;
                    authMethod = methodId;
                    send(result(id, JSON.createObjectNode()));
                }
            }
            case "session/new" -> {
                if (flags.contains("--require-auth") && !authenticated) {
                    send(error(id, -32000, "Authentication required"));
                } else if (!params.path("mcpServers").isArray()) {
                    send(error(id, -32602, "Invalid params: mcpServers is required"));
                } else {
                    Session session = new Session(
                            stateDir == null
                                    ? "sess-" + nextSession.getAndIncrement()
                                    : "sess-" + ProcessHandle.current().pid() + "-" + nextSession.getAndIncrement());
                    sessions.put(session.id, session);
                    ObjectNode created = JSON.createObjectNode().put("sessionId", session.id);
                    send(result(id, withSettings(created, session)));
                }
            }
            case "session/load" -> {
                Session session = known(params.path("sessionId").asText(""));
                if (flags.contains("--require-auth-resume") && !authenticated) {
                    send(error(id, -32000, "Authentication required"));
                } else if (flags.contains("--fail-load") || session == null) {
                    send(error(
                            id,
                            -32002,
                            "Resource not found: session "
                                    + params.path("sessionId").asText()));
                } else if (flags.contains("--replay-after-load")) {
                    List<ObjectNode> replay = List.copyOf(session.history);
                    send(result(id, null));
                    for (ObjectNode update : replay) {
                        update(session, update, true);
                    }
                } else {
                    for (ObjectNode update : session.history) {
                        update(session, update, false);
                    }
                    send(result(
                            id,
                            flags.contains("--advertise-settings")
                                    ? withSettings(JSON.createObjectNode(), session)
                                    : null));
                }
            }
            case "session/resume", "session/close", "session/set_mode", "session/set_model" -> {
                Session target = known(params.path("sessionId").asText(""));
                if (target != null && method.equals("session/set_mode")) {
                    target.mode = params.path("modeId").asText();
                } else if (target != null && method.equals("session/set_model")) {
                    target.model = params.path("modelId").asText();
                }
                if (method.equals("session/resume") && flags.contains("--require-auth-resume") && !authenticated) {
                    send(error(id, -32000, "Authentication required"));
                } else if (target != null && method.equals("session/resume")) {
                    send(result(id, withSettings(JSON.createObjectNode(), target)));
                } else if (target != null) {
                    if (method.equals("session/close")) {
                        String closed = params.path("sessionId").asText("");
                        sessions.remove(closed);
                        if (stateDir != null) {
                            Files.deleteIfExists(stateDir.resolve(closed + ".jsonl"));
                            Files.createDirectories(stateDir);
                            Files.writeString(stateDir.resolve(closed + ".closed"), ""); // tests see the close
                        }
                    }
                    send(result(id, JSON.createObjectNode()));
                } else {
                    send(error(id, -32002, "Resource not found"));
                }
            }
            case "session/set_config_option" -> {
                Session target = flags.contains("--advertise-settings")
                        ? known(params.path("sessionId").asText(""))
                        : null;
                if (target != null) {
                    switch (params.path("configId").asText()) {
                        case "model" -> target.model = params.path("value").asText();
                        case "effort" -> target.effort = params.path("value").asText();
                        default -> {}
                    }
                    send(result(id, settingsOnlyOptions(target)));
                    return;
                }
                ObjectNode result = JSON.createObjectNode();
                ObjectNode option = result.putArray("configOptions").addObject();
                option.put("id", params.path("configId").asText())
                        .put("name", params.path("configId").asText())
                        .put("type", params.path("value").isBoolean() ? "boolean" : "select");
                option.set("currentValue", params.path("value"));
                send(result(id, result));
            }
            case "session/prompt" -> {
                Session session = sessions.get(params.path("sessionId").asText(""));
                if (flags.contains("--require-auth-prompt") && !authenticated) {
                    send(error(id, -32000, "Authentication required"));
                    return;
                }
                if (session == null) {
                    send(error(
                            id,
                            -32002,
                            "Resource not found: session "
                                    + params.path("sessionId").asText()));
                    return;
                }
                // Armed here, as the prompt is read, not on the turn's thread: a _fake/continue or session/cancel
                // read right after the prompt, before that thread runs, must not be lost.
                session.cancelled = false;
                session.resume = new CountDownLatch(1);
                Thread turn = new Thread(() -> prompt(session, id, params), "turn-" + id);
                turn.setDaemon(true);
                turn.start();
            }
            case "_fake/say" -> {
                Session session = sessions.get(params.path("sessionId").asText(""));
                if (session == null) {
                    send(error(id, -32002, "Resource not found"));
                } else {
                    say(session, params.path("text").asText(), true);
                    send(result(id, JSON.createObjectNode()));
                }
            }
            case "_fake/stalled" -> {
                List<JsonNode> ids = stalled.get(params.path("sessionId").asText(""));
                send(result(id, JSON.createObjectNode().put("stalled", ids == null ? 0 : ids.size())));
            }
            case "_fake/answer-stalled" -> {
                List<JsonNode> ids = stalled.remove(params.path("sessionId").asText(""));
                List<JsonNode> answered = ids == null ? List.of() : ids;
                for (JsonNode prompt : answered) {
                    send(
                            params.path("error").asBoolean()
                                    ? error(prompt, -32603, "Internal error: stalled turn gave up")
                                    : result(prompt, JSON.createObjectNode().put("stopReason", "end_turn")));
                }
                send(result(id, JSON.createObjectNode().put("answered", answered.size())));
            }
            default -> {
                ObjectNode data = JSON.createObjectNode().put("method", method);
                ObjectNode message = error(id, -32601, "Method not found");
                ((ObjectNode) message.get("error")).set("data", data);
                send(message);
            }
        }
    }

    private void prompt(Session session, JsonNode id, JsonNode params) {
        try {
            int earlier = session.history.size();
            List<String> script = new ArrayList<>();
            List<String> senders = new ArrayList<>();
            for (JsonNode block : params.path("prompt")) {
                if (block.path("type").asText().equals("text")) {
                    ObjectNode user = JSON.createObjectNode().put("sessionUpdate", "user_message_chunk");
                    user.putObject("content")
                            .put("type", "text")
                            .put("text", block.path("text").asText());
                    record(session, user);
                    for (String line : block.path("text").asText().lines().toList()) {
                        if (isAttribution(line)) {
                            senders.add(line.strip());
                        } else {
                            script.add(line);
                        }
                    }
                }
            }
            String stopReason = "end_turn";
            String messageId = null;
            List<Late> late = new ArrayList<>();
            for (String command : script) {
                if (session.cancelled) {
                    break;
                }
                String[] words = command.strip().split(" ", 2);
                String rest = words.length > 1 ? words[1] : "";
                switch (words[0]) {
                    case "" -> {}
                    case "say" -> say(session, rest, true, messageId);
                    case "message-id" -> messageId = rest;
                    case "chunks" -> {
                        String[] nums = rest.split(" ");
                        int n = Integer.parseInt(nums[0]);
                        int size = Integer.parseInt(nums[1]);
                        for (int i = 0; i < n; i++) {
                            say(session, String.valueOf(i % 10).repeat(size), false);
                        }
                        out.flush();
                    }
                    case "thought" -> {
                        ObjectNode update = JSON.createObjectNode().put("sessionUpdate", "agent_thought_chunk");
                        update.putObject("content").put("type", "text").put("text", rest);
                        update(session, update, true);
                    }
                    case "tool" -> {
                        String[] parts = rest.split(" ", 3);
                        ObjectNode update = JSON.createObjectNode()
                                .put("sessionUpdate", "tool_call")
                                .put("toolCallId", parts[0])
                                .put("title", parts.length > 2 ? parts[2] : parts[0])
                                .put("kind", parts.length > 1 ? parts[1] : "other")
                                .put("status", "pending");
                        update(session, update, true);
                    }
                    case "tool-done" ->
                        update(
                                session,
                                JSON.createObjectNode()
                                        .put("sessionUpdate", "tool_call_update")
                                        .put("toolCallId", rest)
                                        .put("status", "completed"),
                                true);
                    case "permission" -> {
                        ObjectNode request = JSON.createObjectNode().put("sessionId", session.id);
                        request.putObject("toolCall")
                                .put("toolCallId", rest)
                                .put("title", "Edit " + rest)
                                .put("kind", "edit")
                                .put("status", "pending");
                        ArrayNode options = request.putArray("options");
                        options.addObject()
                                .put("optionId", "allow")
                                .put("name", "Allow")
                                .put("kind", "allow_once");
                        options.addObject()
                                .put("optionId", "reject")
                                .put("name", "Reject")
                                .put("kind", "reject_once");
                        say(session, "permission " + rest + ": " + ask("session/request_permission", request), true);
                    }
                    case "fs-read" ->
                        say(
                                session,
                                "fs-read: "
                                        + ask(
                                                "fs/read_text_file",
                                                JSON.createObjectNode()
                                                        .put("sessionId", session.id)
                                                        .put("path", rest)),
                                true);
                    case "fs-write" -> {
                        String[] parts = rest.split(" ", 2);
                        say(
                                session,
                                "fs-write: "
                                        + ask(
                                                "fs/write_text_file",
                                                JSON.createObjectNode()
                                                        .put("sessionId", session.id)
                                                        .put("path", parts[0])
                                                        .put("content", parts.length > 1 ? parts[1] : "")),
                                true);
                    }
                    case "client-request" ->
                        say(
                                session,
                                rest + ": " + ask(rest, JSON.createObjectNode().put("sessionId", session.id)),
                                true);
                    case "mode", "mode-legacy" ->
                        update(
                                session,
                                JSON.createObjectNode()
                                        .put("sessionUpdate", "current_mode_update")
                                        .put(words[0].equals("mode") ? "currentModeId" : "modeId", rest),
                                true);
                    case "unknown-update" -> {
                        ObjectNode future = JSON.createObjectNode()
                                .put("sessionUpdate", "fake_future_kind")
                                .put("answer", 42);
                        future.putObject("nested").put("deep", true);
                        update(session, future, true);
                        ObjectNode chunk = JSON.createObjectNode()
                                .put("sessionUpdate", "agent_message_chunk")
                                .put("futureField", "kept");
                        chunk.putObject("content").put("type", "text").put("text", "after unknown");
                        update(session, chunk, true);
                    }
                    case "garbage" -> raw(rest);
                    case "null-id-error" -> send(error(null, -32700, "Parse error"));
                    case "unknown-id-response" ->
                        send(result(
                                JSON.getNodeFactory().numberNode(424242),
                                JSON.createObjectNode().put("stopReason", "end_turn")));
                    case "huge-line" -> say(session, "h".repeat(Integer.parseInt(rest)), true);
                    case "stderr-flood" -> {
                        String lineText = "stderr flood line ".repeat(3) + "\n";
                        long bytes = Long.parseLong(rest) * 1024;
                        StringBuilder block = new StringBuilder();
                        while (block.length() < 8192) {
                            block.append(lineText);
                        }
                        for (long written = 0; written < bytes; written += block.length()) {
                            err.print(block);
                        }
                        err.flush();
                    }
                    case "crash" -> {
                        String[] parts = rest.split(" ", 2);
                        out.flush();
                        err.println(parts.length > 1 ? parts[1] : "crashed");
                        err.flush();
                        Runtime.getRuntime().halt(Integer.parseInt(parts[0]));
                    }
                    case "hang" -> {
                        new CountDownLatch(1).await();
                    }
                    case "stall" -> {
                        stalled.computeIfAbsent(session.id, k -> new CopyOnWriteArrayList<>())
                                .add(id);
                        return;
                    }
                    case "cancels" -> say(session, "cancels: " + session.cancels.get(), true);
                    case "auth" -> say(session, "auth: " + (authMethod.isEmpty() ? "none" : authMethod), true);
                    case "say-as" -> {
                        String[] parts = rest.split(" ", 2);
                        ObjectNode update = JSON.createObjectNode().put("sessionUpdate", "agent_message_chunk");
                        update.putObject("content").put("type", "text").put("text", parts.length > 1 ? parts[1] : "");
                        write(notification(parts[0], update), true);
                    }
                    case "split" -> {
                        String[] parts = rest.split(" ", 2);
                        int size = Integer.parseInt(parts[0]);
                        String whole = parts.length > 1 ? parts[1] : "";
                        for (int i = 0; i < whole.length(); i += size) {
                            raw(escapedChunk(session.id, whole.substring(i, Math.min(whole.length(), i + size))));
                        }
                    }
                    case "tool-update" -> {
                        String[] parts = rest.split(" ", 2);
                        ObjectNode update = JSON.createObjectNode()
                                .put("sessionUpdate", "tool_call_update")
                                .put("toolCallId", parts[0]);
                        if (parts.length > 1) {
                            update.setAll((ObjectNode) JSON.readTree(parts[1]));
                        }
                        update(session, update, true);
                    }
                    case "stderr" -> {
                        err.println(rest);
                        err.flush();
                    }
                    case "wait-for-continue" -> session.resume.await();
                    case "late" -> late.add(new Late(0, rest, messageId));
                    case "late-after" -> {
                        String[] parts = rest.split(" ", 2);
                        late.add(new Late(Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : "", messageId));
                    }
                    case "spawn-grandchild" -> {
                        Process child = new ProcessBuilder("sleep", "600")
                                .redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .start();
                        say(session, "grandchild " + child.pid(), true);
                    }
                    case "spawn-orphan" -> {
                        // Inherits stdout, so the client sees no EOF when this agent dies.
                        Process child = new ProcessBuilder("sleep", "600")
                                .redirectInput(ProcessBuilder.Redirect.PIPE)
                                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                                .redirectError(ProcessBuilder.Redirect.DISCARD)
                                .start();
                        say(session, "orphan " + child.pid(), true);
                    }
                    case "env" -> {
                        String value = System.getenv(rest);
                        say(session, value == null ? "env " + rest + " unset" : "env " + rest + "=" + value, true);
                    }
                    case "replay" -> {
                        byte[] transcript = replays.computeIfAbsent(rest, FakeAgent::readFile);
                        synchronized (out) {
                            out.write(transcript);
                            out.flush();
                        }
                    }
                    case "stop" -> stopReason = rest;
                    case "senders" -> say(session, "senders: " + String.join(" ", senders), true);
                    case "settings" ->
                        say(
                                session,
                                "settings: mode=" + session.mode + " model=" + session.model + " effort="
                                        + session.effort,
                                true);
                    case "history" -> say(session, "history: " + history(session, earlier), true);
                    default -> say(session, "unknown command: " + command, true);
                }
            }
            if (session.cancelled) {
                stopReason = "cancelled";
            }
            send(result(id, JSON.createObjectNode().put("stopReason", stopReason)));
            for (Late tail : late) {
                if (tail.delayMillis() > 0) {
                    Thread.sleep(tail.delayMillis()); // the agent's own timing: the tail it is tested with
                }
                say(session, tail.text(), true, tail.messageId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            e.printStackTrace(err);
            try {
                send(error(id, -32603, "Internal error: " + e));
            } catch (IOException ignored) {
                // stdout is gone; nothing to tell
            }
        }
    }

    private static boolean isAttribution(String line) {
        String text = line.strip();
        return text.length() > 2 && text.startsWith("[") && text.endsWith("]");
    }

    /** The text blocks of the session's first {@code earlier} history entries that were prompts. */
    private static String history(Session session, int earlier) {
        List<String> said = new ArrayList<>();
        for (ObjectNode update : session.history.subList(0, Math.min(earlier, session.history.size()))) {
            if (update.path("sessionUpdate").asText().equals("user_message_chunk")) {
                String text = update.path("content").path("text").asText();
                String kept = String.join(
                        "\n", text.lines().filter(l -> !isAttribution(l)).toList());
                if (!kept.isBlank()) {
                    said.add(kept);
                }
            }
        }
        return String.join(" | ", said);
    }

    /** Adds to the session's history, and to its file in the state directory if there is one. */
    private void record(Session session, ObjectNode update) {
        session.history.add(update);
        if (stateDir != null) {
            try {
                Files.createDirectories(stateDir);
                Files.writeString(
                        stateDir.resolve(session.id + ".jsonl"),
                        JSON.writeValueAsString(update) + "\n",
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** With {@code --advertise-settings}: the session's modes and config options added to a session result. */
    private ObjectNode withSettings(ObjectNode result, Session session) {
        if (!flags.contains("--advertise-settings")) {
            return result;
        }
        ObjectNode modes = result.putObject("modes").put("currentModeId", session.mode);
        modes.putArray("availableModes")
                .add(JSON.createObjectNode().put("id", "ask").put("name", "Ask"))
                .add(JSON.createObjectNode()
                        .put("id", "code")
                        .put("name", "Code")
                        .put("description", "Writes code"));
        result.set("configOptions", settingsOnlyOptions(session).get("configOptions"));
        return result;
    }

    private static ObjectNode settingsOnlyOptions(Session session) {
        ObjectNode result = JSON.createObjectNode();
        var options = result.putArray("configOptions");
        ObjectNode model = options.addObject()
                .put("id", "model")
                .put("name", "Model")
                .put("category", "model")
                .put("type", "select")
                .put("currentValue", session.model);
        model.putArray("options")
                .add(JSON.createObjectNode().put("value", "small").put("name", "Small"))
                .add(JSON.createObjectNode().put("value", "large").put("name", "Large"));
        ObjectNode effort = options.addObject()
                .put("id", "effort")
                .put("name", "Effort")
                .put("category", "thought_level")
                .put("type", "select")
                .put("currentValue", session.effort);
        effort.putArray("options")
                .add(JSON.createObjectNode().put("value", "low").put("name", "Low"))
                .add(JSON.createObjectNode().put("value", "high").put("name", "High"));
        return result;
    }

    /** A session of this process, or one another process kept in the state directory (loaded now). */
    private Session known(String sessionId) {
        Session session = sessions.get(sessionId);
        if (session != null || stateDir == null || sessionId.isEmpty() || sessionId.contains("/")) {
            return session;
        }
        Path file = stateDir.resolve(sessionId + ".jsonl");
        if (!Files.exists(file)) {
            return null;
        }
        Session loaded = new Session(sessionId);
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    loaded.history.add((ObjectNode) JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Session raced = sessions.putIfAbsent(sessionId, loaded);
        return raced != null ? raced : loaded;
    }

    /**
     * An agent_message_chunk line written by hand, every non-ASCII UTF-16 unit as a JSON escape, so that the
     * text may hold half of a surrogate pair (Jackson refuses to encode one as UTF-8).
     */
    private static String escapedChunk(String sessionId, String text) {
        StringBuilder line = new StringBuilder("{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{")
                .append("\"sessionId\":\"")
                .append(sessionId)
                .append("\",\"update\":{\"sessionUpdate\":\"agent_message_chunk\",")
                .append("\"content\":{\"type\":\"text\",\"text\":\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                line.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                line.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                line.append(c);
            }
        }
        return line.append("\"}}}}").toString();
    }

    private static byte[] readFile(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A chunk to write after the prompt's answer. */
    private record Late(long delayMillis, String text, String messageId) {}

    private void say(Session session, String text, boolean flush) throws IOException {
        say(session, text, flush, null);
    }

    private void say(Session session, String text, boolean flush, String messageId) throws IOException {
        ObjectNode update = JSON.createObjectNode().put("sessionUpdate", "agent_message_chunk");
        if (messageId != null) {
            update.put("messageId", messageId);
        }
        update.putObject("content").put("type", "text").put("text", text);
        if (text.length() < 10_000) {
            record(session, update);
        }
        write(notification(session.id, update), flush);
    }

    private void update(Session session, ObjectNode update, boolean flush) throws IOException {
        write(notification(session.id, update), flush);
    }

    private ObjectNode notification(String sessionId, ObjectNode update) {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "session/update");
        message.putObject("params").put("sessionId", sessionId).set("update", update);
        return message;
    }

    /** Sends a request to the client and waits for its answer; returns the answer's result or error JSON. */
    private String ask(String method, ObjectNode params) throws IOException, InterruptedException {
        int n = nextRequest.getAndIncrement();
        JsonNode id = flags.contains("--string-ids")
                ? JSON.getNodeFactory().textNode("req-" + n)
                : JSON.getNodeFactory().numberNode(n);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        waiting.put(id.asText(), answer);
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        message.put("method", method).set("params", params);
        send(message);
        JsonNode reply;
        try {
            reply = answer.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (!reply.path("id").equals(id)) {
            return "id mismatch: sent " + id + ", got " + reply.path("id");
        }
        return reply.has("error") ? "error " + reply.get("error") : String.valueOf(reply.get("result"));
    }

    private static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0");
        message.set("id", id);
        message.set("result", result == null ? JSON.nullNode() : result);
        return message;
    }

    private static ObjectNode error(JsonNode id, int code, String text) {
        ObjectNode message = JSON.createObjectNode().put("jsonrpc", "2.0");
        message.set("id", id == null ? JSON.nullNode() : id);
        message.putObject("error").put("code", code).put("message", text);
        return message;
    }

    private void send(JsonNode message) throws IOException {
        write(message, true);
    }

    private void write(JsonNode message, boolean flush) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(message);
        synchronized (out) {
            out.write(bytes);
            out.write('\n');
            if (flush) {
                out.flush();
            }
        }
    }

    private void raw(String line) throws IOException {
        synchronized (out) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            out.flush();
        }
    }
}
