package io.github.acppool.pool;

import io.github.acppool.AcpPoolException;

/**
 * Thrown to every caller that waited for a connection whose {@link ConnectionFactory} failed; the factory's
 * exception is the cause. The key is not poisoned: the next call for it tries again.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConnectionCreationException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final String key;

    ConnectionCreationException(String poolName, String key, Throwable cause) {
        super(poolName + " - could not create a connection for key '" + key + "': " + cause, cause);
        this.key = key;
    }

    /** The key whose connection could not be created, as text. */
    public String key() {
        return key;
    }
}
