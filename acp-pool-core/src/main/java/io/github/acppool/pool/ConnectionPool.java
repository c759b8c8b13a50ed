package io.github.acppool.pool;

import io.github.acppool.Ticker;
import io.github.acppool.internal.Checks;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A keyed pool that holds at most one live connection per key, in which one busy connection never blocks any
 * other key.
 *
 * <p>Each connection has its own lock, held by {@link #withConnection} for the whole callback. The pool's own
 * bookkeeping is guarded only for brief lookups: no factory, callback, probe, listener or closer ever runs
 * under it, and nothing waits for a connection's lock while holding it. So a prompt turn that holds one key
 * for minutes never delays another key, {@link #stats()}, {@link #cleanupIdle()} or {@link #evict}.
 *
 * <pre>{@code
 * ConnectionPool<String, Agent> pool = ConnectionPool.<String, Agent>builder()
 *         .factory(threadId -> Agent.spawn(threadId))   // may block for seconds, may throw
 *         .probe(Agent::isAlive)
 *         .closer(Agent::kill)
 *         .evictionListener((threadId, agent, cause) -> sessions.save(threadId, agent.sessionId()))
 *         .config(PoolConfig.builder().maxSize(10).hungTimeout(Duration.ofMinutes(32)).build())
 *         .build();
 * String reply = pool.withConnection(threadId, agent -> agent.prompt(text)); // throws what prompt throws
 * }</pre>
 *
 * <p>Every created connection is closed exactly once (after the {@link EvictionListener} saw it), outside every
 * pool lock, whatever the factory, probe, closer, listener or callback throws.
 *
 * <p>Thread-safe: every method may be called from any thread.
 *
 * @param <K> the key type; keys are compared with {@code equals}
 * @param <C> the connection type
 */
public interface ConnectionPool<K, C> extends AutoCloseable {

    /** A builder; give it a factory and a closer, then {@link Builder#build()}. */
    static <K, C> Builder<K, C> builder() {
        return new Builder<>();
    }

    /**
     * Gets or creates the connection for {@code key}, locks it, runs {@code callback} with it and unlocks it.
     *
     * <p>If the key has no connection, this thread creates it (concurrent first calls for one key create only
     * one; the others wait for it). A connection found dead by the probe is closed ({@link EvictionCause#DEAD})
     * and replaced. If the pool is full, the least recently used idle connection makes room ({@link
     * EvictionCause#CAPACITY}); if every connection is busy, the call waits up to {@link
     * PoolConfig#acquireTimeout()} for one to become idle. Waiting for a busy connection of this key is not
     * bounded: use {@link #tryWithConnection} to avoid it. Every wait is interruptible.
     *
     * <p>Must not be called for a key from inside a callback that already holds that key's connection.
     *
     * @return what the callback returned
     * @throws X what the callback threw, unchanged
     * @throws PoolExhaustedException if every slot stayed busy for the acquire timeout
     * @throws ConnectionCreationException if the factory failed
     * @throws AcquireInterruptedException if the thread was interrupted while it waited
     * @throws PoolClosedException if the pool is closed
     */
    <R extends @Nullable Object, X extends Exception> R withConnection(
            K key, ConnectionCallback<? super C, ? extends R, X> callback) throws X;

    /**
     * Like {@link #withConnection}, but answers {@link TryResult#busy() busy} at once, without running the
     * callback, if another caller holds or waits for the connection of {@code key}, or is creating it. A caller
     * can then queue its work instead of waiting.
     *
     * @return the callback's result, or busy
     * @throws X what the callback threw, unchanged
     * @throws PoolExhaustedException if a new connection was needed and every slot stayed busy
     * @throws ConnectionCreationException if the factory failed
     * @throws AcquireInterruptedException if the thread was interrupted while it waited
     * @throws PoolClosedException if the pool is closed
     */
    <R extends @Nullable Object, X extends Exception> TryResult<R> tryWithConnection(
            K key, ConnectionCallback<? super C, ? extends R, X> callback) throws X;

    /**
     * Removes the connection of {@code key} at once ({@link EvictionCause#EXPLICIT}), so that the next call for
     * the key creates a new one. The old connection is closed now, on this thread, if it is idle (so the eviction
     * listener and the closer run here, and a slow closer delays the caller), otherwise by its current holder's
     * thread as soon as the callback returns. Never waits for a busy connection; a creation in flight for the key
     * is not affected.
     *
     * @return whether the key had a connection
     */
    boolean evict(K key);

    /**
     * Runs one cleanup pass now (the pool also runs it on its own, as each connection becomes due and at least
     * every {@link PoolConfig#cleanupInterval()}): closes connections in flight for longer than the hung timeout ({@link EvictionCause#HUNG}), and then, skipping
     * every busy connection without waiting for it, those unused for the idle timeout ({@link
     * EvictionCause#IDLE}) and those the probe finds dead ({@link EvictionCause#DEAD}).
     *
     * @return how many connections it evicted
     */
    int cleanupIdle();

    /** A snapshot of the pool, taken without waiting for any busy connection. */
    PoolStats<K> stats();

    /**
     * Closes the pool: later calls that need a connection throw {@link PoolClosedException}. Idle connections
     * are closed at once; busy ones (also those {@link #evict evicted} earlier whose callback still runs) when
     * their callback returns, or after {@link PoolConfig#closeTimeout()} even though their callback still runs. Connections still being created are closed when their factory
     * returns. Stops the cleanup, and shuts down the scheduler if the pool created it. Idempotent.
     */
    @Override
    void close();

    /**
     * Builds a {@link ConnectionPool}. The factory and the closer are required; the rest is optional: the probe
     * (default: always alive), the eviction listener (default: none), the {@link PoolConfig} (default: {@link
     * PoolConfig#defaults()}), the ticker (default: {@link Ticker#systemTicker()}) and the scheduler for the
     * periodic cleanup (default: one daemon thread named after the pool, shut down by {@link
     * ConnectionPool#close()}; a scheduler given here is not shut down by the pool). Each setting may be given
     * once.
     *
     * <p>Not thread-safe: use one builder from one thread.
     *
     * @param <K> the key type
     * @param <C> the connection type
     */
    final class Builder<K, C> {
        @Nullable
        ConnectionFactory<? super K, ? extends C, ?> factory;

        @Nullable
        Consumer<? super C> closer;

        @Nullable
        Predicate<? super C> probe;

        @Nullable
        EvictionListener<? super K, ? super C> listener;

        @Nullable
        PoolConfig config;

        @Nullable
        Ticker ticker;

        @Nullable
        ScheduledExecutorService scheduler;

        private Builder() {}

        /** Creates the connection for a key, on the caller's thread, single flight per key. Required. */
        public Builder<K, C> factory(ConnectionFactory<? super K, ? extends C, ?> factory) {
            this.factory = Checks.setOnce(this.factory, factory, "factory");
            return this;
        }

        /**
         * Closes a connection (kills its process, say). Required. Called exactly once per connection, outside
         * every pool lock, on the thread that evicts it: the caller of {@link ConnectionPool#evict evict}, {@link
         * ConnectionPool#cleanupIdle cleanupIdle} or {@link ConnectionPool#close close}, the cleanup scheduler, a
         * caller that needed the slot, or the holder whose callback released an evicted connection. A closer that
         * may take long should hand the work to an executor. For hung connections and at shutdown it may be
         * called while a callback still runs on the connection, so it must be safe to call then. Exceptions are
         * logged.
         */
        public Builder<K, C> closer(Consumer<? super C> closer) {
            this.closer = Checks.setOnce(this.closer, closer, "closer");
            return this;
        }

        /**
         * Tells whether a connection is still alive; called with the connection's lock held (on lookup and by
         * cleanup), never while a callback runs on it. Should be quick. An exception counts as dead.
         */
        public Builder<K, C> probe(Predicate<? super C> probe) {
            this.probe = Checks.setOnce(this.probe, probe, "probe");
            return this;
        }

        /**
         * Told about every connection that leaves the pool, with the cause, just before the closer runs and on the
         * same thread (see {@link #closer}), so that the caller can save what it needs from the connection.
         * Optional. Exceptions are logged.
         */
        public Builder<K, C> evictionListener(EvictionListener<? super K, ? super C> listener) {
            this.listener = Checks.setOnce(this.listener, listener, "evictionListener");
            return this;
        }

        public Builder<K, C> config(PoolConfig config) {
            this.config = Checks.setOnce(this.config, config, "config");
            return this;
        }

        /** The source of time for idle, hung and age measurements. */
        public Builder<K, C> ticker(Ticker ticker) {
            this.ticker = Checks.setOnce(this.ticker, ticker, "ticker");
            return this;
        }

        /** Runs the periodic cleanup; the pool cancels its task on close but does not shut this down. */
        public Builder<K, C> scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Checks.setOnce(this.scheduler, scheduler, "scheduler");
            return this;
        }

        /**
         * Builds the pool and schedules its cleanup.
         *
         * @throws NullPointerException if the factory or the closer is missing
         */
        public ConnectionPool<K, C> build() {
            return new DefaultConnectionPool<>(this);
        }
    }
}
