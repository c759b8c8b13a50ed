package io.github.acppool;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception that acp-pool throws. It is unchecked: most failures (an agent that died,
 * a pool that is full) are not something a caller can recover from at the call site, and the subclasses
 * carry what a caller needs to report them.
 *
 * <p>Instances are immutable and therefore thread-safe.
 */
public class AcpPoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AcpPoolException(String message) {
        super(message);
    }

    public AcpPoolException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
