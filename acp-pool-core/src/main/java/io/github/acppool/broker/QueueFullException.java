package io.github.acppool.broker;

/**
 * A message was refused because its conversation already had {@code maxQueuedMessages} messages waiting
 * behind a running turn. Nothing was queued; the caller may tell the user to wait, or retry later.
 *
 * <p>Immutable and thread-safe.
 */
public final class QueueFullException extends BrokerException {
    private static final long serialVersionUID = 1L;

    private final int maxQueuedMessages;

    public QueueFullException(String conversationId, int maxQueuedMessages) {
        super(
                conversationId,
                "message refused: " + maxQueuedMessages + " messages already wait for the running turn"
                        + " (maxQueuedMessages is " + maxQueuedMessages + ")",
                "Too many messages are already waiting in this conversation; try again when the agent has answered.",
                null);
        this.maxQueuedMessages = maxQueuedMessages;
    }

    /** The configured cap that was reached. */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }
}
