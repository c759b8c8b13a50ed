package io.github.acppool.turn;

import io.github.acppool.internal.Checks;
import java.time.Duration;

/**
 * How long a turn keeps collecting its session's updates after the agent answered the prompt.
 *
 * <p>ACP says every update of a turn comes before the answer, but real agents send the last text after
 * {@code end_turn} (openab #76, claude-agent-acp #824). A turn therefore stays open for a while after the
 * answer; what arrives in that window is part of the reply, and what arrives after it, before the next prompt
 * is written, goes to the turn's listener as a late event ({@link TurnListener#onLateEvent}), never into the
 * next turn (see {@link PromptStreamer.Builder#quietGap}). Built-ins: {@link #none()}, {@link #fixed(Duration)} (the default, {@link
 * #DEFAULT_WINDOW}) and {@link #quietPeriod(Duration, Duration)} (acpx uses 1 s quiet, 5 s cap).
 *
 * <p>The streamer asks the policy when the answer arrives and again each time the returned delay has passed,
 * so a policy is a pure function of the two durations it is given. Implementations must be thread-safe and
 * fast; one that throws ends the drain (the exception is logged). The built-ins are immutable records.
 */
@FunctionalInterface
public interface DrainPolicy {

    /** The window of {@link #fixed(Duration)} that {@link #defaultPolicy()} uses: 200 ms, as in the seed. */
    Duration DEFAULT_WINDOW = Duration.ofMillis(200);

    /**
     * How much longer to keep collecting; zero or negative ends the drain now.
     *
     * @param sinceAnswer how long ago the prompt's answer arrived
     * @param sinceLastActivity how long ago the later of the answer and the session's last update arrived
     */
    Duration remaining(Duration sinceAnswer, Duration sinceLastActivity);

    /** Ends the turn as soon as the answer arrives: late text is lost. */
    static DrainPolicy none() {
        return Drains.None.INSTANCE;
    }

    /** Collects for {@code window} after the answer, however busy the agent is. */
    static DrainPolicy fixed(Duration window) {
        return new Drains.Fixed(Checks.positive(window, "window"));
    }

    /**
     * Collects until no update came for {@code quiet}, but no longer than {@code cap} after the answer.
     *
     * @throws IllegalArgumentException unless {@code 0 < quiet <= cap}
     */
    static DrainPolicy quietPeriod(Duration quiet, Duration cap) {
        Checks.positive(quiet, "quiet");
        Checks.positive(cap, "cap");
        Checks.argument(quiet.compareTo(cap) <= 0, "quiet must not be longer than cap: %s > %s", quiet, cap);
        return new Drains.Quiet(quiet, cap);
    }

    /** {@code fixed(DEFAULT_WINDOW)}. */
    static DrainPolicy defaultPolicy() {
        return fixed(DEFAULT_WINDOW);
    }
}
