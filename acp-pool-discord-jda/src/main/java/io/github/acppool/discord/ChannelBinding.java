package io.github.acppool.discord;

import io.github.acppool.broker.AgentSpec;

/**
 * A channel bound to one agent: every message in it from an allowed person is a prompt for that agent, without a
 * mention. Bindings are configuration, so they hold across restarts.
 *
 * <p>Immutable and thread-safe.
 *
 * @param channelId the bound text channel
 * @param agentId the id of the agent ({@link AgentSpec#id()}) that answers there
 * @param mode whether the channel itself is the conversation, or each message starts a thread
 */
public record ChannelBinding(long channelId, String agentId, Mode mode) {

    /** Where the conversations of a bound channel live. */
    public enum Mode {
        /**
         * The channel is one conversation (id {@code discord:<channel id>}): replies are posted in the channel, and
         * {@code /reset} there starts it afresh in place.
         */
        CHANNEL,
        /** Each message starts a thread from itself, which is its own conversation, as a mention elsewhere would. */
        THREAD
    }

    public ChannelBinding {
        if (channelId <= 0) {
            throw new IllegalArgumentException("channelId must be a Discord id: " + channelId);
        }
        if (agentId == null || !AgentSpec.ID_PATTERN.matcher(agentId).matches()) {
            throw new IllegalArgumentException("agentId is not an agent id: " + agentId);
        }
        if (mode == null) {
            throw new NullPointerException("mode must not be null");
        }
    }
}
