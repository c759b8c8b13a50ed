package io.github.acppool.broker;

import java.util.List;

/**
 * A conversation asked for an agent id the broker does not know. Its {@link #userMessage()} names the agents
 * there are.
 *
 * <p>Immutable and thread-safe.
 */
public final class UnknownAgentException extends BrokerException {
    private static final long serialVersionUID = 1L;

    private final String agentId;
    private final List<String> knownAgents;

    public UnknownAgentException(String conversationId, String agentId, List<String> knownAgents) {
        super(
                conversationId,
                "unknown agent '" + agentId + "' (known: " + String.join(", ", knownAgents) + ")",
                "There is no agent called " + agentId + ". Available: " + String.join(", ", knownAgents) + ".",
                null);
        this.agentId = agentId;
        this.knownAgents = List.copyOf(knownAgents);
    }

    public String agentId() {
        return agentId;
    }

    public List<String> knownAgents() {
        return knownAgents;
    }
}
