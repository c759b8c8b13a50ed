package io.github.acppool.discord;

import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentSpec;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Which agent a new conversation starts on: a channel's binding, else the agent a person named ({@code /ask agent:}
 * or a prompt starting with {@code codex:}), else the broker's default, within what {@link AgentRules} allow them.
 *
 * <p>A prompt names an agent only when it starts with a known agent id (any case) and a colon; anything else, such
 * as {@code Note: the build fails}, is text. With a single agent, or a broker that does not list its agents
 * ({@link AcpBroker#agents()} unsupported), there is nothing to choose and no agent is ever named.
 *
 * <p>Thread-safe: the broker's agents are read once (they never change) into a volatile field.
 */
final class AgentChoices {

    private static final Pattern NAMED = Pattern.compile("(?s)\\s*([A-Za-z0-9][A-Za-z0-9_-]{0,31})\\s*:(.*)");

    private final AcpBroker broker;
    private final AgentRules rules;
    private volatile @Nullable List<AgentSpec> agents;

    AgentChoices(AcpBroker broker, AgentRules rules) {
        this.broker = broker;
        this.rules = rules;
    }

    /**
     * The decision for a new conversation.
     *
     * @param agentId the agent to start it on; null when the broker has a single unnamed agent
     * @param prompt the prompt without the agent's name
     * @param refusal a sentence for the person when they may not start it so; null when they may
     */
    record Pick(
            @Nullable String agentId,
            String prompt,
            @Nullable String refusal) {
        static Pick refused(String refusal) {
            return new Pick(null, "", refusal);
        }
    }

    /** The broker's agents, the default first; empty if the broker does not list them. */
    List<AgentSpec> all() {
        List<AgentSpec> known = agents;
        if (known == null) {
            try {
                known = List.copyOf(broker.agents());
            } catch (UnsupportedOperationException e) {
                known = List.of();
            }
            agents = known;
        }
        return known;
    }

    /**
     * Whether there is a choice: with a single agent (a broker built with one launch spec) nothing is named, no
     * conversation is put on an agent and every prompt is text.
     */
    boolean several() {
        return all().size() > 1;
    }

    Optional<AgentSpec> find(String id) {
        String wanted = id.strip();
        return all().stream().filter(a -> a.id().equalsIgnoreCase(wanted)).findFirst();
    }

    Optional<ChannelBinding> binding(long channelId) {
        return rules.binding(channelId);
    }

    /** The agents someone with {@code roleIds} may start a conversation with in this channel. */
    List<AgentSpec> usable(long channelId, long parentChannelId, Collection<Long> roleIds) {
        return all().stream()
                .filter(a -> rules.mayUse(a.id(), channelId, parentChannelId, roleIds))
                .toList();
    }

    /**
     * The agent of a conversation starting in {@code channelId} (a text channel).
     *
     * @param requested the agent someone chose ({@code /ask agent:}), or null to look for a name in the prompt
     */
    Pick forNewConversation(
            @Nullable String requested, String prompt, long channelId, long parentChannelId, Collection<Long> roles) {
        if (!several()) {
            return new Pick(null, prompt, null);
        }
        ChannelBinding binding = rules.binding(channelId).orElse(null);
        if (binding != null) {
            if (requested != null && !requested.isBlank() && !requested.strip().equalsIgnoreCase(binding.agentId())) {
                return Pick.refused("This channel always talks to " + binding.agentId() + "; ask elsewhere for "
                        + Text.head(requested.strip(), 32) + ".");
            }
            return new Pick(binding.agentId(), prompt, null);
        }
        String text = prompt;
        AgentSpec chosen = null;
        if (requested != null && !requested.isBlank()) {
            chosen = find(requested).orElse(null);
            if (chosen == null) {
                return Pick.refused("There is no agent called " + Text.head(requested.strip(), 32) + ". "
                        + offer(channelId, parentChannelId, roles));
            }
        } else {
            Matcher named = NAMED.matcher(prompt);
            if (named.matches()) {
                chosen = find(named.group(1)).orElse(null);
                if (chosen != null) {
                    text = named.group(2).strip();
                }
            }
        }
        if (chosen != null) {
            return rules.mayUse(chosen.id(), channelId, parentChannelId, roles)
                    ? new Pick(chosen.id(), text, null)
                    : Pick.refused(
                            "You cannot use " + chosen.id() + " here. " + offer(channelId, parentChannelId, roles));
        }
        List<AgentSpec> usable = usable(channelId, parentChannelId, roles);
        return usable.isEmpty()
                ? Pick.refused("None of the bot's agents is open to you here.")
                : new Pick(usable.get(0).id(), text, null);
    }

    /** "You can use: claude, codex." or that there is none. */
    String offer(long channelId, long parentChannelId, Collection<Long> roles) {
        List<AgentSpec> usable = usable(channelId, parentChannelId, roles);
        return usable.isEmpty()
                ? "None of the bot's agents is open to you here."
                : "You can use: " + usable.stream().map(AgentSpec::id).collect(Collectors.joining(", ")) + ".";
    }

    /** An autocomplete label: "codex - OpenAI Codex", at most {@code max} code points. */
    static String label(AgentSpec agent, int max) {
        return Text.head(agent.id() + agent.description().map(d -> " - " + d).orElse(""), max);
    }

    /** Whether {@code agent} matches what someone typed into an autocomplete field. */
    static boolean matches(AgentSpec agent, String typed) {
        String wanted = typed.strip().toLowerCase(Locale.ROOT);
        return wanted.isEmpty()
                || agent.id().toLowerCase(Locale.ROOT).contains(wanted)
                || agent.description()
                        .map(d -> d.toLowerCase(Locale.ROOT).contains(wanted))
                        .orElse(false);
    }
}
