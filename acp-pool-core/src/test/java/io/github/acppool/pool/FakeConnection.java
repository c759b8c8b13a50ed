package io.github.acppool.pool;

import java.util.concurrent.atomic.AtomicInteger;

/** A pooled "connection" that records how it is used and closed. Thread-safe. */
final class FakeConnection {
    private static final AtomicInteger IDS = new AtomicInteger();

    final String key;
    final int id = IDS.incrementAndGet();
    final AtomicInteger closeCount = new AtomicInteger();
    /** Callbacks running on this connection right now; more than one is a bug in the pool. */
    final AtomicInteger holders = new AtomicInteger();

    volatile boolean alive = true;

    FakeConnection(String key) {
        this.key = key;
    }

    boolean isClosed() {
        return closeCount.get() > 0;
    }

    @Override
    public String toString() {
        return key + "#" + id;
    }
}
