package io.github.acppool.broker;

import io.github.acppool.pool.PoolExhaustedException;

/**
 * A conversation needed an agent, but every agent slot was taken by other conversations' busy agents (or
 * agents being started) for the pool's acquire timeout. The message was not sent; the caller may tell the user
 * to try again in a moment. The cause carries the pool's counts.
 *
 * <p>Immutable and thread-safe.
 */
public final class NoAgentAvailableException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public NoAgentAvailableException(String conversationId, PoolExhaustedException cause) {
        super(
                conversationId,
                "no agent available: " + cause.getMessage(),
                "Every agent is busy right now; try again in a moment.",
                cause);
    }
}
