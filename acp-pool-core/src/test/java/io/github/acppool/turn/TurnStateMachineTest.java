package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpRequestTimeoutException;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.TurnResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The turn's state machine against a client without a process (the agent's part is played by the test) and
 * a fake clock: drain, timeouts, cancel, close, the listener contract and the order "session/cancel, then the
 * result".
 */
@Timeout(30)
final class TurnStateMachineTest {
    private static final String SESSION = "s1";

    private final FakeScheduler clock = new FakeScheduler();
    private final StubAcpClient client = new StubAcpClient();
    private final TurnEvents events = new TurnEvents();

    @AfterEach
    void noTimerFailedOrOutlivedItsTurn() {
        assertThat(clock.failures()).isEmpty();
        assertThat(clock.pendingTaskCount()).as("every test ends its turns").isZero();
    }

    private PromptStreamer streamer(DrainPolicy drain, LivenessPolicy liveness) {
        return PromptStreamer.builder()
                .drainPolicy(drain)
                .livenessPolicy(liveness)
                .cancelGrace(Duration.ofSeconds(10))
                .scheduler(clock, false)
                .ticker(clock)
                .build();
    }

    private PromptStreamer streamer(DrainPolicy drain) {
        return streamer(drain, LivenessPolicy.defaults());
    }

    private TurnHandle start(PromptStreamer streamer) {
        return streamer.start(client, SESSION, List.of(ContentBlock.text("hi")), events);
    }

    private static TurnResult done(TurnHandle turn) {
        assertThat(turn.result()).as("the turn has ended").isDone();
        return turn.result().join();
    }

    @Test
    void fixedDrain_collectsAfterTheAnswer_thenPassesOnWhatComesLaterAsLate() {
        TurnHandle turn = start(streamer(DrainPolicy.fixed(Duration.ofMillis(200))));
        clock.advance(Duration.ofMillis(50));
        client.deliver(SESSION, StubAcpClient.chunk("Hel"));
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofMillis(150));
        client.deliver(SESSION, StubAcpClient.chunk("lo"));
        clock.advance(Duration.ofMillis(49));
        assertThat(turn.result()).as("the window is 200 ms from the answer").isNotDone();
        clock.advance(Duration.ofMillis(1));

        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("Hello");
        assertThat(result.timeToFirstChunk()).isEqualTo(Duration.ofMillis(50));
        assertThat(result.timeToAnswer()).isEqualTo(Duration.ofMillis(50));
        assertThat(result.total()).isEqualTo(Duration.ofMillis(250));

        client.deliver(SESSION, StubAcpClient.chunk(" (too late)"));
        assertThat(events.text()).isEqualTo("Hello");
        assertThat(events.lateText()).as("the turn's tail, passed on late").isEqualTo(" (too late)");
        assertThat(client.subscribes).as("the session's line, once").hasValue(1);
        assertThat(clock.pendingTaskCount()).as("every timer cancelled").isZero();
    }

    @Test
    void updatesOfAnotherSessionAreIgnored() {
        TurnHandle turn = start(streamer(DrainPolicy.none()));
        client.deliver("other", StubAcpClient.chunk("not mine"));
        client.deliver(SESSION, StubAcpClient.chunk("mine"));
        client.lastPrompt().answer("end_turn");
        assertThat(done(turn).text()).isEqualTo("mine");
        assertThat(events.chunks()).containsExactly("mine");
    }

    @Test
    void everyUpdateBecomesOneEvent() {
        TurnHandle turn = start(streamer(DrainPolicy.none()));
        for (String update : List.of(
                "{\"sessionUpdate\":\"agent_thought_chunk\",\"content\":{\"type\":\"text\",\"text\":\"hmm\"}}",
                "{\"sessionUpdate\":\"tool_call\",\"toolCallId\":\"t1\",\"title\":\"Read\",\"kind\":\"read\"}",
                "{\"sessionUpdate\":\"tool_call_update\",\"toolCallId\":\"t1\",\"status\":\"completed\"}",
                "{\"sessionUpdate\":\"tool_call_update\",\"toolCallId\":\"t2\",\"status\":\"failed\"}",
                "{\"sessionUpdate\":\"plan\",\"entries\":[{\"content\":\"step\",\"priority\":\"high\",\"status\":\"pending\"}]}",
                "{\"sessionUpdate\":\"usage_update\",\"used\":10,\"size\":100}",
                "{\"sessionUpdate\":\"current_mode_update\",\"currentModeId\":\"plan\"}",
                "{\"sessionUpdate\":\"config_option_update\",\"configOptions\":[{\"id\":\"model\"}]}",
                "{\"sessionUpdate\":\"agent_message_chunk\",\"content\":{\"type\":\"image\",\"data\":\"AA==\",\"mimeType\":\"image/png\"}}",
                "{\"sessionUpdate\":\"user_message_chunk\",\"content\":{\"type\":\"text\",\"text\":\"echo\"}}",
                "{\"sessionUpdate\":\"fake_future_kind\",\"answer\":42}")) {
            client.deliver(SESSION, StubAcpClient.update(update));
        }
        client.lastPrompt().answer("end_turn");
        TurnResult result = done(turn);

        List<TurnEvent> all = events.events();
        assertThat(all).hasSize(11);
        assertThat(all.get(0)).isEqualTo(new TurnEvent.ThoughtChunk("hmm"));
        assertThat(all.get(1)).isInstanceOf(TurnEvent.ToolCallStarted.class);
        assertThat(all.get(2)).isInstanceOfSatisfying(TurnEvent.ToolCallUpdated.class, e -> assertThat(
                        e.toolCall().status())
                .isEqualTo(ToolCall.Status.COMPLETED));
        assertThat(all.get(3)).as("first sighting of t2").isInstanceOf(TurnEvent.ToolCallStarted.class);
        assertThat(all.get(4)).isInstanceOfSatisfying(TurnEvent.PlanReplaced.class, e -> assertThat(
                        e.entries().get(0).content())
                .isEqualTo("step"));
        assertThat(all.get(5)).isEqualTo(new TurnEvent.Usage(10, 100));
        assertThat(all.get(6)).isEqualTo(new TurnEvent.ModeChanged("plan"));
        assertThat(all.get(7)).isInstanceOf(TurnEvent.ConfigOptionsChanged.class);
        assertThat(all.subList(8, 11)).allSatisfy(e -> assertThat(e).isInstanceOf(TurnEvent.Other.class));
        assertThat(((TurnEvent.Other) all.get(10)).update().kind()).isEqualTo("fake_future_kind");

        assertThat(result.toolCalls())
                .extracting(ToolCall::id, ToolCall::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("t1", ToolCall.Status.COMPLETED),
                        org.assertj.core.groups.Tuple.tuple("t2", ToolCall.Status.FAILED));
        assertThat(result.timeToFirstChunk()).as("no text came").isNull();
    }

    @Test
    void aTimeoutSendsCancelAndAbandonsTheRequestBeforeTheResultCompletes() {
        TurnHandle turn = start(streamer(
                DrainPolicy.none(),
                LivenessPolicy.builder()
                        .inactivityTimeout(Duration.ofMinutes(2))
                        .build()));
        AtomicInteger cancelsSeenByTheNextTurn = new AtomicInteger(-1);
        AtomicBoolean abandonedBeforeTheResult = new AtomicBoolean();
        var unused = turn.result().thenRun(() -> {
            cancelsSeenByTheNextTurn.set(client.cancels.get());
            abandonedBeforeTheResult.set(client.lastPrompt().abandoned.get());
        });
        clock.advance(Duration.ofSeconds(90));
        client.deliver(SESSION, StubAcpClient.chunk("still here"));
        clock.advance(Duration.ofSeconds(119));
        assertThat(turn.result()).as("activity 119 s ago").isNotDone();
        clock.advance(Duration.ofSeconds(1));

        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.error()).isInstanceOfSatisfying(TurnTimeoutException.class, e -> {
            assertThat(e.kind()).isEqualTo(TurnTimeoutException.Kind.INACTIVITY);
            assertThat(e.timeout()).isEqualTo(Duration.ofMinutes(2));
        });
        assertThat(cancelsSeenByTheNextTurn).hasValue(1);
        assertThat(abandonedBeforeTheResult).isTrue();
        assertThat(result.stderrTail()).isEqualTo("stub stderr");
        assertThat(result.userText())
                .isEqualTo("still here\n\n(Stopped before the end: the agent sent nothing for 2 min, so the turn was"
                        + " stopped; try again.)");

        // The late answer can no longer end anything, and a cancel now sends nothing.
        client.lastPrompt().answer("end_turn");
        assertThat(turn.cancel()).isFalse();
        assertThat(client.cancels).hasValue(1);
    }

    /** A client configured with a prompt timeout abandons the id itself; the turn still tells the agent to stop. */
    @Test
    void theClientsOwnPromptTimeout_endsTheTurnAsTimedOutAndCancelsAtTheAgent() {
        TurnHandle turn = start(streamer(DrainPolicy.fixed(Duration.ofSeconds(1))));
        client.deliver(SESSION, StubAcpClient.chunk("partial"));
        AcpRequestTimeoutException timeout =
                new AcpRequestTimeoutException("session/prompt", 1, Duration.ofMinutes(5), "agent alive: true");
        client.lastPrompt().future.completeExceptionally(timeout);

        TurnResult result = done(turn);
        assertThat(result.outcome()).as("no drain after a timeout").isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.error()).isSameAs(timeout);
        assertThat(result.userText())
                .isEqualTo("partial\n\n(Stopped before the end: the agent did not answer within 5 min; try again.)");
        assertThat(client.cancels).hasValue(1);
    }

    @Test
    void theHardTimeoutEndsEvenABusyTurn() {
        TurnHandle turn = start(streamer(
                DrainPolicy.none(),
                LivenessPolicy.builder().hardTimeout(Duration.ofMinutes(10)).build()));
        for (int i = 0; i < 19; i++) {
            clock.advance(Duration.ofSeconds(30));
            client.deliver(SESSION, StubAcpClient.chunk("."));
        }
        assertThat(turn.result()).isNotDone();
        clock.advance(Duration.ofSeconds(30));
        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(((TurnTimeoutException) result.error()).kind()).isEqualTo(TurnTimeoutException.Kind.HARD);
        assertThat(client.cancels).hasValue(1);
    }

    @Test
    void theLivenessTickFindsADeadAgent_andADrainEndsEarlyWhenItDies() {
        TurnHandle turn = start(streamer(DrainPolicy.none()));
        clock.advance(Duration.ofSeconds(30));
        assertThat(turn.result()).isNotDone();
        client.alive = false;
        clock.advance(Duration.ofSeconds(30));
        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.AGENT_DIED);
        assertThat(result.exitCode()).hasValue(9);
        assertThat(result.stderrTail()).isEqualTo("stub stderr");
        assertThat(client.cancels).as("no cancel to a dead agent").hasValue(0);

        client.alive = true;
        TurnHandle draining = start(streamer(DrainPolicy.fixed(Duration.ofMinutes(5))));
        client.deliver(SESSION, StubAcpClient.chunk("done"));
        client.lastPrompt().answer("end_turn");
        client.alive = false;
        clock.advance(Duration.ofSeconds(30));
        assertThat(done(draining).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void theHardTimeoutCapsACustomDrain_andAThrowingPolicyEndsIt() {
        TurnHandle endless = start(streamer(
                (sinceAnswer, sinceActivity) -> Duration.ofDays(365),
                LivenessPolicy.builder().hardTimeout(Duration.ofMinutes(30)).build()));
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofMinutes(29));
        assertThat(endless.result()).isNotDone();
        clock.advance(Duration.ofMinutes(1));
        assertThat(done(endless).outcome()).isEqualTo(Outcome.COMPLETED);

        TurnHandle broken = start(streamer((sinceAnswer, sinceActivity) -> {
            throw new IllegalStateException("bad policy");
        }));
        client.lastPrompt().answer("end_turn");
        assertThat(done(broken).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void cancel_anyAnswerCounts_andWithoutOneTheGraceEndsTheTurn() {
        PromptStreamer streamer = streamer(DrainPolicy.none());
        TurnHandle answered = start(streamer);
        assertThat(answered.cancel()).isTrue();
        assertThat(answered.cancel()).as("already cancelling").isFalse();
        assertThat(client.cancels).hasValue(1);
        client.lastPrompt().answer("end_turn");
        TurnResult result = done(answered);
        assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(result.stopReason()).as("kept as sent").isEqualTo(StopReason.END_TURN);

        TurnHandle failed = start(streamer);
        failed.cancel();
        client.lastPrompt().future.completeExceptionally(new RuntimeException("agent gave up"));
        assertThat(done(failed).outcome()).isEqualTo(Outcome.CANCELLED);

        TurnHandle silent = start(streamer);
        silent.cancel();
        clock.advance(Duration.ofSeconds(9));
        assertThat(silent.result()).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        TurnResult given = done(silent);
        assertThat(given.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(given.answer()).isNull();
        assertThat(client.lastPrompt().abandoned).isTrue();
    }

    @Test
    void cancelDuringTheDrainCutsItShortAndKeepsTheOutcome() {
        TurnHandle turn = start(streamer(DrainPolicy.fixed(Duration.ofSeconds(1))));
        client.deliver(SESSION, StubAcpClient.chunk("answer"));
        client.lastPrompt().answer("end_turn");
        assertThat(turn.cancel()).isFalse();
        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(client.cancels).hasValue(0);
    }

    @Test
    void theResultWaitsForTheListenerCallInProgress() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PromptStreamer streamer = streamer(
                DrainPolicy.none(),
                LivenessPolicy.builder().hardTimeout(Duration.ofMinutes(1)).build());
        TurnHandle turn = streamer.start(client, SESSION, List.of(ContentBlock.text("hi")), event -> {
            inListener.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread delivery = new Thread(() -> client.deliver(SESSION, StubAcpClient.chunk("slow")));
        delivery.start();
        assertThat(inListener.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(client.cancels).as("the timeout fired").hasValue(1);
        assertThat(turn.result()).as("but the listener is still running").isNotDone();
        release.countDown();
        delivery.join(10_000);
        TurnResult result = turn.result().get(10, TimeUnit.SECONDS);
        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.text()).isEqualTo("slow");
    }

    @Test
    void listenerExceptionsAreContainedAndReported() {
        AtomicInteger calls = new AtomicInteger();
        TurnHandle turn = streamer(DrainPolicy.none())
                .start(client, SESSION, List.of(ContentBlock.text("hi")), event -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("listener bug " + calls.get());
                });
        for (int i = 0; i < 12; i++) {
            client.deliver(SESSION, StubAcpClient.chunk(String.valueOf(i % 10)));
        }
        client.lastPrompt().answer("end_turn");
        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("012345678901");
        assertThat(calls).hasValue(12);
        assertThat(result.listenerErrors()).hasSize(TurnResult.MAX_LISTENER_ERRORS);
        assertThat(result.listenerErrors().get(0)).hasMessage("listener bug 1");
    }

    @Test
    void closeEndsEveryTurnInFlight() {
        PromptStreamer streamer = streamer(DrainPolicy.fixed(Duration.ofSeconds(1)));
        TurnHandle running = start(streamer);
        TurnHandle draining = start(streamer);
        client.lastPrompt().answer("end_turn");
        streamer.close();
        TurnResult cancelled = done(running);
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(cancelled.error()).hasMessage("the prompt streamer was closed during the turn");
        assertThat(client.prompts.get(0).abandoned).isTrue();
        assertThat(client.cancels).hasValue(1);
        assertThat(done(draining).outcome()).isEqualTo(Outcome.COMPLETED);
    }

    /** The result reads the client's stderr tail; a client that cannot give one must not keep it from ending. */
    @Test
    void aClientWhoseStderrTailThrows_cannotKeepTheTurnFromEnding() {
        client.stderrFailure = new IllegalStateException("stderr is gone");
        TurnHandle silent = start(streamer(DrainPolicy.none()));
        client.lastPrompt().answer("end_turn"); // no text: the fallback reply wants the stderr tail
        TurnResult completed = done(silent);
        assertThat(completed.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(completed.stderrTail()).isEmpty();

        TurnHandle dying = start(streamer(DrainPolicy.none()));
        client.alive = false;
        clock.advance(LivenessPolicy.DEFAULT_CHECK_INTERVAL);
        TurnResult died = done(dying);
        assertThat(died.outcome()).isEqualTo(Outcome.AGENT_DIED);
        assertThat(died.exitCode()).hasValue(9);
    }

    @Test
    void aSchedulerThatRejectsEndsTheTurnBeforeAnythingIsSent() {
        FakeScheduler shut = new FakeScheduler();
        shut.shutdown();
        TurnHandle turn = PromptStreamer.builder()
                .scheduler(shut, false)
                .ticker(shut)
                .build()
                .start(client, SESSION, List.of(ContentBlock.text("hi")), events);
        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.error()).hasMessageContaining("scheduler rejected");
        assertThat(client.prompts).isEmpty();
    }

    @Test
    void anAgentProcessFailureEndsTheTurnAtOnce() {
        TurnHandle turn = start(streamer(DrainPolicy.fixed(Duration.ofSeconds(1))));
        client.lastPrompt().future.completeExceptionally(new AgentProcessException("the agent exited", 1, "panic"));
        TurnResult result = done(turn);
        assertThat(result.outcome()).isEqualTo(Outcome.AGENT_DIED);
        assertThat(result.stderrTail()).isEqualTo("panic");
        assertThat(result.exitCode()).hasValue(1);
    }

    @Test
    void awaitInterruptedCancelsTheTurnAndKeepsTheInterrupt() throws Exception {
        TurnHandle turn = start(streamer(DrainPolicy.none()));
        AtomicReference<TurnResult> seen = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread waiter = new Thread(() -> {
            seen.set(turn.await());
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        waiter.start();
        waiter.interrupt();
        await().until(() -> client.cancels.get() == 1);
        client.lastPrompt().answer("cancelled");
        waiter.join(10_000);
        assertThat(seen.get().outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(stillInterrupted).isTrue();
    }
}
