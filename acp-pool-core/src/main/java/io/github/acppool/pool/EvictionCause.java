package io.github.acppool.pool;

/**
 * Why a connection left the pool. Passed to the {@link EvictionListener} right before the connection is
 * closed.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum EvictionCause {
    /** It was not used for {@link PoolConfig#idleTimeout()}. */
    IDLE,
    /** The liveness probe said it was dead (or the probe threw), on lookup or during cleanup. */
    DEAD,
    /** The pool was full and it was the least recently used idle connection when another key needed a slot. */
    CAPACITY,
    /**
     * A callback had been running on it for longer than {@link PoolConfig#hungTimeout()}; it is closed while
     * that callback may still be running.
     */
    HUNG,
    /** {@link ConnectionPool#evict(Object)} was called for its key. */
    EXPLICIT,
    /** The pool was closed. */
    SHUTDOWN
}
