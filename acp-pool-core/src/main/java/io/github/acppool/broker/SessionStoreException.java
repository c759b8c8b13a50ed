package io.github.acppool.broker;

import io.github.acppool.AcpPoolException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SessionStore} could not read or write its backing storage. The message names the storage (for
 * the file store, the path) and what failed.
 *
 * <p>Immutable and therefore thread-safe.
 */
public final class SessionStoreException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    public SessionStoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
