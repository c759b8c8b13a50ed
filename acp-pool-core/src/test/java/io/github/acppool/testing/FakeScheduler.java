package io.github.acppool.testing;

import io.github.acppool.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ScheduledExecutorService} and {@link Ticker} whose time moves only when a test calls
 * {@link #advance(Duration)} (or {@link #runDueTasks()}), so that timeouts, liveness ticks and idle
 * cleanup can be tested without sleeping.
 *
 * <p>Tasks run on the thread that advances time, in order of due time and then of submission. A task
 * given to {@link #execute(Runnable)} is due at once but still runs only when time is advanced. A
 * periodic task whose run throws is not run again, as with {@link java.util.concurrent.ScheduledThreadPoolExecutor};
 * every exception thrown by a task is kept and can be read with {@link #failures()}.
 *
 * <p>Thread-safe: any thread may schedule; advancing is serialised.
 */
public final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService, Ticker {

    /*
     * Concurrency: `lock` guards the queue, the clock, the sequence and the shutdown flag. Tasks are run with
     * `lock` released (a task may schedule more tasks) but with `advanceLock` held, so that two threads
     * advancing at once cannot run tasks out of order. Lock order: advanceLock, then lock.
     */
    private final ReentrantLock advanceLock = new ReentrantLock();
    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long nowNanos;
    private long sequence;
    private boolean shutdown;

    /** A scheduler whose clock starts at an arbitrary non-zero value, to catch code that assumes zero. */
    public FakeScheduler() {
        this(1_000_000_000L);
    }

    public FakeScheduler(long startNanos) {
        this.nowNanos = startNanos;
    }

    @Override
    public long read() {
        lock.lock();
        try {
            return nowNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock forward by {@code duration}, running every task that falls due on the way. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative: " + duration);
        }
        advanceLock.lock();
        try {
            long target;
            lock.lock();
            try {
                target = nowNanos + duration.toNanos();
            } finally {
                lock.unlock();
            }
            runUntil(target);
        } finally {
            advanceLock.unlock();
        }
    }

    /** Runs every task that is due now, without moving the clock. */
    public void runDueTasks() {
        advance(Duration.ZERO);
    }

    private void runUntil(long target) {
        while (true) {
            Task<?> next;
            lock.lock();
            try {
                next = queue.peek();
                if (next == null || next.dueNanos > target) {
                    nowNanos = Math.max(nowNanos, target);
                    return;
                }
                queue.poll();
                nowNanos = Math.max(nowNanos, next.dueNanos);
            } finally {
                lock.unlock();
            }
            next.run();
        }
    }

    /** How many tasks are scheduled and not cancelled. */
    public int pendingTaskCount() {
        lock.lock();
        try {
            return (int) queue.stream().filter(t -> !t.isDone()).count();
        } finally {
            lock.unlock();
        }
    }

    /** The time until the next task is due, or {@code null} if none is scheduled. */
    public Duration nextDueIn() {
        lock.lock();
        try {
            Task<?> next =
                    queue.stream().filter(t -> !t.isDone()).min(Task::compareTo).orElse(null);
            return next == null ? null : Duration.ofNanos(Math.max(0, next.dueNanos - nowNanos));
        } finally {
            lock.unlock();
        }
    }

    /** The exceptions thrown by tasks so far. */
    public List<Throwable> failures() {
        lock.lock();
        try {
            return List.copyOf(failures);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(callable(command), unit.toNanos(delay), 0);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(callable, unit.toNanos(delay), 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return enqueue(callable(command), unit.toNanos(initialDelay), unit.toNanos(period));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        // With a fake clock a task takes no time, so fixed delay and fixed rate coincide.
        return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        enqueue(callable(command), 0, 0);
    }

    private static Callable<Object> callable(Runnable command) {
        if (command == null) {
            throw new NullPointerException("command must not be null");
        }
        return () -> {
            command.run();
            return null;
        };
    }

    private <V> Task<V> enqueue(Callable<V> callable, long delayNanos, long periodNanos) {
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("FakeScheduler is shut down");
            }
            Task<V> task = new Task<>(callable, nowNanos + Math.max(0, delayNanos), periodNanos, sequence++);
            queue.add(task);
            return task;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        lock.lock();
        try {
            shutdown = true;
            List<Task<?>> tasks = new ArrayList<>(queue);
            queue.clear();
            // Cancelling removes a task from the queue, so iterate over the copy (not the queue itself).
            tasks.forEach(t -> t.cancel(false));
            return new ArrayList<>(tasks);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return shutdown;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        return isShutdown();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isShutdown();
    }

    private final class Task<V> implements ScheduledFuture<V>, Runnable {
        private final Callable<V> callable;
        private final long periodNanos;
        private final long seq;
        private final CompletableFuture<V> result = new CompletableFuture<>();
        private long dueNanos;

        Task(Callable<V> callable, long dueNanos, long periodNanos, long seq) {
            this.callable = callable;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
            this.seq = seq;
        }

        @Override
        public void run() {
            if (result.isDone()) {
                return;
            }
            try {
                V value = callable.call();
                if (periodNanos == 0) {
                    result.complete(value);
                    return;
                }
            } catch (Throwable t) {
                lock.lock();
                try {
                    failures.add(t);
                } finally {
                    lock.unlock();
                }
                result.completeExceptionally(t);
                return;
            }
            lock.lock();
            try {
                if (!result.isDone() && !shutdown) {
                    dueNanos += periodNanos;
                    queue.add(this);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - read(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof Task<?> task) {
                int byDue = Long.compare(dueNanos, task.dueNanos);
                return byDue != 0 ? byDue : Long.compare(seq, task.seq);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = result.cancel(false);
            if (cancelled) {
                lock.lock();
                try {
                    queue.remove(this);
                } finally {
                    lock.unlock();
                }
            }
            return cancelled;
        }

        @Override
        public boolean isCancelled() {
            return result.isCancelled();
        }

        @Override
        public boolean isDone() {
            return result.isDone();
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            return result.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return result.get(timeout, unit);
        }
    }
}
