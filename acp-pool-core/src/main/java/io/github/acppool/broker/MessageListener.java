package io.github.acppool.broker;

import io.github.acppool.turn.TurnEvent;
import io.github.acppool.turn.TurnListener;

/**
 * Follows one submitted {@link ChatMessage} through the broker: queued, the start of the turn that answers it,
 * and, if this message's listener is the one that receives that turn's reply, the reply's events as they
 * stream. Give each message its own listener; the message's {@link BrokerResult} arrives through the future
 * that {@link AcpBroker#promptAsync} returns.
 *
 * <p>The calls for one message are made one at a time and in this order: {@link #onQueued} (at most once),
 * {@link #onTurnStarted} (exactly once, unless the message is dropped or fails before its turn starts), then
 * {@link #onEvent} (only if {@link TurnStart#streamsTo} this message); all of them happen before the message's
 * future completes. A merged turn streams to exactly one listener: that of its latest message ({@link
 * TurnStart#replyTo()}); the listeners of the others learn from {@link TurnStart} that they were merged into
 * it, and their results carry the same reply.
 *
 * <p>Threads: {@code onQueued} runs on the thread that called {@code prompt}/{@code promptAsync}, before it
 * returns; {@code onTurnStarted} on a broker thread that holds the conversation's connection, so a slow
 * implementation delays that conversation's turn (and only that one); {@code onEvent} as {@link TurnListener}
 * says (on the client's delivery thread for the session: do not block there). None of them may wait for a
 * result of the same conversation (that would wait for itself). An exception thrown by any method is logged and
 * otherwise ignored.
 *
 * <p>Implementations need no locking for one message; one instance shared by several messages is called by
 * several threads at once.
 */
public interface MessageListener {

    /**
     * The message waits behind a running turn of its conversation (e.g. to show a "queued" reaction). Called
     * only when the conversation was busy as the message arrived.
     *
     * @param position the message's place in the conversation's queue; 1 is next
     */
    default void onQueued(int position) {}

    /**
     * The turn that answers this message starts (e.g. to show a "thinking" reaction). If {@code
     * turn.streamsTo(thisMessage)} is false, the message was merged into a turn whose reply streams to {@link
     * TurnStart#replyTo()}, and no events follow here. If {@link TurnStart#sessionReset()}, the agent lost the
     * conversation's earlier context (tell the user).
     */
    default void onTurnStarted(TurnStart turn) {}

    /** One event of the reply as it streams; see {@link TurnListener#onEvent}. */
    default void onEvent(TurnEvent event) {}

    /**
     * A late event of the turn that streamed to this message: it arrived after the turn ended and before the
     * conversation's next prompt was written (see {@link TurnListener#onLateEvent}); append it to the reply.
     * The exception to "before the message's future completes": it comes after the turn's end, which may be
     * just before or any time after that future completes, so a front end that has not shown the reply yet
     * keeps it to append once it has. Same thread rules as {@link #onEvent}.
     */
    default void onLateEvent(TurnEvent event) {}

    /** A listener that ignores everything (the result still carries the whole reply). */
    static MessageListener none() {
        return new MessageListener() {};
    }
}
