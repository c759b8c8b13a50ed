package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code session/prompt} in progress: its request id, a cancel signal that wakes every wait of the turn,
 * and a signal that it has finished. Thread-safe: the reader thread cancels, the turn thread waits.
 */
final class Turn {
    private final JsonNode requestId;
    private final CompletableFuture<Void> cancelled = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean hung;

    Turn(JsonNode requestId) {
        this.requestId = requestId;
    }

    JsonNode requestId() {
        return requestId;
    }

    void cancel() {
        cancelled.complete(null);
    }

    boolean isCancelled() {
        return cancelled.isDone();
    }

    /** Completes when the turn is cancelled; for waiting on something else at the same time. */
    CompletableFuture<Void> cancelSignal() {
        return cancelled;
    }

    /**
     * Waits, unless the turn is cancelled first.
     *
     * @return true if the turn is cancelled
     */
    boolean pause(long millis) {
        if (millis <= 0) {
            return isCancelled();
        }
        try {
            cancelled.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the cancel signal never fails", e);
        }
    }

    /** Blocks for the rest of the process's life, as a stuck agent would; ignores cancellation. */
    void hang() {
        hung = true;
        try {
            new CompletableFuture<Void>().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completes", e);
        }
    }

    /** True once the turn hangs on purpose; shutdown does not wait for such a turn. */
    boolean isHung() {
        return hung;
    }

    void markFinished() {
        finished.complete(null);
    }

    CompletableFuture<Void> finished() {
        return finished;
    }
}
