package io.github.acppool.turn;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a turn decides that the agent is gone or stuck while it waits for the prompt's answer. Build with
 * {@link #builder()}; {@link #defaults()} has every default:
 *
 * <ul>
 *   <li>{@code checkInterval} {@link #DEFAULT_CHECK_INTERVAL}: this often the process is checked; alive
 *       means keep waiting, however long a silent tool call takes (a five-minute build sends nothing), dead
 *       means the turn ends at once with the exit code and the stderr tail;
 *   <li>{@code inactivityTimeout} none: when set, a turn that received no update for this long while the
 *       agent is alive is cancelled and ends as timed out (the silent hang of openab #997). It must be longer
 *       than the longest silent tool call you expect;
 *   <li>{@code hardTimeout} {@link #DEFAULT_HARD_TIMEOUT}: no turn waits longer for its answer than this;
 *   <li>{@code stillWorkingInterval} {@link #DEFAULT_STILL_WORKING_INTERVAL}: a sign of life for the chat. Each
 *       time a turn that waits for its answer has heard nothing from the agent for this long (and again after
 *       each further interval of silence), its listener gets {@link TurnEvent.StillWorking}; any update starts
 *       the silence over. It is an event, not an end of the turn, and none comes after the answer.
 * </ul>
 *
 * <p>On either timeout the streamer sends {@code session/cancel} and abandons the request id, so a late
 * answer can never complete a later turn (openab #732). Defaults may change between releases. Immutable and
 * thread-safe.
 *
 * @param checkInterval how often the agent process is checked
 * @param inactivityTimeout how long a turn may go without any update, or null for no limit
 * @param hardTimeout how long a turn may wait for the prompt's answer in total
 * @param stillWorkingInterval how long a turn's silence lasts before (and between) still-working events
 */
public record LivenessPolicy(
        Duration checkInterval,
        @Nullable Duration inactivityTimeout,
        Duration hardTimeout,
        Duration stillWorkingInterval) {

    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HARD_TIMEOUT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_STILL_WORKING_INTERVAL = Duration.ofSeconds(30);

    public LivenessPolicy {
        Checks.positive(checkInterval, "checkInterval");
        if (inactivityTimeout != null) {
            Checks.positive(inactivityTimeout, "inactivityTimeout");
        }
        Checks.positive(hardTimeout, "hardTimeout");
        Checks.positive(stillWorkingInterval, "stillWorkingInterval");
    }

    /** A policy with the default {@code stillWorkingInterval}. */
    public LivenessPolicy(Duration checkInterval, @Nullable Duration inactivityTimeout, Duration hardTimeout) {
        this(checkInterval, inactivityTimeout, hardTimeout, DEFAULT_STILL_WORKING_INTERVAL);
    }

    public static LivenessPolicy defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Set-once builder (setting a value twice is an error), validated in {@link #build()}; not thread-safe. */
    public static final class Builder {
        private @Nullable Duration checkInterval;
        private @Nullable Duration inactivityTimeout;
        private @Nullable Duration hardTimeout;
        private @Nullable Duration stillWorkingInterval;

        private Builder() {}

        /** How long a turn's agent may be silent before (and between) {@link TurnEvent.StillWorking} events. */
        @CanIgnoreReturnValue
        public Builder stillWorkingInterval(Duration value) {
            stillWorkingInterval = Checks.setOnce(stillWorkingInterval, value, "stillWorkingInterval");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder checkInterval(Duration value) {
            checkInterval = Checks.setOnce(checkInterval, value, "checkInterval");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder inactivityTimeout(Duration value) {
            inactivityTimeout = Checks.setOnce(inactivityTimeout, value, "inactivityTimeout");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder hardTimeout(Duration value) {
            hardTimeout = Checks.setOnce(hardTimeout, value, "hardTimeout");
            return this;
        }

        public LivenessPolicy build() {
            return new LivenessPolicy(
                    checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval,
                    inactivityTimeout,
                    hardTimeout == null ? DEFAULT_HARD_TIMEOUT : hardTimeout,
                    stillWorkingInterval == null ? DEFAULT_STILL_WORKING_INTERVAL : stillWorkingInterval);
        }
    }
}
