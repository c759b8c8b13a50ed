package io.github.acppool.discord.fake;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.hooks.EventListener;

/**
 * A JDA listener that keeps every event so a test can wait for the one it expects, instead of sleeping.
 *
 * <p>Thread-safe: JDA's gateway thread adds, the test thread waits.
 */
public final class EventRecorder implements EventListener {

    /* Concurrency: `lock` guards `events`; waiting threads are woken through `added`. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final List<GenericEvent> events = new ArrayList<>();

    @Override
    public void onEvent(GenericEvent event) {
        lock.lock();
        try {
            events.add(event);
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The first event of this type that satisfies {@code filter}, waiting up to {@link FakeDiscord#DEFAULT_AWAIT}. */
    public <T extends GenericEvent> T await(Class<T> type, Predicate<? super T> filter) {
        long deadline = System.nanoTime() + FakeDiscord.DEFAULT_AWAIT.toNanos();
        lock.lock();
        try {
            while (true) {
                for (GenericEvent event : events) {
                    if (type.isInstance(event) && filter.test(type.cast(event))) {
                        return type.cast(event);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + type.getSimpleName() + " matching within "
                            + FakeDiscord.DEFAULT_AWAIT.toSeconds() + " s; got "
                            + events.stream()
                                    .map(e -> e.getClass().getSimpleName())
                                    .toList());
                }
                added.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + type.getSimpleName(), e);
        } finally {
            lock.unlock();
        }
    }

    public <T extends GenericEvent> T await(Class<T> type) {
        return await(type, e -> true);
    }

    /** The events of this type received so far. */
    public <T extends GenericEvent> List<T> all(Class<T> type) {
        lock.lock();
        try {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        } finally {
            lock.unlock();
        }
    }
}
