package io.github.acppool.acp;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Drains an agent's stderr so the pipe can never fill up and block the agent, keeps the last {@code
 * capacity} bytes for error messages, and logs each line at a chosen level.
 */
final class StderrRing implements Runnable {

    /* Concurrency: the drain thread appends under `this`; any thread may read the tail under `this`. Logging
     * happens outside the monitor. Reading never blocks on the drain thread's I/O. */

    private static final Logger log = LoggerFactory.getLogger(StderrRing.class);
    private static final int MAX_LOGGED_LINE = 4096;

    private final String name;
    private final InputStream in;
    private final Level level;

    @GuardedBy("this")
    private final byte[] ring;

    @GuardedBy("this")
    private long written;

    private final byte[] line = new byte[MAX_LOGGED_LINE];
    private int lineLength;

    StderrRing(String name, InputStream in, int capacity, Level level) {
        this.name = name;
        this.in = in;
        this.ring = new byte[capacity];
        this.level = level;
    }

    @Override
    public void run() {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                append(buffer, 0, n);
                if (log.isEnabledForLevel(level)) {
                    logLines(buffer, n);
                }
            }
        } catch (IOException e) {
            log.debug("{} - stderr closed: {}", name, e.toString());
        } finally {
            if (lineLength > 0) {
                logLine();
            }
        }
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        int capacity = ring.length;
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

    /** The last bytes written, decoded as UTF-8 (a character cut at the start becomes U+FFFD). */
    synchronized String tail() {
        int capacity = ring.length;
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
            } else if (lineLength < line.length) {
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
        if (log.isEnabledForLevel(level)) {
            log.atLevel(level).log("{} - stderr: {}", name, new String(line, 0, length, StandardCharsets.UTF_8));
        }
    }
}
