package io.github.acppool.acp;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An executor whose tasks run only when the test says so, newest first. An executor promises no order between
 * the tasks it is given (a thread pool runs them side by side), so a client that is correct on any executor is
 * correct on this one; running the newest task first makes a task that was queued behind another one, and
 * relies on it having run, fail at once instead of once in a while. Thread-safe.
 */
final class ManualExecutor extends AbstractExecutorService {
    private final LinkedBlockingDeque<Runnable> tasks = new LinkedBlockingDeque<>();
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        tasks.add(task);
    }

    /** How many tasks are queued. */
    int queued() {
        return tasks.size();
    }

    /** Runs the queued tasks on this thread, newest first, and the tasks they queue, until none is left. */
    void runNewestFirst() {
        Runnable task;
        while ((task = tasks.pollLast()) != null) {
            task.run();
        }
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = List.copyOf(tasks);
        tasks.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && tasks.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }
}
