package io.github.acppool.pool;

/**
 * Creates the connection for a key, for example by spawning an agent process and opening an ACP session.
 *
 * <p>The pool calls it on the thread that asked for the connection, with no pool lock held, at most once at a
 * time per key. It may block for seconds and may fail: the failure reaches every caller waiting for that key,
 * wrapped in a {@link ConnectionCreationException}, and the next call for the key tries again. If it throws
 * {@link InterruptedException}, the calling thread's interrupt flag is set again before the wrapper is thrown.
 *
 * <p>Implementations must be thread-safe: different keys are created concurrently.
 *
 * @param <K> the key type
 * @param <C> the connection type
 * @param <X> the checked exception creation may throw
 */
@FunctionalInterface
public interface ConnectionFactory<K, C, X extends Exception> {

    /** Creates a new, ready-to-use connection for {@code key}; never returns {@code null}. */
    C create(K key) throws X;
}
