package io.github.acppool.pool;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link ConnectionPool#tryWithConnection}: either the callback ran and returned a value (which
 * may be {@code null}), or the connection was busy and the callback did not run.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <R> the callback's result type
 */
public final class TryResult<R extends @Nullable Object> {
    private static final TryResult<?> BUSY = new TryResult<>(true, null);

    private final boolean busy;
    private final @Nullable R value;

    private TryResult(boolean busy, @Nullable R value) {
        this.busy = busy;
        this.value = value;
    }

    /** The result of a call that found the connection busy. */
    @SuppressWarnings("unchecked") // holds no value, so it is a TryResult of every type
    public static <R extends @Nullable Object> TryResult<R> busy() {
        return (TryResult<R>) BUSY;
    }

    /** The result of a callback that ran and returned {@code value}. */
    public static <R extends @Nullable Object> TryResult<R> ran(R value) {
        return new TryResult<>(false, value);
    }

    /** Whether the connection was busy, so that the callback did not run. */
    public boolean isBusy() {
        return busy;
    }

    /** Whether the callback ran. */
    public boolean ran() {
        return !busy;
    }

    /**
     * The value the callback returned, possibly {@code null}.
     *
     * @throws IllegalStateException if the connection was busy
     */
    @SuppressWarnings("NullAway") // R itself may be a nullable type; a busy result never gets here
    public R value() {
        if (busy) {
            throw new IllegalStateException("the connection was busy, so the callback did not run");
        }
        return value;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof TryResult<?> that && busy == that.busy && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return busy ? -1 : Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return busy ? "TryResult[busy]" : "TryResult[ran: " + value + "]";
    }
}
