package io.github.acppool.pool;

import io.github.acppool.internal.Checks;
import java.util.List;

/**
 * A snapshot of a {@link ConnectionPool}, taken by {@link ConnectionPool#stats()} without waiting for any
 * busy connection. The counts are consistent with each other; each connection's times are read a moment
 * apart, so they are approximate.
 *
 * <p>Immutable and thread-safe.
 *
 * @param size how many connections the pool holds (evicted connections whose callback still runs are not
 *     counted)
 * @param busy how many of them a caller holds or waits for
 * @param creating how many connections are being created (each holds a slot)
 * @param maxSize the configured maximum
 * @param connections one entry per held connection, oldest first
 * @param <K> the key type
 */
public record PoolStats<K>(int size, int busy, int creating, int maxSize, List<ConnectionStats<K>> connections) {

    public PoolStats {
        connections = List.copyOf(Checks.notNull(connections, "connections"));
    }

    /** How many held connections are idle: {@code size() - busy()}. */
    public int idle() {
        return size - busy;
    }
}
