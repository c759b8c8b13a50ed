package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.pool.PoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for the broker races of issue 12, each interleaving forced with latches (a store that blocks, a
 * listener that blocks, a working-directory function that blocks the factory) rather than left to timing.
 */
@Timeout(90)
final class Issue12RacesIT {
    private static final String A = "test:a";
    private static final String PAUSED = "say started\nwait-for-continue\nsay finished";

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private Path agentState;

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
        agentState = root.resolve("agent-state");
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    /**
     * Race 1: an idle eviction persists the conversation's session: it checks the generation, reads the store and
     * writes the session back if it is missing. A reset that bumps the generation and removes the stored session
     * between the check and the write used to be undone, so the next message resumed the context the user asked
     * to forget. Here the persist's store read blocks until the reset has run as far as it can.
     */
    @Test
    void race1_aResetDuringAnEvictionsPersist_staysReset() throws InterruptedException {
        GateStore store = new GateStore();
        AcpBroker broker = fixture.start(
                b -> b.sessionStore(store)
                        .poolConfig(PoolConfig.builder()
                                .idleTimeout(Duration.ofMinutes(10))
                                .cleanupInterval(Duration.ofMinutes(1))
                                .build()),
                "--state-dir=" + agentState);
        String old = broker.prompt(A, message("a1", "ann", "say one")).sessionId();
        assertThat(store.get(A).orElseThrow().sessionId()).isEqualTo(old);

        store.gateNextGet();
        Thread evictor = new Thread(() -> fixture.clock.advance(Duration.ofMinutes(11)), "evictor");
        evictor.start();
        assertThat(store.inGet.await(60, TimeUnit.SECONDS))
                .as("the eviction persists")
                .isTrue();
        Thread resetter = new Thread(() -> broker.reset(A), "resetter");
        resetter.start();
        // The reset either removed the session already (the race) or waits for the persist to finish (fixed).
        await().until(() -> store.removes.get() > 0 || resetter.getState() == Thread.State.WAITING);
        store.release.countDown();
        evictor.join(60_000);
        resetter.join(60_000);

        assertThat(store.get(A)).as("the reset's remove wins").isEmpty();
        fixture.awaitNoAgentProcess();
        BrokerResult next = broker.prompt(A, message("a2", "ann", "history"));
        assertThat(next.sessionId()).isNotEqualTo(old);
        assertThat(next.sessionReset()).isFalse();
        assertThat(next.userText()).isEqualTo("history: ");
    }

    /**
     * Race 2: a message's onQueued runs on the submitting thread after the message is in the queue; a cancel (or
     * reset or close) that drops the queue meanwhile used to complete the message's future while onQueued still
     * ran. Now whoever drops it completes the future only after onQueued returned.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cancel", "reset", "close"})
    void race2_aDroppedMessagesFutureCompletesAfterItsOnQueued(String drop) throws InterruptedException {
        AcpBroker broker = fixture.start();
        Recorder running = new Recorder();
        CompletableFuture<BrokerResult> first = broker.promptAsync(A, message("m1", "ann", PAUSED), running);
        assertThat(running.firstChunk.await(60, TimeUnit.SECONDS)).isTrue();

        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch inQueued = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MessageListener slow = new MessageListener() {
            @Override
            public void onQueued(int position) {
                inQueued.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                order.add("onQueued returned");
            }
        };
        AtomicReference<CompletableFuture<BrokerResult>> second = new AtomicReference<>();
        Thread submitter =
                new Thread(() -> second.set(broker.promptAsync(A, message("m2", "bob", "say two"), slow)), "submitter");
        submitter.start();
        assertThat(inQueued.await(60, TimeUnit.SECONDS)).isTrue();

        Consumer<AcpBroker> dropper =
                switch (drop) {
                    case "cancel" -> b -> b.cancel(A, true);
                    case "reset" -> b -> b.reset(A);
                    default -> b -> b.close(A);
                };
        Thread dropping = new Thread(
                () -> {
                    dropper.accept(broker);
                    order.add(drop + " returned");
                },
                "dropper");
        dropping.start();
        // The drop either finished (the race) or waits for onQueued to return (fixed).
        await().until(() -> !order.isEmpty() || dropping.getState() == Thread.State.WAITING);
        release.countDown();
        submitter.join(60_000);
        dropping.join(60_000);

        assertThat(order).containsExactly("onQueued returned", drop + " returned");
        BrokerResult dropped = get(second.get());
        assertThat(dropped.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(dropped.turn()).isNull();
        assertThat(get(first).outcome()).isEqualTo(Outcome.CANCELLED);
    }

    /**
     * Race 4: close(id) marks the conversation's connection to send session/close before its process stops; a
     * connection whose factory still ran was not there to be marked, and was later evicted as stale without
     * session/close. Here the factory blocks (in the working-directory function) until close returned.
     */
    @Test
    void race4_closeDuringAgentStart_stillClosesTheSession() throws InterruptedException, IOException {
        CountDownLatch inFactory = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        AcpBroker broker = fixture.start(
                b -> b.workingDirectory(id -> {
                    if (first.getAndSet(false)) {
                        inFactory.countDown();
                        try {
                            proceed.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return root.resolve("work");
                }),
                "--state-dir=" + agentState);
        CompletableFuture<BrokerResult> early = broker.promptAsync(A, message("a1", "ann", "say early"));
        assertThat(inFactory.await(60, TimeUnit.SECONDS)).isTrue();
        broker.close(A);
        proceed.countDown();

        assertThat(get(early).outcome()).isEqualTo(Outcome.CANCELLED);
        fixture.awaitNoAgentProcess();
        try (Stream<Path> files = Files.list(agentState)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("session/close reached the agent made during close")
                    .singleElement()
                    .asString()
                    .endsWith(".closed");
        }
    }

    /** An in-memory store whose next get can be made to block until released; counts removes. */
    private static final class GateStore implements SessionStore {
        private final SessionStore delegate = SessionStore.inMemory();
        private final AtomicBoolean gate = new AtomicBoolean();
        final CountDownLatch inGet = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger removes = new AtomicInteger();

        void gateNextGet() {
            gate.set(true);
        }

        @Override
        public Optional<StoredSession> get(String conversationId) {
            if (gate.compareAndSet(true, false)) {
                inGet.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.get(conversationId);
        }

        @Override
        public void put(String conversationId, StoredSession session) {
            delegate.put(conversationId, session);
        }

        @Override
        public void remove(String conversationId) {
            removes.incrementAndGet();
            delegate.remove(conversationId);
        }

        @Override
        public Map<String, StoredSession> snapshot() {
            return delegate.snapshot();
        }
    }
}
