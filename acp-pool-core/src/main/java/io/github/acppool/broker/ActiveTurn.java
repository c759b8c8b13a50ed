package io.github.acppool.broker;

import io.github.acppool.turn.TurnHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The lock-free cancel handle of a conversation's current turn: cancel() works from any thread while the turn's
 * thread holds the connection lock, whether the turn is still being prepared (agent starting) or streaming.
 */
final class ActiveTurn {

    /* Concurrency: cancel() sets `cancelRequested` then reads `handle`; attach() writes `handle` then reads
     * `cancelRequested`. Both are volatile, so at least one side sees the other and the turn is cancelled once
     * it exists (TurnHandle.cancel is idempotent). Never blocks. */

    final List<Submission> batch;
    final long takenNanos;
    private final AtomicBoolean cancelRequested = new AtomicBoolean();
    private volatile @Nullable TurnHandle handle;
    /** When the prompt went out; 0 until then. */
    volatile long startedNanos;

    ActiveTurn(List<Submission> batch, long takenNanos) {
        this.batch = List.copyOf(batch);
        this.takenNanos = takenNanos;
    }

    /** Asks the turn to stop; true if this call was the first to ask. */
    boolean cancel() {
        if (!cancelRequested.compareAndSet(false, true)) {
            return false;
        }
        TurnHandle current = handle;
        if (current != null) {
            current.cancel();
        }
        return true;
    }

    boolean cancelRequested() {
        return cancelRequested.get();
    }

    /** Publishes the started turn, cancelling it at once if a cancel came first. */
    void attach(TurnHandle started, long nowNanos) {
        startedNanos = nowNanos;
        handle = started;
        if (cancelRequested.get()) {
            started.cancel();
        }
    }

    /** The turn's latest message, whose listener receives the reply. */
    Submission replyTo() {
        return batch.get(batch.size() - 1);
    }
}
