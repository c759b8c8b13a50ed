package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A turn that starts: which messages it answers (one, or several queued messages merged in arrival order) and
 * which of them receives the streamed reply. Passed to {@link MessageListener#onTurnStarted} of every message
 * of the turn.
 *
 * <p>Immutable and thread-safe.
 *
 * @param conversationId the conversation
 * @param messages the messages the turn answers, in arrival order; never empty
 * @param sessionId the agent's ACP session the turn runs in
 * @param sessionReset true if the conversation had a stored session that could not be resumed, so this turn
 *     runs in a new session without the earlier context (a front end should say so); true only for the first
 *     turn after that happened
 * @param sessionResetReason why the stored session could not be resumed, when {@code sessionReset}
 */
public record TurnStart(
        String conversationId,
        List<ChatMessage> messages,
        String sessionId,
        boolean sessionReset,
        @Nullable String sessionResetReason) {

    public TurnStart {
        Checks.notNull(conversationId, "conversationId");
        messages = List.copyOf(messages);
        Checks.argument(!messages.isEmpty(), "a turn answers at least one message");
        Checks.notNull(sessionId, "sessionId");
    }

    /** The message whose listener receives the reply's events: the latest one. */
    public ChatMessage replyTo() {
        return messages.get(messages.size() - 1);
    }

    /** Whether the reply streams to {@code message}'s listener (false for the others of a merged turn). */
    public boolean streamsTo(ChatMessage message) {
        return replyTo().equals(message);
    }

    /** Whether the turn answers more than one message. */
    public boolean merged() {
        return messages.size() > 1;
    }
}
