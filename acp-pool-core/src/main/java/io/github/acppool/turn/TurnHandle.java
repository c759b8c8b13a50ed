package io.github.acppool.turn;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.google.errorprone.annotations.CheckReturnValue;
import java.util.concurrent.CompletableFuture;

/**
 * A turn in flight. Thread-safe: any thread may cancel or wait, without holding any lock of the caller's.
 */
public interface TurnHandle {

    /** The session the turn runs in. */
    String sessionId();

    /**
     * Completes exactly once, never exceptionally, after the listener's last call has returned: whatever the
     * agent does, the turn ends (answer plus drain, death, timeout, cancel plus grace). A new dependent future
     * on each call, so completing or cancelling it has no effect on the turn (use {@link #cancel()}).
     * Dependent actions run on the thread that ended the turn (the client's delivery or executor thread, or the
     * streamer's timer): use the {@code *Async} variants for anything slow.
     */
    @CheckReturnValue
    CompletableFuture<TurnResult> result();

    /**
     * Asks the agent to stop: sends {@code session/cancel} (which also answers the session's open permission
     * requests with {@code cancelled}) and waits, at most the streamer's cancel grace, for the answer. Any
     * answer after this counts as cancelled; without one the request id is abandoned and the turn ends as
     * cancelled anyway. Never blocks. Once the agent has answered, a cancel only cuts the drain short and the
     * turn keeps its outcome.
     *
     * @return true if this call asked the agent to stop; false if the turn had already ended, the agent had
     *     already answered, or a cancel was already under way
     */
    @CanIgnoreReturnValue
    boolean cancel();

    /**
     * Waits for the result. If the waiting thread is interrupted, the turn is cancelled, the wait goes on
     * (bounded by the cancel grace) and the interrupt flag is set again before returning.
     */
    TurnResult await();
}
