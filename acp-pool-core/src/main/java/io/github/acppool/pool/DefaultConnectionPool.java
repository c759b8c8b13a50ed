package io.github.acppool.pool;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link ConnectionPool} implementation: a map lock for brief bookkeeping, one lock per connection. */
final class DefaultConnectionPool<K, C> implements ConnectionPool<K, C> {

    /*
     * Concurrency:
     *
     * Two lock levels. `mapLock` guards every structural change: `entries` (a ConcurrentHashMap written only
     * under mapLock, so that lookups need no lock), `creating`, `roomEpoch` and `closed` (volatile, read
     * lock-free). It is held only for map bookkeeping: no factory, callback, probe, listener, closer or I/O runs
     * under it, and no connection lock is waited for, or even tried, while it is held. Each PoolEntry has its
     * own `lock`: a caller holds it for the whole callback; housekeeping (cleanup, capacity eviction, evict,
     * close) only ever tryLocks it, briefly.
     *
     * Lock order: a connection lock, then mapLock. A thread holding a connection lock may take mapLock (to
     * publish or retire an entry, or inside a callback that calls stats()); the reverse never happens.
     *
     * Snapshots and re-validation: cleanup, capacity eviction and close copy the entries, leave mapLock, then
     * tryLock each entry and skip it if busy (a busy connection is by definition not idle and is never waited
     * for). Under the entry lock they re-check that it is not retired and has no user, and remove it with an
     * identity check (entries.remove(key, entry)), so that a newer connection for the same key is never touched.
     * A caller that locks an entry re-checks `retired` too and starts over if it was evicted meanwhile.
     *
     * Lock-free per entry: lastActive and inFlightSince (stats, idle and hung checks read them without the
     * lock), users (callers holding or waiting for the lock: tryWithConnection answers busy when it is not
     * zero, and eviction skips such entries), retiredCause (written once under mapLock when the entry leaves
     * the map).
     *
     * Closing: an entry is retired once, by the thread that removes it from the map. It is closed exactly once
     * (claimClose CAS), with no lock held, by whoever sees it retired and unlocked: the retiring thread if it
     * could tryLock it, otherwise the holder right after it unlocks. Both sides write then read volatile state
     * (retire then tryLock; unlock then read retiredCause), so at least one of them closes it. HUNG eviction and
     * the close() deadline close a connection while its holder still runs; the holder's later unlock then loses
     * the CAS. The listener runs right before the closer, on the same thread. An entry that evict() retires is
     * also put in `evicted` (before it is retired, so it is removed after) until it is closed: close() waits for
     * those too, since a holder may still run on them and they are no longer in the map.
     *
     * Capacity: entries.size() + creating.size() <= maxSize, checked and changed only under mapLock. A creation
     * reserves its slot before the factory runs (single flight per key: followers wait on its future). A caller
     * that must wait for room registers in roomWaiters *before* it scans, and waits on roomChanged only if
     * roomEpoch has not moved since; every retire, failed creation and close moves roomEpoch, and an unlock (or
     * a caller giving up its wait for a connection lock, which may leave the entry idle) moves it when
     * roomWaiters > 0, so no wake-up is lost.
     *
     * Blocking: withConnection waits for its connection lock, for a creation in flight for its key, and at
     * capacity up to acquireTimeout for room; all interruptibly. The factory runs on the caller's thread.
     * close() waits up to closeTimeout for running callbacks. Nothing else blocks.
     */

    private static final Logger LOG = LoggerFactory.getLogger(DefaultConnectionPool.class);

    /** The shortest wait between two scheduled cleanups. */
    private static final long MIN_CLEANUP_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final int maxSize;
    private final long idleTimeoutNanos;
    private final long hungTimeoutNanos;
    private final long acquireTimeoutNanos;
    private final long closeTimeoutNanos;
    private final ConnectionFactory<? super K, ? extends C, ?> factory;
    private final Consumer<? super C> closer;
    private final Predicate<? super C> probe;
    private final EvictionListener<? super K, ? super C> listener;
    private final Ticker ticker;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final long cleanupIntervalNanos;
    /** The next scheduled cleanup; replaced by each run, cancelled by close(). */
    private volatile @Nullable ScheduledFuture<?> cleanupTask;

    private final ReentrantLock mapLock = new ReentrantLock();
    private final Condition roomChanged = mapLock.newCondition();
    /** Written only under mapLock; read without it. */
    private final ConcurrentHashMap<K, PoolEntry<K, C>> entries = new ConcurrentHashMap<>();

    @GuardedBy("mapLock")
    private final Map<K, CompletableFuture<Void>> creating = new HashMap<>();

    @GuardedBy("mapLock")
    private long roomEpoch;

    private final AtomicInteger roomWaiters = new AtomicInteger();
    /** Entries removed by evict() and not closed yet; added under mapLock. */
    private final Set<PoolEntry<K, C>> evicted = ConcurrentHashMap.newKeySet();
    /** Written only under mapLock; read without it. */
    private volatile boolean closed;

    DefaultConnectionPool(ConnectionPool.Builder<K, C> builder) {
        this.factory = Checks.notNull(builder.factory, "factory");
        this.closer = Checks.notNull(builder.closer, "closer");
        this.probe = builder.probe != null ? builder.probe : connection -> true;
        this.listener = builder.listener != null ? builder.listener : (key, connection, cause) -> {};
        PoolConfig config = builder.config != null ? builder.config : PoolConfig.defaults();
        this.name = config.name();
        this.maxSize = config.maxSize();
        this.idleTimeoutNanos = saturatedNanos(config.idleTimeout());
        this.hungTimeoutNanos = saturatedNanos(config.hungTimeout());
        this.acquireTimeoutNanos = saturatedNanos(config.acquireTimeout());
        this.closeTimeoutNanos = saturatedNanos(config.closeTimeout());
        this.ticker = builder.ticker != null ? builder.ticker : Ticker.systemTicker();
        this.ownsScheduler = builder.scheduler == null;
        this.scheduler = builder.scheduler != null ? builder.scheduler : newHousekeeper(name);
        this.cleanupIntervalNanos = saturatedNanos(config.cleanupInterval());
        scheduleCleanup(cleanupIntervalNanos);
    }

    private static ScheduledExecutorService newHousekeeper(String poolName) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, poolName + "-housekeeper");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public <R extends @Nullable Object, X extends Exception> R withConnection(
            K key, ConnectionCallback<? super C, ? extends R, X> callback) throws X {
        Checks.notNull(callback, "callback");
        PoolEntry<K, C> entry = Checks.notNull(acquire(key, false), "entry");
        try {
            return callback.apply(entry.connection);
        } finally {
            release(entry);
        }
    }

    @Override
    public <R extends @Nullable Object, X extends Exception> TryResult<R> tryWithConnection(
            K key, ConnectionCallback<? super C, ? extends R, X> callback) throws X {
        Checks.notNull(callback, "callback");
        PoolEntry<K, C> entry = acquire(key, true);
        if (entry == null) {
            return TryResult.busy();
        }
        try {
            return TryResult.ran(callback.apply(entry.connection));
        } finally {
            release(entry);
        }
    }

    /**
     * Returns the live entry for {@code key}, locked by this thread, counted in its users and marked in flight;
     * or {@code null} (only if {@code tryOnly}) when another caller holds, waits for or is creating it.
     */
    private @Nullable PoolEntry<K, C> acquire(K key, boolean tryOnly) {
        Checks.notNull(key, "key");
        while (true) {
            PoolEntry<K, C> entry = entries.get(key);
            if (entry == null) {
                Reservation reservation = reserve(key, tryOnly);
                switch (reservation.step()) {
                    case BUSY -> {
                        return null;
                    }
                    case LEAD -> {
                        return create(key, reservation.creation());
                    }
                    case FOLLOW -> awaitCreation(key, reservation.creation());
                    case LOOK_UP -> {}
                }
                continue; // look the key up again: its connection is there now
            }
            if (entry.lock.isHeldByCurrentThread()) {
                throw new IllegalStateException(name + " - the connection for key '" + key
                        + "' is already held by this thread (a nested call for the same key)");
            }
            if (!lockForUse(entry, tryOnly)) {
                return null;
            }
            if (entry.isRetired()) {
                stopUsing(entry);
                continue;
            }
            if (!isAlive(entry)) {
                retire(entry, EvictionCause.DEAD);
                stopUsing(entry);
                continue;
            }
            entry.startUse(ticker.read());
            return entry;
        }
    }

    private boolean lockForUse(PoolEntry<K, C> entry, boolean tryOnly) {
        int others = entry.users.getAndIncrement();
        if (tryOnly && others > 0) {
            entry.users.decrementAndGet();
            return false;
        }
        try {
            // Only housekeeping (briefly) or a holder that is just leaving can hold it when others == 0.
            entry.lock.lockInterruptibly();
            return true;
        } catch (InterruptedException e) {
            entry.users.decrementAndGet();
            // The lock's last holder may have unlocked (and told room waiters) while this caller still counted as
            // a user, so that a waiter's scan skipped the entry; it is idle only now.
            tellRoomWaiters();
            Thread.currentThread().interrupt();
            throw new AcquireInterruptedException(name, String.valueOf(entry.key), e);
        }
    }

    /** Ends a callback: stamps, uncounts, unlocks and, if the entry was evicted meanwhile, closes it. */
    private void release(PoolEntry<K, C> entry) {
        entry.endUse(ticker.read());
        stopUsing(entry);
    }

    /** Gives up a lock taken by {@link #lockForUse} without running a callback. */
    private void stopUsing(PoolEntry<K, C> entry) {
        entry.users.decrementAndGet();
        unlock(entry);
    }

    /** Unlocks an entry, then closes it if it was retired, or tells callers waiting for room. */
    private void unlock(PoolEntry<K, C> entry) {
        entry.lock.unlock();
        if (entry.isRetired()) {
            closeOnce(entry); // retire() has told the room waiters
        } else {
            tellRoomWaiters();
        }
    }

    /** An entry may have become idle: wakes the callers waiting for room, if there are any. */
    private void tellRoomWaiters() {
        if (roomWaiters.get() > 0) {
            mapLock.lock();
            try {
                roomMoved();
            } finally {
                mapLock.unlock();
            }
        }
    }

    private enum Step {
        LOOK_UP,
        BUSY,
        LEAD,
        FOLLOW
    }

    private record Reservation(Step step, CompletableFuture<Void> creation) {
        private static final CompletableFuture<Void> NONE = CompletableFuture.completedFuture(null);
        static final Reservation LOOK_UP = new Reservation(Step.LOOK_UP, NONE);
        static final Reservation BUSY = new Reservation(Step.BUSY, NONE);
    }

    /**
     * For a key with no connection: reserves a slot and makes this thread the creator (LEAD), or joins the
     * creation in flight (FOLLOW, or BUSY if {@code tryOnly}), or finds that a connection appeared (LOOK_UP).
     * At capacity it evicts the least recently used idle connection, or waits for room up to the acquire
     * timeout.
     */
    private Reservation reserve(K key, boolean tryOnly) {
        boolean waiting = false;
        long startNanos = System.nanoTime();
        try {
            while (true) {
                long epoch;
                List<PoolEntry<K, C>> snapshot;
                mapLock.lock();
                try {
                    ensureOpen();
                    if (entries.containsKey(key)) {
                        return Reservation.LOOK_UP;
                    }
                    CompletableFuture<Void> pending = creating.get(key);
                    if (pending != null) {
                        return tryOnly ? Reservation.BUSY : new Reservation(Step.FOLLOW, pending);
                    }
                    if (entries.size() + creating.size() < maxSize) {
                        CompletableFuture<Void> creation = new CompletableFuture<>();
                        creating.put(key, creation);
                        return new Reservation(Step.LEAD, creation);
                    }
                    if (!waiting && acquireTimeoutNanos > 0) {
                        // Registered before the scan below, so that an unlock after it cannot go unnoticed.
                        roomWaiters.incrementAndGet();
                        waiting = true;
                    }
                    epoch = roomEpoch;
                    snapshot = new ArrayList<>(entries.values());
                } finally {
                    mapLock.unlock();
                }
                PoolEntry<K, C> victim = lockLeastRecentlyUsedIdle(snapshot);
                if (victim != null) {
                    retire(victim, EvictionCause.CAPACITY);
                    unlock(victim);
                    continue;
                }
                long waited = System.nanoTime() - startNanos;
                if (!waiting || waited >= acquireTimeoutNanos) {
                    throw exhausted(key, waited);
                }
                awaitRoom(key, epoch, acquireTimeoutNanos - waited);
            }
        } finally {
            if (waiting) {
                roomWaiters.decrementAndGet();
            }
        }
    }

    /** Returns the least recently used entry that nobody uses, locked by this thread; or null. */
    private @Nullable PoolEntry<K, C> lockLeastRecentlyUsedIdle(List<PoolEntry<K, C>> snapshot) {
        // Sort on copies of the stamps: they change while we sort.
        List<Candidate<K, C>> candidates = new ArrayList<>(snapshot.size());
        for (PoolEntry<K, C> entry : snapshot) {
            if (entry.users.get() == 0) {
                candidates.add(new Candidate<>(entry, entry.lastActive()));
            }
        }
        candidates.sort(Comparator.comparingLong(Candidate::lastActive));
        for (Candidate<K, C> candidate : candidates) {
            PoolEntry<K, C> entry = candidate.entry();
            if (!tryLockHousekeeping(entry)) {
                continue;
            }
            if (!entry.isRetired() && entry.users.get() == 0) {
                return entry;
            }
            unlock(entry);
        }
        return null;
    }

    private record Candidate<K, C>(PoolEntry<K, C> entry, long lastActive) {}

    private void awaitRoom(K key, long epoch, long timeoutNanos) {
        mapLock.lock();
        try {
            long remaining = timeoutNanos;
            while (roomEpoch == epoch && !closed && remaining > 0) {
                remaining = roomChanged.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcquireInterruptedException(name, String.valueOf(key), e);
        } finally {
            mapLock.unlock();
        }
    }

    @GuardedBy("mapLock")
    private void roomMoved() {
        roomEpoch++;
        roomChanged.signalAll();
    }

    private PoolExhaustedException exhausted(K key, long waitedNanos) {
        int size;
        int busy = 0;
        int pending;
        mapLock.lock();
        try {
            size = entries.size();
            for (PoolEntry<K, C> entry : entries.values()) {
                if (entry.users.get() > 0) {
                    busy++;
                }
            }
            pending = creating.size();
        } finally {
            mapLock.unlock();
        }
        Duration waited = Duration.ofNanos(acquireTimeoutNanos > 0 ? waitedNanos : 0);
        LOG.debug(
                "{} - pool exhausted for key {}: {} connections, {} busy, {} being created",
                name,
                key,
                size,
                busy,
                pending);
        return new PoolExhaustedException(name, String.valueOf(key), maxSize, size, busy, pending, waited);
    }

    /** Runs the factory in the slot reserved by {@code creation}; returns the new entry, locked and in use. */
    private PoolEntry<K, C> create(K key, CompletableFuture<Void> creation) {
        C connection;
        try {
            connection = Checks.notNull(factory.create(key), "the connection the factory created for key " + key);
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failCreation(key, creation, t);
            if (t instanceof Error error) {
                throw error;
            }
            throw new ConnectionCreationException(name, String.valueOf(key), t);
        }
        long now = ticker.read();
        PoolEntry<K, C> entry = new PoolEntry<>(key, connection, now, 1);
        // Locked before anyone else can see it, so that the creator is the first to use it.
        entry.lock.lock();
        boolean published;
        mapLock.lock();
        try {
            creating.remove(key, creation);
            published = !closed;
            if (published) {
                entries.put(key, entry);
            } else {
                entry.retire(EvictionCause.SHUTDOWN);
            }
        } finally {
            mapLock.unlock();
        }
        if (!published) {
            creation.completeExceptionally(new PoolClosedException(name));
            stopUsing(entry); // closes it
            throw new PoolClosedException(name);
        }
        creation.complete(null);
        entry.startUse(now);
        LOG.debug("{} - created a connection for key {}", name, key);
        return entry;
    }

    private void failCreation(K key, CompletableFuture<Void> creation, Throwable failure) {
        mapLock.lock();
        try {
            creating.remove(key, creation);
            roomMoved();
        } finally {
            mapLock.unlock();
        }
        creation.completeExceptionally(failure);
        LOG.debug("{} - could not create a connection for key {}", name, key, failure);
    }

    private void awaitCreation(K key, CompletableFuture<Void> creation) {
        try {
            creation.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcquireInterruptedException(name, String.valueOf(key), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof PoolClosedException) {
                throw new PoolClosedException(name);
            }
            throw new ConnectionCreationException(name, String.valueOf(key), cause);
        }
    }

    private boolean isAlive(PoolEntry<K, C> entry) {
        try {
            return probe.test(entry.connection);
        } catch (RuntimeException e) {
            LOG.warn("{} - liveness probe failed for key {}; treating the connection as dead", name, entry.key, e);
            return false;
        }
    }

    /** Housekeeping never waits for a connection and never locks one this thread already holds. */
    private static boolean tryLockHousekeeping(PoolEntry<?, ?> entry) {
        return !entry.lock.isHeldByCurrentThread() && entry.lock.tryLock();
    }

    /** Removes {@code entry} from the map if it is still the mapping of its key; true if this call retired it. */
    private boolean retire(PoolEntry<K, C> entry, EvictionCause cause) {
        mapLock.lock();
        try {
            if (!entries.remove(entry.key, entry)) {
                return false;
            }
            entry.retire(cause);
            roomMoved();
            return true;
        } finally {
            mapLock.unlock();
        }
    }

    /** Tells the listener and closes the connection, unless someone else already did; with no lock held. */
    private void closeOnce(PoolEntry<K, C> entry) {
        assert !mapLock.isHeldByCurrentThread();
        if (!entry.claimClose()) {
            return;
        }
        evicted.remove(entry);
        EvictionCause cause = Checks.notNull(entry.retiredCause(), "retiredCause");
        LOG.debug("{} - closing the connection for key {} ({})", name, entry.key, cause);
        try {
            listener.onEviction(entry.key, entry.connection, cause);
        } catch (RuntimeException e) {
            LOG.warn("{} - eviction listener failed for key {} ({})", name, entry.key, cause, e);
        } finally {
            try {
                closer.accept(entry.connection);
            } catch (RuntimeException e) {
                LOG.warn("{} - closer failed for key {} ({})", name, entry.key, cause, e);
            } finally {
                entry.markClosed();
            }
        }
    }

    @Override
    public boolean evict(K key) {
        Checks.notNull(key, "key");
        PoolEntry<K, C> entry;
        mapLock.lock();
        try {
            entry = entries.remove(key);
            if (entry == null) {
                return false;
            }
            evicted.add(entry);
            entry.retire(EvictionCause.EXPLICIT);
            roomMoved();
        } finally {
            mapLock.unlock();
        }
        LOG.debug("{} - evicted the connection for key {}", name, key);
        if (tryLockHousekeeping(entry)) {
            unlock(entry); // idle: closes it now
        } // else its holder closes it when it unlocks
        return true;
    }

    @Override
    public int cleanupIdle() {
        int[] evicted = new int[1];
        cleanUp(ticker.read(), evicted);
        return evicted[0];
    }

    /**
     * One cleanup pass as of {@code nowNanos} (a {@link Ticker} reading): evicts what is hung, idle or dead at
     * that instant, and returns how long until the next pass is useful: the earliest idle or hung deadline of
     * the connections left, and never more than the cleanup interval (a dead process has no deadline, so the
     * probe runs at least that often). Runs as of a given instant so that tests step time instead of waiting
     * for it; the scheduler runs it at the delay it returns, so idle and hung connections go when they are due
     * rather than up to a whole interval later.
     */
    long cleanUp(long nowNanos) {
        return cleanUp(nowNanos, new int[1]);
    }

    private long cleanUp(long now, int[] evicted) {
        if (closed) {
            return cleanupIntervalNanos;
        }
        long next = cleanupIntervalNanos;
        for (PoolEntry<K, C> entry : new ArrayList<>(entries.values())) {
            try {
                if (cleanUp(entry, now)) {
                    evicted[0]++;
                } else {
                    next = Math.min(next, untilDue(entry, now));
                }
            } catch (RuntimeException e) {
                LOG.warn("{} - cleanup failed for key {}", name, entry.key, e);
            }
        }
        return Math.max(next, 0);
    }

    /** Nanos until {@code entry} becomes hung (in flight) or idle (not in flight), as far as known now. */
    private long untilDue(PoolEntry<K, C> entry, long now) {
        long inFlightSince = entry.inFlightSince();
        if (inFlightSince != PoolEntry.NOT_IN_FLIGHT) {
            return hungTimeoutNanos > 0 ? inFlightSince + hungTimeoutNanos - now : Long.MAX_VALUE;
        }
        return entry.lastActive() + idleTimeoutNanos - now;
    }

    private boolean cleanUp(PoolEntry<K, C> entry, long now) {
        long inFlightSince = entry.inFlightSince();
        if (hungTimeoutNanos > 0
                && inFlightSince != PoolEntry.NOT_IN_FLIGHT
                && now - inFlightSince >= hungTimeoutNanos) {
            if (!retire(entry, EvictionCause.HUNG)) {
                return false;
            }
            LOG.warn(
                    "{} - the connection for key {} has run one callback for {} (hung timeout {}); closing it while"
                            + " the callback still runs",
                    name,
                    entry.key,
                    Duration.ofNanos(now - inFlightSince),
                    Duration.ofNanos(hungTimeoutNanos));
            closeOnce(entry);
            return true;
        }
        if (entry.users.get() > 0 || !tryLockHousekeeping(entry)) {
            return false; // busy, hence not idle
        }
        boolean evicted = false;
        try {
            if (entry.isRetired() || entry.users.get() > 0) {
                return false;
            }
            if (now - entry.lastActive() >= idleTimeoutNanos) {
                evicted = retire(entry, EvictionCause.IDLE);
            } else if (!isAlive(entry)) {
                evicted = retire(entry, EvictionCause.DEAD);
            }
            return evicted;
        } finally {
            unlock(entry); // closes it if retired
        }
    }

    private void scheduledCleanup() {
        long delay = cleanupIntervalNanos;
        try {
            int[] evicted = new int[1];
            delay = cleanUp(ticker.read(), evicted);
            if (evicted[0] > 0) {
                LOG.debug("{} - cleanup evicted {} connections", name, evicted[0]);
            }
        } catch (RuntimeException e) {
            LOG.error("{} - cleanup failed; it runs again in the next interval", name, e);
        } finally {
            scheduleCleanup(delay);
        }
    }

    private void scheduleCleanup(long delayNanos) {
        if (closed) {
            return;
        }
        // A floor keeps a connection that is due right now from turning this into a busy loop when its
        // eviction is skipped (its lock is held): it is retried a moment later.
        long delay = Math.max(delayNanos, MIN_CLEANUP_DELAY_NANOS);
        try {
            cleanupTask = scheduler.schedule(this::scheduledCleanup, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                LOG.error(
                        "{} - the scheduler refused the next cleanup; idle connections stay until cleanupIdle()",
                        name,
                        e);
            }
        }
        if (closed) {
            cancelCleanup(); // close() may have run between the check above and the schedule
        }
    }

    private void cancelCleanup() {
        ScheduledFuture<?> task = cleanupTask;
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public PoolStats<K> stats() {
        long now = ticker.read();
        List<PoolEntry<K, C>> snapshot;
        int pending;
        mapLock.lock();
        try {
            snapshot = new ArrayList<>(entries.values());
            pending = creating.size();
        } finally {
            mapLock.unlock();
        }
        snapshot.sort(Comparator.comparingLong(entry -> entry.createdNanos));
        List<ConnectionStats<K>> connections = new ArrayList<>(snapshot.size());
        int busy = 0;
        for (PoolEntry<K, C> entry : snapshot) {
            boolean isBusy = entry.users.get() > 0;
            long inFlightSince = entry.inFlightSince();
            if (isBusy) {
                busy++;
            }
            connections.add(new ConnectionStats<>(
                    entry.key,
                    since(now, entry.createdNanos),
                    isBusy ? Duration.ZERO : since(now, entry.lastActive()),
                    inFlightSince == PoolEntry.NOT_IN_FLIGHT ? Duration.ZERO : since(now, inFlightSince),
                    isBusy));
        }
        return new PoolStats<>(snapshot.size(), busy, pending, maxSize, connections);
    }

    private static Duration since(long now, long then) {
        return Duration.ofNanos(Math.max(0, now - then));
    }

    private void ensureOpen() {
        if (closed) {
            throw new PoolClosedException(name);
        }
    }

    @Override
    public void close() {
        List<PoolEntry<K, C>> all;
        List<CompletableFuture<Void>> pending;
        mapLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(entries.values());
            all.forEach(entry -> entry.retire(EvictionCause.SHUTDOWN));
            entries.clear();
            pending = new ArrayList<>(creating.values());
            roomMoved();
        } finally {
            mapLock.unlock();
        }
        LOG.debug("{} - closing: {} connections, {} being created", name, all.size(), pending.size());
        cancelCleanup();
        if (ownsScheduler) {
            scheduler.shutdown();
        }
        // Callers waiting for these creations give up now; each creator closes its connection when it returns.
        pending.forEach(creation -> creation.completeExceptionally(new PoolClosedException(name)));

        List<PoolEntry<K, C>> busy = new ArrayList<>(evicted); // evicted earlier, some holder may still run
        for (PoolEntry<K, C> entry : all) {
            if (tryLockHousekeeping(entry)) {
                unlock(entry); // idle: closes it now
            } else {
                busy.add(entry);
            }
        }
        long deadline = System.nanoTime() + closeTimeoutNanos;
        boolean interrupted = false;
        for (PoolEntry<K, C> entry : busy) {
            if (entry.lock.isHeldByCurrentThread()) {
                continue; // close() called from a callback: that callback's release closes it
            }
            if (!interrupted) {
                try {
                    if (entry.awaitClosed(Math.max(0, deadline - System.nanoTime()))) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (!entry.isClosed()) {
                LOG.warn(
                        "{} - closing the connection for key {} while its callback still runs (close timeout {})",
                        name,
                        entry.key,
                        Duration.ofNanos(closeTimeoutNanos));
            }
            closeOnce(entry);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", size=" + entries.size() + ", maxSize=" + maxSize
                + (closed ? ", closed]" : "]");
    }
}
