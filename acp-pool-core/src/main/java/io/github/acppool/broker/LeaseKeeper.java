package io.github.acppool.broker;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's side of {@link ConversationLeases}: takes a conversation's lease before its agent starts, renews
 * every held lease in the background, and releases a lease once the conversation's last agent is gone.
 *
 * <p>The rule for a failed renewal: a lease the store says is no longer ours (lapsed or taken) is lost at once;
 * a renewal that fails (the database is unreachable) is retried at the next period, and once the last confirmed
 * renewal is older than {@code ttl - period} the lease is treated as lost too, leaving one period for the agent
 * to be stopped before any other broker may take the lease over. A lost lease's conversation gets {@code
 * onLost}, which stops its agent, even mid-turn: two agents on one session would be worse than a lost turn.
 */
final class LeaseKeeper {

    /*
     * Concurrency
     *
     * `held` maps a conversation to its Held record, which counts the agents of this broker that rely on the lease
     * (normally one; two while an evicted agent is still stopping and a new one starts). Every change of a Held,
     * and every store call that takes or gives up its lease, happens under its `lock`, so an acquire and a release
     * of one conversation never interleave in the store (a release's DELETE cannot remove a lease taken just
     * after). A Held whose count drops to zero is retired and removed from the map under its lock, after the store
     * released the lease (removing it first would let an acquire take a fresh Held and renew the row in the store
     * just before the release's DELETE removed it: two owners); a thread that finds a retired one takes a fresh one
     * from the map (as the broker does with Conversation).
     *
     * The renewal runs every ttl/3: the scheduler only hands it to the executor, so no store call ever runs on the
     * broker's timer thread (turn timers run there). It snapshots the live Helds without their locks, calls the
     * store once for all of them with no lock held, then re-validates each under its lock: a Held that was retired,
     * replaced or confirmed again since the snapshot is left alone. onLost is called with no lock held.
     *
     * acquire() may block: on the store, and up to `wait` for a live owner to go away (polling on the scheduler).
     * It runs only in the pool's factory, on the conversation's driver thread.
     */

    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);
    /** The longest pause between two looks at a lease held elsewhere while a message waits for it. */
    private static final Duration MAX_POLL = Duration.ofSeconds(1);

    private static final class Held {
        final ReentrantLock lock = new ReentrantLock();

        @GuardedBy("lock")
        int count;

        @GuardedBy("lock")
        boolean retired;

        @GuardedBy("lock")
        boolean lost;

        /** The ticker reading taken before the store last confirmed the lease. */
        @GuardedBy("lock")
        long confirmedNanos;

        /** Marks the record retired if no agent relies on it; true if it did (remove it from the map then). */
        @GuardedBy("lock")
        boolean retireIfUnused() {
            if (count == 0) {
                retired = true;
            }
            return retired;
        }
    }

    private final String name;
    private final ConversationLeases leases;
    private final String owner;
    private final Duration ttl;
    private final Duration period;
    private final Duration wait;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final Ticker ticker;
    private final Consumer<String> onLost;
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

    @GuardedBy("this")
    private @Nullable ScheduledFuture<?> renewal;

    @GuardedBy("this")
    private boolean closed;

    LeaseKeeper(
            String name,
            ConversationLeases leases,
            String owner,
            Duration ttl,
            Duration wait,
            ScheduledExecutorService scheduler,
            Executor executor,
            Ticker ticker,
            Consumer<String> onLost) {
        this.name = name;
        this.leases = leases;
        this.owner = owner;
        this.ttl = ttl;
        this.period = ttl.dividedBy(3);
        this.wait = wait;
        this.scheduler = scheduler;
        this.executor = executor;
        this.ticker = ticker;
        this.onLost = onLost;
    }

    String owner() {
        return owner;
    }

    /**
     * Takes the conversation's lease (or counts one more agent on a lease already held), waiting up to {@code
     * wait} for a live other owner to give it up.
     *
     * @throws ConversationOwnedElsewhereException if another owner still holds it
     * @throws BrokerException if the store failed, or the thread was interrupted while waiting
     */
    void acquire(String conversationId) {
        long start = ticker.read();
        while (true) {
            Held entry = held.computeIfAbsent(conversationId, id -> new Held());
            String holder;
            entry.lock.lock();
            try {
                if (entry.retired) {
                    continue;
                }
                if (entry.count > 0 && !entry.lost) {
                    entry.count++;
                    return;
                }
                long before = ticker.read();
                try {
                    holder = leases.acquire(conversationId, owner, ttl);
                } catch (RuntimeException e) {
                    if (entry.retireIfUnused()) {
                        held.remove(conversationId, entry);
                    }
                    throw new BrokerException(
                            conversationId,
                            "could not take the conversation's lease: " + e.getMessage(),
                            "The bot could not check whether another instance serves this conversation; try again"
                                    + " in a minute.",
                            e);
                }
                if (holder.equals(owner)) {
                    entry.count++;
                    entry.lost = false;
                    entry.confirmedNanos = before;
                    startRenewal();
                    LOG.debug("{} - conversation {}: lease taken for {}", name, conversationId, ttl);
                    return;
                }
                if (entry.retireIfUnused()) {
                    held.remove(conversationId, entry);
                }
            } finally {
                entry.lock.unlock();
            }
            long waited = ticker.read() - start;
            long left = wait.toNanos() - waited;
            if (left <= 0) {
                throw new ConversationOwnedElsewhereException(
                        conversationId,
                        holder,
                        wait.isZero()
                                ? "not waited"
                                : "waited " + Duration.ofNanos(waited).toMillis() + " ms");
            }
            pause(conversationId, Math.min(left, Math.min(MAX_POLL.toNanos(), Math.max(1, ttl.toNanos() / 10))));
        }
    }

    /** Waits on the scheduler (so a test's fake clock drives it); an interrupt ends the wait with a failure. */
    private void pause(String conversationId, long nanos) {
        try {
            scheduler.schedule(() -> {}, nanos, TimeUnit.NANOSECONDS).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerException(conversationId, "interrupted while waiting for the conversation's lease", e);
        } catch (ExecutionException | RejectedExecutionException e) {
            throw new BrokerException(conversationId, "could not wait for the conversation's lease", e);
        }
    }

    /**
     * One agent of the conversation is gone: when it was the last, gives the lease up, so another broker may take
     * the conversation at once. A failure is logged; the lease then expires by itself.
     */
    void release(String conversationId) {
        Held entry = held.get(conversationId);
        if (entry == null) {
            LOG.warn("{} - conversation {}: released a lease it did not hold", name, conversationId);
            return;
        }
        entry.lock.lock();
        try {
            if (entry.retired || --entry.count > 0) {
                return;
            }
            // Still in the map while the store forgets the lease: an acquire for the conversation waits on this lock
            // and only then takes a fresh record, so its store call comes after this one and is never undone by it.
            try {
                leases.release(conversationId, owner);
                LOG.debug("{} - conversation {}: lease released", name, conversationId);
            } catch (RuntimeException e) {
                LOG.warn(
                        "{} - conversation {}: could not release its lease; it expires within {}",
                        name,
                        conversationId,
                        ttl,
                        e);
            } finally {
                if (entry.retireIfUnused()) {
                    held.remove(conversationId, entry);
                }
            }
        } finally {
            entry.lock.unlock();
        }
    }

    private synchronized void startRenewal() {
        if (renewal != null || closed) {
            return;
        }
        long periodNanos = period.toNanos();
        renewal = scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        executor.execute(this::renewNow);
                    } catch (RejectedExecutionException e) {
                        LOG.debug("{} - lease renewal not run: the executor is shutting down", name);
                    }
                },
                periodNanos,
                periodNanos,
                TimeUnit.NANOSECONDS);
    }

    /**
     * One renewal pass over every lease held now: renews them with one store call, and calls {@code onLost} for
     * those found lost (see the class comment). Never throws.
     */
    void renewNow() {
        try {
            Map<String, Held> snapshot = new LinkedHashMap<>(held);
            if (snapshot.isEmpty()) {
                return;
            }
            long before = ticker.read();
            Set<String> renewed;
            boolean failed = false;
            try {
                renewed = leases.renew(owner, snapshot.keySet(), ttl);
            } catch (RuntimeException e) {
                LOG.warn("{} - could not renew {} leases; retrying in {}", name, snapshot.size(), period, e);
                renewed = Set.of();
                failed = true;
            }
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, Held> each : snapshot.entrySet()) {
                String conversationId = each.getKey();
                Held entry = each.getValue();
                entry.lock.lock();
                try {
                    if (entry.retired || entry.lost || entry.count == 0 || entry.confirmedNanos - before > 0) {
                        continue; // gone, already handled, or taken again after the snapshot
                    }
                    if (renewed.contains(conversationId)) {
                        entry.confirmedNanos = before;
                    } else if (!failed
                            || ticker.read() - entry.confirmedNanos
                                    >= ttl.minus(period).toNanos()) {
                        entry.lost = true;
                        lost.add(conversationId);
                    }
                } finally {
                    entry.lock.unlock();
                }
            }
            for (String conversationId : lost) {
                LOG.error(
                        "{} - conversation {}: {}; stopping its agent so that it never runs twice",
                        name,
                        conversationId,
                        failed
                                ? "its lease could not be renewed for " + ttl.minus(period)
                                : "its lease lapsed or was taken by another instance");
                try {
                    onLost.accept(conversationId);
                } catch (RuntimeException e) {
                    LOG.error(
                            "{} - conversation {}: stopping the agent of a lost lease failed", name, conversationId, e);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("{} - the lease renewal failed", name, e);
        }
    }

    /** Stops the renewal; leases still held expire by themselves (the agents' stops release them first). */
    synchronized void close() {
        closed = true;
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
    }

    /** For tests: how many agents rely on the conversation's lease here. */
    int holders(String conversationId) {
        Held entry = held.get(conversationId);
        if (entry == null) {
            return 0;
        }
        entry.lock.lock();
        try {
            return entry.retired ? 0 : entry.count;
        } finally {
            entry.lock.unlock();
        }
    }
}
