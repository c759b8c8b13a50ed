package io.github.acppool.broker;

/**
 * The broker is shutting down or shut down: a new message was refused, or a message accepted earlier could not
 * get a connection any more.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerClosedException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public BrokerClosedException(String conversationId, String brokerName) {
        super(
                conversationId,
                "broker " + brokerName + " is shut down",
                "The service is shutting down; send your message again after it restarts.",
                null);
    }
}
