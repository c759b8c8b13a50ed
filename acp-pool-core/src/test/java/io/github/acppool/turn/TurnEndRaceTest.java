package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.TurnResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A turn that ends while another operation of it is half done. Above all, no timer outlives its turn, even one
 * armed while the turn ends on another path. A turn arms a timer in two
 * steps (schedule it, then store the future where the turn's end finds it to cancel it); when the turn ends
 * between the two steps, the ending cancels the timers it can see and misses the new one. On a scheduler the
 * streamer shares with others (the broker's), the missed timer keeps the whole turn (text, tool calls,
 * listener, client) reachable until it fires, and a missed liveness tick fires every interval for ever.
 *
 * <p>Each test forces one interleaving with a {@link HookedScheduler}, whose hook ends the turn right after a
 * timer was scheduled and before the turn stores it; then the scheduler must hold no task.
 */
@Timeout(30)
final class TurnEndRaceTest {
    private static final String SESSION = "s1";
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final FakeScheduler clock = new FakeScheduler();
    private final HookedScheduler scheduler = new HookedScheduler(clock);
    private final StubAcpClient client = new StubAcpClient();

    @AfterEach
    void noTimerFailed() {
        assertThat(clock.failures()).isEmpty();
    }

    private PromptStreamer streamer(DrainPolicy drain, LivenessPolicy liveness) {
        return PromptStreamer.builder()
                .drainPolicy(drain)
                .livenessPolicy(liveness)
                .cancelGrace(GRACE)
                .scheduler(scheduler, false)
                .ticker(clock)
                .build();
    }

    private TurnHandle start(PromptStreamer streamer) {
        return streamer.start(client, SESSION, List.of(ContentBlock.text("hi")), TurnListener.none());
    }

    private static TurnResult done(TurnHandle turn) {
        assertThat(turn.result()).as("the turn has ended").isDone();
        return turn.result().join();
    }

    /**
     * The streamer is closed while a turn arms its first timers: the close ends the turn after its hard
     * timeout was scheduled and before its periodic liveness tick was.
     */
    @Test
    void aTurnEndedWhileItArmsItsTimers_leavesNoLivenessTickBehind() {
        PromptStreamer streamer = streamer(DrainPolicy.none(), LivenessPolicy.defaults());
        scheduler.afterScheduling(LivenessPolicy.DEFAULT_HARD_TIMEOUT, streamer::close);

        TurnHandle turn = start(streamer);

        assertThat(done(turn).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(clock.pendingTaskCount()).as("no timer outlives the turn").isZero();
    }

    /** A turn that the streamer's close ended before its prompt went out sends no prompt (and so no cancel). */
    @Test
    void aTurnEndedWhileItStarts_sendsNoPrompt() {
        PromptStreamer streamer = streamer(DrainPolicy.none(), LivenessPolicy.defaults());
        scheduler.afterScheduling(LivenessPolicy.DEFAULT_HARD_TIMEOUT, streamer::close);

        TurnResult result = done(start(streamer));

        assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(result.error()).hasMessage("the prompt streamer was closed during the turn");
        assertThat(client.prompts)
                .as("nothing for the agent to start working on")
                .isEmpty();
        assertThat(client.cancels).hasValue(0);
    }

    /**
     * The inactivity check re-arms itself (there was activity 30 s ago) on the timer thread while the answer
     * arrives and, without a drain, ends the turn.
     */
    @Test
    void anInactivityCheckRearmedAsTheTurnEnds_isCancelled() {
        TurnHandle turn = start(streamer(
                DrainPolicy.none(),
                LivenessPolicy.builder()
                        .inactivityTimeout(Duration.ofMinutes(2))
                        .build()));
        clock.advance(Duration.ofSeconds(90));
        client.deliver(SESSION, StubAcpClient.chunk("working"));
        scheduler.afterScheduling(
                Duration.ofSeconds(90), () -> client.lastPrompt().answer("end_turn"));

        clock.advance(Duration.ofSeconds(30)); // the check: 30 s idle of 120, so again in 90 s

        assertThat(done(turn).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(clock.pendingTaskCount()).as("no timer outlives the turn").isZero();
    }

    /** A cancel arms its grace timer while the agent's answer arrives and ends the turn. */
    @Test
    void aGraceTimerArmedAsTheAnswerArrives_isCancelled() {
        TurnHandle turn = start(streamer(DrainPolicy.none(), LivenessPolicy.defaults()));
        scheduler.afterScheduling(GRACE, () -> client.lastPrompt().answer("cancelled"));

        assertThat(turn.cancel()).isTrue();

        assertThat(done(turn).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(clock.pendingTaskCount()).as("no timer outlives the turn").isZero();
    }

    /** The answer arms the drain timer while a cancel cuts the drain short. */
    @Test
    void aDrainTimerArmedAsACancelCutsTheDrainShort_isCancelled() {
        TurnHandle turn = start(streamer(DrainPolicy.fixed(Duration.ofSeconds(1)), LivenessPolicy.defaults()));
        scheduler.afterScheduling(Duration.ofSeconds(1), turn::cancel);

        client.lastPrompt().answer("end_turn");

        assertThat(done(turn).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(clock.pendingTaskCount()).as("no timer outlives the turn").isZero();
    }
}
