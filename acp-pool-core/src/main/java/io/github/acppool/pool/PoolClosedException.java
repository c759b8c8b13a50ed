package io.github.acppool.pool;

import io.github.acppool.AcpPoolException;

/**
 * Thrown by every call that needs a connection once {@link ConnectionPool#close()} has started.
 *
 * <p>Immutable and thread-safe.
 */
public final class PoolClosedException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    PoolClosedException(String poolName) {
        super(poolName + " - pool is closed");
    }
}
