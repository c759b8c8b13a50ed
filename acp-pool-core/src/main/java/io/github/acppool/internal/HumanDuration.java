package io.github.acppool.internal;

import java.time.Duration;

/**
 * Durations as a chat user reads them: "less than 1 s", "30 s", "2 min 30 s", "12 min", "1 h 5 min".
 *
 * <p>Stateless and thread-safe.
 */
public final class HumanDuration {
    private HumanDuration() {}

    public static String format(Duration duration) {
        long seconds = duration.isNegative() ? 0 : duration.getSeconds() + (duration.getNano() >= 500_000_000 ? 1 : 0);
        if (seconds < 1) {
            return "less than 1 s";
        }
        if (seconds < 60) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long rest = seconds % 60;
            return rest == 0 ? minutes + " min" : minutes + " min " + rest + " s";
        }
        if (minutes < 120) {
            return minutes + " min";
        }
        long hours = minutes / 60;
        long rest = minutes % 60;
        return rest == 0 ? hours + " h" : hours + " h " + rest + " min";
    }
}
