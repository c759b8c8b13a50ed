package io.github.acppool.pool;

import io.github.acppool.AcpPoolException;
import java.time.Duration;
import java.util.Locale;

/**
 * Thrown when a connection for a new key is needed, the pool is at {@link PoolConfig#maxSize()}, and no
 * connection is idle (all are busy or being created) within {@link PoolConfig#acquireTimeout()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class PoolExhaustedException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final int size;
    private final int busy;
    private final int creating;
    private final Duration waited;

    PoolExhaustedException(
            String poolName, String key, int maxSize, int size, int busy, int creating, Duration waited) {
        super(String.format(
                Locale.ROOT,
                "%s - pool exhausted: no connection for key '%s': all %d slots are taken"
                        + " (%d connections, %d of them busy, %d being created) and none is idle; waited %s",
                poolName,
                key,
                maxSize,
                size,
                busy,
                creating,
                waited));
        this.key = key;
        this.size = size;
        this.busy = busy;
        this.creating = creating;
        this.waited = waited;
    }

    @Override
    public String userMessage() {
        return "Every agent is busy right now; try again in a moment.";
    }

    /** The key that needed a connection, as text. */
    public String key() {
        return key;
    }

    /** How many connections the pool held. */
    public int size() {
        return size;
    }

    /** How many of those were busy. */
    public int busy() {
        return busy;
    }

    /** How many connections were being created (each holds a slot). */
    public int creating() {
        return creating;
    }

    /** How long the caller waited for a slot. */
    public Duration waited() {
        return waited;
    }
}
