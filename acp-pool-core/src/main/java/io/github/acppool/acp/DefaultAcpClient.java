package io.github.acppool.acp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.acp.schema.AgentCapabilities;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.McpServer;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionState;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ACP client over a process's (or, in tests, any) stdin, stdout and stderr. */
final class DefaultAcpClient implements AcpClient {

    /*
     * Concurrency:
     * - One reader thread reads stdout and handles every line in arrival order. It never runs user code: it
     *   parses, completes nothing itself, and hands updates to per-session SessionChannels (which may make it
     *   wait when a listener's queue is full) and agent requests to the executor. It starts delivery of the
     *   updates it queued before each blocking read of stdout (one wake-up per read buffer, not per update).
     * - A response is matched by id in `pending` (remove = claim; whoever removes a call completes it, so a
     *   call completes at most once and a late answer to an abandoned id finds nothing). Before its future is
     *   completed (with a result, an error, or the process failure when stdout ends), a barrier is queued in
     *   every SessionChannel that still has undelivered updates; the future completes on the executor when the
     *   last barrier runs. So everything read before the answer is delivered before the future completes.
     *   Failures that do not come from the reader (close(), the timer's exit check) complete at once.
     * - `terminal` is set once when stdout ends, the process exits or close() starts; it is set before pending
     *   calls are failed, and call() re-checks it after registering, so no call can slip past the failure.
     * - Writes go through OutboundWriter, which never makes one sender wait for another.
     * - No lock of this class is held while calling user code or doing I/O. isAlive(), exitCode(),
     *   stderrTail() and cancel() take no lock that the reader or a writer holds.
     * - close() may block (it waits for the process); everything else returns without waiting for the agent.
     */

    private static final Logger LOG = LoggerFactory.getLogger(DefaultAcpClient.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** The stdout read buffer grows from MIN_READ_BUFFER to READ_BUFFER while reads fill it (see ReadBuffer). */
    private static final int READ_BUFFER = 64 * 1024;

    private static final int MIN_READ_BUFFER = 8 * 1024;
    /**
     * The buffer for a line that spans reads is allocated on demand; it grows up to maxLineBytes when needed and
     * is kept after the line only if it is at most this big.
     */
    private static final int LINE_BUFFER = 8 * 1024;

    private static final byte[] NO_BYTES = new byte[0];
    /** How often the descendants of a live agent are recorded (also after each answer and agent request). */
    private static final Duration DESCENDANT_SCAN_INTERVAL = Duration.ofSeconds(5);
    /** After the process exits, how long stdout may stay open (a descendant holding it) before calls fail. */
    private static final Duration EXIT_TO_EOF_GRACE = Duration.ofSeconds(1);

    private final String name;
    private final AcpClientOptions options;
    private final @Nullable Process process;
    private final InputStream stdout;
    private final @Nullable InputStream stderr;
    private final OutboundWriter writer;
    private final @Nullable StderrRing stderrRing;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final FsHandler fs;

    private final AtomicLong nextId = new AtomicLong();
    /** Written by the reader thread only; read by turns (protocol warnings). */
    private final AtomicLong droppedLines = new AtomicLong();

    private final AtomicLong droppedLineBytes = new AtomicLong();
    private final ConcurrentHashMap<Long, Call<?>> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SessionChannel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Path> sessionDirs = new ConcurrentHashMap<>();
    /** The agent's requests that have not been answered yet. */
    private final Set<Incoming> incoming = ConcurrentHashMap.newKeySet();

    private final AtomicReference<@Nullable AgentProcessException> terminal = new AtomicReference<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /**
     * Every descendant process seen so far. A descendant that outlives the agent is re-parented and can no
     * longer be found from the agent's handle, so close() kills what was recorded here too.
     */
    private final Map<Long, ProcessHandle> descendants = new ConcurrentHashMap<>();

    private volatile @Nullable ScheduledFuture<?> descendantScan;

    /** Reader thread only: channels given updates since the reader last blocked on stdout. */
    private final List<SessionChannel> unflushed = new ArrayList<>();

    private final Thread readerThread;
    private final @Nullable Thread stderrThread;
    private volatile boolean readerRunning = true;
    private volatile long readBlockedSinceNanos;
    private volatile @Nullable InitializeResult initializeResult;

    static DefaultAcpClient launch(AgentLaunchSpec spec, AcpClientOptions options) {
        return launch(spec, options, DefaultAcpClient::daemon);
    }

    /**
     * Starts the process, then the client's threads from {@code threads}. If anything fails after the process
     * started (e.g. a thread cannot be created), the process and its descendants are destroyed before the failure
     * is thrown: nothing is left running for a client nobody holds.
     */
    static DefaultAcpClient launch(AgentLaunchSpec spec, AcpClientOptions options, ThreadFactory threads) {
        Checks.notNull(spec, "spec");
        Checks.notNull(options, "options");
        Checks.notNull(threads, "threads");
        ProcessBuilder builder = new ProcessBuilder(spec.commandLine());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(spec.environment(System.getenv()));
        if (spec.workingDirectory() != null) {
            builder.directory(spec.workingDirectory().toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            // The OS's reason ("No such file or directory", "Permission denied") is what the operator needs.
            throw new AgentProcessException(
                    "cannot start agent " + spec.commandLine() + ": " + osReason(e), null, "", e);
        }
        String name = "acp-client-" + SEQUENCE.incrementAndGet() + "(pid " + process.pid() + ")";
        try {
            LOG.debug("{} - started {}", name, spec.commandLine());
            DefaultAcpClient client = new DefaultAcpClient(
                    name,
                    options,
                    process.getInputStream(),
                    process.getOutputStream(),
                    process.getErrorStream(),
                    process,
                    threads);
            client.start();
            return client;
        } catch (RuntimeException | Error e) {
            destroyTree(process);
            LOG.warn("{} - could not start the client of {}; the process was destroyed", name, spec.commandLine(), e);
            throw new AgentProcessException(
                    "cannot start agent " + spec.commandLine() + ": the client could not start (" + e + ")",
                    null,
                    "",
                    e);
        }
    }

    /** The OS's words from a failed {@code ProcessBuilder.start}: {@code error=2, No such file or directory}. */
    static String osReason(IOException e) {
        String text = e.getMessage();
        if (text == null || text.isBlank()) {
            return e.toString();
        }
        int error = text.lastIndexOf("error=");
        int comma = error < 0 ? -1 : text.indexOf(", ", error);
        return comma >= 0 ? text.substring(comma + 2) : text;
    }

    /** Kills a process that never became a client, and everything it started. */
    private static void destroyTree(Process process) {
        try {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        } catch (RuntimeException e) {
            LOG.debug("listing the descendants of pid {} failed: {}", process.pid(), e.toString());
        }
        process.destroyForcibly();
        closeStream(process.getOutputStream());
        closeStream(process.getInputStream());
        closeStream(process.getErrorStream());
    }

    private static void closeStream(java.io.Closeable stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // Nothing more to do for a process that is being killed.
        }
    }

    /** A client over plain streams (no process): for tests and in-memory transports. */
    static DefaultAcpClient overStreams(
            AcpClientOptions options, InputStream stdout, OutputStream stdin, @Nullable InputStream stderr) {
        DefaultAcpClient client = new DefaultAcpClient(
                "acp-client-" + SEQUENCE.incrementAndGet(),
                options,
                stdout,
                stdin,
                stderr,
                null,
                DefaultAcpClient::daemon);
        client.start();
        return client;
    }

    private DefaultAcpClient(
            String name,
            AcpClientOptions options,
            InputStream stdout,
            OutputStream stdin,
            @Nullable InputStream stderr,
            @Nullable Process process,
            ThreadFactory threads) {
        this.name = name;
        this.options = options;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.writer = new OutboundWriter(name, stdin);
        this.fs = new FsHandler(options.maxLineBytes());
        String threadPrefix = name.replaceAll("[^A-Za-z0-9-]+", "-").replaceAll("-+$", "");
        if (options.executor() != null) {
            this.executor = options.executor();
            this.ownsExecutor = options.shutdownExecutorOnClose();
        } else {
            // Shared, so that an idle agent keeps no worker of its own (issue 16: workers lingered per client).
            this.executor = SharedWorkers.INSTANCE;
            this.ownsExecutor = false;
        }
        if (options.scheduler() != null) {
            this.scheduler = options.scheduler();
            this.ownsScheduler = options.shutdownSchedulerOnClose();
        } else {
            this.scheduler = SharedTimer.INSTANCE;
            this.ownsScheduler = false;
        }
        this.readerThread = thread(threads, this::readLoop, threadPrefix + "-stdout");
        if (stderr != null) {
            this.stderrRing = new StderrRing(name, stderr, options.stderrTailBytes(), options.stderrLogLevel());
            this.stderrThread = thread(threads, stderrRing, threadPrefix + "-stderr");
        } else {
            this.stderrRing = null;
            this.stderrThread = null;
        }
    }

    private void start() {
        if (stderrThread != null) {
            stderrThread.start();
        }
        readerThread.start();
        if (process != null) {
            var unused = process.onExit().whenComplete((p, e) -> onProcessExit());
            try {
                descendantScan = scheduler.scheduleWithFixedDelay(
                        this::recordDescendants,
                        DESCENDANT_SCAN_INTERVAL.toNanos(),
                        DESCENDANT_SCAN_INTERVAL.toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("{} - no periodic descendant scan: scheduler rejected it", name);
            }
        }
    }

    /** Records the agent's current descendants and forgets dead ones; cheap enough to run now and then. */
    private void recordDescendants() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            p.descendants().forEach(h -> descendants.putIfAbsent(h.pid(), h));
            descendants.values().removeIf(h -> !h.isAlive());
        } catch (RuntimeException e) {
            LOG.debug("{} - listing descendants failed: {}", name, e.toString());
        }
    }

    private void recordDescendantsSoon() {
        if (process != null) {
            try {
                executor.execute(this::recordDescendants);
            } catch (RejectedExecutionException e) {
                // closing: close() records them itself
            }
        }
    }

    private static Thread thread(ThreadFactory threads, Runnable task, String threadName) {
        Thread thread = threads.newThread(task);
        if (thread == null) {
            throw new IllegalStateException("the thread factory made no thread for " + threadName);
        }
        thread.setName(threadName);
        thread.setDaemon(true);
        return thread;
    }

    private static Thread daemon(Runnable task) {
        return daemon(task, "acp-client");
    }

    private static Thread daemon(Runnable task, String threadName) {
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * The workers of every client that was not given an executor: created when there is work, ended after {@link
     * #KEEP_ALIVE} idle, so idle agents cost none. Unbounded like the per-client pools it replaces, because a task
     * may wait on a user (a permission prompt) and must never queue behind another client's.
     */
    private static final class SharedWorkers {
        static final Duration KEEP_ALIVE = Duration.ofSeconds(10);
        static final ThreadPoolExecutor INSTANCE = create();

        private static ThreadPoolExecutor create() {
            AtomicInteger workers = new AtomicInteger();
            return new ThreadPoolExecutor(
                    0,
                    Integer.MAX_VALUE,
                    KEEP_ALIVE.toNanos(),
                    TimeUnit.NANOSECONDS,
                    new SynchronousQueue<>(),
                    r -> daemon(r, "acp-client-worker-" + workers.incrementAndGet()));
        }
    }

    /** One daemon timer thread for the request timeouts of every client that was not given a scheduler. */
    private static final class SharedTimer {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "acp-client-timer"));
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    // ---------------------------------------------------------------- requests

    @Override
    public CompletableFuture<InitializeResult> initialize() {
        ObjectNode caps = options.extraCapabilities();
        caps.putObject("fs")
                .put("readTextFile", options.fsAccess().canRead())
                .put("writeTextFile", options.fsAccess().canWrite());
        caps.put("terminal", false);
        ObjectNode params = Json.object().put("protocolVersion", PROTOCOL_VERSION);
        params.set("clientCapabilities", caps);
        params.set("clientInfo", options.clientInfo().toJson());
        return call(
                        "initialize",
                        params,
                        result -> {
                            JsonNode version = result.get("protocolVersion");
                            if (version == null
                                    || !version.isIntegralNumber()
                                    || version.longValue() != PROTOCOL_VERSION) {
                                throw new AcpProtocolException(
                                        "initialize",
                                        AcpProtocolException.UNUSABLE_RESPONSE,
                                        "the agent answered protocolVersion " + version
                                                + ", but this client speaks only " + PROTOCOL_VERSION
                                                + "; close the connection",
                                        result);
                            }
                            return InitializeResult.fromJson(result);
                        },
                        options.requestTimeout(),
                        r -> initializeResult = r)
                .future();
    }

    @Override
    public Optional<InitializeResult> initializeResult() {
        return Optional.ofNullable(initializeResult);
    }

    @Override
    public CompletableFuture<Void> authenticate(String methodId) {
        Checks.notNull(methodId, "methodId");
        return call(
                        "authenticate",
                        Json.object().put("methodId", methodId),
                        r -> (Void) null,
                        options.requestTimeout(),
                        null)
                .future();
    }

    @Override
    public CompletableFuture<SessionState> newSession(SessionSetup setup) {
        return newSession(setup, null);
    }

    @Override
    public CompletableFuture<SessionState> newSession(SessionSetup setup, @Nullable SessionUpdateListener listener) {
        Checks.notNull(setup, "setup");
        ObjectNode params = sessionParams(null, setup);
        return call(
                        "session/new",
                        params,
                        result -> {
                            String id = Json.text(result, "sessionId");
                            if (id == null) {
                                throw new AcpProtocolException(
                                        "session/new",
                                        AcpProtocolException.UNUSABLE_RESPONSE,
                                        "no sessionId in the answer",
                                        result);
                            }
                            return SessionState.fromJson(result, id);
                        },
                        options.requestTimeout(),
                        state -> {
                            sessionDirs.put(state.sessionId(), setup.cwd());
                            if (listener != null) {
                                Subscription ignored = subscribe(state.sessionId(), listener);
                            }
                        })
                .future();
    }

    @Override
    public CompletableFuture<SessionState> loadSession(String sessionId, SessionSetup setup) {
        return reopen(
                "session/load", sessionId, setup, AgentCapabilities::loadSession, "agentCapabilities.loadSession");
    }

    @Override
    public CompletableFuture<SessionState> resumeSession(String sessionId, SessionSetup setup) {
        return reopen(
                "session/resume", sessionId, setup, AgentCapabilities::resumeSession, "sessionCapabilities.resume");
    }

    private CompletableFuture<SessionState> reopen(
            String method,
            String sessionId,
            SessionSetup setup,
            Predicate<AgentCapabilities> advertised,
            String capability) {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(setup, "setup");
        CompletableFuture<SessionState> unsupported = unsupported(method, capability, advertised);
        if (unsupported != null) {
            return unsupported;
        }
        return call(
                        method,
                        sessionParams(sessionId, setup),
                        result -> SessionState.fromJson(result, sessionId),
                        options.requestTimeout(),
                        state -> sessionDirs.put(sessionId, setup.cwd()))
                .future();
    }

    private <T> @Nullable CompletableFuture<T> unsupported(
            String method, String capability, Predicate<AgentCapabilities> advertised) {
        InitializeResult init = initializeResult;
        if (init != null && advertised.test(init.agentCapabilities())) {
            return null;
        }
        return CompletableFuture.failedFuture(new MissingCapabilityException(method, capability, init != null));
    }

    private static ObjectNode sessionParams(@Nullable String sessionId, SessionSetup setup) {
        ObjectNode params = Json.object();
        if (sessionId != null) {
            params.put("sessionId", sessionId);
        }
        params.put("cwd", setup.cwd().toString());
        ArrayNode servers = params.putArray("mcpServers");
        for (McpServer server : setup.mcpServers()) {
            servers.add(server.toJson());
        }
        if (!setup.additionalDirectories().isEmpty()) {
            ArrayNode dirs = params.putArray("additionalDirectories");
            setup.additionalDirectories().forEach(d -> dirs.add(d.toString()));
        }
        return params;
    }

    @Override
    public CompletableFuture<Void> closeSession(String sessionId) {
        Checks.notNull(sessionId, "sessionId");
        CompletableFuture<Void> unsupported =
                unsupported("session/close", "sessionCapabilities.close", AgentCapabilities::closeSession);
        if (unsupported != null) {
            return unsupported;
        }
        return call(
                        "session/close",
                        Json.object().put("sessionId", sessionId),
                        r -> (Void) null,
                        options.requestTimeout(),
                        r -> sessionDirs.remove(sessionId))
                .future();
    }

    @Override
    public PendingRequest<PromptResult> prompt(String sessionId, List<ContentBlock> prompt) {
        return prompt(sessionId, prompt, options.promptTimeout());
    }

    @Override
    public PendingRequest<PromptResult> prompt(
            String sessionId, List<ContentBlock> prompt, @Nullable Duration timeout) {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(prompt, "prompt");
        ObjectNode params = Json.object().put("sessionId", sessionId);
        ArrayNode blocks = params.putArray("prompt");
        for (ContentBlock block : prompt) {
            blocks.add(Checks.notNull(block, "prompt block").toJson());
        }
        return call("session/prompt", params, PromptResult::fromJson, timeout, null);
    }

    @Override
    public void cancel(String sessionId) {
        Checks.notNull(sessionId, "sessionId");
        notify("session/cancel", Json.object().put("sessionId", sessionId));
        for (Incoming request : incoming) {
            if (request.method.equals("session/request_permission") && sessionId.equals(request.sessionId)) {
                if (respond(request, cancelledOutcome(), null)) {
                    LOG.debug(
                            "{} - answered permission request {} of session {} with cancelled",
                            name,
                            request.id,
                            sessionId);
                }
                CompletableFuture<?> decision = request.decision;
                if (decision != null) {
                    decision.cancel(false);
                }
            }
        }
    }

    @Override
    public CompletableFuture<Void> setMode(String sessionId, String modeId) {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(modeId, "modeId");
        return call(
                        "session/set_mode",
                        Json.object().put("sessionId", sessionId).put("modeId", modeId),
                        r -> (Void) null,
                        options.requestTimeout(),
                        null)
                .future();
    }

    @Override
    public CompletableFuture<List<JsonNode>> setConfigOption(String sessionId, String configId, JsonNode value) {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(configId, "configId");
        Checks.notNull(value, "value");
        ObjectNode params = Json.object().put("sessionId", sessionId).put("configId", configId);
        if (value.isBoolean()) {
            params.put("type", "boolean");
        }
        params.set("value", value.deepCopy());
        return call(
                        "session/set_config_option",
                        params,
                        r -> Json.list(r, "configOptions", n -> n),
                        options.requestTimeout(),
                        null)
                .future();
    }

    @Override
    public PendingRequest<JsonNode> request(String method, JsonNode params) {
        return request(method, params, options.requestTimeout());
    }

    @Override
    public PendingRequest<JsonNode> request(String method, JsonNode params, Duration timeout) {
        Checks.notNull(method, "method");
        Checks.notNull(params, "params");
        Checks.positive(timeout, "timeout");
        return call(method, params.deepCopy(), r -> r, timeout, null);
    }

    @Override
    public void notify(String method, JsonNode params) {
        Checks.notNull(method, "method");
        Checks.notNull(params, "params");
        ObjectNode message = Json.object().put("jsonrpc", "2.0").put("method", method);
        message.set("params", params);
        send(message, null);
    }

    private <T> Call<T> call(
            String method,
            JsonNode params,
            Function<JsonNode, T> mapper,
            @Nullable Duration timeout,
            @Nullable Consumer<T> onAnswer) {
        long id = nextId.getAndIncrement();
        Call<T> call = new Call<>(id, method, mapper, onAnswer);
        pending.put(id, call);
        AgentProcessException failure = terminal.get();
        if (failure != null) {
            if (pending.remove(id, call)) {
                call.future.completeExceptionally(failure);
            }
            return call;
        }
        var unused = call.future.whenComplete((r, e) -> {
            if (e instanceof CancellationException && pending.remove(id, call)) {
                LOG.debug("{} - abandoned {} (id {})", name, method, id);
            }
            call.cancelTimeout();
        });
        if (timeout != null) {
            try {
                call.timeout =
                        scheduler.schedule(() -> timeOut(call, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.warn("{} - scheduler rejected the timeout of {} (id {}); it has none", name, method, id);
            }
        }
        ObjectNode message = Json.object().put("jsonrpc", "2.0").put("id", id).put("method", method);
        message.set("params", params);
        send(message, e -> {
            if (pending.remove(id, call)) {
                complete(call.future, null, processFailure("cannot write " + method + " to the agent", e));
            }
        });
        return call;
    }

    private void timeOut(Call<?> call, Duration timeout) {
        if (pending.remove(call.id, call)) {
            LOG.warn("{} - {} (id {}) timed out after {}", name, call.method, call.id, timeout);
            complete(
                    call.future,
                    null,
                    new AcpRequestTimeoutException(
                            call.method,
                            call.id,
                            timeout,
                            "agent alive: " + isAlive() + ", " + pending.size() + " other requests outstanding"));
        }
    }

    private void send(ObjectNode message, @Nullable Consumer<IOException> onFailure) {
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + message.get("method"), e);
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} SEND: {}", name, new String(bytes, StandardCharsets.UTF_8));
        }
        writer.send(bytes, onFailure);
    }

    /** Completes on the executor so that callers' continuations never run on the reader or timer thread. */
    private <T> void complete(CompletableFuture<T> future, @Nullable T value, @Nullable Throwable error) {
        Runnable task = () -> {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(value);
            }
        };
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private final class Call<T> implements PendingRequest<T> {
        final long id;
        final String method;
        final Function<JsonNode, T> mapper;
        final @Nullable Consumer<T> onAnswer;
        final CompletableFuture<T> future = new CompletableFuture<>();
        volatile @Nullable ScheduledFuture<?> timeout;

        Call(long id, String method, Function<JsonNode, T> mapper, @Nullable Consumer<T> onAnswer) {
            this.id = id;
            this.method = method;
            this.mapper = mapper;
            this.onAnswer = onAnswer;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public CompletableFuture<T> future() {
            return future;
        }

        @Override
        public boolean abandon() {
            boolean removed = pending.remove(id, this);
            cancelTimeout();
            future.cancel(false);
            if (removed) {
                LOG.debug("{} - abandoned {} (id {}); a late answer will be dropped", name, method, id);
            }
            return removed;
        }

        void cancelTimeout() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }

        /** Runs on the reader thread. */
        void answer(JsonNode message) {
            cancelTimeout();
            JsonNode error = message.get("error");
            if (error != null && !error.isNull()) {
                JsonNode data = error.get("data");
                completeAfterDelivery(
                        future,
                        null,
                        new AcpProtocolException(
                                method,
                                error.path("code").asInt(AcpProtocolException.INTERNAL_ERROR),
                                Json.text(error, "message", "(no message)"),
                                data == null || data.isNull() ? null : data));
                return;
            }
            JsonNode result = message.get("result");
            T value;
            try {
                value = mapper.apply(result == null ? NullNode.getInstance() : result);
                if (onAnswer != null) {
                    onAnswer.accept(value);
                }
            } catch (RuntimeException e) {
                completeAfterDelivery(future, null, e);
                return;
            }
            completeAfterDelivery(future, value, null);
        }
    }

    /**
     * Reader thread: completes {@code future} once every update read so far has been delivered, whether the
     * request ends with a value or an error, so that no turn ends before its last text arrived.
     */
    private <T> void completeAfterDelivery(CompletableFuture<T> future, @Nullable T value, @Nullable Throwable error) {
        AtomicInteger remaining = new AtomicInteger(1);
        Runnable barrier = () -> {
            if (remaining.decrementAndGet() == 0) {
                complete(future, value, error);
            }
        };
        for (SessionChannel channel : channels.values()) {
            remaining.incrementAndGet();
            if (!channel.barrier(barrier)) {
                remaining.decrementAndGet();
            }
        }
        barrier.run();
    }

    // ---------------------------------------------------------------- subscriptions

    @Override
    public Subscription subscribe(String sessionId, SessionUpdateListener listener) {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(listener, "listener");
        SessionChannel channel = channels.compute(sessionId, (id, existing) -> {
            if (existing == null) {
                return new SessionChannel(name, id, options.updateQueueCapacity(), executor, listener);
            }
            existing.listener(listener);
            return existing;
        });
        return new Subscription() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public String sessionId() {
                return sessionId;
            }

            @Override
            public void close() {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                // Check and remove in one step under the map's bin lock, where subscribe() replaces listeners:
                // a listener that replaced this one in between must keep its channel.
                AtomicBoolean removed = new AtomicBoolean();
                channels.computeIfPresent(sessionId, (id, current) -> {
                    if (current == channel && current.listener() == listener) {
                        removed.set(true);
                        return null;
                    }
                    return current;
                });
                if (removed.get()) {
                    channel.close();
                }
            }
        };
    }

    @Override
    public Optional<SessionUpdateListener> listener(String sessionId) {
        SessionChannel channel = channels.get(sessionId);
        return Optional.ofNullable(channel == null ? null : channel.listener());
    }

    // ---------------------------------------------------------------- reading

    private void readLoop() {
        ReadBuffer reads = new ReadBuffer(MIN_READ_BUFFER, READ_BUFFER);
        byte[] line = NO_BYTES;
        int lineLength = 0;
        boolean discarding = false;
        long discarded = 0;
        int max = options.maxLineBytes();
        try {
            while (true) {
                flushUnflushed();
                byte[] buffer = reads.array();
                readBlockedSinceNanos = System.nanoTime();
                int n = stdout.read(buffer);
                readBlockedSinceNanos = 0;
                if (n < 0) {
                    break;
                }
                reads.filled(n);
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != '\n') {
                        continue;
                    }
                    int chunk = i - start;
                    if (discarding || lineLength + (long) chunk > max) {
                        discarded = (discarding ? discarded : lineLength) + chunk;
                        dropped(discarded, max);
                        discarding = false;
                        lineLength = 0;
                    } else if (lineLength == 0) {
                        handleLine(buffer, start, chunk);
                    } else {
                        line = append(line, lineLength, buffer, start, chunk);
                        lineLength += chunk;
                        handleLine(line, 0, lineLength);
                        lineLength = 0;
                        if (line.length > LINE_BUFFER) {
                            line = NO_BYTES; // do not keep a big buffer for one big message
                        }
                    }
                    start = i + 1;
                }
                int rest = n - start;
                if (rest == 0 && lineLength == 0 && n < buffer.length) {
                    line = NO_BYTES; // the agent paused with no partial line: an idle agent keeps no line buffer
                }
                if (rest > 0) {
                    if (discarding) {
                        discarded += rest;
                    } else if (lineLength + (long) rest > max) {
                        discarding = true;
                        discarded = lineLength + (long) rest;
                        lineLength = 0;
                        line = NO_BYTES;
                    } else {
                        line = append(line, lineLength, buffer, start, rest);
                        lineLength += rest;
                    }
                }
            }
            if (discarding) {
                dropped(discarded, max);
            } else if (lineLength > 0) {
                handleLine(line, 0, lineLength);
            }
            flushUnflushed();
            LOG.debug("{} - stdout reached EOF", name);
        } catch (IOException e) {
            LOG.debug("{} - reading stdout failed: {}", name, e.toString());
        } catch (InterruptedException e) {
            LOG.debug("{} - reader interrupted", name);
        } catch (RuntimeException | Error e) {
            LOG.error("{} - reader died", name, e);
        } finally {
            flushUnflushed();
            readBlockedSinceNanos = 0;
            readerRunning = false;
            onStdoutEnd();
        }
    }

    /** Counts a line that was over maxLineBytes before the lines after it are handled, so a turn sees it. */
    private void dropped(long bytes, int max) {
        droppedLineBytes.addAndGet(bytes);
        droppedLines.incrementAndGet();
        LOG.error("{} - dropped a stdout line of {} bytes (maxLineBytes is {})", name, bytes, max);
    }

    @Override
    public long droppedLines() {
        return droppedLines.get();
    }

    @Override
    public long droppedLineBytes() {
        return droppedLineBytes.get();
    }

    /** Starts delivery of everything read so far; called before the reader may block on stdout. */
    private void flushUnflushed() {
        for (int i = 0; i < unflushed.size(); i++) {
            unflushed.get(i).flush();
        }
        unflushed.clear();
    }

    private static byte[] append(byte[] target, int length, byte[] source, int offset, int count) {
        byte[] out = target;
        if (length + count > target.length) {
            // length + count <= maxLineBytes (an int), so doubling is capped safely.
            long size = Math.max((long) length + count, Math.max(target.length * 2L, 1024));
            out = new byte[(int) Math.min(Integer.MAX_VALUE - 8L, size)];
            System.arraycopy(target, 0, out, 0, length);
        }
        System.arraycopy(source, offset, out, length, count);
        return out;
    }

    private void handleLine(byte[] bytes, int offset, int length) throws InterruptedException {
        int first = offset;
        int end = offset + length;
        while (first < end && (bytes[first] == ' ' || bytes[first] == '\t' || bytes[first] == '\r')) {
            first++;
        }
        if (first == end) {
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} RECV: {}", name, new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
        JsonNode message = null;
        if (bytes[first] == '{') {
            try {
                message = Json.MAPPER.readTree(bytes, first, end - first);
            } catch (IOException e) {
                message = null;
            }
        }
        if (message == null || !message.isObject()) {
            LOG.warn(
                    "{} - skipped a stdout line that is not a JSON-RPC message: {}",
                    name,
                    Json.preview(new String(bytes, offset, Math.min(length, 400), StandardCharsets.UTF_8), 200));
            return;
        }
        try {
            dispatch(message);
        } catch (RuntimeException e) {
            LOG.error("{} - could not handle message {}", name, Json.preview(message, 300), e);
        }
    }

    private void dispatch(JsonNode message) throws InterruptedException {
        JsonNode method = message.get("method");
        JsonNode id = message.get("id");
        if (method != null && method.isTextual()) {
            if (id == null) {
                onNotification(method.textValue(), message.path("params"));
            } else {
                onRequest(id, method.textValue(), message.path("params"));
            }
        } else if (message.has("result") || message.has("error")) {
            onResponse(id, message);
        } else {
            LOG.warn(
                    "{} - skipped a message that is neither request, notification nor response: {}",
                    name,
                    Json.preview(message, 300));
        }
    }

    private void onResponse(@Nullable JsonNode id, JsonNode message) {
        if (id == null || id.isNull()) {
            LOG.warn("{} - dropped an answer with no id: {}", name, Json.preview(message.get("error"), 300));
            return;
        }
        Call<?> call = id.isIntegralNumber() && id.canConvertToLong() ? pending.remove(id.longValue()) : null;
        if (call == null) {
            LOG.info("{} - dropped an answer to unknown or abandoned id {}", name, id);
            return;
        }
        call.answer(message);
        recordDescendantsSoon();
    }

    private void onNotification(String method, JsonNode params) throws InterruptedException {
        if (method.equals("session/update")) {
            onUpdate(params);
        } else if (method.equals("$/cancel_request")) {
            JsonNode requestId = params.get("requestId");
            for (Incoming request : incoming) {
                if (request.id.equals(requestId)) {
                    respond(request, null, error(AcpProtocolException.REQUEST_CANCELLED, "Request cancelled", null));
                    CompletableFuture<?> decision = request.decision;
                    if (decision != null) {
                        decision.cancel(false);
                    }
                }
            }
        } else {
            LOG.debug("{} - ignored notification {}", name, method);
        }
    }

    private void onUpdate(JsonNode params) throws InterruptedException {
        String sessionId = Json.text(params, "sessionId");
        JsonNode update = params.get("update");
        if (sessionId == null || update == null || !update.isObject()) {
            LOG.warn("{} - skipped a malformed session/update: {}", name, Json.preview(params, 300));
            return;
        }
        SessionUpdate parsed = SessionUpdate.fromJson(update);
        if (parsed instanceof SessionUpdate.Unknown) {
            LOG.debug("{} - session {}: update of unknown or malformed kind '{}'", name, sessionId, parsed.kind());
        }
        SessionChannel channel = channels.get(sessionId);
        if (channel == null || !channel.offer(parsed)) {
            LOG.debug("{} - session {} has no listener; dropped {}", name, sessionId, parsed.kind());
        } else if (channel.markUnflushed()) {
            unflushed.add(channel);
        }
    }

    // ---------------------------------------------------------------- the agent's requests

    private static final class Incoming {
        final JsonNode id;
        final String method;
        final JsonNode params;
        final @Nullable String sessionId;
        final AtomicBoolean answered = new AtomicBoolean();
        volatile @Nullable CompletableFuture<?> decision;

        Incoming(JsonNode id, String method, JsonNode params) {
            this.id = id;
            this.method = method;
            this.params = params;
            this.sessionId = Json.text(params, "sessionId");
        }
    }

    private void onRequest(JsonNode id, String method, JsonNode params) {
        Incoming request = new Incoming(id, method, params);
        incoming.add(request);
        recordDescendantsSoon();
        try {
            executor.execute(() -> handle(request));
        } catch (RejectedExecutionException e) {
            respond(request, null, error(AcpProtocolException.INTERNAL_ERROR, "client is closing", null));
        }
    }

    private void handle(Incoming request) {
        if (request.answered.get()) {
            // Withdrawn ($/cancel_request) or cancelled (session/cancel) while it waited for a thread.
            LOG.debug(
                    "{} - {} of session {} was answered before it was handled",
                    name,
                    request.method,
                    request.sessionId);
            return;
        }
        try {
            String method = request.method;
            if (method.equals("session/request_permission")) {
                askPermission(request);
                return;
            }
            if (method.equals("fs/read_text_file") && options.fsAccess().canRead()) {
                respond(request, fs.read(sessionDir(request), request.params), null);
                return;
            }
            if (method.equals("fs/write_text_file") && options.fsAccess().canWrite()) {
                respond(request, fs.write(sessionDir(request), request.params), null);
                return;
            }
            LOG.debug(
                    "{} - answered unsupported agent request {} of session {} with -32601",
                    name,
                    request.method,
                    request.sessionId);
            respond(
                    request,
                    null,
                    error(
                            AcpProtocolException.METHOD_NOT_FOUND,
                            "Method not found: " + request.method,
                            Json.object().put("method", request.method)));
        } catch (FsHandler.FsError e) {
            LOG.info("{} - refused {} of session {}: {}", name, request.method, request.sessionId, e.getMessage());
            respond(request, null, error(e.code, String.valueOf(e.getMessage()), null));
        } catch (RuntimeException e) {
            LOG.warn("{} - handling agent request {} of session {} failed", name, request.method, request.sessionId, e);
            respond(request, null, error(AcpProtocolException.INTERNAL_ERROR, "Internal error: " + e, null));
        }
    }

    private Path sessionDir(Incoming request) throws FsHandler.FsError {
        Path dir = request.sessionId == null ? null : sessionDirs.get(request.sessionId);
        if (dir == null) {
            throw new FsHandler.FsError(
                    AcpProtocolException.RESOURCE_NOT_FOUND, "unknown session: " + request.sessionId);
        }
        return dir;
    }

    private void askPermission(Incoming request) {
        JsonNode toolCallNode = request.params.path("toolCall");
        SessionUpdate.ToolCallUpdate toolCall = SessionUpdate.ToolCallUpdate.fromJson(toolCallNode);
        if (request.sessionId == null || toolCall == null) {
            respond(
                    request,
                    null,
                    error(AcpProtocolException.INVALID_PARAMS, "sessionId and toolCall.toolCallId are required", null));
            return;
        }
        List<PermissionOption> choices = new ArrayList<>();
        for (JsonNode option : request.params.path("options")) {
            String optionId = Json.text(option, "optionId");
            if (optionId != null) {
                choices.add(new PermissionOption(
                        optionId, Json.text(option, "name", optionId), Json.text(option, "kind", "")));
            }
        }
        PermissionRequest permission = new PermissionRequest(request.sessionId, toolCall, choices, request.params);
        CompletableFuture<PermissionOutcome> decision;
        try {
            decision = Checks.notNull(options.permissionPolicy().decide(permission), "permission decision")
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            LOG.warn(
                    "{} - permission policy threw for tool call {} of session {}; rejecting",
                    name,
                    toolCall.toolCallId(),
                    request.sessionId,
                    e);
            respond(request, outcome(permission.reject()), null);
            return;
        }
        request.decision = decision;
        if (request.answered.get()) {
            decision.cancel(false); // the session was cancelled while the policy was being asked
        }
        var unused = decision.whenComplete((outcome, e) -> {
            if (e == null && outcome != null) {
                if (outcome instanceof PermissionOutcome.Selected selected
                        && choices.stream().noneMatch(o -> o.optionId().equals(selected.optionId()))) {
                    LOG.warn(
                            "{} - permission policy chose an option that was not offered for tool call {} of session"
                                    + " {}: {}",
                            name,
                            toolCall.toolCallId(),
                            request.sessionId,
                            outcome);
                }
                respond(request, outcome(outcome), null);
            } else if (!(e instanceof CancellationException)) {
                LOG.warn(
                        "{} - permission decision for tool call {} of session {} failed; rejecting",
                        name,
                        toolCall.toolCallId(),
                        request.sessionId,
                        e);
                respond(request, outcome(permission.reject()), null);
            } else {
                respond(request, cancelledOutcome(), null);
            }
        });
    }

    private static ObjectNode outcome(PermissionOutcome outcome) {
        if (outcome instanceof PermissionOutcome.Selected selected) {
            ObjectNode result = Json.object();
            result.putObject("outcome").put("outcome", "selected").put("optionId", selected.optionId());
            return result;
        }
        return cancelledOutcome();
    }

    private static ObjectNode cancelledOutcome() {
        ObjectNode result = Json.object();
        result.putObject("outcome").put("outcome", "cancelled");
        return result;
    }

    private static ObjectNode error(int code, String message, @Nullable JsonNode data) {
        ObjectNode error = Json.object().put("code", code).put("message", message);
        if (data != null) {
            error.set("data", data);
        }
        return error;
    }

    /** Sends the one answer to {@code request}; returns false if it was already answered. */
    private boolean respond(Incoming request, @Nullable JsonNode result, @Nullable ObjectNode error) {
        if (!request.answered.compareAndSet(false, true)) {
            return false;
        }
        incoming.remove(request);
        ObjectNode message = Json.object().put("jsonrpc", "2.0");
        message.set("id", request.id);
        if (error != null) {
            message.set("error", error);
        } else {
            message.set("result", result == null ? Json.object() : result);
        }
        send(
                message,
                e -> LOG.debug(
                        "{} - could not answer {} of session {}: {}",
                        name,
                        request.method,
                        request.sessionId,
                        e.toString()));
        return true;
    }

    // ---------------------------------------------------------------- liveness and shutdown

    @Override
    public boolean isAlive() {
        return readerRunning && (process == null || process.isAlive()) && terminal.get() == null;
    }

    @Override
    public OptionalInt pid() {
        return process == null ? OptionalInt.empty() : OptionalInt.of((int) process.pid());
    }

    @Override
    public OptionalInt exitCode() {
        if (process != null && !process.isAlive()) {
            return OptionalInt.of(process.exitValue());
        }
        return OptionalInt.empty();
    }

    @Override
    public String stderrTail() {
        return stderrRing == null ? "" : stderrRing.tail();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit.copy();
    }

    private @Nullable Integer exitCodeOrNull() {
        OptionalInt code = exitCode();
        return code.isPresent() ? code.getAsInt() : null;
    }

    private AgentProcessException processFailure(String message, @Nullable Throwable cause) {
        return new AgentProcessException(message, exitCodeOrNull(), stderrTail(), cause);
    }

    /** Reader thread, after stdout ended. */
    private void onStdoutEnd() {
        if (!closeStarted.get()) {
            awaitExitBriefly();
        }
        Integer code = exitCodeOrNull();
        failAll(processFailure(code != null ? "the agent exited" : "the agent closed its stdout", null), true);
        if (process == null) {
            exit.complete(-1);
        }
    }

    /** Gives the exit code and the last stderr lines a moment to arrive, so the failure can carry them. */
    private void awaitExitBriefly() {
        try {
            if (process != null) {
                process.waitFor(EXIT_TO_EOF_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (stderrThread != null) {
                stderrThread.join(EXIT_TO_EOF_GRACE.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onProcessExit() {
        Process p = process;
        if (p == null) {
            return;
        }
        int code = p.exitValue();
        LOG.debug("{} - agent exited with code {}", name, code);
        ScheduledFuture<?> scan = descendantScan;
        if (scan != null) {
            scan.cancel(false);
        }
        exit.complete(code);
        checkStdoutAfterExit();
    }

    /**
     * A descendant that inherited stdout can keep it open after the agent died; then the reader never sees
     * EOF. If the reader has been waiting in read() for the whole grace after the exit, nothing more is
     * coming from the agent: fail what is pending.
     */
    private void checkStdoutAfterExit() {
        if (!readerRunning || terminal.get() != null) {
            return;
        }
        long since = readBlockedSinceNanos;
        if (since != 0 && System.nanoTime() - since >= EXIT_TO_EOF_GRACE.toNanos()) {
            LOG.warn("{} - agent exited but its stdout is still open (held by a descendant?)", name);
            failAll(processFailure("the agent exited", null), false);
            return;
        }
        try {
            var unused = scheduler.schedule(
                    this::checkStdoutAfterExit, EXIT_TO_EOF_GRACE.toNanos() / 2, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            failAll(processFailure("the agent exited", null), false);
        }
    }

    /**
     * Fails every pending request. Only the reader may pass {@code afterDelivery} (what it read before stdout
     * ended is delivered first); the other callers fail them at once.
     */
    private void failAll(AgentProcessException failure, boolean afterDelivery) {
        if (!terminal.compareAndSet(null, failure)) {
            failure = terminal.get();
        }
        for (Call<?> call : pending.values()) {
            if (pending.remove(call.id, call)) {
                call.cancelTimeout();
                if (afterDelivery) {
                    completeAfterDelivery(call.future, null, failure);
                } else {
                    complete(call.future, null, failure);
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            closed.join();
            return;
        }
        try {
            shutdown();
        } finally {
            closed.complete(null);
        }
    }

    private void shutdown() {
        LOG.debug("{} - closing", name);
        failAll(processFailure("the client was closed", null), false);
        channels.values().forEach(SessionChannel::close);
        Duration grace = options.closeGrace();
        Process p = process;
        ScheduledFuture<?> scan = descendantScan;
        if (scan != null) {
            scan.cancel(false);
        }
        Map<Long, ProcessHandle> descendants = new LinkedHashMap<>(this.descendants);
        if (p != null) {
            p.descendants().forEach(h -> descendants.putIfAbsent(h.pid(), h));
        }
        if (!writer.close(grace)) {
            LOG.debug("{} - stdin is blocked; killing without waiting", name);
        }
        if (p != null) {
            boolean exited = waitFor(p, grace);
            p.descendants().forEach(h -> descendants.putIfAbsent(h.pid(), h));
            if (!exited) {
                LOG.debug("{} - agent did not exit after stdin closed; sending SIGTERM", name);
                p.destroy();
            }
            descendants.values().forEach(ProcessHandle::destroy);
            if (!exited && !waitFor(p, grace)) {
                LOG.warn("{} - agent ignored SIGTERM for {}; killing it", name, grace);
                p.destroyForcibly();
                waitFor(p, grace);
            }
            long deadline = System.nanoTime() + grace.toNanos();
            for (ProcessHandle handle : descendants.values()) {
                try {
                    handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    handle.destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    handle.destroyForcibly();
                }
            }
            if (!descendants.isEmpty()) {
                LOG.debug("{} - stopped {} descendant processes", name, descendants.size());
            }
        }
        closeQuietly(stdout);
        closeQuietly(stderr);
        try {
            readerThread.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsExecutor) {
            executor.shutdown();
        }
        if (ownsScheduler) {
            scheduler.shutdown();
        }
        if (p == null) {
            exit.complete(-1);
        }
        LOG.debug("{} - closed", name);
    }

    private static boolean waitFor(Process p, Duration grace) {
        try {
            return p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private void closeQuietly(@Nullable InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("{} - closing a stream: {}", name, e.toString());
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
