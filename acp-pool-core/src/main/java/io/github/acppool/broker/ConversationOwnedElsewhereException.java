package io.github.acppool.broker;

import io.github.acppool.internal.Checks;

/**
 * The conversation's lease is held by another broker instance ({@link ConversationLeases}), so this broker did
 * not start an agent for it: the {@link BrokerResult#error()} of a message whose outcome is {@link
 * BrokerResult.Outcome#OWNED_ELSEWHERE}. The message names the owner for the operator; the chat user sees only
 * {@link #userMessage()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConversationOwnedElsewhereException extends BrokerException {
    private static final long serialVersionUID = 1L;

    static final String USER_TEXT =
            "Another instance of this bot is serving this conversation right now; try again" + " in a minute.";

    private final String owner;

    public ConversationOwnedElsewhereException(String conversationId, String owner, String waited) {
        super(
                conversationId,
                "its lease is held by " + Checks.notNull(owner, "owner") + " (" + waited + "); no agent was started",
                USER_TEXT,
                null);
        this.owner = owner;
    }

    /** The id of the broker instance that holds the conversation's lease. */
    public String owner() {
        return owner;
    }
}
