package io.github.acppool.pool;

import io.github.acppool.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The design openab started with (openab #58), kept as a baseline: one lock guards the map <em>and</em> every
 * connection, and {@link #withConnection} holds it for the whole callback, so one long callback blocks every
 * other key, {@link #stats()}, {@link #cleanupIdle()} and {@link #evict}. Used by {@link OpenabIssue58Test} (which
 * shows that it blocks) and by the benchmark. Do not copy it.
 *
 * <p>Thread-safe, in the worst way.
 */
public final class NaiveConnectionPool<K, C> implements ConnectionPool<K, C> {
    /** Fair, like the tokio RwLock openab used: a waiting writer blocks every later caller. */
    private final ReentrantLock lock = new ReentrantLock(true);

    private final Map<K, C> connections = new HashMap<>();
    private final Map<K, Long> lastActive = new HashMap<>();
    private final ConnectionFactory<? super K, ? extends C, ?> factory;
    private final Consumer<? super C> closer;
    private final Ticker ticker;
    private final long idleTimeoutNanos;
    private boolean closed;

    public NaiveConnectionPool(
            ConnectionFactory<? super K, ? extends C, ?> factory,
            Consumer<? super C> closer,
            Ticker ticker,
            Duration idleTimeout) {
        this.factory = factory;
        this.closer = closer;
        this.ticker = ticker;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** Whether {@code thread} is blocked waiting for the one lock. */
    public boolean isWaiting(Thread thread) {
        return lock.hasQueuedThread(thread);
    }

    @Override
    public <R extends @Nullable Object, X extends Exception> R withConnection(
            K key, ConnectionCallback<? super C, ? extends R, X> callback) throws X {
        lock.lock();
        try {
            return callback.apply(getOrCreate(key));
        } finally {
            lastActive.put(key, ticker.read());
            lock.unlock();
        }
    }

    @Override
    public <R extends @Nullable Object, X extends Exception> TryResult<R> tryWithConnection(
            K key, ConnectionCallback<? super C, ? extends R, X> callback) throws X {
        if (!lock.tryLock()) {
            return TryResult.busy();
        }
        try {
            return TryResult.ran(callback.apply(getOrCreate(key)));
        } finally {
            lastActive.put(key, ticker.read());
            lock.unlock();
        }
    }

    private C getOrCreate(K key) {
        if (closed) {
            throw new PoolClosedException("naive");
        }
        C connection = connections.get(key);
        if (connection == null) {
            try {
                connection = factory.create(key);
            } catch (Exception e) {
                throw new ConnectionCreationException("naive", String.valueOf(key), e);
            }
            connections.put(key, connection);
        }
        return connection;
    }

    @Override
    public boolean evict(K key) {
        lock.lock();
        try {
            C connection = connections.remove(key);
            if (connection != null) {
                closer.accept(connection);
            }
            return connection != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int cleanupIdle() {
        lock.lock();
        try {
            long now = ticker.read();
            int evicted = 0;
            for (Iterator<Map.Entry<K, C>> it = connections.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<K, C> entry = it.next();
                Long last = lastActive.get(entry.getKey());
                if (last != null && now - last >= idleTimeoutNanos) {
                    it.remove();
                    closer.accept(entry.getValue());
                    evicted++;
                }
            }
            return evicted;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PoolStats<K> stats() {
        lock.lock();
        try {
            long now = ticker.read();
            List<ConnectionStats<K>> stats = new ArrayList<>();
            for (K key : connections.keySet()) {
                Long last = lastActive.get(key);
                Duration idle = Duration.ofNanos(last == null ? 0 : Math.max(0, now - last));
                stats.add(new ConnectionStats<>(key, idle, idle, Duration.ZERO, false));
            }
            return new PoolStats<>(stats.size(), 0, 0, Integer.MAX_VALUE, stats);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            connections.values().forEach(closer);
            connections.clear();
        } finally {
            lock.unlock();
        }
    }
}
