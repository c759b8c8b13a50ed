package io.github.acppool.acp;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.acp.schema.SessionUpdate;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's delivery queue: the stdout reader appends, and at most one task on the executor drains it
 * into the session's listener, so updates arrive in order, one at a time, off the reader thread.
 *
 * <p>The queue is bounded in updates; a full queue makes the reader wait (back-pressure) rather than grow
 * without limit. Barriers (the reader's "deliver everything before this answer" markers) are never counted
 * and never wait.
 */
final class SessionChannel {

    /* Concurrency: `lock` guards the queue, the update count, `draining` and `closed`. Exactly one drain task
     * exists while `draining` is true; it runs listener code and barriers with the lock released. The reader
     * waits on `notFull` only while holding no other lock; close() wakes it. `listener` is volatile: a
     * replacement takes effect from the next update delivered. */

    private static final Logger log = LoggerFactory.getLogger(SessionChannel.class);

    private final String clientName;
    private final String sessionId;
    private final int capacity;
    private final Executor executor;
    private volatile @Nullable SessionUpdateListener listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();

    @GuardedBy("lock")
    private final ArrayDeque<Object> queue = new ArrayDeque<>();

    @GuardedBy("lock")
    private int updates;

    @GuardedBy("lock")
    private boolean draining;

    @GuardedBy("lock")
    private boolean closed;

    SessionChannel(
            String clientName, String sessionId, int capacity, Executor executor, SessionUpdateListener listener) {
        this.clientName = clientName;
        this.sessionId = sessionId;
        this.capacity = capacity;
        this.executor = executor;
        this.listener = listener;
    }

    @Nullable
    SessionUpdateListener listener() {
        return listener;
    }

    void listener(SessionUpdateListener value) {
        listener = value;
    }

    /** Appends an update, waiting while the queue is full. Returns false if the channel was closed. */
    boolean offer(SessionUpdate update) throws InterruptedException {
        boolean start;
        lock.lock();
        try {
            while (updates >= capacity && !closed) {
                notFull.await();
            }
            if (closed) {
                return false;
            }
            queue.add(update);
            updates++;
            start = !draining;
            draining = true;
        } finally {
            lock.unlock();
        }
        if (start) {
            startDrain();
        }
        return true;
    }

    /**
     * Queues {@code barrier} behind everything not yet delivered and returns true, or returns false (and
     * does not run it) when nothing is waiting or being delivered.
     */
    boolean barrier(Runnable barrier) {
        lock.lock();
        try {
            if (!draining) {
                return false;
            }
            queue.add(barrier);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops updates not yet delivered and releases a waiting reader; queued barriers still run. */
    void close() {
        lock.lock();
        try {
            closed = true;
            listener = null;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void startDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The client is closing: nothing will be delivered any more, but barriers must still run.
            drain();
        }
    }

    private void drain() {
        while (true) {
            Object item;
            lock.lock();
            try {
                item = queue.poll();
                if (item == null) {
                    draining = false;
                    return;
                }
                if (item instanceof SessionUpdate) {
                    if (updates-- == capacity) {
                        notFull.signal();
                    }
                }
            } finally {
                lock.unlock();
            }
            if (item instanceof SessionUpdate update) {
                deliver(update);
            } else {
                ((Runnable) item).run();
            }
        }
    }

    private void deliver(SessionUpdate update) {
        SessionUpdateListener current = listener;
        if (current == null) {
            log.debug("{} - dropped {} for session {}: listener gone", clientName, update.kind(), sessionId);
            return;
        }
        try {
            current.onUpdate(sessionId, update);
        } catch (Exception e) {
            log.warn("{} - listener of session {} threw on {}", clientName, sessionId, update.kind(), e);
        }
    }
}
