package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.TurnResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a session's updates go between turns, on a fake clock: the tail of a finished turn goes to its
 * listener as late events until the next prompt is written, the next prompt waits for the quiet gap only when
 * the session was active within it, message ids override time, and a loaded session's replay is history.
 */
@Timeout(30)
final class TurnBoundariesTest {
    private static final String SESSION = "s1";
    private static final Duration GAP = Duration.ofMillis(200);

    private final FakeScheduler clock = new FakeScheduler();
    private final StubAcpClient client = new StubAcpClient();
    private final PromptStreamer streamer = PromptStreamer.builder()
            .drainPolicy(DrainPolicy.fixed(Duration.ofMillis(200)))
            .scheduler(clock, false)
            .ticker(clock)
            .build();

    @AfterEach
    void noTimerFailedOrOutlivedItsTurn() {
        assertThat(clock.failures()).isEmpty();
        assertThat(clock.pendingTaskCount()).as("every test ends its turns").isZero();
    }

    private TurnHandle start(TurnEvents events) {
        return streamer.start(client, SESSION, List.of(ContentBlock.text("hi")), events);
    }

    private TurnResult finish(TurnHandle turn) {
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofMillis(200));
        assertThat(turn.result()).as("the turn has ended").isDone();
        return turn.result().join();
    }

    @Test
    void theTailAfterTheDrain_goesToTheFinishedTurn_andTheQueuedPromptWaitsForTheGap() {
        TurnEvents first = new TurnEvents();
        TurnHandle one = start(first);
        client.deliver(SESSION, StubAcpClient.chunk("LATEMARKER"));
        TurnResult result = finish(one);
        assertThat(result.text()).isEqualTo("LATEMARKER");

        clock.advance(Duration.ofMillis(100)); // 300 ms after the answer: longer than the drain
        client.deliver(SESSION, StubAcpClient.chunk("-xy"));
        TurnEvents second = new TurnEvents();
        TurnHandle two = start(second);
        assertThat(client.prompts)
                .as("the session was heard from just now: the prompt waits")
                .hasSize(1);
        clock.advance(Duration.ofMillis(150));
        client.deliver(SESSION, StubAcpClient.chunk("z"));
        clock.advance(GAP.minusMillis(1));
        assertThat(client.prompts).as("the gap counts from the last update").hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(client.prompts).hasSize(2);

        client.deliver(SESSION, StubAcpClient.chunk("echo: next message"));
        TurnResult next = finish(two);

        assertThat(next.text()).isEqualTo("echo: next message");
        assertThat(second.lateEvents()).isEmpty();
        assertThat(first.text()).isEqualTo("LATEMARKER");
        assertThat(first.lateText()).isEqualTo("-xyz");
        assertThat(result.text())
                .as("a result is not changed after it completed")
                .isEqualTo("LATEMARKER");
    }

    @Test
    void aTailWithNoQueuedMessage_isDeliveredLate() {
        TurnEvents first = new TurnEvents();
        finish(start(first));
        clock.advance(Duration.ofSeconds(5));
        client.deliver(SESSION, StubAcpClient.chunk("tail"));
        client.deliver(
                SESSION,
                StubAcpClient.update("{\"sessionUpdate\":\"tool_call\",\"toolCallId\":\"t9\",\"title\":\"Late\"}"));
        assertThat(first.lateText()).isEqualTo("tail");
        assertThat(first.lateEvents()).hasSize(2).last().isInstanceOf(TurnEvent.ToolCallStarted.class);
        assertThat(first.events()).isEmpty();
    }

    @Test
    void aPromptAfterAQuietSession_waitsForNothing() {
        TurnEvents first = new TurnEvents();
        TurnHandle one = start(first);
        client.deliver(SESSION, StubAcpClient.chunk("a"));
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofMillis(200)); // the drain ends as the gap since the answer ends
        assertThat(one.result()).isDone();

        TurnHandle two = start(new TurnEvents());
        assertThat(client.prompts).as("written at once").hasSize(2);
        finish(two);
    }

    @Test
    void aChunkWithThePreviousTurnsMessageId_goesToIt_evenAfterTheNextPromptWasWritten() {
        TurnEvents first = new TurnEvents();
        TurnHandle one = start(first);
        client.deliver(SESSION, StubAcpClient.chunk("old ", "m1"));
        finish(one);
        clock.advance(Duration.ofSeconds(1));

        TurnEvents second = new TurnEvents();
        TurnHandle two = start(second);
        assertThat(client.prompts).hasSize(2);
        client.deliver(SESSION, StubAcpClient.chunk("new ", "m2"));
        client.deliver(SESSION, StubAcpClient.chunk("tail", "m1"));
        client.deliver(SESSION, StubAcpClient.chunk("more", "m2"));
        client.deliver(SESSION, StubAcpClient.chunk("!"));
        TurnResult next = finish(two);

        assertThat(next.text()).isEqualTo("new more!");
        assertThat(first.lateText()).isEqualTo("tail");
        assertThat(first.lateEvents()).singleElement().isEqualTo(new TurnEvent.TextChunk("tail", "m1"));
    }

    @Test
    void cancelWhileWaitingForTheGap_sendsNothing_andTheTailStillGoesToThePreviousTurn() {
        TurnEvents first = new TurnEvents();
        finish(start(first));
        clock.advance(Duration.ofMillis(100));
        client.deliver(SESSION, StubAcpClient.chunk("tail"));
        TurnEvents second = new TurnEvents();
        TurnHandle two = start(second);

        assertThat(two.cancel()).isTrue();
        assertThat(two.result()).isDone();
        assertThat(two.result().join().outcome()).isEqualTo(Outcome.CANCELLED);
        clock.advance(Duration.ofSeconds(1));
        assertThat(client.prompts).hasSize(1);
        assertThat(client.cancels).hasValue(0);
        client.deliver(SESSION, StubAcpClient.chunk(" and more"));
        assertThat(first.lateText()).isEqualTo("tail and more");
        assertThat(second.events()).isEmpty();
    }

    @Test
    void aLoadedSessionsReplay_beforeAndAfterTheAnswer_isHistory_andTheFirstPromptWaits() {
        List<SessionUpdate> history = new CopyOnWriteArrayList<>();
        SessionHistory loading = streamer.history(client, SESSION, (id, update) -> history.add(update));
        client.deliver(SESSION, StubAcpClient.chunk("before the answer"));
        CompletableFuture<Integer> quiet = loading.loaded();
        clock.advance(Duration.ofMillis(50));
        client.deliver(SESSION, StubAcpClient.chunk("after the answer"));
        TurnEvents first = new TurnEvents();
        TurnHandle one = start(first);
        assertThat(client.prompts).as("the first prompt waits for the gap").isEmpty();
        clock.advance(Duration.ofMillis(100));
        client.deliver(SESSION, StubAcpClient.chunk("still replaying"));
        clock.advance(GAP.minusMillis(1));
        assertThat(quiet).isNotDone();
        assertThat(client.prompts).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(quiet).isCompletedWithValue(3);
        assertThat(client.prompts).hasSize(1);

        client.deliver(SESSION, StubAcpClient.chunk("the reply"));
        assertThat(finish(one).text()).isEqualTo("the reply");
        assertThat(loading.replayed()).isEqualTo(3);
        assertThat(history).hasSize(3);
        assertThat(first.lateEvents()).isEmpty();
    }

    @Test
    void aClosedHistory_consumesNothingMore() {
        List<SessionUpdate> history = new CopyOnWriteArrayList<>();
        SessionHistory loading = streamer.history(client, SESSION, (id, update) -> history.add(update));
        client.deliver(SESSION, StubAcpClient.chunk("one"));
        loading.close();
        client.deliver(SESSION, StubAcpClient.chunk("two"));
        assertThat(loading.replayed()).isEqualTo(1);
        assertThat(history).hasSize(1);
    }

    @Test
    void theQuietGapIsValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> PromptStreamer.builder().quietGap(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quietGap");
    }
}
