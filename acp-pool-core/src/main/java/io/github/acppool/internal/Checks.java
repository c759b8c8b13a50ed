package io.github.acppool.internal;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Argument and state checks with uniform messages that name the offending setting and its value.
 *
 * <p>Stateless and thread-safe.
 */
public final class Checks {
    private Checks() {}

    /** Returns {@code value}, or throws {@code NullPointerException("<name> must not be null")}. */
    @CanIgnoreReturnValue
    public static <T> T notNull(@Nullable T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    /** Returns {@code value} if it is greater than zero. */
    @CanIgnoreReturnValue
    public static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    /** Returns {@code value} if it is not negative. */
    @CanIgnoreReturnValue
    public static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return value;
    }

    /** Returns {@code value} if it is non-null and longer than zero. */
    @CanIgnoreReturnValue
    public static Duration positive(@Nullable Duration value, String name) {
        Duration checked = notNull(value, name);
        if (checked.isNegative() || checked.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + checked);
        }
        return checked;
    }

    /** Returns {@code value} if it is non-null and not negative. */
    @CanIgnoreReturnValue
    public static Duration nonNegative(@Nullable Duration value, String name) {
        Duration checked = notNull(value, name);
        if (checked.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + checked);
        }
        return checked;
    }

    /** Throws {@code IllegalArgumentException} with the formatted message unless {@code condition} holds. */
    public static void argument(boolean condition, String format, @Nullable Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, format, args));
        }
    }

    /** Throws {@code IllegalStateException} with the formatted message unless {@code condition} holds. */
    public static void state(boolean condition, String format, @Nullable Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(Locale.ROOT, format, args));
        }
    }

    /**
     * For set-once builders: returns {@code value} if {@code current} is still unset, and otherwise throws
     * {@code IllegalStateException("<name> was already set to <current>")}.
     */
    @CanIgnoreReturnValue
    public static <T> T setOnce(@Nullable Object current, @Nullable T value, String name) {
        if (current != null) {
            throw new IllegalStateException(name + " was already set to " + current);
        }
        return notNull(value, name);
    }
}
