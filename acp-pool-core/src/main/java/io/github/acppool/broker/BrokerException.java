package io.github.acppool.broker;

import io.github.acppool.AcpPoolException;
import io.github.acppool.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * A failure of the broker about one conversation; the message names it. Subclasses: {@link
 * QueueFullException}, {@link BrokerClosedException}, {@link AgentStartException}. Also used, as is, to say
 * why a message was dropped or a turn abandoned ({@link BrokerResult#error()}).
 *
 * <p>Immutable and thread-safe.
 */
public class BrokerException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final String conversationId;
    private final @Nullable String userMessage;

    public BrokerException(String conversationId, String message, @Nullable Throwable cause) {
        this(conversationId, message, null, cause);
    }

    /**
     * @param message what happened, for the log (prefixed with the conversation id)
     * @param userMessage the sentence a chat user sees ({@link #userMessage()}); null for the generic one
     */
    public BrokerException(
            String conversationId, String message, @Nullable String userMessage, @Nullable Throwable cause) {
        super("conversation " + conversationId + ": " + message, cause);
        this.conversationId = Checks.notNull(conversationId, "conversationId");
        this.userMessage = userMessage;
    }

    /** The sentence given at construction, else the generic one (subclasses say more). */
    @Override
    public String userMessage() {
        return userMessage != null ? userMessage : super.userMessage();
    }

    /** The conversation the failure is about. */
    public String conversationId() {
        return conversationId;
    }
}
