package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.awaitChunk;
import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static io.github.acppool.broker.BrokerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.pool.PoolExhaustedException;
import io.github.acppool.turn.TurnEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turns through the broker against real fake-agent processes: conversations that never wait for each other
 * (openab #58), messages queued behind a running turn and merged into the next one, cancel, status while a turn is
 * stuck, the queue cap and an exhausted pool.
 */
@Timeout(90)
final class BrokerTurnsIT {
    private static final String A = "test:a";
    private static final String B = "test:b";
    private static final String PAUSED = "say started\nwait-for-continue\nsay finished";

    @TempDir
    Path root;

    private BrokerFixture fixture;

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    /**
     * openab #58: one conversation's turn is paused inside the agent (holding its connection); another
     * conversation's turn starts, streams and completes meanwhile, and the paused one then completes too.
     */
    @Test
    void twoConversations_streamAtTheSameTime_neitherWaitsForTheOther() {
        AcpBroker broker = fixture.start();
        Recorder paused = new Recorder();
        CompletableFuture<BrokerResult> first = broker.promptAsync(A, message("a1", "ann", PAUSED), paused);
        awaitChunk(paused);

        Recorder other = new Recorder();
        BrokerResult second = broker.prompt(B, message("b1", "bob", "say hello from b"), other);

        assertThat(second.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(second.replyText()).isEqualTo("hello from b");
        assertThat(other.calls).containsExactly("started [b1] reply to b1", "chunk hello from b");
        assertThat(first).isNotDone();
        assertThat(broker.status(A).orElseThrow().busy()).isTrue();
        assertThat(broker.status(B).orElseThrow().busy()).isFalse();

        release(broker, A);
        BrokerResult firstResult = get(first);
        assertThat(firstResult.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(firstResult.replyText()).isEqualTo("startedfinished");
    }

    /**
     * Messages sent while a turn runs are queued (never blocked on), then answered by the next turn exactly once,
     * merged in arrival order with each sender named; the reply streams only to the latest message's listener.
     */
    @Test
    void messagesDuringATurn_areQueued_thenAnsweredOnceInOrder_mergedWithAttribution() {
        EventLog log = new EventLog();
        AcpBroker broker = fixture.start(b -> b.listener(log));
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);

        Recorder second = new Recorder();
        Recorder third = new Recorder();
        CompletableFuture<BrokerResult> two = broker.promptAsync(A, message("m2", "bob", "say two"), second);
        CompletableFuture<BrokerResult> three =
                broker.promptAsync(A, message("m3", "cat", "say three\nsenders"), third);
        assertThat(second.calls).containsExactly("queued 1");
        assertThat(third.calls).containsExactly("queued 2");
        assertThat(broker.status(A).orElseThrow().queuedMessages()).isEqualTo(2);
        assertThat(two).isNotDone();

        release(broker, A);
        assertThat(get(one).replyText()).isEqualTo("startedfinished");
        BrokerResult resultTwo = get(two);
        BrokerResult resultThree = get(three);

        assertThat(second.calls).containsExactly("queued 1", "started [m2, m3] reply to m3");
        assertThat(third.calls)
                .containsExactly(
                        "queued 2",
                        "started [m2, m3] reply to m3",
                        "chunk two",
                        "chunk three",
                        "chunk senders: [Bob (bob)] [Cat (cat)]");
        assertThat(resultTwo.turn()).isSameAs(resultThree.turn());
        assertThat(resultTwo.repliedHere()).isFalse();
        assertThat(resultThree.repliedHere()).isTrue();
        assertThat(resultTwo.merged()).isTrue();
        assertThat(resultThree.replyText()).isEqualTo("twothreesenders: [Bob (bob)] [Cat (cat)]");
        assertThat(resultThree.turnMessages())
                .extracting(ChatMessage::messageId)
                .containsExactly("m2", "m3");

        // The agent saw each message exactly once, in order.
        BrokerResult history = broker.prompt(A, message("m4", "ann", "history"));
        assertThat(history.replyText())
                .isEqualTo("history: say started\nwait-for-continue\nsay finished | say two | say three\nsenders");
        assertThat(log.matching("turn "))
                .containsExactly("turn test:a COMPLETED 1", "turn test:a COMPLETED 2", "turn test:a COMPLETED 1");
    }

    /** At most maxMessagesPerTurn queued messages are merged; the rest wait for the following turn. */
    @Test
    void mergedTurns_takeAtMostMaxMessagesPerTurn() {
        AcpBroker broker = fixture.start(b -> b.maxMessagesPerTurn(2));
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);
        List<CompletableFuture<BrokerResult>> queued = List.of(
                broker.promptAsync(A, message("m2", "bob", "say 2")),
                broker.promptAsync(A, message("m3", "bob", "say 3")),
                broker.promptAsync(A, message("m4", "bob", "say 4")));
        release(broker, A);
        get(one);
        assertThat(queued.stream().map(BrokerFixture::get).map(r -> r.turnMessages().stream()
                        .map(ChatMessage::messageId)
                        .toList()))
                .containsExactly(List.of("m2", "m3"), List.of("m2", "m3"), List.of("m4"));
        assertThat(get(queued.get(2)).replyText()).isEqualTo("4");
    }

    /** Cancel stops the running turn at once (no lock is waited for); the queued messages still run next. */
    @Test
    void cancelWhileBusy_keepsTheQueue() {
        AcpBroker broker = fixture.start();
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);
        CompletableFuture<BrokerResult> two = broker.promptAsync(A, message("m2", "bob", "say two"));

        assertThat(broker.cancel(A)).isTrue();

        BrokerResult cancelled = get(one);
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(cancelled.turn()).isNotNull();
        assertThat(cancelled.userText()).isEqualTo("started\n\n(Cancelled.)");
        BrokerResult next = get(two);
        assertThat(next.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(next.replyText()).isEqualTo("two");
        assertThat(broker.cancel(A)).as("nothing left to cancel").isFalse();
    }

    /** Cancel with dropQueue also drops the waiting messages, which complete as cancelled without a turn. */
    @Test
    void cancelWithDropQueue_dropsTheWaitingMessages() {
        AcpBroker broker = fixture.start();
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);
        Recorder dropped = new Recorder();
        CompletableFuture<BrokerResult> two = broker.promptAsync(A, message("m2", "bob", "say two"), dropped);
        CompletableFuture<BrokerResult> three = broker.promptAsync(A, message("m3", "bob", "say three"));

        assertThat(broker.cancel(A, true)).isTrue();

        assertThat(get(one).outcome()).isEqualTo(Outcome.CANCELLED);
        for (CompletableFuture<BrokerResult> future : List.of(two, three)) {
            BrokerResult result = get(future);
            assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(result.turn()).isNull();
            assertThat(result.replyText()).startsWith("Cancelled before the agent replied");
        }
        assertThat(dropped.calls).containsExactly("queued 1");
        await().until(() -> broker.status(A).map(s -> !s.busy()).orElse(true));
        assertThat(broker.prompt(A, message("m4", "ann", "history")).replyText())
                .as("the dropped messages never reached the agent")
                .isEqualTo("history: say started\nwait-for-continue\nsay finished");
    }

    /**
     * status() answers at once while a turn is stuck in the agent ({@code hang} ignores cancel), and shows it
     * busy with its queue; the stuck turn ends after the cancel grace (fake clock), and the queue then runs.
     */
    @Test
    void status_neverBlocks_whileATurnIsStuck() {
        AcpBroker broker = fixture.start(b -> b.cancelGrace(Duration.ofSeconds(10)));
        Recorder stuck = new Recorder();
        CompletableFuture<BrokerResult> hung = broker.promptAsync(A, message("m1", "ann", "say stuck\nhang"), stuck);
        awaitChunk(stuck);
        CompletableFuture<BrokerResult> next = broker.promptAsync(A, message("m2", "ann", "say next"));

        List<ConversationStatus> all = broker.status();
        assertThat(all).hasSize(1);
        ConversationStatus status = all.get(0);
        assertThat(status.conversationId()).isEqualTo(A);
        assertThat(status.alive()).isTrue();
        assertThat(status.busy()).isTrue();
        assertThat(status.queuedMessages()).isEqualTo(1);
        assertThat(status.sessionId()).isNotNull();
        assertThat(status.idle()).isZero();

        assertThat(broker.cancel(A)).isTrue();
        assertThat(broker.status(A).orElseThrow().busy()).isTrue();
        fixture.clock.advance(Duration.ofSeconds(10));
        BrokerResult result = get(hung);
        assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(get(next).replyText()).isEqualTo("next");
        ConversationStatus after = broker.status(A).orElseThrow();
        assertThat(after.busy()).isFalse();
        assertThat(after.turns()).isEqualTo(2);
    }

    /** A message beyond the queue cap is refused with an exception that names the conversation and the cap. */
    @Test
    void queueCap_refusesFurtherMessages() {
        AcpBroker broker = fixture.start(b -> b.maxQueuedMessages(2));
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);
        CompletableFuture<BrokerResult> two = broker.promptAsync(A, message("m2", "ann", "say two"));
        CompletableFuture<BrokerResult> three = broker.promptAsync(A, message("m3", "ann", "say three"));

        assertThatThrownBy(() -> broker.promptAsync(A, message("m4", "ann", "say four")))
                .isInstanceOf(QueueFullException.class)
                .hasMessageContaining("conversation test:a")
                .hasMessageContaining("maxQueuedMessages is 2")
                .satisfies(e ->
                        assertThat(((QueueFullException) e).maxQueuedMessages()).isEqualTo(2));
        assertThat(broker.prompt(B, message("b1", "bob", "say other conversations are not affected"))
                        .outcome())
                .isEqualTo(Outcome.COMPLETED);

        release(broker, A);
        assertThat(List.of(one, two, three))
                .allSatisfy(f -> assertThat(get(f).outcome()).isEqualTo(Outcome.COMPLETED));
        assertThat(broker.status(A).orElseThrow().queuedMessages()).isZero();
    }

    /**
     * With every slot busy a new conversation gets NoAgentAvailableException through its future; once the busy one
     * is idle, it is suspended (capacity eviction) to make room.
     */
    @Test
    void exhaustedPool_reachesTheCaller_thenCapacityEvictionMakesRoom() {
        EventLog log = new EventLog();
        AcpBroker broker =
                fixture.start(b -> b.poolConfig(BrokerFixture.pool(1)).listener(log));
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);

        assertThatThrownBy(() -> broker.prompt(B, message("b1", "bob", "say b")))
                .isInstanceOf(NoAgentAvailableException.class)
                .hasCauseInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("pool exhausted")
                .hasMessageContaining(B);
        assertThatThrownBy(() ->
                        broker.promptAsync(B, message("b2", "bob", "say b")).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NoAgentAvailableException.class);
        await().until(() -> broker.status(B).isEmpty()); // a conversation with nothing left is not kept

        release(broker, A);
        get(one);
        assertThat(broker.prompt(B, message("b3", "bob", "say b")).replyText()).isEqualTo("b");
        assertThat(log.matching("evicted test:a")).singleElement().asString().endsWith("CAPACITY");
    }

    /** Exceptions thrown by message and broker listeners are contained: the turn completes as usual. */
    @Test
    void throwingListeners_areContained() {
        BrokerListener throwing = new BrokerListener() {
            @Override
            public void onConnectionCreated(String conversationId, String sessionId, Duration startup) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onTurnFinished(String conversationId, BrokerResult result, Duration queueWait) {
                throw new IllegalStateException("listener bug");
            }
        };
        AcpBroker broker = fixture.start(b -> b.listener(throwing));
        MessageListener bad = new MessageListener() {
            @Override
            public void onTurnStarted(TurnStart turn) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onEvent(TurnEvent event) {
                throw new IllegalStateException("listener bug");
            }
        };
        BrokerResult result = broker.prompt(A, message("m1", "ann", "say fine"), bad);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.replyText()).isEqualTo("fine");
        assertThat(result.turn().listenerErrors()).hasSize(1);
    }

    /** A merged prompt with the default composer names every sender; the plain composer names none. */
    @Test
    void plainComposer_sendsTheTextVerbatim() {
        AcpBroker broker = fixture.start(b -> b.promptComposer(PromptComposer.plain()));
        assertThat(broker.prompt(A, message("m1", "ann", "senders")).replyText())
                .isEqualTo("senders: ");
    }

    /** Cancelling the returned future does not cancel the message: it is a copy. */
    @Test
    void returnedFuture_isACopy() {
        AcpBroker broker = fixture.start();
        Recorder first = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(A, message("m1", "ann", PAUSED), first);
        awaitChunk(first);
        assertThat(one.cancel(true)).isTrue();
        release(broker, A);
        await().until(() -> broker.status(A).map(s -> s.turns() == 1).orElse(false));
        assertThat(broker.prompt(A, message("m2", "ann", "say after")).replyText())
                .isEqualTo("after");
        assertThatThrownBy(one::join).isInstanceOf(CancellationException.class);
    }
}
