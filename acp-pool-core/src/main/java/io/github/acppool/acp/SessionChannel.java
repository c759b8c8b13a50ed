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
 * <p>The reader appends a whole read buffer's worth of updates and then calls {@link #flush()}, so a flood
 * of small updates wakes the delivery thread once per buffer rather than once per update. The queue is
 * bounded in updates; a full queue makes the reader wait (back-pressure) rather than grow without limit.
 * Barriers (the reader's "deliver everything before this answer" markers) are never counted and never
 * wait.
 */
final class SessionChannel {

    /* Concurrency: `lock` guards the queue, the update count, `scheduled` and `closed`. At most one drain task
     * exists, and only while `scheduled` is true; it takes batches under the lock and runs listener code and
     * barriers with the lock released. Only the reader thread appends updates, so `unflushed` is reader-owned.
     * The reader waits on `notFull` holding no other lock, after making sure a drain is scheduled (else it
     * would wait for itself); close() wakes it. `listener` is volatile: a replacement takes effect from the
     * next update delivered. */

    private static final Logger LOG = LoggerFactory.getLogger(SessionChannel.class);
    private static final int BATCH = 256;

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
    private boolean scheduled;

    @GuardedBy("lock")
    private boolean closed;

    /** Reader thread only: updates appended since the last flush(). */
    private boolean unflushed;

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

    /**
     * Reader thread: appends an update, waiting while the queue is full. Delivery starts at the next {@link
     * #flush()} (or when the queue fills up). Returns false if the channel was closed.
     */
    boolean offer(SessionUpdate update) throws InterruptedException {
        boolean start = false;
        lock.lock();
        try {
            while (updates >= capacity && !closed) {
                if (!scheduled) {
                    scheduled = true;
                    start = true;
                    break;
                }
                notFull.await();
            }
        } finally {
            lock.unlock();
        }
        if (start) {
            startDrain();
            lock.lock();
            try {
                while (updates >= capacity && !closed) {
                    notFull.await();
                }
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            queue.add(update);
            updates++;
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** Reader thread: marks the channel as having unflushed updates; true if it was not marked yet. */
    boolean markUnflushed() {
        if (unflushed) {
            return false;
        }
        unflushed = true;
        return true;
    }

    /** Reader thread: starts delivering what {@link #offer} appended, unless a drain is already under way. */
    void flush() {
        if (!unflushed) {
            return;
        }
        unflushed = false;
        boolean start;
        lock.lock();
        try {
            start = claimDrain();
        } finally {
            lock.unlock();
        }
        if (start) {
            startDrain();
        }
    }

    /** True if the queue has items and no drain is scheduled: the caller must then start one. */
    @GuardedBy("lock")
    private boolean claimDrain() {
        boolean claim = !scheduled && !queue.isEmpty();
        scheduled |= claim;
        return claim;
    }

    /**
     * Reader thread: queues {@code barrier} behind everything not yet delivered and returns true, or returns
     * false (and does not run it) when nothing is waiting or being delivered.
     */
    boolean barrier(Runnable barrier) {
        boolean start;
        lock.lock();
        try {
            if (!scheduled && queue.isEmpty()) {
                return false;
            }
            queue.add(barrier);
            start = !scheduled;
            scheduled = true;
        } finally {
            lock.unlock();
        }
        unflushed = false;
        if (start) {
            startDrain();
        }
        return true;
    }

    /** Drops updates not yet delivered and releases a waiting reader; queued barriers still run. */
    void close() {
        boolean start;
        lock.lock();
        try {
            closed = true;
            listener = null;
            notFull.signalAll();
            start = claimDrain();
        } finally {
            lock.unlock();
        }
        if (start) {
            startDrain();
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
        Object[] batch = new Object[BATCH];
        while (true) {
            int n = 0;
            lock.lock();
            try {
                Object item;
                int taken = 0;
                while (n < BATCH && (item = queue.poll()) != null) {
                    batch[n++] = item;
                    if (item instanceof SessionUpdate) {
                        taken++;
                    }
                }
                if (n == 0) {
                    scheduled = false;
                    return;
                }
                boolean wasFull = updates >= capacity;
                updates -= taken;
                if (wasFull && taken > 0) {
                    notFull.signal();
                }
            } finally {
                lock.unlock();
            }
            for (int i = 0; i < n; i++) {
                Object item = batch[i];
                batch[i] = null;
                if (item instanceof SessionUpdate update) {
                    deliver(update);
                } else {
                    ((Runnable) item).run();
                }
            }
        }
    }

    private void deliver(SessionUpdate update) {
        SessionUpdateListener current = listener;
        if (current == null) {
            LOG.debug("{} - dropped {} for session {}: listener gone", clientName, update.kind(), sessionId);
            return;
        }
        try {
            current.onUpdate(sessionId, update);
        } catch (Exception e) {
            LOG.warn("{} - listener of session {} threw on {}", clientName, sessionId, update.kind(), e);
        }
    }
}
