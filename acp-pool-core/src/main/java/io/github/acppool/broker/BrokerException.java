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

    public BrokerException(String conversationId, String message, @Nullable Throwable cause) {
        super("conversation " + conversationId + ": " + message, cause);
        this.conversationId = Checks.notNull(conversationId, "conversationId");
    }

    /** The conversation the failure is about. */
    public String conversationId() {
        return conversationId;
    }
}
