package io.github.acppool.pool;

import io.github.acppool.AcpPoolException;

/**
 * Thrown when a thread is interrupted while it waits for a connection (its lock, its creation by another
 * thread, or a free slot). The thread's interrupt flag is set again before this is thrown; the cause is the
 * {@link InterruptedException}.
 *
 * <p>Immutable and thread-safe.
 */
public final class AcquireInterruptedException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    AcquireInterruptedException(String poolName, String key, InterruptedException cause) {
        super(poolName + " - interrupted while waiting for the connection for key '" + key + "'", cause);
    }
}
