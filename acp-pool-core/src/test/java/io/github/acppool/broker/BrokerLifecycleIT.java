package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.awaitChunk;
import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.turn.LivenessPolicy;
import io.github.acppool.turn.TurnEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life of conversations and their agents against real fake-agent processes: resume after a broker restart
 * (openab #456, #951), a session that cannot be loaded, crashes, idle eviction, hung turns (openab #1300),
 * reset, close, shutdown, and agents that do not start.
 */
@Timeout(90)
final class BrokerLifecycleIT {
    private static final String A = "test:a";
    private static final String B = "test:b";
    private static final String PAUSED = "say started\nwait-for-continue\nsay finished";

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private String stateDir;

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
        stateDir = "--state-dir=" + root.resolve("agent-state");
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    /**
     * A broker restarted on the same JSON store resumes every conversation in a new agent process with {@code
     * session/load} (the agent offers no resume): the agent remembers the earlier prompts, and the replayed
     * history is not shown as the reply.
     */
    @Test
    void restartedBroker_resumesEachConversationWithSessionLoad() {
        Path file = root.resolve("sessions.json");
        AcpBroker first = fixture.start(b -> b.sessionStore(SessionStore.jsonFile(file)), stateDir, "--no-resume");
        String sessionA = first.prompt(A, message("a1", "ann", "say a1")).sessionId();
        String sessionB = first.prompt(B, message("b1", "bob", "say b1")).sessionId();
        first.shutdown();
        assertThat(fixture.agentProcesses()).isEmpty();

        EventLog log = new EventLog();
        AcpBroker second =
                fixture.start(b -> b.sessionStore(SessionStore.jsonFile(file)).listener(log), stateDir, "--no-resume");
        Recorder recorder = new Recorder();
        BrokerResult resumedA = second.prompt(A, message("a2", "ann", "history"), recorder);
        BrokerResult resumedB = second.prompt(B, message("b2", "bob", "history"));

        assertThat(resumedA.sessionId()).isEqualTo(sessionA);
        assertThat(resumedA.sessionReset()).isFalse();
        assertThat(resumedA.replyText()).isEqualTo("history: say a1");
        assertThat(recorder.calls).containsExactly("started [a2] reply to a2", "chunk history: say a1");
        assertThat(resumedB.sessionId()).isEqualTo(sessionB);
        assertThat(resumedB.replyText()).isEqualTo("history: say b1");
        assertThat(log.matching("resumed "))
                .containsExactly(
                        "resumed test:a " + sessionA + " session/load replayed 3",
                        "resumed test:b " + sessionB + " session/load replayed 3");
    }

    /** The agent resumes with {@code session/resume} when it offers it (no replay). */
    @Test
    void restartedBroker_prefersSessionResume() {
        Path file = root.resolve("sessions.json");
        AcpBroker first = fixture.start(b -> b.sessionStore(SessionStore.jsonFile(file)), stateDir);
        String session = first.prompt(A, message("a1", "ann", "say a1")).sessionId();
        first.shutdown();

        EventLog log = new EventLog();
        AcpBroker second =
                fixture.start(b -> b.sessionStore(SessionStore.jsonFile(file)).listener(log), stateDir);
        assertThat(second.prompt(A, message("a2", "ann", "history")).replyText())
                .isEqualTo("history: say a1");
        assertThat(log.matching("resumed "))
                .containsExactly("resumed test:a " + session + " session/resume replayed 0");
    }

    /**
     * A stored session the agent cannot load leads to a new session, and the first turn in it says so (start and
     * result), once.
     */
    @Test
    void failedSessionLoad_startsANewSession_andSaysSo() {
        SessionStore store = SessionStore.inMemory();
        AcpBroker first = fixture.start(b -> b.sessionStore(store), "--fail-load", "--no-resume");
        String old = first.prompt(A, message("a1", "ann", "say a1")).sessionId();
        first.shutdown();

        EventLog log = new EventLog();
        AcpBroker second = fixture.start(b -> b.sessionStore(store).listener(log), "--fail-load", "--no-resume");
        Recorder recorder = new Recorder();
        BrokerResult reset = second.prompt(A, message("a2", "ann", "history"), recorder);

        assertThat(reset.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(reset.sessionReset()).isTrue();
        assertThat(reset.sessionResetReason()).contains("session/load failed").contains("Resource not found");
        assertThat(recorder.start.sessionReset()).isTrue();
        assertThat(reset.turn().text()).isEqualTo("history: ");
        assertThat(reset.userText())
                .as("the user learns that the context is gone, not why (the reason names the session)")
                .isEqualTo("history: \n\n(The agent could not pick up the earlier conversation; it starts afresh.)");
        assertThat(reset.diagnostics())
                .contains("session reset: the agent could not find the old session (session/load failed")
                .contains("Resource not found");
        assertThat(log.matching("reset ")).containsExactly("reset test:a " + old + " -> " + reset.sessionId());
        assertThat(store.get(A).orElseThrow().sessionId()).isEqualTo(reset.sessionId());
        assertThat(second.prompt(A, message("a3", "ann", "say again")).sessionReset())
                .isFalse();
    }

    /** A crashed agent: the turn says how it died; the next message gets a new process that resumes the session. */
    @Test
    void crashedAgent_isReplacedOnTheNextMessage() {
        EventLog log = new EventLog();
        AcpBroker broker = fixture.start(b -> b.listener(log), stateDir);
        BrokerResult crashed = broker.prompt(A, message("a1", "ann", "say before\ncrash 3 boom"));
        assertThat(crashed.outcome()).isEqualTo(Outcome.AGENT_DIED);
        assertThat(crashed.turn().exitCode()).hasValue(3);
        assertThat(crashed.userText())
                .contains("before")
                .contains("stopped before finishing")
                .doesNotContain("boom");
        assertThat(crashed.diagnostics()).contains("exit code 3").contains("conversation " + A);
        await().until(() -> broker.status(A).map(s -> !s.alive()).orElse(true));

        BrokerResult next = broker.prompt(A, message("a2", "ann", "history"));
        assertThat(next.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(next.sessionId()).isEqualTo(crashed.sessionId());
        assertThat(next.sessionReset()).isFalse();
        assertThat(next.replyText()).isEqualTo("history: say before\ncrash 3 boom");
        assertThat(log.matching("evicted ")).containsExactly("evicted test:a " + crashed.sessionId() + " DEAD");
        assertThat(fixture.agentProcesses()).hasSize(1);
    }

    /** Idle eviction (fake clock) stops the agent and keeps the session; the next message resumes it. */
    @Test
    void idleEviction_suspends_andTheNextMessageResumes() {
        EventLog log = new EventLog();
        SessionStore store = SessionStore.inMemory();
        AcpBroker broker = fixture.start(
                b -> b.listener(log)
                        .sessionStore(store)
                        .poolConfig(PoolConfig.builder()
                                .idleTimeout(Duration.ofMinutes(10))
                                .cleanupInterval(Duration.ofMinutes(1))
                                .build()),
                stateDir);
        String session = broker.prompt(A, message("a1", "ann", "say one")).sessionId();

        fixture.clock.advance(Duration.ofMinutes(9));
        assertThat(broker.status(A).orElseThrow().idle()).isEqualTo(Duration.ofMinutes(9));
        assertThat(fixture.agentProcesses()).hasSize(1);
        fixture.clock.advance(Duration.ofMinutes(2));
        fixture.awaitNoAgentProcess();
        await().until(() -> broker.status(A).isEmpty());
        assertThat(store.get(A).orElseThrow().sessionId()).isEqualTo(session);

        BrokerResult resumed = broker.prompt(A, message("a2", "ann", "history"));
        assertThat(resumed.replyText()).isEqualTo("history: say one");
        assertThat(resumed.sessionId()).isEqualTo(session);
        assertThat(resumed.sessionReset()).isFalse();
        assertThat(log.events)
                .containsSubsequence(
                        "evicted test:a " + session + " IDLE",
                        "created test:a " + session,
                        "resumed test:a " + session + " session/resume replayed 0");
    }

    /**
     * A turn that cannot end (its listener blocks) is force-evicted once it outlives the hard timeout plus the
     * hung grace (openab #1300): its agent's process is killed, its caller gets HUNG with the reason, and the
     * conversation's next message works.
     */
    @Test
    void hungTurn_isForceEvicted_andItsCallerToldWhy() throws InterruptedException {
        EventLog log = new EventLog();
        AcpBroker broker = fixture.start(
                b -> b.listener(log)
                        .livenessPolicy(LivenessPolicy.builder()
                                .hardTimeout(Duration.ofSeconds(10))
                                .build())
                        .hungGrace(Duration.ofSeconds(5))
                        .poolConfig(PoolConfig.builder()
                                .cleanupInterval(Duration.ofSeconds(1))
                                .build()),
                stateDir);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        MessageListener blocking = new MessageListener() {
            @Override
            public void onEvent(TurnEvent event) {
                entered.countDown();
                try {
                    unblock.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try {
            CompletableFuture<BrokerResult> stuck = broker.promptAsync(A, message("a1", "ann", "say hi"), blocking);
            assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

            fixture.clock.advance(
                    Duration.ofSeconds(10)); // the hard timeout: the turn cannot end, the listener holds it
            assertThat(stuck).isNotDone();
            fixture.clock.advance(Duration.ofSeconds(6)); // past hard timeout + hung grace: cleanup evicts it as HUNG

            BrokerResult hung = get(stuck);
            assertThat(hung.outcome()).isEqualTo(Outcome.HUNG);
            assertThat(hung.turn()).isNull();
            assertThat(hung.error()).hasMessageContaining("hung limit").hasMessageContaining("killed");
            assertThat(hung.userText()).startsWith("No reply: the agent stopped responding, so it was restarted");
            fixture.awaitNoAgentProcess();
            assertThat(log.matching("evicted ")).singleElement().asString().endsWith("HUNG");
            assertThat(log.matching("turn ")).containsExactly("turn test:a HUNG 1");
        } finally {
            unblock.countDown();
        }
        BrokerResult next = broker.prompt(A, message("a2", "ann", "say alive again"));
        assertThat(next.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(next.replyText()).isEqualTo("alive again");
    }

    /** reset: the next message starts a new session without context and without claiming a lost session. */
    @Test
    void reset_startsAfresh() {
        SessionStore store = SessionStore.inMemory();
        AcpBroker broker = fixture.start(b -> b.sessionStore(store), stateDir);
        String old = broker.prompt(A, message("a1", "ann", "say one")).sessionId();

        broker.reset(A);
        assertThat(store.get(A)).isEmpty();
        fixture.awaitNoAgentProcess();

        BrokerResult fresh = broker.prompt(A, message("a2", "ann", "history"));
        assertThat(fresh.replyText()).isEqualTo("history: ");
        assertThat(fresh.sessionId()).isNotEqualTo(old);
        assertThat(fresh.sessionReset()).isFalse();
        assertThat(store.get(A).orElseThrow().sessionId()).isEqualTo(fresh.sessionId());
    }

    /** reset while a turn runs cancels it and drops the queue; the conversation then starts afresh. */
    @Test
    void reset_whileBusy_cancelsAndDrops() {
        AcpBroker broker = fixture.start(stateDir);
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> running = broker.promptAsync(A, message("a1", "ann", PAUSED), first);
        awaitChunk(first);
        CompletableFuture<BrokerResult> queued = broker.promptAsync(A, message("a2", "ann", "say queued"));

        broker.reset(A);

        assertThat(get(running).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(get(queued).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(get(queued).error()).hasMessageContaining("dropped from the queue by reset");
        assertThat(broker.prompt(A, message("a3", "ann", "history")).replyText())
                .isEqualTo("history: ");
    }

    /**
     * A reset that lands while the conversation's agent is being started: the connection made for the old
     * generation is stale, so the broker drops it (and its stored session) and the next message gets a new one.
     */
    @Test
    void resetDuringAgentStart_dropsTheStaleConnection() throws InterruptedException {
        CountDownLatch inFactory = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        SessionStore store = SessionStore.inMemory();
        AcpBroker broker = fixture.start(
                b -> b.sessionStore(store).workingDirectory(id -> {
                    if (first.getAndSet(false)) {
                        inFactory.countDown();
                        try {
                            proceed.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return root.resolve("work");
                }),
                stateDir);
        CompletableFuture<BrokerResult> early = broker.promptAsync(A, message("a1", "ann", "say early"));
        assertThat(inFactory.await(60, TimeUnit.SECONDS)).isTrue();
        broker.reset(A);
        CompletableFuture<BrokerResult> late = broker.promptAsync(A, message("a2", "ann", "history"));
        proceed.countDown();

        BrokerResult cancelled = get(early);
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
        BrokerResult fresh = get(late);
        assertThat(fresh.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(fresh.replyText()).isEqualTo("history: ");
        assertThat(store.snapshot()).containsOnlyKeys(A);
        assertThat(store.get(A).orElseThrow().sessionId()).isEqualTo(fresh.sessionId());
        await().until(() -> fixture.agentProcesses().size() == 1);
    }

    /** close: the agent closes the session, the process stops, and the broker and the store forget the conversation. */
    @Test
    void close_endsTheConversation() {
        SessionStore store = SessionStore.inMemory();
        AcpBroker broker = fixture.start(b -> b.sessionStore(store), stateDir);
        String session = broker.prompt(A, message("a1", "ann", "say one")).sessionId();
        Path history = root.resolve("agent-state").resolve(session + ".jsonl");
        assertThat(history).exists();

        broker.close(A);

        fixture.awaitNoAgentProcess();
        assertThat(history).as("session/close reached the agent").doesNotExist();
        assertThat(store.get(A)).isEmpty();
        await().until(() -> broker.status(A).isEmpty());
        assertThat(broker.prompt(A, message("a2", "ann", "history")).replyText())
                .isEqualTo("history: ");
    }

    /**
     * Shutdown: refuses new messages, drops the queue, cancels the running turn (timeout zero), stores every session
     * (also one whose first write failed), and no agent process is left when it returns.
     */
    @Test
    void shutdown_persistsEverything_andLeavesNoAgentProcess() {
        FlakyStore store = new FlakyStore(B);
        AcpBroker broker = fixture.start(b -> b.sessionStore(store).shutdownTimeout(Duration.ZERO));
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> running = broker.promptAsync(A, message("a1", "ann", PAUSED), first);
        awaitChunk(first);
        CompletableFuture<BrokerResult> queued = broker.promptAsync(A, message("a2", "ann", "say never"));
        String sessionB = broker.prompt(B, message("b1", "bob", "say b")).sessionId();
        assertThat(store.get(B)).as("the first write failed").isEmpty();
        assertThat(fixture.agentProcesses()).hasSize(2);

        broker.shutdown();

        assertThat(fixture.agentProcesses()).isEmpty();
        BrokerResult cancelled = get(running);
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
        BrokerResult dropped = get(queued);
        assertThat(dropped.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(dropped.error()).isInstanceOf(BrokerClosedException.class);
        assertThat(store.snapshot().keySet()).containsExactlyInAnyOrder(A, B);
        assertThat(store.get(A).orElseThrow().sessionId()).isEqualTo(cancelled.sessionId());
        assertThat(store.get(B).orElseThrow().sessionId()).isEqualTo(sessionB);
        assertThatThrownBy(() -> broker.promptAsync(A, message("a3", "ann", "say late")))
                .isInstanceOf(BrokerClosedException.class)
                .hasMessageContaining("conversation test:a");
        assertThat(broker.status()).allSatisfy(s -> assertThat(s.alive()).isFalse());
        broker.shutdown(); // idempotent
    }

    /** An agent that exits before initialize: a clear exception with its exit code and stderr, and no process. */
    @Test
    void agentThatDoesNotStart_reachesTheCallerAsAgentStartException() {
        AcpBroker broker = fixture.start("--exit-before-initialize=7");
        assertThatThrownBy(() -> broker.prompt(A, message("a1", "ann", "say hi")))
                .isInstanceOf(AgentStartException.class)
                .hasMessageContaining("conversation test:a")
                .hasMessageContaining("exit code 7")
                .hasMessageContaining("fake agent refuses to start")
                .satisfies(e ->
                        assertThat(((AgentStartException) e).stage()).isEqualTo(AgentStartException.Stage.INITIALIZE));
        assertThat(fixture.agentProcesses()).isEmpty();
        await().until(() -> broker.status(A).isEmpty());
    }

    /** An agent whose command does not exist: LAUNCH. */
    @Test
    void missingAgentCommand_isALaunchFailure() {
        AcpBroker broker = fixture.start(AcpBroker.builder()
                .agent(io.github.acppool.acp.AgentLaunchSpec.builder(
                                root.resolve("no-such-agent").toString())
                        .build())
                .workingDirectory(id -> root.resolve("work")));
        assertThatThrownBy(() -> broker.prompt(A, message("a1", "ann", "say hi")))
                .isInstanceOf(AgentStartException.class)
                .hasMessageContaining("could not start the agent process")
                .satisfies(
                        e -> assertThat(((AgentStartException) e).stage()).isEqualTo(AgentStartException.Stage.LAUNCH));
    }

    /** Per-conversation working directories are created and the agent runs in them. */
    @Test
    void workingDirectory_isPerConversation_andCreated() {
        SessionStore store = SessionStore.inMemory();
        AcpBroker broker = fixture.start(b -> b.sessionStore(store));
        broker.prompt(A, message("a1", "ann", "say hi"));
        Path expected = root.resolve("work").resolve("test_a");
        assertThat(Files.isDirectory(expected)).isTrue();
        assertThat(store.get(A).map(StoredSession::workingDirectory)).isEqualTo(Optional.of(expected));
    }

    /** An in-memory store whose first write for one conversation fails. */
    private static final class FlakyStore implements SessionStore {
        private final SessionStore delegate = SessionStore.inMemory();
        private final String failing;
        private final AtomicBoolean failed = new AtomicBoolean();

        FlakyStore(String failing) {
            this.failing = failing;
        }

        @Override
        public Optional<StoredSession> get(String conversationId) {
            return delegate.get(conversationId);
        }

        @Override
        public void put(String conversationId, StoredSession session) {
            if (conversationId.equals(failing) && failed.compareAndSet(false, true)) {
                throw new SessionStoreException("disk full (test)", null);
            }
            delegate.put(conversationId, session);
        }

        @Override
        public void remove(String conversationId) {
            delegate.remove(conversationId);
        }

        @Override
        public Map<String, StoredSession> snapshot() {
            return delegate.snapshot();
        }
    }
}
