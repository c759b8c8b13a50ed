package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The still-working sign of life, on a fake clock: when it fires, that it repeats, resets and stops. */
@Timeout(30)
final class StillWorkingTest {
    private static final String SESSION = "s1";
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private final FakeScheduler clock = new FakeScheduler();
    private final StubAcpClient client = new StubAcpClient();
    private final TurnEvents events = new TurnEvents();
    private final PromptStreamer streamer = PromptStreamer.builder()
            .drainPolicy(DrainPolicy.fixed(Duration.ofMillis(200)))
            .livenessPolicy(LivenessPolicy.builder()
                    .stillWorkingInterval(INTERVAL)
                    .checkInterval(Duration.ofHours(1))
                    .build())
            .scheduler(clock, false)
            .ticker(clock)
            .build();

    @AfterEach
    void noTimerFailedOrOutlivedItsTurn() {
        assertThat(clock.failures()).isEmpty();
        assertThat(clock.pendingTaskCount()).as("every test ends its turns").isZero();
    }

    private TurnHandle start() {
        return streamer.start(client, SESSION, List.of(ContentBlock.text("hi")), events);
    }

    private List<TurnEvent.StillWorking> notices() {
        return events.ofType(TurnEvent.StillWorking.class);
    }

    @Test
    void firesAfterAnIntervalOfSilence_andAgainEachInterval() {
        TurnHandle turn = start();
        clock.advance(INTERVAL.minusMillis(1));
        assertThat(notices()).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(notices()).containsExactly(new TurnEvent.StillWorking(INTERVAL, INTERVAL));
        clock.advance(INTERVAL);
        assertThat(notices())
                .containsExactly(
                        new TurnEvent.StillWorking(INTERVAL, INTERVAL),
                        new TurnEvent.StillWorking(INTERVAL.multipliedBy(2), INTERVAL.multipliedBy(2)));
        assertThat(turn.result()).as("a notice does not end the turn").isNotDone();
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofSeconds(1));
        assertThat(turn.result().join().text()).isEmpty();
    }

    @Test
    void anUpdateStartsTheSilenceOver() {
        TurnHandle turn = start();
        clock.advance(Duration.ofSeconds(20));
        client.deliver(SESSION, StubAcpClient.chunk("working"));
        clock.advance(Duration.ofSeconds(29));
        assertThat(notices()).as("20 s + 29 s, but only 29 s of silence").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(notices()).containsExactly(new TurnEvent.StillWorking(INTERVAL, Duration.ofSeconds(50)));
        clock.advance(Duration.ofSeconds(10));
        client.deliver(SESSION, StubAcpClient.chunk("more"));
        clock.advance(Duration.ofSeconds(29));
        assertThat(notices()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(notices()).hasSize(2).last().isEqualTo(new TurnEvent.StillWorking(INTERVAL, Duration.ofSeconds(90)));
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofSeconds(1));
        assertThat(turn.result()).isDone();
    }

    @Test
    void neverAfterTheAnswerNorAfterTheTurnEnded() {
        TurnHandle turn = start();
        client.lastPrompt().answer("end_turn");
        clock.advance(Duration.ofMillis(100));
        assertThat(turn.result()).as("still draining").isNotDone();
        clock.advance(Duration.ofMinutes(5));
        assertThat(turn.result()).isDone();
        assertThat(notices()).isEmpty();

        TurnHandle cancelled = start();
        assertThat(cancelled.cancel()).isTrue();
        client.lastPrompt().answer("cancelled");
        clock.advance(Duration.ofMinutes(5));
        assertThat(cancelled.result()).isDone();
        assertThat(notices()).isEmpty();
    }

    @Test
    void theIntervalIsValidated_andDefaultsToThirtySeconds() {
        assertThat(LivenessPolicy.defaults().stillWorkingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> LivenessPolicy.builder()
                        .stillWorkingInterval(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stillWorkingInterval");
    }
}
