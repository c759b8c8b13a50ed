package io.github.acppool.pool;

/**
 * Told about every connection that leaves the pool, so that a caller can save what it needs (an ACP session
 * id, say) before the connection goes.
 *
 * <p>Called exactly once per created connection, outside every pool lock, on the thread that closes the
 * connection and right before the closer. For {@link EvictionCause#HUNG} and for a {@link
 * EvictionCause#SHUTDOWN} past the close timeout, a callback may still be running on the connection. An
 * exception thrown by the listener is logged and does not stop the connection from being closed.
 *
 * <p>Implementations must be thread-safe: connections of different keys leave from different threads.
 *
 * @param <K> the key type
 * @param <C> the connection type
 */
@FunctionalInterface
public interface EvictionListener<K, C> {

    void onEviction(K key, C connection, EvictionCause cause);
}
