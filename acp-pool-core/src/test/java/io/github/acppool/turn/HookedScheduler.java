package io.github.acppool.turn;

import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeScheduler} that runs a test's hook right after it has scheduled a task with a given delay and
 * before the caller gets the future back: the window in which a turn has armed a timer but not yet stored
 * it. The hook runs once, on the scheduling thread, so the interleaving it forces is deterministic.
 * Thread-safe.
 */
final class HookedScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final FakeScheduler clock;
    private final Map<Long, Runnable> hooks = new ConcurrentHashMap<>();

    HookedScheduler(FakeScheduler clock) {
        this.clock = clock;
    }

    /** Runs {@code hook} once, inside the next call that schedules a task {@code delay} from now. */
    void afterScheduling(Duration delay, Runnable hook) {
        hooks.put(delay.toNanos(), hook);
    }

    private <F extends ScheduledFuture<?>> F hooked(long delay, TimeUnit unit, F future) {
        Runnable hook = hooks.remove(unit.toNanos(delay));
        if (hook != null) {
            hook.run();
        }
        return future;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return hooked(delay, unit, clock.schedule(command, delay, unit));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return hooked(delay, unit, clock.schedule(callable, delay, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return hooked(initialDelay, unit, clock.scheduleAtFixedRate(command, initialDelay, period, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return hooked(initialDelay, unit, clock.scheduleWithFixedDelay(command, initialDelay, delay, unit));
    }

    @Override
    public void execute(Runnable command) {
        clock.execute(command);
    }

    @Override
    public void shutdown() {
        clock.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return clock.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return clock.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return clock.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return clock.awaitTermination(timeout, unit);
    }
}
