package io.github.acppool.acp;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes whole lines to the agent's stdin without ever making a sender wait for another sender.
 *
 * <p>Senders enqueue and then try to become the writer. Whoever holds the lock writes everything queued,
 * including other senders' lines, and re-checks the queue after unlocking; a sender that finds the lock
 * taken returns at once, knowing the holder will write its line. So {@code session/cancel} never waits
 * behind a large prompt or a stdin pipe the agent has stopped reading.
 */
final class OutboundWriter {

    /* Concurrency: `lock` guards the stream (only its holder writes). The queue is lock-free. Lines leave in
     * queue order, so a sender's own lines keep their order. `broken` is set once, by the first failed write;
     * afterwards sends fail at once. Only the lock holder may block (on a full pipe). */

    private static final Logger LOG = LoggerFactory.getLogger(OutboundWriter.class);

    private static final class Line {
        final byte[] bytes;
        final @Nullable Consumer<IOException> onFailure;

        Line(byte[] bytes, @Nullable Consumer<IOException> onFailure) {
            this.bytes = bytes;
            this.onFailure = onFailure;
        }
    }

    private final String name;
    private final OutputStream out;
    private final ConcurrentLinkedQueue<Line> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile @Nullable IOException broken;
    private volatile boolean closed;

    OutboundWriter(String name, OutputStream out) {
        this.name = name;
        this.out = out;
    }

    /** Queues a line (without its newline) and writes it unless another thread is writing. */
    void send(byte[] bytes, @Nullable Consumer<IOException> onFailure) {
        IOException failure = broken;
        if (failure == null && closed) {
            failure = new IOException("stdin is closed");
        }
        if (failure != null) {
            if (onFailure != null) {
                onFailure.accept(failure);
            }
            return;
        }
        queue.add(new Line(bytes, onFailure));
        drain();
    }

    private void drain() {
        while (!queue.isEmpty()) {
            if (!lock.tryLock()) {
                return;
            }
            try {
                writeQueued();
            } finally {
                lock.unlock();
            }
        }
    }

    private void writeQueued() {
        Line line = null;
        try {
            while ((line = queue.poll()) != null) {
                if (broken != null || closed) {
                    throw broken != null ? broken : new IOException("stdin is closed");
                }
                out.write(line.bytes);
                out.write('\n');
                line = null;
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            if (broken == null) {
                broken = e;
                LOG.debug("{} - writing to the agent's stdin failed: {}", name, e.toString());
            }
            fail(line, e);
            Line rest;
            while ((rest = queue.poll()) != null) {
                fail(rest, e);
            }
        }
    }

    private static void fail(@Nullable Line line, IOException e) {
        if (line != null && line.onFailure != null) {
            line.onFailure.accept(e);
        }
    }

    /**
     * Closes stdin (the agent's signal to exit), waiting at most {@code wait} for a writer that is blocked
     * on a full pipe; returns false if it could not.
     */
    boolean close(Duration wait) {
        try {
            if (!lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (!closed) {
                writeQueued();
                closed = true;
                out.close();
            }
            return true;
        } catch (IOException e) {
            LOG.debug("{} - closing stdin: {}", name, e.toString());
            return true;
        } finally {
            lock.unlock();
        }
    }
}
