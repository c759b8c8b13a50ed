package io.github.acppool.pool;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One pooled connection with its own lock and the lock-free state that lets the pool judge it without
 * taking that lock.
 *
 * <p>Thread-safe; see the design comment of {@link DefaultConnectionPool} for who writes what.
 */
final class PoolEntry<K, C> {
    /** The value of {@link #inFlightSince()} while no callback runs. */
    static final long NOT_IN_FLIGHT = Long.MIN_VALUE;

    final K key;
    final C connection;
    final long createdNanos;
    /** Held by a caller for a whole callback, and briefly (tryLock only) by housekeeping. */
    final ReentrantLock lock = new ReentrantLock();
    /** Callers that hold or wait for {@link #lock}; housekeeping does not count. */
    final AtomicInteger users;

    private volatile long lastActiveNanos;
    private volatile long inFlightSinceNanos = NOT_IN_FLIGHT;
    /** Set once, under the pool's map lock, when the entry leaves the map (or never enters it). */
    private volatile @Nullable EvictionCause retiredCause;

    private final AtomicBoolean closeClaimed = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    PoolEntry(K key, C connection, long nowNanos, int users) {
        this.key = key;
        this.connection = connection;
        this.createdNanos = nowNanos;
        this.lastActiveNanos = nowNanos;
        this.users = new AtomicInteger(users);
    }

    long lastActive() {
        return lastActiveNanos;
    }

    long inFlightSince() {
        return inFlightSinceNanos;
    }

    /** Called by the holder right after it locked the entry. */
    void startUse(long nowNanos) {
        lastActiveNanos = nowNanos;
        inFlightSinceNanos = nowNanos;
    }

    /** Called by the holder right before it unlocks the entry. */
    void endUse(long nowNanos) {
        inFlightSinceNanos = NOT_IN_FLIGHT;
        lastActiveNanos = nowNanos;
    }

    @Nullable
    EvictionCause retiredCause() {
        return retiredCause;
    }

    boolean isRetired() {
        return retiredCause != null;
    }

    /** Must be called under the pool's map lock, once. */
    void retire(EvictionCause cause) {
        assert retiredCause == null : key + " retired twice";
        retiredCause = cause;
    }

    /** Whether the caller won the right to close the connection; true for exactly one caller. */
    boolean claimClose() {
        return closeClaimed.compareAndSet(false, true);
    }

    void markClosed() {
        closed.countDown();
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    boolean awaitClosed(long timeoutNanos) throws InterruptedException {
        return closed.await(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "PoolEntry[" + key + ", users=" + users.get() + ", retired=" + retiredCause + "]";
    }
}
