/**
 * A keyed connection pool in which one busy connection never blocks any other key.
 *
 * <p>{@link io.github.acppool.pool.ConnectionPool} holds at most one live connection per key (a chat thread
 * id, say). Each connection has its own lock, held for a whole callback; the pool's own bookkeeping is
 * guarded separately and only for brief lookups, so a long prompt turn on one key never delays another key,
 * {@link io.github.acppool.pool.ConnectionPool#stats() stats()}, cleanup or eviction.
 *
 * <p>Exceptions (all unchecked, all {@link io.github.acppool.AcpPoolException}s):
 *
 * <ul>
 *   <li>{@link io.github.acppool.pool.PoolExhaustedException}: every slot holds a busy connection;
 *   <li>{@link io.github.acppool.pool.ConnectionCreationException}: the factory failed (every caller waiting
 *       for that creation gets one);
 *   <li>{@link io.github.acppool.pool.AcquireInterruptedException}: the calling thread was interrupted while
 *       it waited for a connection (its interrupt flag is set again);
 *   <li>{@link io.github.acppool.pool.PoolClosedException}: the pool was closed.
 * </ul>
 */
@NullMarked
package io.github.acppool.pool;

import org.jspecify.annotations.NullMarked;
