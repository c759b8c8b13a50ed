package io.github.acppool.broker;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.google.errorprone.annotations.CheckReturnValue;
import io.github.acppool.Ticker;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.internal.Checks;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import io.github.acppool.turn.PromptStreamer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * "Send this message to the agent of conversation K and stream the reply": the one entry point of a chat front
 * end (Discord, Slack, a web chat). It keeps one agent process and one ACP session per conversation, in a
 * {@link io.github.acppool.pool.ConnectionPool} whose busy connections never block each other, remembers each
 * conversation's session in a {@link SessionStore} so that evicted or restarted conversations resume their
 * context, and queues messages that arrive while a conversation's turn runs.
 *
 * <pre>{@code
 * AcpBroker broker = AcpBroker.builder()
 *         .agent(AgentLaunchSpec.builder("npx").args("@zed-industries/codex-acp").build())
 *         .workingDirectory(conversationId -> Path.of("/srv/threads", conversationId.replace(':', '-')))
 *         .sessionStore(SessionStore.jsonFile(Path.of("/srv/acp-broker/sessions.json")))
 *         .build();
 * ChatMessage message = ChatMessage.text(messageId, new Sender(userId, userName), "fix the failing test");
 * broker.promptAsync("discord:" + threadId, message, new MessageListener() {
 *     public void onQueued(int position) { react("👀"); }
 *     public void onEvent(TurnEvent event) { if (event instanceof TurnEvent.TextChunk c) preview.append(c.text()); }
 * }).thenAccept(result -> { if (result.repliedHere()) send(result.replyText()); });
 * // ... and at exit:
 * broker.shutdown();
 * }</pre>
 *
 * <p><b>Conversation ids</b> are strings such as {@code discord:<thread id>}: they are the keys of the {@link
 * SessionStore} (a JSON file, or a database row), of log lines and of metrics, so they must survive a restart
 * and mean the same thing to every front end and to an operator reading them; a string does that without a
 * codec, and a front end prefixes its platform to keep ids of different front ends apart. An id must not be
 * blank, must be at most {@value #MAX_CONVERSATION_ID_LENGTH} characters and must not contain control
 * characters.
 *
 * <p><b>Per conversation</b> one turn runs at a time. A message that arrives while its conversation is busy is
 * queued, never blocked on and never dropped (unless the queue is at its cap, which throws {@link
 * QueueFullException}). When the turn ends, the queued messages become the next prompt, merged in arrival
 * order with sender attribution ({@link PromptComposer}), up to {@code maxMessagesPerTurn} at a time. Each
 * submitted message's future completes exactly once, with a {@link BrokerResult} or exceptionally.
 *
 * <p><b>Across conversations</b> nothing waits for anything: a stuck turn delays only its own conversation;
 * {@link #cancel}, {@link #reset}, {@link #close(String)} and {@link #status()} never wait for a turn, a
 * connection or an agent.
 *
 * <p><b>Ownership:</b> the broker owns every agent process it starts and stops them all in {@link #shutdown()}.
 * Executors and schedulers it created itself are shut down by {@link #shutdown()}; those given to the builder
 * only if the builder was told so. The {@link SessionStore} belongs to the caller.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public interface AcpBroker extends AutoCloseable {

    /** The longest conversation id accepted. */
    int MAX_CONVERSATION_ID_LENGTH = 256;

    static Builder builder() {
        return new Builder();
    }

    /**
     * Submits {@code message} and waits for its result; see {@link #promptAsync}. If the waiting thread is
     * interrupted, the message stays submitted (its turn runs or it stays queued; use {@link #cancel} to stop
     * it), the interrupt flag is set again and a {@link BrokerException} is thrown.
     *
     * @throws QueueFullException if the conversation's queue is at its cap (nothing was submitted)
     * @throws BrokerClosedException if the broker is shutting down
     * @throws NoAgentAvailableException if the conversation needed a new agent and every slot stayed busy
     * @throws AgentStartException if the conversation's agent could not be started or given a session
     */
    BrokerResult prompt(String conversationId, ChatMessage message, MessageListener listener);

    /**
     * Submits {@code message} for the agent of {@code conversationId} and returns at once. If the conversation
     * has no live agent, one is started: its process is launched in the conversation's working directory and
     * initialized, and the stored session is resumed ({@code session/resume} if the agent advertises it, else
     * {@code session/load}, whose replay is not shown), or else a new session is created and stored at once.
     * If a stored session could not be resumed, the result says {@link BrokerResult#sessionReset()}.
     *
     * <p>The future completes exactly once, after the listener's last call: with the message's {@link
     * BrokerResult} (also when the turn was cancelled, timed out or the agent died: see {@link
     * BrokerResult#outcome()}), or exceptionally with {@link NoAgentAvailableException}, {@link
     * AgentStartException} or {@link BrokerClosedException}. Dependent actions run on the broker thread that
     * ended the turn and delay that conversation's next turn: use the {@code *Async} variants for slow work.
     * The returned future is a copy: completing or cancelling it has no effect on the message (use {@link
     * #cancel}).
     *
     * @throws QueueFullException if the conversation's queue is at its cap (nothing was submitted)
     * @throws BrokerClosedException if the broker is shutting down
     * @throws IllegalArgumentException if {@code conversationId} is not a valid id
     */
    @CheckReturnValue
    CompletableFuture<BrokerResult> promptAsync(String conversationId, ChatMessage message, MessageListener listener);

    /** {@link #prompt(String, ChatMessage, MessageListener)} without a listener: just the result. */
    default BrokerResult prompt(String conversationId, ChatMessage message) {
        return prompt(conversationId, message, MessageListener.none());
    }

    /** {@link #promptAsync(String, ChatMessage, MessageListener)} without a listener: just the result. */
    @CheckReturnValue
    default CompletableFuture<BrokerResult> promptAsync(String conversationId, ChatMessage message) {
        return promptAsync(conversationId, message, MessageListener.none());
    }

    /**
     * Cancels the conversation's running turn (or the one being prepared), keeping its queued messages, which
     * then run as the next turn. Same as {@code cancel(conversationId, false)}.
     *
     * @return whether there was something to cancel
     */
    @CanIgnoreReturnValue
    default boolean cancel(String conversationId) {
        return cancel(conversationId, false);
    }

    /**
     * Cancels the conversation's running turn without waiting for it or for its connection: sends {@code
     * session/cancel} through the turn's own handle; the turn then ends {@link BrokerResult.Outcome#CANCELLED}
     * (after at most the cancel grace). If {@code dropQueue}, the messages waiting behind it are dropped too and
     * complete as {@code CANCELLED} with no turn. Never blocks.
     *
     * @return whether there was a turn to cancel or a message to drop
     */
    @CanIgnoreReturnValue
    boolean cancel(String conversationId, boolean dropQueue);

    /**
     * Starts the conversation afresh: cancels its turn, drops its queue, stops its agent and forgets its stored
     * session, so that its next message creates a new session (without {@code sessionReset}: the loss of
     * context was asked for). Never waits for the turn or the agent.
     *
     * @throws SessionStoreException if the store could not forget the session (everything else was done)
     */
    void reset(String conversationId);

    /**
     * Ends the conversation and frees its slot: like {@link #reset}, and in addition its agent is asked to
     * {@code session/close} the session (if it supports that) before it is stopped, and the broker forgets the
     * conversation. A later message to the same id starts a new conversation. To free a slot but keep the
     * context, rely on idle eviction instead, which suspends a conversation. Never waits for the turn or the
     * agent.
     *
     * @throws SessionStoreException if the store could not forget the session (everything else was done)
     */
    void close(String conversationId);

    /**
     * A snapshot of every conversation the broker tracks (those with an agent, a turn or queued messages),
     * ordered by id. Never waits for a turn, a connection, an agent or the session store.
     */
    List<ConversationStatus> status();

    /**
     * The settings (modes, models, select config options) that the agent of {@code conversationId} advertised for
     * its session, with their current values; empty while no agent runs for the conversation.
     */
    default Optional<SessionSettings> settings(String conversationId) {
        return Optional.empty();
    }

    /**
     * Sets the setting {@code settingId} ({@link SessionSettings.Setting#id()}) of the conversation's session to
     * {@code value} with the matching request ({@code session/set_mode}, {@code session/set_model} or {@code
     * session/set_config_option}) and stores the choice with the conversation, so that a resumed or new session of
     * it (after an eviction or a restart) gets it again. Completes with the settings after the change; fails with
     * {@link IllegalStateException} when no agent runs for the conversation, {@link IllegalArgumentException} when
     * the agent does not offer that setting or value, or with the agent's error.
     */
    @CheckReturnValue
    default CompletableFuture<SessionSettings> choose(String conversationId, String settingId, String value) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("this broker does not manage session settings"));
    }

    /** The snapshot of one conversation, if the broker tracks it; see {@link #status()}. */
    Optional<ConversationStatus> status(String conversationId);

    /**
     * The agents this broker can start, the default first. A broker built with a single {@link
     * Builder#agent(AgentLaunchSpec) agent} has one, with the id {@value AgentSpec#DEFAULT_ID_FOR_SINGLE}.
     */
    default List<AgentSpec> agents() {
        throw new UnsupportedOperationException("this broker does not list its agents");
    }

    /**
     * The id of the agent {@code conversationId} runs on: the one stored with its session, else the one chosen
     * for it ({@link #useAgent}), else the default. A session stored for an agent the broker no longer has
     * counts as the default agent's: it is not resumed, the conversation continues on the default agent in a new
     * session, and the first result says {@link BrokerResult#sessionReset()}. May read the session store.
     */
    default String agentOf(String conversationId) {
        throw new UnsupportedOperationException("this broker has a single agent");
    }

    /**
     * Puts {@code conversationId} on the agent {@code agentId} from its next message. For a conversation that
     * already runs on another agent this is an explicit {@link #reset}: its session, and so the agent's
     * context, is lost; the messages queued for it are dropped. The choice holds over a {@link #reset} and
     * ends with {@link #close(String)}.
     *
     * @return true if the conversation was on another agent (its context is lost), false if nothing changed
     *     or it had no session yet
     * @throws UnknownAgentException if the broker has no agent {@code agentId}
     */
    default boolean useAgent(String conversationId, String agentId) {
        throw new UnsupportedOperationException("this broker has a single agent");
    }

    /**
     * Checks the agent {@code agentId} as this broker would launch it (its command, a start, {@code
     * initialize}, authentication and the variables it needs), then stops the process it started. It touches
     * no conversation.
     *
     * @return the report; the future fails with {@link UnknownAgentException} if the broker has no agent {@code
     *     agentId}
     */
    @CheckReturnValue
    default CompletableFuture<AgentReport> checkAgent(String agentId) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException("this broker does not check its agents"));
    }

    /**
     * Shuts down: refuses new messages ({@link BrokerClosedException}); drops queued messages (they complete
     * {@code CANCELLED}); waits up to the shutdown timeout for running turns, then cancels the rest; stores
     * every live conversation's session id; stops every agent process (and its descendants) and waits for
     * them to exit; shuts down the executors the broker owns. Blocks until done: at most about the shutdown
     * timeout plus the pool's close timeout plus twice the client's close grace. Idempotent; a concurrent call
     * waits for the first.
     */
    void shutdown();

    /** Same as {@link #shutdown()}. */
    @Override
    default void close() {
        shutdown();
    }

    /**
     * Builds an {@link AcpBroker}. Only the agent is required. Each setting may be given once (a second call
     * throws {@link IllegalStateException}); values are validated by {@link #build()}. Defaults (they may change
     * between releases):
     *
     * <ul>
     *   <li>{@code authPolicy} {@link AuthPolicy#automatic()};
     *   <li>{@code workingDirectory}: the agent spec's working directory, or this JVM's, for every conversation;
     *   <li>{@code clientOptions} {@link AcpClientOptions#defaults()} (rejects every permission request and
     *       gives no file access: choose a {@link io.github.acppool.acp.PermissionPolicy} for real agents);
     *   <li>{@code poolConfig} {@link PoolConfig#defaults()} (10 conversations with an agent, 4 h idle
     *       timeout); its {@code hungTimeout}, if zero, becomes the liveness policy's hard timeout plus {@code
     *       hungGrace};
     *   <li>{@code drainPolicy} {@link DrainPolicy#defaultPolicy()}, {@code livenessPolicy} {@link
     *       LivenessPolicy#defaults()}, {@code cancelGrace} {@link PromptStreamer#DEFAULT_CANCEL_GRACE};
     *   <li>{@code quietGap}: the drain policy's window (see {@link PromptStreamer.Builder#quietGap});
     *   <li>{@code hungGrace} {@link #DEFAULT_HUNG_GRACE};
     *   <li>{@code sessionStore} {@link SessionStore#inMemory()};
     *   <li>{@code maxQueuedMessages} {@value #DEFAULT_MAX_QUEUED_MESSAGES}, {@code maxMessagesPerTurn}
     *       {@value #DEFAULT_MAX_MESSAGES_PER_TURN};
     *   <li>{@code promptComposer} {@link PromptComposer#attributed()};
     *   <li>{@code listener}: none;
     *   <li>{@code executor}: a cached pool of daemon threads named {@code <pool name>-broker-<n>}, one per busy
     *       conversation while its turn runs (idle threads end after a minute), shut down by {@link
     *       AcpBroker#shutdown()};
     *   <li>{@code scheduler}: one daemon timer thread for the pool's cleanup and every turn's timers, shut down
     *       by {@link AcpBroker#shutdown()};
     *   <li>{@code ticker} {@link Ticker#systemTicker()};
     *   <li>{@code shutdownTimeout} {@link #DEFAULT_SHUTDOWN_TIMEOUT};
     *   <li>{@code warmAgents} 0 (no spare agents);
     *   <li>{@code leases}: none (this broker alone serves its conversations); {@code leaseOwner} {@link
     *       ConversationLeases#defaultOwnerId()}, {@code leaseTtl} {@link #DEFAULT_LEASE_TTL}, {@code leaseWait}
     *       zero.
     * </ul>
     *
     * <p>Not thread-safe: use one builder from one thread.
     */
    final class Builder {
        /** Default {@code maxQueuedMessages}: {@value}, openab's dispatcher buffer cap. */
        public static final int DEFAULT_MAX_QUEUED_MESSAGES = 10;
        /** Default {@code maxMessagesPerTurn}: {@value}. */
        public static final int DEFAULT_MAX_MESSAGES_PER_TURN = 10;
        /** Default {@code hungGrace}: 2 minutes, as in openab #1300. */
        public static final Duration DEFAULT_HUNG_GRACE = Duration.ofMinutes(2);
        /** Default {@code shutdownTimeout}: 10 seconds. */
        public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
        /** Default {@code leaseTtl}: 30 seconds, so a crashed instance's conversations move within half a minute. */
        public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(30);

        @Nullable
        AgentLaunchSpec agent;

        final List<AgentSpec> agents = new ArrayList<>();

        @Nullable
        String defaultAgent;

        @Nullable
        Path stateDirectory;

        @Nullable
        AuthPolicy authPolicy;

        @Nullable
        Function<String, Path> workingDirectory;

        @Nullable
        AcpClientOptions clientOptions;

        @Nullable
        PoolConfig poolConfig;

        @Nullable
        DrainPolicy drainPolicy;

        @Nullable
        LivenessPolicy livenessPolicy;

        @Nullable
        Duration cancelGrace;

        @Nullable
        Duration quietGap;

        @Nullable
        Duration hungGrace;

        @Nullable
        SessionStore sessionStore;

        @Nullable
        Integer maxQueuedMessages;

        @Nullable
        Integer maxMessagesPerTurn;

        @Nullable
        PromptComposer promptComposer;

        @Nullable
        BrokerListener listener;

        @Nullable
        ExecutorService executor;

        boolean shutdownExecutor;

        @Nullable
        ScheduledExecutorService scheduler;

        boolean shutdownScheduler;

        @Nullable
        Ticker ticker;

        @Nullable
        Duration shutdownTimeout;

        @Nullable
        Integer warmAgents;

        @Nullable
        ConversationLeases leases;

        @Nullable
        String leaseOwner;

        @Nullable
        Duration leaseTtl;

        @Nullable
        Duration leaseWait;

        private Builder() {}

        /**
         * How to start the agent process of every conversation: a broker with a single agent, whose id is {@value
         * AgentSpec#DEFAULT_ID_FOR_SINGLE}. Either this or {@link #agent(AgentSpec)} is required, not both. Its
         * working directory is replaced by {@link #workingDirectory(Function)}'s, if given.
         */
        @CanIgnoreReturnValue
        public Builder agent(AgentLaunchSpec value) {
            Checks.state(
                    agents.isEmpty(),
                    "agent(AgentLaunchSpec) and agent(AgentSpec) cannot be mixed: give every agent as an AgentSpec");
            agent = Checks.setOnce(agent, value, "agent");
            return this;
        }

        /**
         * Adds a named agent a conversation can run on ({@link AcpBroker#useAgent}); repeatable, ids must be
         * unique. The settings the spec leaves unset are this builder's. Cannot be mixed with {@link
         * #agent(AgentLaunchSpec)}.
         *
         * @throws IllegalArgumentException if an agent with the same id was added already
         */
        @CanIgnoreReturnValue
        public Builder agent(AgentSpec value) {
            Checks.notNull(value, "agent");
            Checks.state(
                    agent == null,
                    "agent(AgentLaunchSpec) and agent(AgentSpec) cannot be mixed: give every agent as an AgentSpec");
            for (AgentSpec known : agents) {
                Checks.argument(!known.id().equals(value.id()), "two agents have the id '%s'", value.id());
            }
            agents.add(value);
            return this;
        }

        /**
         * The agent of a conversation that chose none ({@link AcpBroker#useAgent}); default: the first agent
         * added. Must be the id of an agent added with {@link #agent(AgentSpec)}.
         */
        @CanIgnoreReturnValue
        public Builder defaultAgent(String id) {
            defaultAgent = Checks.setOnce(defaultAgent, id, "defaultAgent");
            return this;
        }

        /**
         * A directory the broker keeps its own state in: a record of the agent processes it runs, so that a later
         * broker with the same directory stops the agents a killed one left behind (at {@link #build()}). Put it
         * next to the session store. Default: none, and orphans are not looked for.
         */
        @CanIgnoreReturnValue
        public Builder stateDirectory(Path value) {
            stateDirectory = Checks.setOnce(stateDirectory, value, "stateDirectory");
            return this;
        }

        /**
         * How agents authenticate (ACP {@code authenticate}) after {@code initialize}, when they advertise {@code
         * authMethods}; the agent spec's own {@link AgentLaunchSpec#authPolicy()} wins. When an agent needs
         * authentication that nothing configured satisfies, its conversation's message fails with {@link
         * AgentAuthenticationException}, whose details tell the operator what to set.
         */
        @CanIgnoreReturnValue
        public Builder authPolicy(AuthPolicy value) {
            authPolicy = Checks.setOnce(authPolicy, value, "authPolicy");
            return this;
        }

        /**
         * The working directory of each conversation's agent process and ACP session: an absolute path, created
         * if missing. Called on a broker thread when a conversation needs an agent; must be thread-safe. A
         * session is resumed only in the directory it was created in.
         */
        @CanIgnoreReturnValue
        public Builder workingDirectory(Function<String, Path> value) {
            workingDirectory = Checks.setOnce(workingDirectory, value, "workingDirectory");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder clientOptions(AcpClientOptions value) {
            clientOptions = Checks.setOnce(clientOptions, value, "clientOptions");
            return this;
        }

        /** Pool limits: agents at once, idle timeout, cleanup interval, acquire and close timeouts, name. */
        @CanIgnoreReturnValue
        public Builder poolConfig(PoolConfig value) {
            poolConfig = Checks.setOnce(poolConfig, value, "poolConfig");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder drainPolicy(DrainPolicy value) {
            drainPolicy = Checks.setOnce(drainPolicy, value, "drainPolicy");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder livenessPolicy(LivenessPolicy value) {
            livenessPolicy = Checks.setOnce(livenessPolicy, value, "livenessPolicy");
            return this;
        }

        /**
         * How long a conversation's session must have been quiet before its next prompt is written, so that the
         * tail of the previous reply (or a loaded session's replayed history) is not taken for the new reply: it
         * goes to the previous message's {@link MessageListener#onLateEvent} instead. Only back-to-back messages
         * wait; zero sends at once. See {@link PromptStreamer.Builder#quietGap}.
         */
        @CanIgnoreReturnValue
        public Builder quietGap(Duration value) {
            quietGap = Checks.nonNegative(Checks.setOnce(quietGap, value, "quietGap"), "quietGap");
            return this;
        }

        /** How long a cancelled turn waits for the agent's answer before it ends anyway. */
        @CanIgnoreReturnValue
        public Builder cancelGrace(Duration value) {
            cancelGrace = Checks.setOnce(cancelGrace, value, "cancelGrace");
            return this;
        }

        /**
         * How much longer than the liveness policy's hard timeout a turn may hold its connection before the pool
         * force-evicts it as hung and kills its agent (openab #1300). Used when the pool config's {@code
         * hungTimeout} is zero.
         */
        @CanIgnoreReturnValue
        public Builder hungGrace(Duration value) {
            hungGrace = Checks.setOnce(hungGrace, value, "hungGrace");
            return this;
        }

        /** Where conversations' sessions are kept; the broker does not close it. */
        @CanIgnoreReturnValue
        public Builder sessionStore(SessionStore value) {
            sessionStore = Checks.setOnce(sessionStore, value, "sessionStore");
            return this;
        }

        /** How many messages may wait behind a conversation's running turn before more are refused. */
        @CanIgnoreReturnValue
        public Builder maxQueuedMessages(int value) {
            maxQueuedMessages = Checks.setOnce(maxQueuedMessages, value, "maxQueuedMessages");
            return this;
        }

        /** How many queued messages are merged into one turn at most; the rest wait for the following turn. */
        @CanIgnoreReturnValue
        public Builder maxMessagesPerTurn(int value) {
            maxMessagesPerTurn = Checks.setOnce(maxMessagesPerTurn, value, "maxMessagesPerTurn");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder promptComposer(PromptComposer value) {
            promptComposer = Checks.setOnce(promptComposer, value, "promptComposer");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder listener(BrokerListener value) {
            listener = Checks.setOnce(listener, value, "listener");
            return this;
        }

        /**
         * Runs the conversations' turns (a task per busy conversation, which holds its thread for the whole turn)
         * and stops agent processes. A bounded executor caps how many turns run at once; the others wait in its
         * queue. It must not run tasks on the submitting thread.
         *
         * @param shutdownOnClose whether {@link AcpBroker#shutdown()} shuts it down
         */
        @CanIgnoreReturnValue
        public Builder executor(ExecutorService value, boolean shutdownOnClose) {
            executor = Checks.setOnce(executor, value, "executor");
            shutdownExecutor = shutdownOnClose;
            return this;
        }

        /**
         * Runs the pool's periodic cleanup and every turn's timers (drain, liveness, timeouts); its tasks are
         * short.
         *
         * @param shutdownOnClose whether {@link AcpBroker#shutdown()} shuts it down
         */
        @CanIgnoreReturnValue
        public Builder scheduler(ScheduledExecutorService value, boolean shutdownOnClose) {
            scheduler = Checks.setOnce(scheduler, value, "scheduler");
            shutdownScheduler = shutdownOnClose;
            return this;
        }

        /** The clock of idle times, turn timings and timeouts; must agree with the scheduler's delays. */
        @CanIgnoreReturnValue
        public Builder ticker(Ticker value) {
            ticker = Checks.setOnce(ticker, value, "ticker");
            return this;
        }

        /** How long {@link AcpBroker#shutdown()} lets running turns finish before it cancels them. */
        @CanIgnoreReturnValue
        public Builder shutdownTimeout(Duration value) {
            shutdownTimeout = Checks.setOnce(shutdownTimeout, value, "shutdownTimeout");
            return this;
        }

        /**
         * Conversation ownership across broker instances that share one {@link SessionStore}: before it starts an
         * agent for a conversation (new or resumed), the broker takes the conversation's lease; it renews the lease
         * every third of {@link #leaseTtl} while the agent lives, and releases it once the agent has stopped
         * (suspend, reset, close, a dead agent, shutdown). A message whose conversation is leased by a live other
         * instance starts no agent: it ends {@link BrokerResult.Outcome#OWNED_ELSEWHERE} (after waiting up to
         * {@link #leaseWait}) and the listener's {@link BrokerListener#onLeaseConflict} is called. A lease that
         * cannot be renewed in time is given up and its agent stopped, even mid-turn, so that a conversation never
         * has two agents. Lease work happens only when an agent starts or stops and on the renewal timer, never
         * while a turn streams. Not needed for a single broker; the broker does not close it.
         */
        @CanIgnoreReturnValue
        public Builder leases(ConversationLeases value) {
            leases = Checks.setOnce(leases, value, "leases");
            return this;
        }

        /**
         * This broker's id in the {@link #leases}: unique among the instances (at most {@value
         * ConversationLeases#MAX_OWNER_LENGTH} characters); an operator sees it in the lease table.
         */
        @CanIgnoreReturnValue
        public Builder leaseOwner(String value) {
            leaseOwner = Checks.setOnce(leaseOwner, value, "leaseOwner");
            return this;
        }

        /**
         * How long a lease lasts without renewal: how soon another instance may take over the conversations of
         * a crashed one. At least a second.
         */
        @CanIgnoreReturnValue
        public Builder leaseTtl(Duration value) {
            leaseTtl = Checks.setOnce(leaseTtl, value, "leaseTtl");
            return this;
        }

        /**
         * How long a message whose conversation is leased by another live instance waits for that lease to be
         * released or to expire before it ends {@link BrokerResult.Outcome#OWNED_ELSEWHERE}; the wait holds the
         * conversation's turn (its later messages queue behind it). Zero (the default) answers at once.
         */
        @CanIgnoreReturnValue
        public Builder leaseWait(Duration value) {
            leaseWait = Checks.setOnce(leaseWait, value, "leaseWait");
            return this;
        }

        /**
         * How many spare agents to keep started, initialized and authenticated ahead, so that a new or resumed
         * conversation takes one instead of waiting for a process start and {@code initialize}; replaced in the
         * background as they are taken. A conversation takes a spare only if it would launch the agent exactly
         * as the spare was launched (command, environment, working directory): with no {@link #workingDirectory}
         * function that is every conversation; with one, spares follow a directory once two conversations in a
         * row started in it (per-conversation directories get none).
         *
         * <p>Spares count against the pool's {@code maxSize}: they only use free room, and a conversation that
         * needs a process when the pool is full stops a spare first, never another conversation. A spare that
         * fails to start or dies while waiting is replaced after a backoff (1 s, doubling up to a minute).
         * {@link AcpBroker#shutdown()} stops them. Zero (the default) keeps none.
         */
        @CanIgnoreReturnValue
        public Builder warmAgents(int value) {
            warmAgents = Checks.setOnce(warmAgents, value, "warmAgents");
            return this;
        }

        /**
         * Builds the broker; starts no conversation's agent yet (its warm agents start in the background).
         *
         * @throws NullPointerException if no agent was given
         * @throws IllegalArgumentException if a value is out of range, or the default agent is not one of the agents
         */
        public AcpBroker build() {
            return new DefaultAcpBroker(this);
        }
    }
}
