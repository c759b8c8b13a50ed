package io.github.acppool.acp;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.errorprone.annotations.CheckReturnValue;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to one agent process, speaking ACP v1 (newline-delimited JSON-RPC 2.0) over its stdin and
 * stdout.
 *
 * <pre>{@code
 * try (AcpClient client = AcpClient.launch(AgentLaunchSpec.builder("npx").args("@zed-industries/codex-acp").build(),
 *         AcpClientOptions.defaults())) {
 *     client.initialize().join();
 *     SessionState session = client.newSession(SessionSetup.of(Path.of("/srv/threads/t42"))).join();
 *     try (Subscription s = client.subscribe(session.sessionId(), (id, update) -> show(update))) {
 *         PromptResult result = client.prompt(session.sessionId(), List.of(ContentBlock.text("hello"))).future().join();
 *     }
 * }
 * }</pre>
 *
 * <p>Requests return futures and never block the caller. Futures complete on the client's executor, never
 * on the stdout reader thread, and only after every update that arrived before the answer was delivered.
 * When the process exits or closes stdout, every outstanding request fails with {@link
 * AgentProcessException} as soon as the updates it sent before were delivered; requests made after that fail
 * at once.
 *
 * <p>Thread-safe: any thread may call any method at any time, including {@link #close()} while a prompt is
 * in flight.
 */
public interface AcpClient extends AutoCloseable {

    /** The only protocol version this client speaks. */
    int PROTOCOL_VERSION = 1;

    /**
     * Starts the agent process and its reader threads. Nothing is sent yet: call {@link #initialize()}.
     *
     * @throws AgentProcessException if the process cannot be started
     */
    static AcpClient launch(AgentLaunchSpec spec, AcpClientOptions options) {
        return DefaultAcpClient.launch(spec, options);
    }

    /**
     * Sends {@code initialize} (protocol version 1, the configured client info and capabilities). Fails with
     * {@link AcpProtocolException} ({@link AcpProtocolException#UNUSABLE_RESPONSE}) if the agent answers with
     * another version; close the client then.
     */
    @CheckReturnValue
    CompletableFuture<InitializeResult> initialize();

    /** The agent's answer to {@link #initialize()}, once it has arrived. */
    Optional<InitializeResult> initializeResult();

    /**
     * Sends {@code authenticate} with one of the advertised method ids ({@link InitializeResult#authMethods()}).
     * Authentication belongs to the process. Agents that need it answer session calls with {@link
     * AcpProtocolException#AUTH_REQUIRED} until it succeeded; a broker does this by its {@link AuthPolicy}.
     */
    @CheckReturnValue
    CompletableFuture<Void> authenticate(String methodId);

    /** Sends {@code session/new}. */
    @CheckReturnValue
    CompletableFuture<SessionState> newSession(SessionSetup setup);

    /**
     * Sends {@code session/new} and subscribes {@code listener} to the new session as the answer is read,
     * so that no update sent right after it (e.g. {@code available_commands_update}) is missed. {@code
     * subscribe(sessionId, listener)} returns a handle for this subscription.
     */
    @CheckReturnValue
    CompletableFuture<SessionState> newSession(SessionSetup setup, SessionUpdateListener listener);

    /**
     * Sends {@code session/load}; the agent replays the conversation as updates before it answers, so
     * {@link #subscribe} first. Fails with {@link MissingCapabilityException} unless the agent advertised
     * {@code loadSession}.
     */
    @CheckReturnValue
    CompletableFuture<SessionState> loadSession(String sessionId, SessionSetup setup);

    /**
     * Sends {@code session/resume} (no replay). Fails with {@link MissingCapabilityException} unless the
     * agent advertised {@code sessionCapabilities.resume}.
     */
    @CheckReturnValue
    CompletableFuture<SessionState> resumeSession(String sessionId, SessionSetup setup);

    /**
     * Sends {@code session/close}. Fails with {@link MissingCapabilityException} unless the agent
     * advertised {@code sessionCapabilities.close}.
     */
    @CheckReturnValue
    CompletableFuture<Void> closeSession(String sessionId);

    /** Sends {@code session/prompt} with the default prompt timeout (none unless configured). */
    PendingRequest<PromptResult> prompt(String sessionId, List<ContentBlock> prompt);

    /** Sends {@code session/prompt}; the request fails with {@link AcpRequestTimeoutException} after {@code timeout}. */
    PendingRequest<PromptResult> prompt(String sessionId, List<ContentBlock> prompt, Duration timeout);

    /**
     * Sends the {@code session/cancel} notification and answers the session's outstanding permission
     * requests with {@code cancelled}. Never waits for a lock or for the agent (it can block only if the
     * agent has stopped reading its stdin and the pipe is full); the prompt's own answer (usually {@code
     * stopReason: cancelled}, but treat any answer after a cancel as cancelled) still arrives through its
     * future.
     */
    void cancel(String sessionId);

    /** Sends {@code session/set_mode}. */
    @CheckReturnValue
    CompletableFuture<Void> setMode(String sessionId, String modeId);

    /**
     * Sends {@code session/set_config_option}; {@code value} is a text node for select options and a
     * boolean node for boolean options. Completes with the complete, updated list of options.
     */
    @CheckReturnValue
    CompletableFuture<List<JsonNode>> setConfigOption(String sessionId, String configId, JsonNode value);

    /** Sends any request (e.g. an {@code _}-prefixed extension) with the default request timeout. */
    PendingRequest<JsonNode> request(String method, JsonNode params);

    /** Sends any request with its own timeout. */
    PendingRequest<JsonNode> request(String method, JsonNode params, Duration timeout);

    /** Sends any notification (e.g. an {@code _}-prefixed extension); never waits for a lock. */
    void notify(String method, JsonNode params);

    /**
     * Delivers the session's updates to {@code listener} (see {@link SessionUpdateListener} for ordering). A
     * session has at most one listener: subscribing another replaces it, and subscribing the current one
     * again just returns a handle. Updates for a session without a listener are logged at DEBUG and dropped.
     */
    Subscription subscribe(String sessionId, SessionUpdateListener listener);

    /**
     * The listener the session's updates go to now, if any: a prompt streamer uses it to find the listener
     * its previous turn of the session left behind (the session's quiet time and its late updates). A client
     * that does not implement it returns empty, and every turn then starts without that knowledge.
     */
    default Optional<SessionUpdateListener> listener(String sessionId) {
        return Optional.empty();
    }

    /** True while the process is alive and its stdout is being read. Lock-free. */
    boolean isAlive();

    /** The process id, or empty when the client does not run a process (tests). */
    OptionalInt pid();

    /** The exit code, once the process has exited. */
    OptionalInt exitCode();

    /**
     * How many stdout lines were dropped so far because they were longer than {@code maxLineBytes} (a protocol
     * warning: whatever they carried, e.g. part of a reply, is lost). Lock-free; only grows.
     */
    default long droppedLines() {
        return 0;
    }

    /** The total size in bytes of the lines counted by {@link #droppedLines()}. Lock-free; only grows. */
    default long droppedLineBytes() {
        return 0;
    }

    /** The last bytes the agent wrote to stderr (at most {@code stderrTailBytes}), decoded as UTF-8. */
    String stderrTail();

    /**
     * Completes with the exit code when the process exits (or with -1 when a client without a process stops
     * reading). A new future on each call, so completing it has no effect on the client.
     */
    @CheckReturnValue
    CompletableFuture<Integer> onExit();

    /**
     * Shuts down: fails outstanding requests, closes stdin, waits {@code closeGrace} for the agent to exit,
     * then sends SIGTERM (to the agent and every descendant it had, including descendants recorded earlier
     * that outlived it), waits again, then SIGKILL. Blocks until done: an agent that exits when its stdin
     * closes is done within one {@code closeGrace}; one that ignores stdin, SIGTERM and a blocked pipe takes
     * at most about six. Idempotent; a concurrent call waits for the first.
     */
    @Override
    void close();
}
