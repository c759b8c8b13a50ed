package io.github.acppool.broker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.acppool.AcpPoolException;
import io.github.acppool.Ticker;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.schema.AgentCapabilities;
import io.github.acppool.acp.schema.AuthMethod;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionState;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import io.github.acppool.pool.AcquireInterruptedException;
import io.github.acppool.pool.ConnectionCreationException;
import io.github.acppool.pool.ConnectionPool;
import io.github.acppool.pool.EvictionCause;
import io.github.acppool.pool.PoolClosedException;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.pool.PoolExhaustedException;
import io.github.acppool.pool.PoolStats;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import io.github.acppool.turn.PromptStreamer;
import io.github.acppool.turn.SessionHistory;
import io.github.acppool.turn.TurnEvent;
import io.github.acppool.turn.TurnHandle;
import io.github.acppool.turn.TurnListener;
import io.github.acppool.turn.TurnResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link AcpBroker}: per-conversation queues and drivers over one {@link ConnectionPool} of agents. */
final class DefaultAcpBroker implements AcpBroker {

    /*
     * Concurrency
     *
     * Locks, in the only order in which they may nest (a thread holding one may take only those below it):
     *   1. a connection lock (a PoolEntry's, held by the conversation's driver for a whole turn via
     *      pool.withConnection; the pool's own map lock is taken after it, never before, and the pool calls the
     *      factory, probe, eviction listener and closer with no pool lock held);
     *   2. a Submission's `callbacks` lock (taken by the driver, under 1, around onTurnStarted; taken by the
     *      submitting thread, holding nothing, around enqueue + onQueued);
     *   3. a Conversation's `lock` (bookkeeping only: queue, running, retired, generation);
     *   4. the bin lock of `conversations` (ConcurrentHashMap.remove when a conversation retires under 3).
     * Beside them, a Conversation's `storeLock` is taken with at most lock 1 held, and only the store is called under
     * it: persist (eviction listener) and forgetIfStored check the generation and write under it, and end() bumps
     * the generation (under 3) before it removes under it, so a reset's remove always wins (issue 12, race 1).
     * Every future is completed through Submission.complete/fail, which first passes the submission's lock 2, so
     * every listener call (onQueued included) happens before the future completes (issue 12, race 2).
     * There is no broker-wide lock: `conversations` is a concurrent map and `state` an atomic. Nothing waits for a
     * connection lock while holding any other lock: only a driver waits for one (in pool.withConnection), and it
     * holds nothing then. Lock 2 is held over user code (onQueued), so a driver may wait under lock 1 for a
     * submitter's onQueued to return; a submitter never waits for a connection, so this cannot cycle (unless
     * onQueued itself blocks on the same conversation's result, which MessageListener forbids).
     *
     * Drivers: a conversation has at most one driver (`running` under its lock), a task on `executor` that
     * takes up to maxMessagesPerTurn queued messages, runs one turn for them under the connection lock, delivers
     * the results outside every lock, and loops until the queue is empty. A message that arrives while the
     * driver runs is queued; one that arrives when none runs starts one. So a conversation's turns run one at a
     * time, in arrival order, and no caller ever blocks on a busy conversation.
     *
     * Cancel: each batch gets an ActiveTurn, published in `Conversation.active` (volatile) before its connection
     * is acquired, so cancel() reaches it lock-free in every phase (see ActiveTurn).
     *
     * Force eviction: a turn waits on its own copy of the turn's result future, which AgentConnection.evicted()
     * completes exceptionally when the pool evicts the connection while the turn holds it (HUNG, or SHUTDOWN
     * past the close timeout), so the caller is told even if the turn itself can never end (a listener that
     * blocks forever).
     *
     * Staleness: reset() and close() bump the conversation's generation under its lock; a connection created
     * under an older generation (its factory ran concurrently) is evicted by the driver at its next turn, which
     * then retries with a new one. close() also records its generation in `closedBelow`, so such a connection
     * still sends session/close when it is stopped (issue 12, race 4).
     *
     * Snapshots: status() reads volatile fields and takes each Conversation lock for a few instructions; it
     * never touches the pool's connection locks, the store or an agent. Every future is completed exactly once:
     * by the driver that ran its batch, by a cancel/reset/close/shutdown that removed it from the queue (under
     * the conversation lock, so only one of them has it), or by the sweeps of a failed driver or of shutdown.
     *
     * Blocking: prompt() waits for its result; shutdown() waits for turns, connections and processes. Everything
     * else returns without waiting for a turn, a connection lock or an agent (closing agents runs on `executor`).
     */

    private static final Logger LOG = LoggerFactory.getLogger(DefaultAcpBroker.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** How old a stored session may get before the broker writes it again (see persist). */
    private static final Duration STORED_REFRESH = Duration.ofHours(1);
    /** A batch is retried this often when resets keep making its fresh connection stale. */
    private static final int MAX_ATTEMPTS = 3;

    private static final String CANCELLED_TEXT = "Cancelled before the agent replied.";

    private enum State {
        OPEN,
        SHUTTING_DOWN,
        TERMINATED
    }

    private final String name;
    /** This broker instance, in the environment of every agent it starts ({@link OrphanRecords#OWNER_VARIABLE}). */
    private final String instanceId = java.util.UUID.randomUUID().toString();

    private final AgentRegistry registry;
    /** The record of this instance's agent processes, if the builder gave a state directory. */
    private final @Nullable OrphanRecords orphans;
    /**
     * The agent chosen for a conversation ({@link #useAgent}, or kept over a reset) that may have no session yet;
     * wins over the agent of its stored session. Removed by close(id).
     */
    private final ConcurrentHashMap<String, String> chosenAgents = new ConcurrentHashMap<>();

    private final SessionStore store;
    private final int maxQueued;
    private final int maxPerTurn;
    private final PromptComposer composer;
    private final BrokerListener listener;
    private final Ticker ticker;
    private final Duration shutdownTimeout;
    private final Duration cancelGrace;
    private final Duration poolCloseTimeout;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final ConnectionPool<String, AgentConnection> pool;
    private final WarmAgents warm;
    /** Conversation ownership across instances; null without {@link AcpBroker.Builder#leases}. */
    private final @Nullable LeaseKeeper leaseKeeper;

    private final ConcurrentHashMap<String, Conversation> conversations = new ConcurrentHashMap<>();
    /** One future per running driver, completed when it exits; keyed by a sequence number. */
    private final Map<Long, CompletableFuture<Void>> drivers = new ConcurrentHashMap<>();
    /** One future per agent being stopped, completed when its process is gone. */
    private final Map<Long, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();

    private final AtomicLong tasks = new AtomicLong();

    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    DefaultAcpBroker(AcpBroker.Builder builder) {
        List<AgentSpec> specs = AgentRegistry.specs(builder);
        AcpClientOptions clientOptions =
                builder.clientOptions != null ? builder.clientOptions : AcpClientOptions.defaults();
        this.store = builder.sessionStore != null ? builder.sessionStore : SessionStore.inMemory();
        this.maxQueued = builder.maxQueuedMessages != null
                ? (int) Checks.nonNegative(builder.maxQueuedMessages, "maxQueuedMessages")
                : AcpBroker.Builder.DEFAULT_MAX_QUEUED_MESSAGES;
        this.maxPerTurn = builder.maxMessagesPerTurn != null
                ? Checks.positive(builder.maxMessagesPerTurn, "maxMessagesPerTurn")
                : AcpBroker.Builder.DEFAULT_MAX_MESSAGES_PER_TURN;
        this.composer = builder.promptComposer != null ? builder.promptComposer : PromptComposer.attributed();
        this.listener = builder.listener != null ? builder.listener : new BrokerListener() {};
        this.ticker = builder.ticker != null ? builder.ticker : Ticker.systemTicker();
        this.shutdownTimeout = builder.shutdownTimeout != null
                ? Checks.nonNegative(builder.shutdownTimeout, "shutdownTimeout")
                : AcpBroker.Builder.DEFAULT_SHUTDOWN_TIMEOUT;
        this.cancelGrace = builder.cancelGrace != null
                ? Checks.positive(builder.cancelGrace, "cancelGrace")
                : PromptStreamer.DEFAULT_CANCEL_GRACE;
        Duration hungGrace = builder.hungGrace != null
                ? Checks.positive(builder.hungGrace, "hungGrace")
                : AcpBroker.Builder.DEFAULT_HUNG_GRACE;
        LivenessPolicy liveness = builder.livenessPolicy != null ? builder.livenessPolicy : LivenessPolicy.defaults();
        PoolConfig config = withHungTimeout(
                builder.poolConfig != null ? builder.poolConfig : PoolConfig.defaults(),
                AgentRegistry.longest(specs, liveness),
                hungGrace);
        this.name = config.name();
        int warmAgents = builder.warmAgents != null ? (int) Checks.nonNegative(builder.warmAgents, "warmAgents") : 0;
        this.poolCloseTimeout = config.closeTimeout();
        String leaseOwner = InMemoryConversationLeases.checkOwner(
                builder.leaseOwner != null ? builder.leaseOwner : ConversationLeases.defaultOwnerId());
        Duration leaseTtl = builder.leaseTtl != null ? builder.leaseTtl : AcpBroker.Builder.DEFAULT_LEASE_TTL;
        Checks.argument(leaseTtl.compareTo(Duration.ofSeconds(1)) >= 0, "leaseTtl must be at least 1 s: %s", leaseTtl);
        InMemoryConversationLeases.checkTtl(leaseTtl);
        Duration leaseWait =
                builder.leaseWait != null ? Checks.nonNegative(builder.leaseWait, "leaseWait") : Duration.ZERO;

        if (builder.stateDirectory != null) {
            this.orphans = new OrphanRecords(builder.stateDirectory, instanceId, ProcessHandle.current(), name);
            int reaped = orphans.reap();
            if (reaped > 0) {
                LOG.warn("{} - stopped {} agent processes left behind by a previous instance", name, reaped);
            }
        } else {
            this.orphans = null;
        }

        // Everything is validated: from here on, threads are created.
        int broker = SEQUENCE.incrementAndGet();
        if (builder.scheduler != null) {
            this.scheduler = builder.scheduler;
            this.ownsScheduler = builder.shutdownScheduler;
        } else {
            ScheduledThreadPoolExecutor timer =
                    new ScheduledThreadPoolExecutor(1, daemonThreads(name + "-broker-" + broker + "-timer", false));
            timer.setRemoveOnCancelPolicy(true);
            this.scheduler = timer;
            this.ownsScheduler = true;
        }
        if (builder.executor != null) {
            this.executor = builder.executor;
            this.ownsExecutor = builder.shutdownExecutor;
        } else {
            this.executor = new ThreadPoolExecutor(
                    0,
                    Integer.MAX_VALUE,
                    60,
                    TimeUnit.SECONDS,
                    new SynchronousQueue<>(),
                    daemonThreads(name + "-broker-" + broker + "-", true));
            this.ownsExecutor = true;
        }
        DrainPolicy brokerDrain = builder.drainPolicy;
        Duration quietGap = builder.quietGap;
        this.registry = new AgentRegistry(
                specs,
                builder.authPolicy,
                builder.workingDirectory,
                clientOptions,
                liveness,
                streamer(liveness, brokerDrain, quietGap),
                spec -> streamer(
                        spec.livenessPolicy().orElse(liveness), AgentRegistry.drain(spec, brokerDrain), quietGap));
        this.leaseKeeper = builder.leases == null
                ? null
                : new LeaseKeeper(
                        name,
                        builder.leases,
                        leaseOwner,
                        leaseTtl,
                        leaseWait,
                        scheduler,
                        executor,
                        ticker,
                        this::leaseLost);
        this.pool = ConnectionPool.<String, AgentConnection>builder()
                .factory(this::connect)
                .probe(connection -> connection.client.isAlive())
                .closer(this::stopAsync)
                .evictionListener(this::onEvicted)
                .config(config)
                .ticker(ticker)
                .scheduler(scheduler)
                .build();
        this.warm = new WarmAgents(
                name, this::startSpare, executor, scheduler, ticker, this::processesInUse, config.maxSize());
        if (warmAgents > 0) {
            for (AgentSpec spec : registry.specs()) {
                AgentRegistry.Agent agent = registry.find(spec.id());
                // An agent without a directory function launches every conversation in one directory: warm it now;
                // otherwise WarmAgents learns the directory from the conversations' starts.
                boolean fixed = spec.workingDirectory().isEmpty() && builder.workingDirectory == null;
                warm.target(
                        spec.id(),
                        warmAgents,
                        fixed && agent != null
                                ? new WarmAgents.Key(
                                        spec.id(), spec.launch().withWorkingDirectory(fixedDirectory(agent)))
                                : null);
            }
            warm.replenishLater();
        }
        LOG.debug(
                "{} - broker started: {}, agents {} (default {}), {} per turn, queue cap {}, {} warm agents per agent",
                name,
                config,
                registry.specs().stream().map(AgentSpec::id).toList(),
                registry.defaultId(),
                maxPerTurn,
                maxQueued,
                warmAgents);
    }

    /** The one directory of an agent that has no directory function, as {@link #prepareDirectory} gives it. */
    private static Path fixedDirectory(AgentRegistry.Agent agent) {
        return agent.workingDirectory().apply("").normalize();
    }

    private PromptStreamer streamer(LivenessPolicy liveness, @Nullable DrainPolicy drain, @Nullable Duration quietGap) {
        PromptStreamer.Builder turns = PromptStreamer.builder()
                .livenessPolicy(liveness)
                .cancelGrace(cancelGrace)
                .scheduler(scheduler, false)
                .ticker(ticker);
        if (drain != null) {
            turns.drainPolicy(drain);
        }
        if (quietGap != null) {
            turns.quietGap(quietGap);
        }
        return turns.build();
    }

    /** The pool's hung timeout: the configured one, or the hard turn timeout plus the hung grace (openab #1300). */
    private static PoolConfig withHungTimeout(PoolConfig config, LivenessPolicy liveness, Duration hungGrace) {
        if (!config.hungTimeout().isZero()) {
            if (config.hungTimeout().compareTo(liveness.hardTimeout()) <= 0) {
                LOG.warn(
                        "{} - the pool's hungTimeout {} is not longer than the turns' hard timeout {}: turns may be"
                                + " force-evicted as hung before they time out",
                        config.name(),
                        config.hungTimeout(),
                        liveness.hardTimeout());
            }
            return config;
        }
        Duration hung;
        try {
            hung = liveness.hardTimeout().plus(hungGrace);
        } catch (ArithmeticException tooLong) {
            hung = liveness.hardTimeout();
        }
        return config.withHungTimeout(hung);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix, boolean numbered) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, numbered ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }

    // ------------------------------------------------------------------------------------------ submitting

    @Override
    public BrokerResult prompt(String conversationId, ChatMessage message, MessageListener listener) {
        CompletableFuture<BrokerResult> result = promptAsync(conversationId, message, listener);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(
                    conversationId,
                    "interrupted while waiting for the reply to message " + message.messageId()
                            + "; the message stays submitted",
                    e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new BrokerException(conversationId, "the message failed", cause);
        }
    }

    @Override
    public CompletableFuture<BrokerResult> promptAsync(
            String conversationId, ChatMessage message, MessageListener listener) {
        checkId(conversationId);
        Checks.notNull(message, "message");
        Checks.notNull(listener, "listener");
        if (state.get() != State.OPEN) {
            throw new BrokerClosedException(conversationId, name);
        }
        Submission submission = new Submission(message, listener, ticker.read());
        CompletableFuture<BrokerResult> view = submission.future.copy();
        submission.callbacks.lock();
        try {
            Conversation conversation;
            int position;
            while (true) {
                conversation = conversations.computeIfAbsent(conversationId, id -> new Conversation(id, ticker.read()));
                conversation.lock.lock();
                try {
                    if (conversation.retired) {
                        continue; // it left the map; computeIfAbsent makes a new one
                    }
                    if (state.get() != State.OPEN) {
                        maybeRetire(conversation); // do not keep a conversation created just now
                        throw new BrokerClosedException(conversationId, name);
                    }
                    if (conversation.running && conversation.queue.size() >= maxQueued) {
                        throw new QueueFullException(conversationId, maxQueued);
                    }
                    conversation.queue.addLast(submission);
                    position = conversation.running ? conversation.queue.size() : 0;
                    conversation.running = true;
                    break;
                } finally {
                    conversation.lock.unlock();
                }
            }
            if (position == 0) {
                startDriver(conversation);
            } else {
                LOG.debug("{} - conversation {}: {} queued at position {}", name, conversationId, submission, position);
                int place = position;
                contain(conversation, "onQueued", () -> listener.onQueued(place));
            }
        } finally {
            submission.callbacks.unlock();
        }
        return view;
    }

    private static void checkId(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        Checks.argument(!conversationId.isBlank(), "conversationId must not be blank");
        if (conversationId.length() > MAX_CONVERSATION_ID_LENGTH) {
            throw new IllegalArgumentException("conversationId must be at most " + MAX_CONVERSATION_ID_LENGTH
                    + " characters: " + conversationId.substring(0, 40) + "... (" + conversationId.length() + ")");
        }
        if (conversationId.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("conversationId must not contain control characters: "
                    + conversationId.replaceAll("\\p{Cntrl}", "?"));
        }
    }

    private void startDriver(Conversation conversation) {
        long task = tasks.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        drivers.put(task, done);
        try {
            executor.execute(() -> drive(conversation, task, done));
        } catch (RejectedExecutionException e) {
            drivers.remove(task);
            done.complete(null);
            List<Submission> stranded;
            conversation.lock.lock();
            try {
                stranded = conversation.drain();
                conversation.running = false;
                conversation.active = null;
            } finally {
                conversation.lock.unlock();
            }
            RuntimeException failure = state.get() != State.OPEN
                    ? new BrokerClosedException(conversation.id, name)
                    : new BrokerException(conversation.id, "the broker's executor refused to run the turn", e);
            LOG.warn("{} - conversation {}: {}", name, conversation.id, failure.getMessage());
            stranded.forEach(s -> s.fail(failure));
            maybeRetire(conversation);
        }
    }

    // ------------------------------------------------------------------------------------------ the driver

    /**
     * Runs the conversation's turns until its queue is empty. After each turn the status is brought up to date
     * and the next batch taken (or the conversation marked idle) before the turn's futures complete, so that a
     * caller who sees its result also sees the conversation's new state.
     */
    private void drive(Conversation conversation, long task, CompletableFuture<Void> done) {
        ActiveTurn turn = null;
        ActiveTurn following = null;
        boolean owner = true; // this driver still owns `running` and the queue
        try {
            turn = next(conversation);
            owner = turn != null;
            while (turn != null) {
                Settled settled = settle(conversation, turn, run(conversation, turn));
                following = next(conversation);
                owner = following != null;
                settled.complete();
                turn = following;
                following = null;
            }
        } catch (Throwable t) {
            // A bug; make sure no message of this conversation is left waiting, and no driver flag stuck.
            LOG.error("{} - conversation {}: the turn driver failed", name, conversation.id, t);
            List<Submission> stranded = new ArrayList<>();
            if (turn != null) {
                stranded.addAll(turn.batch);
            }
            if (following != null) {
                stranded.addAll(following.batch);
            }
            if (owner) {
                conversation.lock.lock();
                try {
                    stranded.addAll(conversation.drain());
                    conversation.running = false;
                    conversation.active = null;
                } finally {
                    conversation.lock.unlock();
                }
            }
            BrokerException failure = new BrokerException(conversation.id, "the broker failed to run the turn", t);
            stranded.forEach(s -> s.fail(failure));
            if (t instanceof Error error) {
                throw error;
            }
        } finally {
            maybeRetire(conversation);
            drivers.remove(task);
            done.complete(null);
        }
    }

    /**
     * Takes the next batch and publishes it as the conversation's active turn; or, with an empty queue (or a
     * closing broker, whose waiting messages are dropped), marks the conversation idle and returns null.
     */
    private @Nullable ActiveTurn next(Conversation conversation) {
        List<Submission> refused;
        conversation.lock.lock();
        try {
            if (conversation.queue.isEmpty()) {
                conversation.running = false;
                conversation.active = null;
                return null;
            }
            if (state.get() == State.OPEN) {
                ActiveTurn turn = new ActiveTurn(conversation.take(maxPerTurn), ticker.read());
                conversation.active = turn;
                return turn;
            }
            refused = conversation.drain();
            conversation.running = false;
            conversation.active = null;
        } finally {
            conversation.lock.unlock();
        }
        dropped(conversation, refused, new BrokerClosedException(conversation.id, name));
        return null;
    }

    /** How a batch ended: results for its messages, a failure for all of them, or a stale connection. */
    private record Finished(
            BrokerResult.@Nullable Outcome outcome,
            @Nullable TurnResult turn,
            @Nullable Throwable error,
            @Nullable String sessionId,
            @Nullable String resetReason,
            @Nullable RuntimeException failure,
            boolean stale) {

        static final Finished STALE = new Finished(null, null, null, null, null, null, true);

        static Finished of(TurnResult turn, String sessionId, @Nullable String resetReason) {
            return new Finished(
                    BrokerResult.Outcome.of(turn.outcome()), turn, turn.error(), sessionId, resetReason, null, false);
        }

        static Finished without(
                BrokerResult.Outcome outcome, Throwable why, @Nullable String sessionId, @Nullable String resetReason) {
            return new Finished(outcome, null, why, sessionId, resetReason, null, false);
        }

        static Finished failed(RuntimeException failure) {
            return new Finished(null, null, failure, null, null, failure, false);
        }
    }

    /** Runs one batch to its end; never throws but for an Error. */
    private Finished run(Conversation conversation, ActiveTurn turn) {
        try {
            return attempt(conversation, turn);
        } catch (RuntimeException e) {
            RuntimeException failure = failure(conversation.id, e);
            if (failure instanceof ConversationOwnedElsewhereException owned) {
                LOG.info("{} - conversation {}: {}", name, conversation.id, owned.getMessage());
                contain(
                        conversation,
                        "onLeaseConflict",
                        () -> listener.onLeaseConflict(conversation.id, owned.owner()));
                return Finished.without(BrokerResult.Outcome.OWNED_ELSEWHERE, owned, null, null);
            }
            return Finished.failed(failure);
        }
    }

    private Finished attempt(Conversation conversation, ActiveTurn turn) {
        if (turn.cancelRequested()) {
            return Finished.without(
                    BrokerResult.Outcome.CANCELLED,
                    new BrokerException(conversation.id, "cancelled before the turn started", CANCELLED_TEXT, null),
                    null,
                    null);
        }
        List<ChatMessage> messages = turn.batch.stream().map(s -> s.message).toList();
        List<ContentBlock> prompt;
        try {
            prompt = List.copyOf(composer.compose(messages));
            Checks.state(!prompt.isEmpty(), "the prompt composer returned no content");
        } catch (RuntimeException e) {
            LOG.warn("{} - conversation {}: the prompt composer failed", name, conversation.id, e);
            return Finished.without(
                    BrokerResult.Outcome.FAILED,
                    new BrokerException(
                            conversation.id,
                            "the prompt composer failed: " + e,
                            "The message could not be prepared for the agent; tell the operator.",
                            e),
                    null,
                    null);
        }
        for (int attempt = 1; ; attempt++) {
            Finished finished = pool.withConnection(
                    conversation.id, connection -> inConnection(conversation, turn, connection, messages, prompt));
            if (!finished.stale()) {
                return finished;
            }
            if (turn.cancelRequested()) {
                return Finished.without(
                        BrokerResult.Outcome.CANCELLED,
                        new BrokerException(conversation.id, "cancelled before the turn started", CANCELLED_TEXT, null),
                        null,
                        null);
            }
            if (attempt >= MAX_ATTEMPTS) {
                return Finished.failed(new BrokerException(
                        conversation.id,
                        "the conversation was reset " + attempt + " times while its agent was being started",
                        "The conversation was reset while its agent was starting; send your message again.",
                        null));
            }
        }
    }

    /** The turn itself, with the connection's lock held. */
    private Finished inConnection(
            Conversation conversation,
            ActiveTurn turn,
            AgentConnection connection,
            List<ChatMessage> messages,
            List<ContentBlock> prompt) {
        if (connection.generation != conversation.generation.get()) {
            // Made for the conversation before a reset or close: drop it (closed when we release it).
            LOG.debug("{} - conversation {}: dropping a connection made before a reset", name, conversation.id);
            if (connection.generation < conversation.closedBelow) {
                connection.endSession = true; // close(id) ran while its factory did (issue 12, race 4)
            }
            pool.evict(conversation.id);
            forgetIfStored(conversation, connection.sessionId);
            return Finished.STALE;
        }
        String resetReason = connection.takeResetReason();
        TurnStart start =
                new TurnStart(conversation.id, messages, connection.sessionId, resetReason != null, resetReason);
        for (Submission submission : turn.batch) {
            submission.callbacks.lock();
            try {
                contain(conversation, "onTurnStarted", () -> submission.listener.onTurnStarted(start));
            } finally {
                submission.callbacks.unlock();
            }
        }
        if (turn.cancelRequested()) {
            return Finished.without(
                    BrokerResult.Outcome.CANCELLED,
                    new BrokerException(conversation.id, "cancelled before the prompt was sent", CANCELLED_TEXT, null),
                    connection.sessionId,
                    resetReason);
        }
        MessageListener reply = turn.replyTo().listener;
        TurnHandle handle;
        try {
            handle = connection
                    .agent
                    .streamer()
                    .start(connection.client, connection.sessionId, prompt, new TurnListener() {
                        @Override
                        public void onEvent(TurnEvent event) {
                            reply.onEvent(event);
                        }

                        @Override
                        public void onLateEvent(TurnEvent event) {
                            reply.onLateEvent(event);
                        }
                    });
        } catch (IllegalStateException e) {
            // The streamer closes only after the state left OPEN, so a closed one shows here; anything else is a bug.
            if (state.get() != State.OPEN) {
                return Finished.failed(new BrokerClosedException(conversation.id, name));
            }
            throw e;
        }
        turn.attach(handle, ticker.read());
        LOG.debug(
                "{} - conversation {}: turn started in session {} for {} messages",
                name,
                conversation.id,
                connection.sessionId,
                messages.size());
        CompletableFuture<TurnResult> result = handle.result();
        connection.watch(result);
        try {
            TurnResult ended = await(result, handle);
            AgentAuthenticationException unauthenticated = unauthenticated(conversation.id, connection, ended);
            return unauthenticated == null
                    ? Finished.of(ended, connection.sessionId, resetReason)
                    : new Finished(
                            BrokerResult.Outcome.of(ended.outcome()),
                            ended,
                            unauthenticated,
                            connection.sessionId,
                            resetReason,
                            null,
                            false);
        } catch (AgentConnection.Evicted evicted) {
            return evictedDuringTurn(conversation, connection, evicted.cause, resetReason);
        } finally {
            connection.unwatch();
        }
    }

    /** Waits for the turn; an interrupt (an executor shutting down) cancels it and the wait goes on. */
    private static TurnResult await(CompletableFuture<TurnResult> result, TurnHandle handle) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    handle.cancel();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AgentConnection.Evicted evicted) {
                        throw evicted;
                    }
                    throw new IllegalStateException("a turn's result never fails", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Finished evictedDuringTurn(
            Conversation conversation, AgentConnection connection, EvictionCause cause, @Nullable String resetReason) {
        if (cause == EvictionCause.HUNG) {
            BrokerException why = new BrokerException(
                    conversation.id,
                    "the turn did not end within the hung limit, so its agent (" + connection.client
                            + ") was killed; the next message starts a new one and resumes the session",
                    null);
            LOG.warn("{} - {}", name, why.getMessage());
            return Finished.without(BrokerResult.Outcome.HUNG, why, connection.sessionId, resetReason);
        }
        return Finished.without(
                BrokerResult.Outcome.CANCELLED,
                state.get() != State.OPEN
                        ? new BrokerClosedException(conversation.id, name)
                        : new BrokerException(
                                conversation.id,
                                "the agent was stopped during the turn (" + cause + ")",
                                "The agent was stopped before it replied; send your message again.",
                                null),
                connection.sessionId,
                resetReason);
    }

    /** Maps what pool.withConnection threw to what the message's caller gets. */
    private RuntimeException failure(String conversationId, RuntimeException e) {
        if (e instanceof ConnectionCreationException creation) {
            Throwable cause = creation.getCause();
            if (cause instanceof BrokerException broker) {
                return broker;
            }
            if (cause instanceof PoolClosedException) {
                return new BrokerClosedException(conversationId, name);
            }
            return new AgentStartException(
                    conversationId,
                    AgentStartException.Stage.LAUNCH,
                    "the agent could not be started",
                    cause != null ? cause : creation);
        }
        if (e instanceof PoolClosedException) {
            return new BrokerClosedException(conversationId, name);
        }
        if (e instanceof PoolExhaustedException exhausted) {
            return new NoAgentAvailableException(conversationId, exhausted);
        }
        if (e instanceof BrokerException) {
            return e;
        }
        if (e instanceof AcquireInterruptedException) {
            return new BrokerException(conversationId, "interrupted while waiting for the agent", e);
        }
        LOG.error("{} - conversation {}: unexpected failure of a turn", name, conversationId, e);
        return new BrokerException(conversationId, "the turn failed unexpectedly: " + e, e);
    }

    /** A batch's results, ready to be handed out. */
    private record Settled(
            List<Submission> batch,
            List<BrokerResult> results,
            @Nullable RuntimeException failure) {
        void complete() {
            for (int i = 0; i < batch.size(); i++) {
                if (failure != null) {
                    batch.get(i).fail(failure);
                } else {
                    batch.get(i).complete(results.get(i));
                }
            }
        }
    }

    /** Builds the batch's results, updates the status and tells the listener; completes nothing yet. */
    private Settled settle(Conversation conversation, ActiveTurn turn, Finished finished) {
        conversation.lastActiveNanos = ticker.read();
        RuntimeException failure = finished.failure();
        if (failure != null) {
            conversation.lastError = AcpPoolException.userMessageOf(failure);
            if (failure instanceof BrokerClosedException) {
                LOG.debug("{} - conversation {}: {}", name, conversation.id, failure.getMessage());
            } else {
                LOG.warn("{} - conversation {}: no turn: {}", name, conversation.id, failure.getMessage());
            }
            return new Settled(turn.batch, List.of(), failure);
        }
        BrokerResult.Outcome outcome = Checks.notNull(finished.outcome(), "outcome");
        List<ChatMessage> messages = turn.batch.stream().map(s -> s.message).toList();
        List<BrokerResult> results = new ArrayList<>(turn.batch.size());
        for (Submission submission : turn.batch) {
            results.add(new BrokerResult(
                    conversation.id,
                    submission.message,
                    outcome,
                    finished.turn(),
                    messages,
                    finished.resetReason() != null,
                    finished.resetReason(),
                    finished.sessionId(),
                    finished.error()));
        }
        Throwable error = finished.error();
        conversation.lastError = outcome == BrokerResult.Outcome.COMPLETED || error == null
                ? null
                : AcpPoolException.userMessageOf(error);
        TurnResult ran = finished.turn();
        if (outcome != BrokerResult.Outcome.COMPLETED || (ran != null && ran.droppedLines() > 0)) {
            // The operator's half of the two texts: the user only sees BrokerResult.userText().
            String diagnostics = results.get(results.size() - 1).diagnostics();
            if (outcome == BrokerResult.Outcome.CANCELLED) {
                LOG.info("{} - conversation {}: turn ended {}: {}", name, conversation.id, outcome, diagnostics);
            } else {
                LOG.warn("{} - conversation {}: turn ended {}: {}", name, conversation.id, outcome, diagnostics);
            }
        }
        if (finished.turn() != null || outcome == BrokerResult.Outcome.HUNG) {
            conversation.turns.incrementAndGet();
            BrokerResult last = results.get(results.size() - 1);
            long started = turn.startedNanos != 0 ? turn.startedNanos : turn.takenNanos;
            Duration queueWait = Duration.ofNanos(Math.max(0, started - turn.batch.get(0).submittedNanos));
            LOG.debug(
                    "{} - conversation {}: turn ended {} for {} messages (queue wait {}, first chunk {}, total {})",
                    name,
                    conversation.id,
                    outcome,
                    results.size(),
                    queueWait,
                    ran == null ? null : ran.timeToFirstChunk(),
                    ran == null ? null : ran.total());
            contain(conversation, "onTurnFinished", () -> listener.onTurnFinished(conversation.id, last, queueWait));
        }
        return new Settled(turn.batch, results, null);
    }

    // ------------------------------------------------------------------------------------------ the agents

    /** The pool's factory: takes the conversation's lease (if leases are on), then starts its agent. */
    private AgentConnection connect(String conversationId) {
        LeaseKeeper leases = leaseKeeper;
        if (leases == null) {
            return startAgent(conversationId);
        }
        leases.acquire(conversationId);
        try {
            return startAgent(conversationId);
        } catch (RuntimeException | Error e) {
            leases.release(conversationId); // startAgent stopped the process it launched
            throw e;
        }
    }

    /** A ready agent for the conversation (process, initialize, session resumed or new). */
    private AgentConnection startAgent(String conversationId) {
        Conversation conversation = conversations.get(conversationId);
        long generation = conversation != null ? conversation.generation.get() : 0;
        long startNanos = ticker.read();
        StoredSession stored = storedSession(conversationId);
        Placement placement = place(conversationId, stored);
        AgentRegistry.Agent agent = placement.agent();
        Path cwd = prepareDirectory(conversationId, agent);
        AgentLaunchSpec spec = agent.launch().withWorkingDirectory(cwd);
        WarmAgents.Spare spare = warm.take(new WarmAgents.Key(agent.id(), spec));
        AcpClient client;
        if (spare != null) {
            client = spare.client();
            LOG.debug("{} - conversation {}: took warm agent {}", name, conversationId, client);
        } else {
            warm.makeRoom();
            try {
                client = launch(agent, spec);
            } catch (RuntimeException e) {
                throw new AgentStartException(
                        conversationId, AgentStartException.Stage.LAUNCH, "could not start the agent process", e);
            }
        }
        boolean ready = false;
        try {
            InitializeResult init = spare != null
                    ? spare.init()
                    : awaitStart(
                            conversationId,
                            client.initialize(),
                            AgentStartException.Stage.INITIALIZE,
                            "the agent did not complete initialize");
            SignIn signIn = new SignIn(
                    conversationId,
                    client,
                    new Authentication(agent.authPolicy(), init.authMethods(), spec.environment(System.getenv())),
                    spare != null ? spare.authMethod() : null);
            if (spare == null) {
                signIn.upFront();
            }
            Opened opened = openSession(conversationId, client, init, cwd, signIn, agent, stored, placement.reason());
            AgentConnection connection = new AgentConnection(
                    conversationId, agent, client, opened.sessionId(), cwd, init, generation, opened.resetReason());
            connection.settings = opened.settings();
            applyChosen(connection, opened.chosen());
            ready = true;
            if (conversation != null) {
                conversation.connected(connection);
                conversation.lastActiveNanos = ticker.read();
            }
            Duration startup = Duration.ofNanos(Math.max(0, ticker.read() - startNanos));
            LOG.info(
                    "{} - conversation {}: agent {} ({}) ready in {} with {} session {}",
                    name,
                    conversationId,
                    agent.id(),
                    client,
                    startup,
                    opened.method() != null ? "resumed" : "new",
                    opened.sessionId());
            Conversation target = conversation;
            contain(target, "onConnectionCreated", () -> {
                listener.onConnectionCreated(conversationId, opened.sessionId(), startup);
            });
            String method = opened.method();
            if (method != null) {
                contain(target, "onSessionResumed", () -> {
                    listener.onSessionResumed(conversationId, opened.sessionId(), method, opened.replayed());
                });
            }
            String previous = opened.previousSessionId();
            String reason = opened.resetReason();
            if (reason != null && previous != null) {
                contain(target, "onSessionReset", () -> {
                    listener.onSessionReset(conversationId, previous, opened.sessionId(), reason);
                });
            }
            return connection;
        } finally {
            if (!ready) {
                closeClient(client);
            }
        }
    }

    /**
     * The warm agents' starter: launches, initializes and authenticates up front as {@link #connect} does, on an
     * executor thread; the spare has no session yet (the conversation that takes it opens or resumes one).
     */
    private WarmAgents.Spare startSpare(WarmAgents.Key key, Consumer<AcpClient> launched) {
        String label = "(warm agent)";
        AgentRegistry.Agent agent = registry.get(label, key.agentId());
        AcpClient client;
        try {
            client = launch(agent, key.launch());
        } catch (RuntimeException e) {
            throw new AgentStartException(
                    label, AgentStartException.Stage.LAUNCH, "could not start the agent process", e);
        }
        launched.accept(client);
        boolean ready = false;
        try {
            InitializeResult init = awaitStart(
                    label,
                    client.initialize(),
                    AgentStartException.Stage.INITIALIZE,
                    "the agent did not complete initialize");
            SignIn signIn = new SignIn(
                    label,
                    client,
                    new Authentication(
                            agent.authPolicy(), init.authMethods(), key.launch().environment(System.getenv())),
                    null);
            signIn.upFront();
            ready = true;
            return new WarmAgents.Spare(key, client, init, signIn.method);
        } finally {
            if (!ready) {
                closeClient(client);
            }
        }
    }

    /** Processes of conversations: connected, and being created (the pool counts a creation before its factory). */
    private int processesInUse() {
        PoolStats<String> stats = pool.stats();
        return stats.size() + stats.creating();
    }

    /** Starts an agent process with the owner marker, and records it for the orphan search. */
    private AcpClient launch(AgentRegistry.Agent agent, AgentLaunchSpec spec) {
        AcpClient client = AcpClient.launch(marked(spec), agent.clientOptions());
        if (orphans != null) {
            orphans.started(client.pid(), agent.id());
        }
        return client;
    }

    /** Stops an agent process (and its descendants) and drops it from the record. */
    private void closeClient(AcpClient client) {
        try {
            client.close();
        } finally {
            if (orphans != null && !client.isAlive()) {
                orphans.stopped(client.pid());
            }
        }
    }

    /** The agent a conversation starts on, and the reason its stored session cannot be resumed on it (if so). */
    private record Placement(
            AgentRegistry.Agent agent, @Nullable String reason) {}

    /**
     * The agent chosen for the conversation, else its stored session's, else the default. A stored session of an
     * agent the broker no longer has is not resumed: the conversation continues on the default agent in a new
     * session, and its first result says {@link BrokerResult#sessionReset()}.
     */
    private Placement place(String conversationId, @Nullable StoredSession stored) {
        String storedId = stored == null ? null : storedAgent(stored);
        String chosen = chosenAgents.get(conversationId);
        if (chosen != null) {
            AgentRegistry.Agent agent = registry.get(conversationId, chosen);
            return new Placement(
                    agent,
                    storedId == null || storedId.equals(chosen)
                            ? null
                            : "it was switched from agent " + storedId + " to agent " + chosen);
        }
        if (storedId == null) {
            return new Placement(registry.defaultAgent(), null);
        }
        AgentRegistry.Agent agent = registry.find(storedId);
        if (agent != null) {
            return new Placement(agent, null);
        }
        String reason =
                "its agent " + storedId + " is no longer configured; it continues on agent " + registry.defaultId();
        LOG.warn("{} - conversation {}: {}", name, conversationId, reason);
        return new Placement(registry.defaultAgent(), reason);
    }

    /** The id of the agent a stored session belongs to; a session stored without one is the default agent's. */
    private String storedAgent(StoredSession stored) {
        String id = stored.agentId();
        return id != null ? id : registry.defaultId();
    }

    /** The spec with the owner marker in its environment, by which orphans of this instance are recognised. */
    private AgentLaunchSpec marked(AgentLaunchSpec spec) {
        Map<String, String> env = new java.util.HashMap<>(spec.env());
        env.put(OrphanRecords.OWNER_VARIABLE, instanceId);
        return new AgentLaunchSpec(
                spec.command(), spec.args(), spec.workingDirectory(), env, spec.inheritEnv(), spec.authPolicy());
    }

    private Path prepareDirectory(String conversationId, AgentRegistry.Agent agent) {
        try {
            Path cwd = Checks.notNull(agent.workingDirectory().apply(conversationId), "working directory");
            Checks.argument(cwd.isAbsolute(), "the working directory must be absolute: %s", cwd);
            Path normalized = cwd.normalize();
            Files.createDirectories(normalized);
            return normalized;
        } catch (IOException | RuntimeException e) {
            throw new AgentStartException(
                    conversationId, AgentStartException.Stage.LAUNCH, "no usable working directory", e);
        }
    }

    /** The session a new agent serves, and how it got it. */
    private record Opened(
            String sessionId,
            @Nullable String method,
            int replayed,
            @Nullable String previousSessionId,
            @Nullable String resetReason,
            SessionSettings settings,
            Map<String, String> chosen) {}

    /** Resumes the stored session ({@code session/resume}, else {@code session/load}), or creates and stores one. */
    private Opened openSession(
            String conversationId,
            AcpClient client,
            InitializeResult init,
            Path cwd,
            SignIn signIn,
            AgentRegistry.Agent agent,
            @Nullable StoredSession stored,
            @Nullable String notResumable) {
        SessionSetup setup = SessionSetup.of(cwd);
        String resetReason = notResumable;
        if (stored != null && notResumable == null) {
            AgentCapabilities caps = init.agentCapabilities();
            String previous = stored.sessionId();
            if (!stored.workingDirectory().equals(cwd)) {
                resetReason = "its working directory changed from " + stored.workingDirectory() + " to " + cwd;
            } else if (caps.resumeSession() || caps.loadSession()) {
                String method = caps.resumeSession() ? "session/resume" : "session/load";
                // Everything a load replays, before or after its answer, is history, never the first reply.
                SessionHistory history =
                        caps.resumeSession() ? null : agent.streamer().history(client, previous, null);
                boolean loaded = false;
                try {
                    SessionState resumed = signIn.call(
                            () -> caps.resumeSession()
                                    ? client.resumeSession(previous, setup)
                                    : client.loadSession(previous, setup),
                            method + " of session " + previous + " failed");
                    loaded = true;
                    int replayed = history == null ? 0 : replayed(conversationId, agent, history);
                    return new Opened(
                            previous,
                            method,
                            replayed,
                            previous,
                            null,
                            SessionSettings.fromJson(resumed.raw()),
                            stored.settings());
                } catch (AgentStartException e) {
                    if (e.getCause() instanceof AgentProcessException
                            || Thread.currentThread().isInterrupted()) {
                        throw e; // the agent died or we were interrupted: not a lost session, a failed start
                    }
                    if (e instanceof AgentAuthenticationException auth) {
                        // The operator's text goes to the log; a new session may still work without it (Gemini).
                        LOG.warn("{} - conversation {}: {}", name, conversationId, auth.details());
                        resetReason = "the agent requires authentication to resume the old session";
                    } else {
                        Throwable cause = e.getCause();
                        String why = cause == null ? null : cause.getMessage();
                        resetReason = "the agent could not find the old session ("
                                + (why != null && why.contains(method) ? why : method + " failed: " + why) + ")";
                    }
                    LOG.warn(
                            "{} - conversation {}: could not resume session {} ({}); starting a new session",
                            name,
                            conversationId,
                            previous,
                            resetReason);
                } finally {
                    if (history != null && !loaded) {
                        history.close();
                    }
                }
            } else {
                resetReason = "the agent supports neither session/resume nor session/load";
            }
        }
        SessionState created = signIn.call(() -> client.newSession(setup), "the agent could not create a session");
        // Stored at once, so a crash of the broker loses nothing (openab #951). Chosen settings carry over, on the
        // same agent only: another agent's settings mean nothing to this one.
        Map<String, String> chosen =
                stored == null || !storedAgent(stored).equals(agent.id()) ? Map.of() : stored.settings();
        try {
            store.put(conversationId, new StoredSession(created.sessionId(), cwd, Instant.now(), chosen, agent.id()));
        } catch (RuntimeException e) {
            LOG.error(
                    "{} - conversation {}: could not store session {}; it will not be resumed after a restart unless a"
                            + " later write succeeds",
                    name,
                    conversationId,
                    created.sessionId(),
                    e);
        }
        return new Opened(
                created.sessionId(),
                null,
                0,
                stored == null ? null : stored.sessionId(),
                resetReason,
                SessionSettings.fromJson(created.raw()),
                chosen);
    }

    /**
     * How many updates the load replayed: waits until the session has been quiet for the quiet gap after the
     * load's answer (the first prompt would wait for that anyway), so a replay that follows the answer counts.
     */
    private int replayed(String conversationId, AgentRegistry.Agent agent, SessionHistory history) {
        CompletableFuture<Integer> quiet = history.loaded();
        try {
            Duration limit = agent.clientOptions().requestTimeout();
            return quiet.get(
                    limit.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toMillis() : limit.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug(
                    "{} - conversation {}: the loaded session did not go quiet ({}); counted its replay so far",
                    name,
                    conversationId,
                    e.toString());
        }
        return history.replayed();
    }

    private @Nullable StoredSession storedSession(String conversationId) {
        try {
            return store.get(conversationId).orElse(null);
        } catch (RuntimeException e) {
            LOG.error(
                    "{} - conversation {}: could not read the session store; starting a new session",
                    name,
                    conversationId,
                    e);
            return null;
        }
    }

    /**
     * The authentication of one agent process while it is being made ready (one thread): up front by the policy,
     * and once more when a session call answers "authentication required" before anything was sent.
     */
    private final class SignIn {
        private final String conversationId;
        private final AcpClient client;
        private final Authentication auth;
        private @Nullable String method;

        SignIn(String conversationId, AcpClient client, Authentication auth, @Nullable String method) {
            this.conversationId = conversationId;
            this.client = client;
            this.auth = auth;
            this.method = method;
        }

        void upFront() {
            Optional<AuthMethod> chosen;
            try {
                chosen = auth.upFront();
            } catch (IllegalArgumentException e) {
                throw new AgentAuthenticationException(
                        conversationId, String.valueOf(e.getMessage()), auth.methods(), null);
            }
            if (chosen.isPresent()) {
                authenticate(chosen.get());
            }
        }

        /** Runs a session call; on "authentication required", authenticates (if it has not) and runs it again. */
        <T> T call(Supplier<CompletableFuture<T>> request, String what) {
            try {
                return awaitStart(conversationId, request.get(), AgentStartException.Stage.SESSION, what);
            } catch (AgentStartException e) {
                if (!authRequired(e)) {
                    throw e;
                }
                Optional<AuthMethod> retry = method == null ? auth.whenRequired() : Optional.empty();
                if (retry.isEmpty()) {
                    throw refused(what, e.getCause());
                }
                LOG.info(
                        "{} - conversation {}: the agent requires authentication ({}); authenticating with {}",
                        name,
                        conversationId,
                        Authentication.describe(e.getCause()),
                        retry.get().id());
                authenticate(retry.get());
            }
            try {
                return awaitStart(conversationId, request.get(), AgentStartException.Stage.SESSION, what);
            } catch (AgentStartException e) {
                throw authRequired(e) ? refused(what, e.getCause()) : e;
            }
        }

        private AgentAuthenticationException refused(String what, @Nullable Throwable cause) {
            String problem = what + " with \"" + Authentication.describe(cause) + "\""
                    + (method != null
                            ? " although it accepted authenticate \"" + method + "\""
                            : " and the policy picked no method to authenticate with");
            return new AgentAuthenticationException(conversationId, auth.explain(problem), auth.methods(), cause);
        }

        private void authenticate(AuthMethod chosen) {
            try {
                awaitStart(
                        conversationId,
                        client.authenticate(chosen.id()),
                        AgentStartException.Stage.AUTHENTICATE,
                        "authenticate \"" + chosen.id() + "\" failed");
            } catch (AgentStartException e) {
                if (e.getCause() instanceof AgentProcessException
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                throw new AgentAuthenticationException(
                        conversationId,
                        auth.explain("it refused authenticate \"" + chosen.id() + "\" ("
                                + Authentication.describe(e.getCause()) + ")"),
                        auth.methods(),
                        e.getCause());
            }
            method = chosen.id();
            LOG.info("{} - conversation {}: authenticated with method {}", name, conversationId, chosen.id());
        }
    }

    /**
     * A prompt the agent refused as "authentication required" (claude-code-acp without a login): the result's error
     * becomes the operator's instructions, with the agent's methods and hints (e.g. "Run `claude /login` in the
     * terminal"), instead of the bare -32000.
     */
    private @Nullable AgentAuthenticationException unauthenticated(
            String conversationId, AgentConnection connection, TurnResult ended) {
        if (!(ended.error() instanceof AcpProtocolException protocol)
                || protocol.code() != AcpProtocolException.AUTH_REQUIRED) {
            return null;
        }
        AgentRegistry.Agent agent = connection.agent;
        Authentication auth = new Authentication(
                agent.authPolicy(),
                connection.init.authMethods(),
                agent.launch().environment(System.getenv()));
        String details = auth.explain("session/prompt failed with \"" + Authentication.describe(protocol) + "\"");
        LOG.warn("{} - conversation {}: {}", name, conversationId, details);
        return new AgentAuthenticationException(conversationId, details, auth.methods(), protocol);
    }

    private static boolean authRequired(AgentStartException e) {
        return e.getCause() instanceof AcpProtocolException protocol
                && protocol.code() == AcpProtocolException.AUTH_REQUIRED;
    }

    private static <T> T awaitStart(
            String conversationId, CompletableFuture<T> future, AgentStartException.Stage stage, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentStartException(conversationId, stage, what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new AgentStartException(conversationId, stage, what, cause);
        }
    }

    /** The pool's closer: stops the agent on the executor, so that no evicting thread waits for a process. */
    private void stopAsync(AgentConnection connection) {
        long task = tasks.incrementAndGet();
        CompletableFuture<Void> done = new CompletableFuture<>();
        stopping.put(task, done);
        Runnable stop = () -> {
            try {
                stop(connection);
            } finally {
                if (leaseKeeper != null) {
                    leaseKeeper.release(connection.conversationId); // only now that its process is gone
                }
                stopping.remove(task);
                done.complete(null);
                warm.replenishLater(); // its room is free now
            }
        };
        try {
            executor.execute(stop);
        } catch (RejectedExecutionException e) {
            stop.run();
        }
    }

    private void stop(AgentConnection connection) {
        try {
            if (connection.endSession
                    && connection.client.isAlive()
                    && connection.init.agentCapabilities().closeSession()) {
                try {
                    connection
                            .client
                            .closeSession(connection.sessionId)
                            .get(connection.agent.clientOptions().closeGrace().toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("{} - {}: session/close failed: {}", name, connection, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeClient(connection.client);
        } catch (RuntimeException e) {
            LOG.warn("{} - {}: stopping the agent failed", name, connection, e);
        }
    }

    /**
     * The lease of the conversation was lost (see {@link LeaseKeeper}): another instance may take it over, so its
     * agent is stopped now, mid-turn if need be (the turn ends AGENT_DIED). Runs on the executor.
     */
    private void leaseLost(String conversationId) {
        Conversation conversation = conversations.get(conversationId);
        AgentConnection connection = conversation == null ? null : conversation.connection;
        pool.evict(conversationId);
        if (connection != null) {
            connection.client.close(); // a busy connection is closed only when its turn ends: do not wait for that
        }
    }

    /** The pool's eviction listener: runs right before the closer, with no lock held. */
    private void onEvicted(String conversationId, AgentConnection connection, EvictionCause cause) {
        connection.evicted(cause);
        Conversation conversation = conversations.get(conversationId);
        if (conversation != null && cause != EvictionCause.EXPLICIT) {
            // Before connectionGone: while it is the conversation's connection, the conversation cannot retire, so a
            // reset finds this Conversation and its store lock.
            persist(conversation, connection);
        }
        if (conversation != null) {
            conversation.connectionGone(connection);
        }
        switch (cause) {
            case IDLE, CAPACITY ->
                LOG.info(
                        "{} - conversation {}: suspended ({}); session {} stays stored",
                        name,
                        conversationId,
                        cause,
                        connection.sessionId);
            case DEAD ->
                LOG.warn(
                        "{} - conversation {}: its agent {} died (exit code {}); the next message starts a new one",
                        name,
                        conversationId,
                        connection.client,
                        connection.client.exitCode().isPresent()
                                ? String.valueOf(connection.client.exitCode().getAsInt())
                                : "unknown");
            case HUNG ->
                LOG.warn(
                        "{} - conversation {}: force-evicting its hung agent {}",
                        name,
                        conversationId,
                        connection.client);
            case EXPLICIT, SHUTDOWN ->
                LOG.debug(
                        "{} - conversation {}: stopping its agent {} ({})",
                        name,
                        conversationId,
                        connection.client,
                        cause);
        }
        contain(conversation, "onEvicted", () -> listener.onEvicted(conversationId, connection.sessionId, cause));
        if (conversation != null) {
            maybeRetire(conversation);
        }
    }

    /**
     * Makes sure the store holds the connection's session (its first write may have failed) with a fresh update
     * time, unless a reset or close made the connection stale: checked under the store lock, which the reset's
     * remove also takes after bumping the generation, so the remove always wins (issue 12, race 1).
     */
    private void persist(Conversation conversation, AgentConnection connection) {
        conversation.storeLock.lock();
        try {
            if (connection.generation != conversation.generation.get()) {
                return;
            }
            // Written when new, and again once the stored record is an hour old: its updatedAt then says when the
            // conversation last had an agent, which is what a store's retention measures (an old but busy
            // conversation must not be forgotten), without a store write after every turn.
            Optional<StoredSession> stored = store.get(conversation.id);
            if (stored.isEmpty()
                    || !stored.get().sessionId().equals(connection.sessionId)
                    || stored.get().updatedAt().isBefore(Instant.now().minus(STORED_REFRESH))) {
                store.put(
                        conversation.id,
                        new StoredSession(
                                connection.sessionId,
                                connection.workingDirectory,
                                Instant.now(),
                                connection.chosen,
                                connection.agent.id()));
            }
        } catch (RuntimeException e) {
            LOG.error(
                    "{} - conversation {}: could not store session {}", name, conversation.id, connection.sessionId, e);
        } finally {
            conversation.storeLock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ session settings

    @Override
    public Optional<SessionSettings> settings(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        Conversation conversation = conversations.get(conversationId);
        AgentConnection connection = conversation == null ? null : conversation.connection;
        return connection == null ? Optional.empty() : Optional.of(connection.settings);
    }

    @Override
    public CompletableFuture<SessionSettings> choose(String conversationId, String settingId, String value) {
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(settingId, "settingId");
        Checks.notNull(value, "value");
        Conversation conversation = conversations.get(conversationId);
        AgentConnection connection = conversation == null ? null : conversation.connection;
        if (conversation == null || connection == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "no agent runs for conversation " + conversationId + "; its next message starts one"));
        }
        SessionSettings.Setting setting = connection.settings.setting(settingId).orElse(null);
        if (setting == null || setting.choice(value).isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    setting == null
                            ? "the agent has no setting " + settingId
                            : "the agent offers no " + settingId + " \"" + value + "\""));
        }
        return send(connection, setting, value).thenApply(updated -> {
            Map<String, String> chosen = new java.util.TreeMap<>(connection.chosen);
            chosen.put(settingId, value);
            connection.chosen = Map.copyOf(chosen);
            connection.settings = updated;
            LOG.info("{} - conversation {}: {} set to {}", name, conversationId, settingId, value);
            // Under the store lock and only while current, so a concurrent reset's remove wins (issue 12, race 1).
            conversation.storeLock.lock();
            try {
                if (connection.generation == conversation.generation.get()) {
                    store.put(
                            conversationId,
                            new StoredSession(
                                    connection.sessionId,
                                    connection.workingDirectory,
                                    Instant.now(),
                                    connection.chosen,
                                    connection.agent.id()));
                }
            } catch (RuntimeException e) {
                LOG.error(
                        "{} - conversation {}: could not store the chosen {}; a restarted agent will not get it",
                        name,
                        conversationId,
                        settingId,
                        e);
            } finally {
                conversation.storeLock.unlock();
            }
            return updated;
        });
    }

    /** Sends the request that sets {@code setting} to {@code value}; completes with the settings after it. */
    private static CompletableFuture<SessionSettings> send(
            AgentConnection connection, SessionSettings.Setting setting, String value) {
        String session = connection.sessionId;
        return switch (setting.kind()) {
            case MODE ->
                connection
                        .client
                        .setMode(session, value)
                        .thenApply(ok -> connection.settings.withCurrent(setting.id(), value));
            case MODEL -> {
                ObjectNode params = Json.object().put("sessionId", session).put("modelId", value);
                yield connection
                        .client
                        .request("session/set_model", params)
                        .future()
                        .thenApply(ok -> connection.settings.withCurrent(setting.id(), value));
            }
            case CONFIG_OPTION ->
                connection
                        .client
                        .setConfigOption(session, setting.id(), TextNode.valueOf(value))
                        .thenApply(options -> options.isEmpty()
                                ? connection.settings.withCurrent(setting.id(), value)
                                : connection.settings.withConfigOptions(options));
        };
    }

    /** Gives a new agent the settings chosen for its conversation before; one that fails is logged and skipped. */
    private void applyChosen(AgentConnection connection, Map<String, String> chosen) {
        connection.chosen = chosen;
        for (Map.Entry<String, String> choice : new java.util.TreeMap<>(chosen).entrySet()) {
            SessionSettings.Setting setting =
                    connection.settings.setting(choice.getKey()).orElse(null);
            if (setting == null || setting.choice(choice.getValue()).isEmpty()) {
                LOG.warn(
                        "{} - conversation {}: the agent no longer offers {} \"{}\"; not set",
                        name,
                        connection.conversationId,
                        choice.getKey(),
                        choice.getValue());
                continue;
            }
            if (choice.getValue().equals(setting.current())) {
                continue;
            }
            try {
                // Bounded by the client's request timeout.
                connection.settings =
                        send(connection, setting, choice.getValue()).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentStartException(
                        connection.conversationId,
                        AgentStartException.Stage.SESSION,
                        "interrupted while setting " + choice.getKey(),
                        e);
            } catch (ExecutionException | RuntimeException e) {
                LOG.warn(
                        "{} - conversation {}: could not set {} to {} again: {}",
                        name,
                        connection.conversationId,
                        choice.getKey(),
                        choice.getValue(),
                        e.toString());
            }
        }
    }

    private void forgetIfStored(Conversation conversation, String sessionId) {
        conversation.storeLock.lock();
        try {
            Optional<StoredSession> stored = store.get(conversation.id);
            if (stored.isPresent() && stored.get().sessionId().equals(sessionId)) {
                store.remove(conversation.id);
            }
        } catch (RuntimeException e) {
            LOG.error("{} - conversation {}: could not forget session {}", name, conversation.id, sessionId, e);
        } finally {
            conversation.storeLock.unlock();
        }
    }

    /** Forgets a conversation that has nothing left: no driver, no queue, no connection. */
    private void maybeRetire(Conversation conversation) {
        conversation.lock.lock();
        try {
            if (conversation.retired
                    || conversation.running
                    || !conversation.queue.isEmpty()
                    || conversation.connection != null) {
                return;
            }
            conversation.retired = true;
            conversations.remove(conversation.id, conversation);
        } finally {
            conversation.lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ control

    @Override
    public boolean cancel(String conversationId, boolean dropQueue) {
        Checks.notNull(conversationId, "conversationId");
        Conversation conversation = conversations.get(conversationId);
        if (conversation == null) {
            return false;
        }
        List<Submission> dropped = List.of();
        ActiveTurn turn;
        conversation.lock.lock();
        try {
            turn = conversation.active;
            if (dropQueue) {
                dropped = conversation.drain();
            }
        } finally {
            conversation.lock.unlock();
        }
        boolean cancelled = turn != null && turn.cancel();
        if (cancelled || !dropped.isEmpty()) {
            LOG.info(
                    "{} - conversation {}: cancel ({}turn, {} queued messages dropped)",
                    name,
                    conversationId,
                    cancelled ? "" : "no ",
                    dropped.size());
        }
        dropped(
                conversation,
                dropped,
                new BrokerException(conversationId, "dropped from the queue by cancel", CANCELLED_TEXT, null));
        return cancelled || !dropped.isEmpty();
    }

    @Override
    public void reset(String conversationId) {
        end(conversationId, false);
    }

    @Override
    public void close(String conversationId) {
        end(conversationId, true);
    }

    private void end(String conversationId, boolean endSession) {
        Checks.notNull(conversationId, "conversationId");
        String what = endSession ? "close" : "reset";
        if (endSession) {
            chosenAgents.remove(conversationId);
        } else {
            // A reset conversation stays on its agent, which its stored session no longer remembers.
            String agentId = agentOf(conversationId);
            if (!agentId.equals(registry.defaultId())) {
                chosenAgents.putIfAbsent(conversationId, agentId);
            }
        }
        Conversation conversation = conversations.get(conversationId);
        if (conversation != null) {
            List<Submission> dropped;
            ActiveTurn turn;
            conversation.lock.lock();
            try {
                long generation = conversation.generation.incrementAndGet();
                if (endSession) {
                    conversation.closedBelow = generation;
                }
                dropped = conversation.drain();
                turn = conversation.active;
            } finally {
                conversation.lock.unlock();
            }
            if (turn != null) {
                turn.cancel();
            }
            AgentConnection connection = conversation.connection;
            if (connection != null && endSession) {
                connection.endSession = true;
            }
            conversation.sessionId = null;
            conversation.lastError = null;
            dropped(
                    conversation,
                    dropped,
                    new BrokerException(
                            conversationId,
                            "dropped from the queue by " + what,
                            "The conversation was " + (endSession ? "closed" : "reset") + " before the agent replied.",
                            null));
        }
        boolean evicted = pool.evict(conversationId);
        LOG.info("{} - conversation {}: {} ({})", name, conversationId, what, evicted ? "agent stopped" : "no agent");
        try {
            if (conversation != null) {
                conversation.storeLock.lock();
                try {
                    store.remove(conversationId);
                } finally {
                    conversation.storeLock.unlock();
                }
            } else {
                store.remove(conversationId); // no Conversation, so no connection and no persist for it
            }
        } finally {
            if (conversation != null) {
                maybeRetire(conversation);
            }
        }
    }

    /** Completes dropped messages as cancelled, with no turn. */
    private void dropped(Conversation conversation, List<Submission> dropped, BrokerException why) {
        for (Submission submission : dropped) {
            submission.complete(new BrokerResult(
                    conversation.id,
                    submission.message,
                    BrokerResult.Outcome.CANCELLED,
                    null,
                    List.of(submission.message),
                    false,
                    null,
                    null,
                    why));
        }
    }

    @Override
    public List<ConversationStatus> status() {
        long now = ticker.read();
        List<ConversationStatus> all = new ArrayList<>();
        for (Conversation conversation : conversations.values()) {
            all.add(snapshot(conversation, now));
        }
        all.sort(Comparator.comparing(ConversationStatus::conversationId));
        return all;
    }

    @Override
    public Optional<ConversationStatus> status(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        Conversation conversation = conversations.get(conversationId);
        return conversation == null ? Optional.empty() : Optional.of(snapshot(conversation, ticker.read()));
    }

    private ConversationStatus snapshot(Conversation conversation, long now) {
        return conversation.snapshot(now, chosenAgents.get(conversation.id), registry.defaultId());
    }

    // ------------------------------------------------------------------------------------------ agents

    @Override
    public List<AgentSpec> agents() {
        return registry.specs();
    }

    @Override
    public String agentOf(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        Conversation conversation = conversations.get(conversationId);
        AgentConnection connection = conversation == null ? null : conversation.connection;
        if (connection != null) {
            return connection.agent.id();
        }
        String chosen = chosenAgents.get(conversationId);
        if (chosen != null) {
            return chosen;
        }
        StoredSession stored = storedSession(conversationId);
        if (stored != null && registry.find(storedAgent(stored)) != null) {
            return storedAgent(stored);
        }
        return registry.defaultId(); // also for a stored agent that is gone: see place()
    }

    @Override
    public boolean useAgent(String conversationId, String agentId) {
        checkId(conversationId);
        registry.get(conversationId, agentId);
        if (state.get() != State.OPEN) {
            throw new BrokerClosedException(conversationId, name);
        }
        String current = agentOf(conversationId);
        boolean hasSession = conversations.containsKey(conversationId) || storedSession(conversationId) != null;
        // Chosen before the reset: a connection made while it runs is either stale (made before the reset bumped
        // the generation, so retried) or made after it, and then it reads this choice.
        chosenAgents.put(conversationId, agentId);
        if (current.equals(agentId) || !hasSession) {
            return false;
        }
        LOG.info(
                "{} - conversation {}: switching from agent {} to agent {}; its session is reset",
                name,
                conversationId,
                current,
                agentId);
        end(conversationId, false);
        return true;
    }

    @Override
    public CompletableFuture<AgentReport> checkAgent(String agentId) {
        AgentRegistry.Agent agent;
        try {
            agent = registry.get("doctor", agentId);
        } catch (UnknownAgentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (state.get() != State.OPEN) {
            return CompletableFuture.failedFuture(new BrokerClosedException("doctor", name));
        }
        try {
            return CompletableFuture.supplyAsync(
                    () -> new AgentDoctor(agent, name, this::launch, this::closeClient).check(), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new BrokerClosedException("doctor", name));
        }
    }

    // ------------------------------------------------------------------------------------------ shutdown

    @Override
    public void shutdown() {
        if (!state.compareAndSet(State.OPEN, State.SHUTTING_DOWN)) {
            terminated.join();
            return;
        }
        try {
            shutdownNow();
        } finally {
            state.set(State.TERMINATED);
            terminated.complete(null);
        }
    }

    private void shutdownNow() {
        LOG.info("{} - shutting down: {} conversations, {} turns running", name, conversations.size(), drivers.size());
        // New messages are refused from here on; those waiting are dropped.
        dropEveryQueue();
        warm.close();
        if (!awaitAll(drivers, shutdownTimeout)) {
            int cancelled = 0;
            for (Conversation conversation : conversations.values()) {
                ActiveTurn turn = conversation.active;
                if (turn != null && turn.cancel()) {
                    cancelled++;
                }
            }
            LOG.info("{} - cancelled {} turns still running after {}", name, cancelled, shutdownTimeout);
            awaitAll(drivers, cancelGrace);
        }
        // Ends any turn still running at once; then the pool stores each session (eviction listener) and stops
        // every agent (closer), waiting up to its close timeout for turns that still hold their connection.
        registry.streamers().forEach(PromptStreamer::close);
        pool.close();
        awaitAll(drivers, poolCloseTimeout);
        Duration stopBound = registry.longestCloseGrace().multipliedBy(3).plusSeconds(5);
        if (!awaitAll(stopping, stopBound)) {
            LOG.warn("{} - {} agents were still stopping after {}", name, stopping.size(), stopBound);
        }
        if (leaseKeeper != null) {
            leaseKeeper.close(); // the stopped agents released their leases, so others may take over at once
        }
        // A message that slipped in while the broker was closing (there is no broker-wide lock) ends here.
        dropEveryQueue();
        if (ownsExecutor) {
            executor.shutdown();
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        if (orphans != null) {
            orphans.close();
        }
        LOG.info("{} - shut down", name);
    }

    private void dropEveryQueue() {
        for (Conversation conversation : conversations.values()) {
            List<Submission> queued;
            conversation.lock.lock();
            try {
                queued = conversation.drain();
            } finally {
                conversation.lock.unlock();
            }
            dropped(conversation, queued, new BrokerClosedException(conversation.id, name));
        }
    }

    /** Waits for every future in the map (a snapshot) up to {@code timeout}; true if all completed. */
    private static boolean awaitAll(Map<Long, CompletableFuture<Void>> futures, Duration timeout) {
        CompletableFuture<?>[] snapshot = futures.values().toArray(new CompletableFuture<?>[0]);
        try {
            CompletableFuture.allOf(snapshot).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return futures.values().stream().allMatch(CompletableFuture::isDone);
        } catch (TimeoutException | ExecutionException | CompletionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Runs a listener call; what it throws is logged and goes no further. */
    private void contain(@Nullable Conversation conversation, String method, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn(
                    "{} - conversation {}: listener {} threw; ignored",
                    name,
                    conversation == null ? "?" : conversation.id,
                    method,
                    e);
        }
    }

    /** For tests in this package: what the broker still tracks (conversations, running drivers, agents stopping). */
    List<Integer> internals() {
        return List.of(conversations.size(), drivers.size(), stopping.size());
    }

    /** For tests in this package: how many warm agents wait to be taken. */
    int warmAgentsReady() {
        return warm.ready();
    }

    /** For tests in this package: the client of the conversation's current agent, if it has one. */
    @Nullable
    AcpClient agentClient(String conversationId) {
        Conversation conversation = conversations.get(conversationId);
        AgentConnection connection = conversation == null ? null : conversation.connection;
        return connection == null ? null : connection.client;
    }

    /** For tests in this package: the broker's lease keeper, if leases are on. */
    @Nullable
    LeaseKeeper leaseKeeper() {
        return leaseKeeper;
    }

    @Override
    public String toString() {
        return "AcpBroker[" + name + ", " + conversations.size() + " conversations, " + state.get() + "]";
    }
}
