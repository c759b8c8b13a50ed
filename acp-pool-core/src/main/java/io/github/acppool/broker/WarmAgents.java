package io.github.acppool.broker;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.schema.InitializeResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spare agents started and initialized (and authenticated) ahead, so that a conversation's first message does not
 * wait for a process start and {@code initialize}.
 *
 * <p>A spare is keyed by its agent id and its whole launch spec (command, environment and the working directory
 * it was launched in), and a conversation takes one only if both are equal: an agent launched in one directory or
 * environment is never handed to a conversation that would have launched it differently.
 *
 * <p>Which spec is kept warm: the agent's {@link #target target}, set by the broker. Without a per-conversation
 * working directory function it is the agent's default directory from the start; otherwise it is learned: it moves
 * to a launch spec when two cold starts in a row asked for it, so per-conversation directories (which never repeat)
 * start no spare that could never be taken, and one directory shared by every conversation is warmed after two.
 *
 * <p>Pool size: spares count against the pool's {@code maxSize}. They are only started into free room (processes of
 * conversations, in use or being created, plus spares, at most {@code maxSize}), and a conversation that must start
 * a process while the room is used up stops a spare first ({@link #makeRoom}); a conversation is never evicted for
 * a spare.
 */
final class WarmAgents {

    /*
     * Concurrency: one lock guards every map and counter; it is never held while starting, closing or
     * probing a process, calling the starter, the pool (inUse) or the executor, so it nests under nothing and
     * nothing nests under it. A spare is in exactly one place: `starting` (as a count and, once launched,
     * in `launched`), a `ready` deque, or handed out (take, makeRoom, retarget, close): whoever removes it from
     * `ready` under the lock owns it, so the exit watcher of a spare that was taken finds nothing and does not
     * count a failure. Spares are started on the executor; a failure streak (start failed or a ready spare
     * died) backs the agent off on the scheduler: 1 s, doubling up to 1 min, logged at WARN once per streak.
     */

    private static final Logger LOG = LoggerFactory.getLogger(WarmAgents.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** A launch spec as an agent id launches it. */
    record Key(String agentId, AgentLaunchSpec launch) {}

    /** A ready agent: launched, initialized and (if the policy chose a method) authenticated. */
    record Spare(
            Key key,
            AcpClient client,
            InitializeResult init,
            @Nullable String authMethod) {}

    /** Starts one spare, blocking; calls {@code launched} as soon as the process exists. */
    interface Starter {
        Spare start(Key key, java.util.function.Consumer<AcpClient> launched);
    }

    private final String name;
    private final Starter starter;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final IntSupplier inUse;
    private final int maxProcesses;

    private final ReentrantLock lock = new ReentrantLock();

    /** Per agent id: how many spares, and of which spec (null: not learned yet). */
    @GuardedBy("lock")
    private final Map<String, Target> targets = new HashMap<>();

    @GuardedBy("lock")
    private final Map<Key, ArrayDeque<Spare>> ready = new HashMap<>();

    @GuardedBy("lock")
    private final Map<Key, Integer> starting = new HashMap<>();

    /** Spares being started whose process exists: closed by close(). */
    @GuardedBy("lock")
    private final Set<AcpClient> launched = new HashSet<>();

    @GuardedBy("lock")
    private int spares;

    @GuardedBy("lock")
    private boolean closed;

    private static final class Target {
        final int count;

        @Nullable
        Key key;

        @Nullable
        Key lastCold;

        int failures;
        long retryAtNanos;
        boolean retryScheduled;

        Target(int count, @Nullable Key key) {
            this.count = count;
            this.key = key;
        }
    }

    WarmAgents(
            String name,
            Starter starter,
            Executor executor,
            ScheduledExecutorService scheduler,
            Ticker ticker,
            IntSupplier inUse,
            int maxProcesses) {
        this.name = name;
        this.starter = starter;
        this.executor = executor;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.inUse = inUse;
        this.maxProcesses = maxProcesses;
    }

    /** Keeps {@code count} spares of the agent {@code agentId}, of {@code initial} (or of a learned spec if null). */
    void target(String agentId, int count, @Nullable Key initial) {
        if (count <= 0) {
            return;
        }
        lock.lock();
        try {
            targets.put(agentId, new Target(count, initial));
        } finally {
            lock.unlock();
        }
    }

    boolean enabled() {
        lock.lock();
        try {
            return !targets.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A live spare launched exactly as {@code key}, now owned by the caller, or null (the caller then starts a
     * process as usual, after {@link #makeRoom}). Dead spares met on the way are discarded.
     */
    @Nullable
    Spare take(Key key) {
        List<Spare> dead = new ArrayList<>();
        Spare taken = null;
        lock.lock();
        try {
            Target target = targets.get(key.agentId());
            if (target == null || closed) {
                return null;
            }
            ArrayDeque<Spare> queue = ready.get(key);
            while (queue != null && !queue.isEmpty()) {
                Spare spare = queue.pollFirst();
                spares--;
                if (spare.client().isAlive()) {
                    taken = spare;
                    break;
                }
                dead.add(spare);
            }
            if (taken == null) {
                coldStart(target, key);
            }
        } finally {
            lock.unlock();
        }
        for (Spare spare : dead) {
            LOG.debug("{} - discarded warm agent {}: it exited while waiting", name, spare.client());
            spare.client().close();
        }
        replenishLater();
        return taken;
    }

    @GuardedBy("lock")
    private void coldStart(Target target, Key key) {
        if (key.equals(target.key)) {
            return;
        }
        if (key.equals(target.lastCold)) {
            LOG.info(
                    "{} - agent {}: keeping {} warm agent(s) launched in {}",
                    name,
                    key.agentId(),
                    target.count,
                    key.launch().workingDirectory());
            target.key = key;
            target.lastCold = null;
        } else {
            target.lastCold = key;
        }
    }

    /**
     * Stops one spare if the processes ({@code inUse} conversations, which include the caller's, plus spares)
     * exceed the pool's size: called before a conversation starts a process of its own.
     */
    void makeRoom() {
        int used = inUse.getAsInt();
        Spare victim = null;
        lock.lock();
        try {
            if (used + spares + startingCount() <= maxProcesses) {
                return;
            }
            victim = oldestReady();
        } finally {
            lock.unlock();
        }
        if (victim != null) {
            LOG.debug("{} - stopping warm agent {} to make room in the pool", name, victim.client());
            victim.client().close();
        }
    }

    @GuardedBy("lock")
    private @Nullable Spare oldestReady() {
        for (ArrayDeque<Spare> queue : ready.values()) {
            Spare spare = queue.pollFirst();
            if (spare != null) {
                spares--;
                return spare;
            }
        }
        return null;
    }

    @GuardedBy("lock")
    private int startingCount() {
        int count = 0;
        for (int n : starting.values()) {
            count += n;
        }
        return count;
    }

    /** Starts missing spares on the executor (asynchronously, so that no caller pays for the pool snapshot). */
    void replenishLater() {
        try {
            executor.execute(this::replenish);
        } catch (RejectedExecutionException e) {
            LOG.debug("{} - not replenishing warm agents: the executor is shut down", name);
        }
    }

    /** Starts as many spares as the targets miss and the pool has room for. */
    void replenish() {
        if (!enabled()) {
            return;
        }
        int used = inUse.getAsInt();
        List<Key> toStart = new ArrayList<>();
        List<Spare> stale = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            // Spares of a spec no agent targets any more (the learned directory moved) make room first.
            for (Iterator<Map.Entry<Key, ArrayDeque<Spare>>> it =
                            ready.entrySet().iterator();
                    it.hasNext(); ) {
                Map.Entry<Key, ArrayDeque<Spare>> entry = it.next();
                Target target = targets.get(entry.getKey().agentId());
                if (target == null || !entry.getKey().equals(target.key)) {
                    stale.addAll(entry.getValue());
                    spares -= entry.getValue().size();
                    it.remove();
                }
            }
            int room = maxProcesses - used - spares - startingCount();
            long now = ticker.read();
            for (Target target : targets.values()) {
                Key key = target.key;
                if (key == null || room <= 0) {
                    continue;
                }
                if (target.failures > 0 && now - target.retryAtNanos < 0) {
                    continue; // backing off; a scheduled replenish comes back
                }
                ArrayDeque<Spare> queue = ready.get(key);
                int have = (queue == null ? 0 : queue.size()) + starting.getOrDefault(key, 0);
                // While failing, one attempt at a time: a crash-looping command must not start a burst.
                int want = target.failures > 0 ? Math.min(1, target.count - have) : target.count - have;
                if (target.failures > 0 && starting.getOrDefault(key, 0) > 0) {
                    want = 0;
                }
                for (int i = 0; i < want && room > 0; i++, room--) {
                    starting.merge(key, 1, Integer::sum);
                    toStart.add(key);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Spare spare : stale) {
            LOG.debug("{} - stopping warm agent {}: its launch spec is no longer kept warm", name, spare.client());
            spare.client().close();
        }
        for (Key key : toStart) {
            try {
                executor.execute(() -> startOne(key));
            } catch (RejectedExecutionException e) {
                lock.lock();
                try {
                    starting.merge(key, -1, Integer::sum);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void startOne(Key key) {
        Spare spare;
        long startNanos = ticker.read();
        AtomicReference<@Nullable AcpClient> started = new AtomicReference<>();
        try {
            spare = starter.start(key, client -> {
                started.set(client);
                boolean stop;
                lock.lock();
                try {
                    stop = closed;
                    if (!stop) {
                        launched.add(client);
                    }
                } finally {
                    lock.unlock();
                }
                if (stop) {
                    client.close();
                }
            });
        } catch (RuntimeException e) {
            AcpClient client = started.get();
            if (client != null) {
                lock.lock();
                try {
                    launched.remove(client);
                } finally {
                    lock.unlock();
                }
            }
            failed(key, "could not start", e, true);
            return;
        }
        boolean keep;
        int streak;
        lock.lock();
        try {
            starting.merge(key, -1, Integer::sum);
            launched.remove(spare.client());
            Target target = targets.get(key.agentId());
            keep = !closed && target != null && key.equals(target.key);
            streak = 0;
            if (target != null && keep) {
                ready.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(spare);
                spares++;
                streak = target.failures;
                target.failures = 0;
            }
        } finally {
            lock.unlock();
        }
        if (!keep) {
            spare.client().close();
            return;
        }
        if (streak > 0) {
            LOG.info("{} - agent {}: warm agents start again after {} failure(s)", name, key.agentId(), streak);
        }
        LOG.debug(
                "{} - warm agent {} ready in {}",
                name,
                spare.client(),
                Duration.ofNanos(Math.max(0, ticker.read() - startNanos)));
        var unused = spare.client().onExit().whenComplete((code, e) -> exited(spare));
    }

    /** A ready spare's process ended: if it was still waiting (nobody took it), replace it, backing off. */
    private void exited(Spare spare) {
        boolean waiting;
        lock.lock();
        try {
            ArrayDeque<Spare> queue = ready.get(spare.key());
            waiting = queue != null && queue.remove(spare);
            if (waiting) {
                spares--;
            }
        } finally {
            lock.unlock();
        }
        if (waiting) {
            spare.client().close();
            failed(spare.key(), "exited while waiting", spare.client().stderrTail(), false);
        }
    }

    private void failed(Key key, String what, Object why, boolean wasStarting) {
        Duration delay;
        int streak;
        boolean schedule;
        lock.lock();
        try {
            if (wasStarting) {
                starting.merge(key, -1, Integer::sum);
            }
            Target target = targets.get(key.agentId());
            if (closed || target == null) {
                return;
            }
            streak = ++target.failures;
            long millis = FIRST_BACKOFF.toMillis() << Math.min(streak - 1, 16);
            delay = Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
            target.retryAtNanos = ticker.read() + delay.toNanos();
            schedule = !target.retryScheduled;
            target.retryScheduled = true;
        } finally {
            lock.unlock();
        }
        if (streak == 1) {
            if (why instanceof Throwable error) {
                LOG.warn(
                        "{} - agent {}: a warm agent {}; retrying with backoff, logged once until one starts",
                        name,
                        key.agentId(),
                        what,
                        error);
            } else {
                LOG.warn(
                        "{} - agent {}: a warm agent {} (stderr: {}); retrying with backoff, logged once until"
                                + " one starts",
                        name,
                        key.agentId(),
                        what,
                        why);
            }
        } else {
            LOG.debug("{} - agent {}: a warm agent {} again ({} in a row)", name, key.agentId(), what, streak);
        }
        if (schedule) {
            scheduleRetry(key.agentId(), delay);
        }
    }

    private void scheduleRetry(String agentId, Duration delay) {
        try {
            var unused = scheduler.schedule(
                    () -> {
                        lock.lock();
                        try {
                            Target target = targets.get(agentId);
                            if (target != null) {
                                target.retryScheduled = false;
                            }
                        } finally {
                            lock.unlock();
                        }
                        replenishLater();
                    },
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("{} - not retrying warm agents: the scheduler is shut down", name);
        }
    }

    /** How many spares wait, for status and tests. */
    int ready() {
        lock.lock();
        try {
            return spares;
        } finally {
            lock.unlock();
        }
    }

    /** Stops every spare, waiting and being started, and starts no more. Blocks while the processes stop. */
    void close() {
        List<AcpClient> stop = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (ArrayDeque<Spare> queue : ready.values()) {
                for (Spare spare : queue) {
                    stop.add(spare.client());
                }
            }
            ready.clear();
            spares = 0;
            stop.addAll(launched);
            launched.clear();
        } finally {
            lock.unlock();
        }
        for (AcpClient client : stop) {
            try {
                client.close();
            } catch (RuntimeException e) {
                LOG.warn("{} - stopping warm agent {} failed", name, client, e);
            }
        }
    }
}
