package io.github.acppool.pool;

import io.github.acppool.internal.Checks;
import java.time.Duration;

/**
 * One connection in a {@link PoolStats} snapshot.
 *
 * <p>Immutable and thread-safe.
 *
 * @param key the connection's key
 * @param age how long ago the connection was created
 * @param idleTime how long it has been unused; zero while it is busy
 * @param inFlightTime how long the current callback has been running; zero when no callback runs
 * @param busy whether a caller holds the connection or waits for it
 * @param <K> the key type
 */
public record ConnectionStats<K>(K key, Duration age, Duration idleTime, Duration inFlightTime, boolean busy) {

    public ConnectionStats {
        Checks.notNull(key, "key");
        Checks.nonNegative(age, "age");
        Checks.nonNegative(idleTime, "idleTime");
        Checks.nonNegative(inFlightTime, "inFlightTime");
    }
}
