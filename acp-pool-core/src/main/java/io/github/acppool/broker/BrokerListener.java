package io.github.acppool.broker;

import io.github.acppool.pool.EvictionCause;
import java.time.Duration;

/**
 * Told about the life of the broker's agent connections and turns, e.g. to feed metrics. Every method has an
 * empty default, so implement only what you need.
 *
 * <p>Called on broker threads, outside every broker and pool lock, possibly from several threads at once (for
 * different conversations); a method should return quickly. An exception thrown here is logged and otherwise
 * ignored. Implementations must be thread-safe.
 */
public interface BrokerListener {

    /**
     * An agent process was started, initialized and given a session for a conversation.
     *
     * @param startup from launching the process to having the session (resumed or new)
     */
    default void onConnectionCreated(String conversationId, String sessionId, Duration startup) {}

    /**
     * A stored session was resumed in a new agent process ({@code session/resume}, or {@code session/load}
     * with the replayed history swallowed), so the conversation keeps its context.
     *
     * @param method {@code session/resume} or {@code session/load}
     * @param replayedUpdates how many history updates {@code session/load} replayed (0 for resume)
     */
    default void onSessionResumed(String conversationId, String sessionId, String method, int replayedUpdates) {}

    /**
     * A stored session could not be resumed, so a new one was created and the conversation lost its context.
     * The next turn's {@link TurnStart} and {@link BrokerResult} say so too.
     */
    default void onSessionReset(String conversationId, String previousSessionId, String newSessionId, String reason) {}

    /**
     * A conversation's agent connection left the pool and its process is being stopped. {@link
     * EvictionCause#IDLE} and {@link EvictionCause#CAPACITY} suspend the conversation (its session stays
     * stored, and the next message resumes it); {@link EvictionCause#DEAD} follows a crash; {@link
     * EvictionCause#HUNG} a turn that outlived the hung limit; {@link EvictionCause#EXPLICIT} a {@link
     * AcpBroker#reset}, {@link AcpBroker#close(String)} or a stale connection; {@link EvictionCause#SHUTDOWN}
     * the broker's shutdown.
     */
    default void onEvicted(String conversationId, String sessionId, EvictionCause cause) {}

    /**
     * A turn ended (or was abandoned as {@link BrokerResult.Outcome#HUNG}).
     *
     * @param result the result of the turn's latest message (the one its reply streamed to); its {@link
     *     BrokerResult#turn()} has the timings, and {@link BrokerResult#turnMessages()} the merged messages
     * @param queueWait how long the turn's oldest message waited from submission to the turn's start
     *     (including the agent's start-up when one was needed)
     */
    default void onTurnFinished(String conversationId, BrokerResult result, Duration queueWait) {}

    /**
     * A message for a conversation found it owned by another broker instance (its lease held by a live owner),
     * so this broker did not start an agent for it.
     *
     * @param owner the id of the instance holding the lease
     */
    default void onLeaseConflict(String conversationId, String owner) {}
}
