package io.github.acppool.discord;

import io.github.acppool.broker.AgentSpec;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which of a broker's agents ({@link io.github.acppool.broker.AcpBroker#agents()}) people may start conversations
 * with, and the channels bound to one agent.
 *
 * <p>{@code channelAgents} limits the agents of a channel (and of its threads); {@code roleAgents} limits the agents
 * of people with those roles: someone with several limited roles may use the agents of any of them, someone with
 * none of them every agent. Both limits apply together. A bound channel ({@link ChannelBinding}) always runs its
 * agent, and counts as allowed even when {@link AccessRules#allowedChannels()} does not list it. The limits apply
 * when a conversation starts (a mention, {@code /ask}); the agent of a running conversation changes only with the
 * operator command {@code /agent}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param channelAgents agent ids per channel id; a channel not listed may use every agent
 * @param roleAgents agent ids per role id
 * @param bindings at most one per channel
 */
public record AgentRules(
        Map<Long, Set<String>> channelAgents, Map<Long, Set<String>> roleAgents, List<ChannelBinding> bindings) {

    public AgentRules {
        channelAgents = copy(channelAgents, "channelAgents");
        roleAgents = copy(roleAgents, "roleAgents");
        if (bindings == null) {
            throw new NullPointerException("bindings must not be null");
        }
        bindings = List.copyOf(bindings);
        Set<Long> bound = new HashSet<>();
        for (ChannelBinding binding : bindings) {
            if (!bound.add(binding.channelId())) {
                throw new IllegalArgumentException(
                        "channel " + Long.toUnsignedString(binding.channelId()) + " is bound twice");
            }
        }
    }

    /** No limits and no bindings. */
    public static AgentRules none() {
        return new AgentRules(Map.of(), Map.of(), List.of());
    }

    /** The binding of {@code channelId}, if it is bound. */
    public Optional<ChannelBinding> binding(long channelId) {
        for (ChannelBinding binding : bindings) {
            if (binding.channelId() == channelId) {
                return Optional.of(binding);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether someone with {@code roleIds} may start a conversation with {@code agentId} in {@code channelId} (a
     * thread's limits are its parent channel's when it has none of its own).
     *
     * @param parentChannelId the parent channel of a thread; 0 elsewhere
     */
    public boolean mayUse(String agentId, long channelId, long parentChannelId, Collection<Long> roleIds) {
        Set<String> channel = channelAgents.get(channelId);
        if (channel == null && parentChannelId != 0) {
            channel = channelAgents.get(parentChannelId);
        }
        if (channel != null && !channel.contains(agentId)) {
            return false;
        }
        boolean limited = false;
        for (long role : roleIds) {
            Set<String> agents = roleAgents.get(role);
            if (agents != null) {
                if (agents.contains(agentId)) {
                    return true;
                }
                limited = true;
            }
        }
        return !limited;
    }

    private static Map<Long, Set<String>> copy(Map<Long, Set<String>> map, String name) {
        if (map == null) {
            throw new NullPointerException(name + " must not be null");
        }
        Map<Long, Set<String>> out = new LinkedHashMap<>();
        map.forEach((id, agents) -> {
            for (String agent : agents) {
                if (!AgentSpec.ID_PATTERN.matcher(agent).matches()) {
                    throw new IllegalArgumentException(name + ": not an agent id: " + agent);
                }
            }
            out.put(id, Set.copyOf(agents));
        });
        return Map.copyOf(out);
    }
}
