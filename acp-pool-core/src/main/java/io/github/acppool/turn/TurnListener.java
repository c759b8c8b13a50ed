package io.github.acppool.turn;

/**
 * Receives a turn's events as they arrive.
 *
 * <p>Called by one thread at a time, in arrival order, and never after the turn's result has completed. It
 * runs on the client's delivery thread for the session ({@link TurnEvent.StillWorking} on the streamer's timer
 * thread, which it delays: keep that call short): a slow listener slows that session's stream down
 * (the client applies back-pressure) but no other session, and the result waits for a call in progress to
 * return. So do not block here for long (post the event to your own queue or UI thread instead), and never
 * wait here for the turn's own result.
 *
 * <p>A listener needs no locking of its own for one turn; one shared by several turns (of different sessions)
 * is called by several threads at once.
 *
 * <p>An exception thrown here is contained: it is logged, kept in {@link TurnResult#listenerErrors()}, and
 * the turn goes on with the next event.
 */
@FunctionalInterface
public interface TurnListener {

    void onEvent(TurnEvent event);

    /**
     * An update of this turn's session that arrived after the turn ended (its drain was over) and before the
     * session's next prompt was written: it belongs to this turn (its tail), so a front end appends it to the
     * reply it already showed. The turn's {@link TurnResult} is not changed by it; the result completes as the
     * turn ends, so a late event may be called just before a caller sees the result. Called on the client's
     * delivery thread, one at a time, in arrival order, never at the same time as {@link #onEvent}.
     */
    default void onLateEvent(TurnEvent event) {}

    /** A listener that ignores every event (the result still carries the text and tool calls). */
    static TurnListener none() {
        return event -> {};
    }
}
