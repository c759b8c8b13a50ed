package io.github.acppool;

/**
 * A source of monotonic time in nanoseconds, injectable so that tests can drive time by hand.
 *
 * <p>Implementations must be thread-safe; {@link #systemTicker()} is.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current time in nanoseconds from an arbitrary, fixed origin. */
    long read();

    /** The ticker backed by {@link System#nanoTime()}. */
    static Ticker systemTicker() {
        return System::nanoTime;
    }
}
