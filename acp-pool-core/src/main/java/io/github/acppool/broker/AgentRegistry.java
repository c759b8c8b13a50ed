package io.github.acppool.broker;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.internal.Checks;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import io.github.acppool.turn.PromptStreamer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The agents of one broker by id, the default first, each with the broker's settings filled in where its spec
 * leaves them unset. Immutable after construction and thread-safe.
 */
final class AgentRegistry {

    /**
     * One agent as the broker runs it: its spec and the settings in force for it.
     *
     * @param streamer runs its turns: the broker's, or its own when it overrides the drain or liveness policy
     */
    record Agent(
            AgentSpec spec,
            AuthPolicy authPolicy,
            Function<String, Path> workingDirectory,
            AcpClientOptions clientOptions,
            LivenessPolicy liveness,
            PromptStreamer streamer) {
        String id() {
            return spec.id();
        }

        AgentLaunchSpec launch() {
            return spec.launch();
        }
    }

    private final Map<String, Agent> agents;
    private final String defaultId;

    /** The specs of a builder, validated, the default first; starts nothing. */
    static List<AgentSpec> specs(AcpBroker.Builder builder) {
        if (builder.agents.isEmpty()) {
            AgentLaunchSpec single = Checks.notNull(builder.agent, "agent");
            Checks.argument(
                    builder.defaultAgent == null || builder.defaultAgent.equals(AgentSpec.DEFAULT_ID_FOR_SINGLE),
                    "defaultAgent '%s' is not an agent of this broker (it has a single agent, '%s')",
                    builder.defaultAgent,
                    AgentSpec.DEFAULT_ID_FOR_SINGLE);
            return List.of(
                    AgentSpec.builder(AgentSpec.DEFAULT_ID_FOR_SINGLE, single).build());
        }
        List<AgentSpec> ordered = new ArrayList<>(builder.agents);
        String wanted = builder.defaultAgent;
        if (wanted != null) {
            AgentSpec first = ordered.stream()
                    .filter(spec -> spec.id().equals(wanted))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("defaultAgent '" + wanted
                            + "' is not one of the agents: " + String.join(", ", ids(builder.agents))));
            ordered.remove(first);
            ordered.add(0, first);
        }
        return List.copyOf(ordered);
    }

    private static List<String> ids(Collection<AgentSpec> specs) {
        return specs.stream().map(AgentSpec::id).toList();
    }

    /**
     * @param streamers makes a streamer for an agent that overrides the drain or liveness policy (null for the
     *     broker's)
     */
    AgentRegistry(
            List<AgentSpec> specs,
            @Nullable AuthPolicy brokerAuth,
            @Nullable Function<String, Path> brokerDirectory,
            AcpClientOptions brokerOptions,
            LivenessPolicy brokerLiveness,
            PromptStreamer brokerStreamer,
            Function<AgentSpec, PromptStreamer> streamers) {
        Map<String, Agent> all = new LinkedHashMap<>();
        for (AgentSpec spec : specs) {
            AuthPolicy auth = spec.authPolicy()
                    .orElse(spec.launch().authPolicy() != null ? spec.launch().authPolicy() : brokerAuth);
            Function<String, Path> directory = spec.workingDirectory().orElse(brokerDirectory);
            if (directory == null) {
                Path own = spec.launch().workingDirectory();
                Path fixed = (own != null ? own : Path.of("")).toAbsolutePath().normalize();
                directory = id -> fixed;
            }
            boolean ownStreamer =
                    spec.drainPolicy().isPresent() || spec.livenessPolicy().isPresent();
            all.put(
                    spec.id(),
                    new Agent(
                            spec,
                            auth != null ? auth : AuthPolicy.automatic(),
                            directory,
                            spec.clientOptions().orElse(brokerOptions),
                            spec.livenessPolicy().orElse(brokerLiveness),
                            ownStreamer ? streamers.apply(spec) : brokerStreamer));
        }
        this.agents = java.util.Collections.unmodifiableMap(all);
        this.defaultId = specs.get(0).id();
    }

    /** The longest hard turn timeout of all agents (the pool's hung limit must exceed it). */
    static LivenessPolicy longest(List<AgentSpec> specs, LivenessPolicy brokerLiveness) {
        LivenessPolicy longest = brokerLiveness;
        for (AgentSpec spec : specs) {
            LivenessPolicy own = spec.livenessPolicy().orElse(brokerLiveness);
            if (own.hardTimeout().compareTo(longest.hardTimeout()) > 0) {
                longest = own;
            }
        }
        return longest;
    }

    String defaultId() {
        return defaultId;
    }

    Agent defaultAgent() {
        return Checks.notNull(agents.get(defaultId), "default agent");
    }

    @Nullable
    Agent find(@Nullable String id) {
        return id == null ? null : agents.get(id);
    }

    /**
     * The agent {@code id}.
     *
     * @throws UnknownAgentException naming the agents there are
     */
    Agent get(String conversationId, String id) {
        Agent agent = agents.get(Checks.notNull(id, "agentId"));
        if (agent == null) {
            throw new UnknownAgentException(conversationId, id, List.copyOf(agents.keySet()));
        }
        return agent;
    }

    List<AgentSpec> specs() {
        return agents.values().stream().map(Agent::spec).toList();
    }

    Collection<Agent> all() {
        return agents.values();
    }

    /** Every distinct streamer (the broker's and the agents' own). */
    Set<PromptStreamer> streamers() {
        Set<PromptStreamer> distinct = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        agents.values().forEach(agent -> distinct.add(agent.streamer()));
        return distinct;
    }

    /** The longest close grace of all agents' client options. */
    Duration longestCloseGrace() {
        return agents.values().stream()
                .map(agent -> agent.clientOptions().closeGrace())
                .max(Duration::compareTo)
                .orElseThrow();
    }

    /** The drain policy an agent's own streamer uses: its own, else the broker's (null: the streamer default). */
    static @Nullable DrainPolicy drain(AgentSpec spec, @Nullable DrainPolicy brokerDrain) {
        return spec.drainPolicy().orElse(brokerDrain);
    }
}
