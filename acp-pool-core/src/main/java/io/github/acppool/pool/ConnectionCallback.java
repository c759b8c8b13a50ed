package io.github.acppool.pool;

import org.jspecify.annotations.Nullable;

/**
 * The work done with a pooled connection while its lock is held.
 *
 * <p>Generic in the checked exception it throws, so that {@link ConnectionPool#withConnection} rethrows
 * exactly that exception (for example {@link InterruptedException}) instead of a catch-all {@code Exception}.
 * A lambda that throws no checked exception infers {@code X} as {@link RuntimeException}.
 *
 * <p>Implementations are called by one thread at a time per connection; they need not be thread-safe unless
 * they share state across keys.
 *
 * @param <C> the connection type
 * @param <R> the result type; may be nullable
 * @param <X> the checked exception the callback may throw
 */
@FunctionalInterface
public interface ConnectionCallback<C, R extends @Nullable Object, X extends Exception> {

    /** Does the work with {@code connection}, which nobody else uses until this method returns. */
    R apply(C connection) throws X;
}
