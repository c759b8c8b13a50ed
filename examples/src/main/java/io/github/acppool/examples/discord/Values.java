package io.github.acppool.examples.discord;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Parses the config's durations and sizes. Stateless. */
final class Values {

    /** One or more number-unit pairs, e.g. {@code 30s}, {@code 1.5s}, {@code 1h30m}, {@code 500ms}. */
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");

    private static final Map<String, Long> SIZE_UNITS = Map.of(
            "B", 1L,
            "KB", 1000L,
            "KiB", 1024L,
            "MB", 1000L * 1000,
            "MiB", 1024L * 1024,
            "GB", 1000L * 1000 * 1000,
            "GiB", 1024L * 1024 * 1024);

    static final String DURATION_FORMS = "a duration such as 500ms, 30s, 1.5s, 2m, 4h, 1d, 1h30m or ISO-8601 PT30S";
    static final String SIZE_FORMS = "a size in bytes such as 1048576, 512KiB, 10MB or 1MiB";

    private Values() {}

    /**
     * Parses {@code 500ms}, {@code 30s}, {@code 1.5s}, {@code 2m}, {@code 4h}, {@code 1d}, sums such as {@code
     * 1h30m}, or ISO-8601 ({@code PT30S}, {@code P1D}); null if it is none of them. A bare number has no unit and is
     * refused.
     */
    static @Nullable Duration duration(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        if (trimmed.charAt(0) == 'P' || trimmed.charAt(0) == 'p' || trimmed.startsWith("-P")) {
            try {
                return Duration.parse(trimmed);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher matcher = DURATION_PART.matcher(trimmed);
        Duration total = Duration.ZERO;
        int end = 0;
        while (matcher.lookingAt()) {
            BigDecimal amount = new BigDecimal(matcher.group(1));
            BigDecimal nanosPerUnit = BigDecimal.valueOf(
                    switch (matcher.group(2)) {
                        case "ms" -> 1_000_000L;
                        case "s" -> 1_000_000_000L;
                        case "m" -> 60_000_000_000L;
                        case "h" -> 3_600_000_000_000L;
                        default -> 86_400_000_000_000L;
                    });
            BigDecimal nanos = amount.multiply(nanosPerUnit);
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                return null;
            }
            total = total.plusNanos(nanos.longValue());
            end = matcher.end();
            matcher.region(end, trimmed.length());
        }
        return end == trimmed.length() && end > 0 ? total : null;
    }

    /** Parses a byte count: a whole number, or a number with B, KB, KiB, MB, MiB, GB or GiB; null if it is not one. */
    static @Nullable Long size(String text) {
        Matcher matcher = SIZE.matcher(text.strip());
        if (!matcher.matches() || (matcher.group(2) == null && matcher.group(1).contains("."))) {
            return null;
        }
        String unit = matcher.group(2);
        BigDecimal bytes = new BigDecimal(matcher.group(1))
                .multiply(BigDecimal.valueOf(unit == null ? 1L : SIZE_UNITS.getOrDefault(unit, 1L)));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return null;
        }
        return bytes.longValue();
    }

    /** For messages: {@code 1.5s}, {@code 4h}, {@code 200ms}. */
    static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long millis = duration.toMillis();
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis >= 1000
                ? BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s"
                : millis + "ms";
    }
}
