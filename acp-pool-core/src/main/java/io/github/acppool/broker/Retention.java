package io.github.acppool.broker;

import java.time.Duration;
import java.time.Instant;

/** The retention arithmetic the stores share. */
final class Retention {
    private Retention() {}

    /** The oldest update time still kept at {@code now}; never before the epoch, whatever the retention. */
    static Instant cutoff(Instant now, Duration retention) {
        Instant earliest = Instant.EPOCH;
        if (Duration.between(earliest, now).compareTo(retention) <= 0) {
            return earliest;
        }
        return now.minus(retention);
    }
}
