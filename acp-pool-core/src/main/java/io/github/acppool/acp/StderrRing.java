package io.github.acppool.acp;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Drains an agent's stderr so the pipe can never fill up and block the agent, keeps the last {@code
 * capacity} bytes for error messages, and logs each line at a chosen level.
 */
final class StderrRing implements Runnable {

    /* Concurrency: the drain thread appends under `this`; any thread may read the tail under `this`. Logging
     * happens outside the monitor. Reading never blocks on the drain thread's I/O.
     * Footprint (issue 16): the ring is allocated as stderr arrives and grows (doubling) to its capacity, so a quiet
     * agent costs a few hundred bytes, not the whole capacity; the read buffer and the line being logged also
     * start small and grow on demand. */

    private static final Logger LOG = LoggerFactory.getLogger(StderrRing.class);
    private static final int MAX_LOGGED_LINE = 4096;
    private static final int MIN_RING = 256;
    private static final int MIN_READ_BUFFER = 512;
    private static final int MAX_READ_BUFFER = 8192;

    private final String name;
    private final InputStream in;
    private final Level level;

    private final int capacity;

    /** Holds the first bytes in order until it reaches capacity; from then on a ring (start = written % capacity). */
    @GuardedBy("this")
    private byte[] ring;

    @GuardedBy("this")
    private long written;

    private byte[] line = new byte[0];
    private int lineLength;

    StderrRing(String name, InputStream in, int capacity, Level level) {
        this.name = name;
        this.in = in;
        this.capacity = capacity;
        this.ring = new byte[0];
        this.level = level;
    }

    @Override
    public void run() {
        ReadBuffer reads = new ReadBuffer(MIN_READ_BUFFER, MAX_READ_BUFFER);
        try {
            while (true) {
                byte[] buffer = reads.array();
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                reads.filled(n);
                append(buffer, 0, n);
                if (LOG.isEnabledForLevel(level)) {
                    logLines(buffer, n);
                }
            }
        } catch (IOException e) {
            LOG.debug("{} - stderr closed: {}", name, e.toString());
        } finally {
            if (lineLength > 0) {
                logLine();
            }
        }
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        if (ring.length < capacity) {
            long needed = written + length;
            if (needed <= ring.length) {
                System.arraycopy(bytes, offset, ring, (int) written, length);
                written += length;
                return;
            }
            // Grow, keeping the bytes in order (still unwrapped: written < ring.length <= capacity).
            int size = (int) Math.min(capacity, Math.max(needed, Math.max(ring.length * 2L, MIN_RING)));
            byte[] grown = new byte[size];
            System.arraycopy(ring, 0, grown, 0, (int) written);
            ring = grown;
            if (needed <= size) {
                System.arraycopy(bytes, offset, ring, (int) written, length);
                written += length;
                return;
            }
        }
        if (length >= capacity) {
            offset += length - capacity;
            length = capacity;
        }
        int start = (int) (written % capacity);
        int first = Math.min(length, capacity - start);
        System.arraycopy(bytes, offset, ring, start, first);
        System.arraycopy(bytes, offset + first, ring, 0, length - first);
        written += length;
    }

    /** How many bytes the ring holds allocated now (for tests of its footprint). */
    synchronized int allocated() {
        return ring.length;
    }

    /** The last bytes written, decoded as UTF-8 (a character cut at the start becomes U+FFFD). */
    synchronized String tail() {
        if (ring.length < capacity) {
            return new String(ring, 0, (int) written, StandardCharsets.UTF_8);
        }
        int size = (int) Math.min(written, capacity);
        byte[] out = new byte[size];
        int start = (int) ((written - size) % capacity);
        int first = Math.min(size, capacity - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        return new String(out, StandardCharsets.UTF_8);
    }

    private void logLines(byte[] buffer, int n) {
        for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                logLine();
            } else if (lineLength < MAX_LOGGED_LINE) {
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, Math.min(MAX_LOGGED_LINE, Math.max(64, line.length * 2)));
                }
                line[lineLength++] = b;
            }
        }
    }

    private void logLine() {
        int length = lineLength;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        lineLength = 0;
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        if (line.length > 256) {
            line = new byte[0]; // a long line's buffer is not kept while the agent is quiet
        }
        if (LOG.isEnabledForLevel(level)) {
            LOG.atLevel(level).log("{} - stderr: {}", name, text);
        }
    }
}
