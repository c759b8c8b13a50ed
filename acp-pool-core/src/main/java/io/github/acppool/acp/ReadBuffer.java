package io.github.acppool.acp;

/**
 * A read buffer that is small while an agent is quiet and grows while it streams: it doubles (up to {@code max})
 * after a read that filled it, and falls back to {@code min} after a read that used less than a quarter of it (the
 * burst is over, e.g. the turn ended). So an idle agent holds {@code min} bytes, not {@code max}.
 *
 * <p>Not thread-safe: one reader thread owns it.
 */
final class ReadBuffer {
    private final int min;
    private final int max;
    private byte[] array;

    ReadBuffer(int min, int max) {
        if (min <= 0 || max < min) {
            throw new IllegalArgumentException("need 0 < min <= max: " + min + ", " + max);
        }
        this.min = min;
        this.max = max;
        this.array = new byte[min];
    }

    /** The buffer to read into next. */
    byte[] array() {
        return array;
    }

    /** Records that the last read into {@link #array()} returned {@code n} bytes (its contents are used up). */
    void filled(int n) {
        if (n >= array.length && array.length < max) {
            array = new byte[(int) Math.min(max, array.length * 2L)];
        } else if (n < array.length / 4 && array.length > min) {
            array = new byte[min];
        }
    }
}
