package io.github.acppool.discord;

import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentReport;
import io.github.acppool.broker.AgentSpec;
import io.github.acppool.broker.ConversationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.ISnowflake;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.events.interaction.GenericInteractionCreateEvent;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator commands, for {@link DiscordConfig#isOperator operators} only and answered ephemerally: {@code
 * /doctor} checks every agent ({@link AcpBroker#checkAgent}), {@code /sessions} lists the conversations a page at a
 * time, {@code /agent} shows the conversation's agent and switches it after a confirmation button (the switch is a
 * reset: the agent's context is lost).
 *
 * <p>Thread-safe: stateless besides immutable references; slow work (checks, broker calls that may read the session
 * store) runs on the executor or the broker's futures, never on JDA's event thread.
 */
final class OperatorCommands {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorCommands.class);

    static final String DOCTOR = "doctor";
    static final String SESSIONS = "sessions";
    static final String AGENT = "agent";
    static final String AGENT_OPTION = "agent";
    static final String PAGE_OPTION = "page";
    static final int PAGE_SIZE = 10;
    /** The confirmation button of {@code /agent}; the agent id follows. */
    static final String SWITCH_PREFIX = "acp-agent-switch:";

    static final String KEEP = "acp-agent-keep";
    static final String NOT_OPERATOR = "Only the bot's operators can use this command.";
    /** A check that neither answers nor fails within this is reported as hanging. */
    static final Duration CHECK_TIMEOUT = Duration.ofMinutes(2);

    private static final int MAX_LINE = 300;

    private final DiscordConfig config;
    private final AcpBroker broker;
    private final AgentChoices choices;
    private final Executor executor;
    private final Mentions mentions;

    OperatorCommands(
            DiscordConfig config, AcpBroker broker, AgentChoices choices, Executor executor, Mentions mentions) {
        this.config = config;
        this.broker = broker;
        this.choices = choices;
        this.executor = executor;
        this.mentions = mentions;
    }

    static List<CommandData> commands() {
        return List.of(
                Commands.slash(DOCTOR, "Operators: check every agent of the bot"),
                Commands.slash(SESSIONS, "Operators: list the conversations")
                        .addOptions(new OptionData(OptionType.INTEGER, PAGE_OPTION, "Which page (10 a page)", false)
                                .setMinValue(1)),
                Commands.slash(AGENT, "Operators: show or switch the agent of this conversation")
                        .addOptions(new OptionData(
                                OptionType.STRING,
                                AGENT_OPTION,
                                "Switch to this agent (the conversation starts afresh)",
                                false,
                                true)));
    }

    static boolean handles(String name) {
        return name.equals(DOCTOR) || name.equals(SESSIONS) || name.equals(AGENT);
    }

    boolean isOperator(GenericInteractionCreateEvent event) {
        Member member = event.getMember();
        Set<Long> roles = member == null
                ? Set.of()
                : member.getRoles().stream().map(ISnowflake::getIdLong).collect(Collectors.toSet());
        return config.isOperator(event.getUser().getIdLong(), roles);
    }

    void run(SlashCommandInteractionEvent event) {
        if (!isOperator(event)) {
            LOG.info(
                    "discord:{} - /{} refused to {}",
                    event.getChannelId(),
                    event.getName(),
                    event.getUser().getId());
            mentions.restrict(event.reply(NOT_OPERATOR))
                    .setEphemeral(true)
                    .queue(null, e -> LOG.warn("discord:{} - refusal failed", event.getChannelId(), e));
            return;
        }
        mentions.restrict(event.deferReply(true))
                .queue(
                        null,
                        e -> LOG.warn(
                                "discord:{} - /{} could not be acknowledged",
                                event.getChannelId(),
                                event.getName(),
                                e));
        InteractionHook hook = event.getHook();
        String conversationId = DiscordFrontEnd.conversationId(event.getChannelIdLong());
        switch (event.getName()) {
            case DOCTOR -> doctor(hook, conversationId);
            case SESSIONS -> {
                int page = event.getOption(PAGE_OPTION, 1, OptionMapping::getAsInt);
                onExecutor(hook, conversationId, () -> answer(hook, conversationId, sessions(page)));
            }
            default -> {
                String wanted = event.getOption(AGENT_OPTION, "", OptionMapping::getAsString);
                onExecutor(hook, conversationId, () -> agent(hook, event.getChannelIdLong(), wanted));
            }
        }
    }

    // ---------------------------------------------------------------- /doctor

    private void doctor(InteractionHook hook, String conversationId) {
        List<AgentSpec> agents = choices.all();
        if (agents.isEmpty()) {
            answer(hook, conversationId, "This bot cannot check its agent.");
            return;
        }
        List<CompletableFuture<String>> checks = new ArrayList<>();
        for (AgentSpec agent : agents) {
            CompletableFuture<AgentReport> check;
            try {
                check = broker.checkAgent(agent.id());
            } catch (RuntimeException e) {
                check = CompletableFuture.failedFuture(e);
            }
            checks.add(check.orTimeout(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((report, error) -> {
                        if (error != null) {
                            LOG.warn("/doctor: checking agent {} failed", agent.id(), error);
                            return "❌ **" + agent.id() + "**: the check itself failed ("
                                    + oneLine(ErrorLines.describe(error)) + ")";
                        }
                        LOG.info("/doctor: agent {} {}: {}", agent.id(), report.verdict(), report.findings());
                        return report(report);
                    }));
        }
        var unused = CompletableFuture.allOf(checks.toArray(new CompletableFuture<?>[0]))
                .whenComplete((ignored, error) -> {
                    List<String> parts = new ArrayList<>();
                    for (CompletableFuture<String> check : checks) {
                        parts.add(check.getNow("❌ the check did not finish"));
                    }
                    answer(hook, conversationId, String.join("\n\n", parts));
                });
    }

    static String report(AgentReport report) {
        StringBuilder text = new StringBuilder()
                .append(mark(report.verdict()))
                .append(" **")
                .append(report.agentId())
                .append("** ")
                .append(
                        switch (report.verdict()) {
                            case OK -> "ready";
                            case WARNING -> "works, with warnings";
                            case FAILED -> "not ready";
                        });
        for (AgentReport.Finding finding : report.findings()) {
            text.append('\n')
                    .append(mark(finding.verdict()))
                    .append(' ')
                    .append(oneLine(finding.check()))
                    .append(": ")
                    .append(oneLine(finding.detail()));
        }
        return text.toString();
    }

    static String mark(AgentReport.Verdict verdict) {
        return switch (verdict) {
            case OK -> "✅";
            case WARNING -> "⚠️";
            case FAILED -> "❌";
        };
    }

    /**
     * Agent text on one line: no line breaks, no code fences or mass mentions that would change the layout (the
     * allowed mentions stop pings anyway), cut to a length.
     */
    static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ")
                .replace("```", "'''")
                .replace("@everyone", "@\u200Beveryone")
                .replace("@here", "@\u200Bhere")
                .strip();
        return Text.head(flat, MAX_LINE);
    }

    // ---------------------------------------------------------------- /sessions

    String sessions(int requestedPage) {
        List<ConversationStatus> all = new ArrayList<>(broker.status());
        if (all.isEmpty()) {
            return "No conversations right now.";
        }
        all.sort(Comparator.comparing(ConversationStatus::busy)
                .reversed()
                .thenComparing(ConversationStatus::idle)
                .thenComparing(ConversationStatus::conversationId));
        int pages = (all.size() + PAGE_SIZE - 1) / PAGE_SIZE;
        int page = Math.max(1, Math.min(requestedPage, pages));
        StringBuilder text = new StringBuilder("**Conversations** (")
                .append(all.size())
                .append(", page ")
                .append(page)
                .append(" of ")
                .append(pages)
                .append(')');
        for (ConversationStatus status : all.subList((page - 1) * PAGE_SIZE, Math.min(all.size(), page * PAGE_SIZE))) {
            text.append('\n').append(line(status));
        }
        if (page < pages) {
            text.append("\nMore: /sessions page: ").append(page + 1);
        }
        return Text.head(text.toString(), MessageSplitter.DISCORD_LIMIT);
    }

    private String line(ConversationStatus status) {
        StringBuilder line = new StringBuilder("• ").append(place(status.conversationId()));
        if (choices.several()) {
            String agent;
            try {
                agent = broker.agentOf(status.conversationId());
            } catch (RuntimeException e) {
                LOG.debug("{} - its agent is unknown", status.conversationId(), e);
                agent = "?";
            }
            line.append(" · ").append(agent);
        }
        line.append(" · ")
                .append(status.busy() ? "busy" : status.alive() ? "idle" : "stopped")
                .append(" · idle for ")
                .append(DiscordBridge.human(status.idle()));
        if (status.queuedMessages() > 0) {
            line.append(" · ").append(status.queuedMessages()).append(" queued");
        }
        String session = status.sessionId();
        if (session != null) {
            line.append(" · session ").append(shortSession(session));
        }
        return line.toString();
    }

    /** A Discord conversation as a channel link; another front end's id as text. */
    static String place(String conversationId) {
        if (conversationId.startsWith(DiscordFrontEnd.CONVERSATION_PREFIX)) {
            String id = conversationId.substring(DiscordFrontEnd.CONVERSATION_PREFIX.length());
            if (id.matches("\\d{1,20}")) {
                return "<#" + id + ">";
            }
        }
        return "`" + Text.head(conversationId.replaceAll("[^A-Za-z0-9:._-]", "?"), 40) + "`";
    }

    /** The agent chose the session id: only its first characters, and only harmless ones. */
    static String shortSession(String sessionId) {
        String safe = sessionId.replaceAll("[^A-Za-z0-9_-]", "");
        return "`" + (safe.length() > 8 ? safe.substring(0, 8) + "…" : safe) + "`";
    }

    // ---------------------------------------------------------------- /agent

    private void agent(InteractionHook hook, long channelId, String wanted) {
        String conversationId = DiscordFrontEnd.conversationId(channelId);
        if (!choices.several()) {
            answer(hook, conversationId, "This bot runs a single agent.");
            return;
        }
        String current = broker.agentOf(conversationId);
        if (wanted.isBlank()) {
            String description = choices.find(current)
                    .flatMap(AgentSpec::description)
                    .map(d -> " (" + oneLine(d) + ")")
                    .orElse("");
            answer(
                    hook,
                    conversationId,
                    "This conversation runs on **" + current + "**" + description + ". The agents are: "
                            + choices.all().stream().map(AgentSpec::id).collect(Collectors.joining(", "))
                            + ". /agent agent: NAME switches it.");
            return;
        }
        AgentSpec target = choices.find(wanted).orElse(null);
        if (target == null) {
            answer(
                    hook,
                    conversationId,
                    "There is no agent called " + Text.head(wanted.strip(), 32) + ". The agents are: "
                            + choices.all().stream().map(AgentSpec::id).collect(Collectors.joining(", ")) + ".");
            return;
        }
        ChannelBinding binding = choices.binding(channelId).orElse(null);
        if (binding != null && binding.mode() == ChannelBinding.Mode.CHANNEL) {
            answer(
                    hook,
                    conversationId,
                    "This channel is bound to **" + binding.agentId()
                            + "** by the bot's config; change the binding there.");
            return;
        }
        if (target.id().equals(current)) {
            answer(hook, conversationId, "This conversation already runs on **" + current + "**.");
            return;
        }
        mentions.restrict(hook.editOriginal("Switch this conversation from **" + current + "** to **" + target.id()
                                + "**? The new agent starts afresh: this conversation's context is lost.")
                        .setComponents(ActionRow.of(
                                Button.danger(SWITCH_PREFIX + target.id(), "Switch to " + target.id()),
                                Button.secondary(KEEP, "Keep " + current))))
                .queue(null, e -> LOG.warn("{} - /agent could not ask", conversationId, e));
    }

    static boolean handlesButton(String customId) {
        return customId.startsWith(SWITCH_PREFIX) || customId.equals(KEEP);
    }

    void onButton(ButtonInteractionEvent event) {
        if (!isOperator(event)) {
            mentions.restrict(event.reply(NOT_OPERATOR))
                    .setEphemeral(true)
                    .queue(null, e -> LOG.warn("discord:{} - refusal failed", event.getChannelId(), e));
            return;
        }
        String conversationId = DiscordFrontEnd.conversationId(event.getChannelIdLong());
        if (event.getComponentId().equals(KEEP)) {
            event.editMessage("Nothing changed.")
                    .setComponents()
                    .queue(null, e -> LOG.warn("{} - /agent answer failed", conversationId, e));
            return;
        }
        String agentId = event.getComponentId().substring(SWITCH_PREFIX.length());
        event.deferEdit().queue(null, e -> LOG.warn("{} - /agent could not be acknowledged", conversationId, e));
        InteractionHook hook = event.getHook();
        String who = event.getUser().getAsMention();
        String operator = event.getUser().getId();
        var channel = event.getChannel();
        onExecutor(hook, conversationId, () -> {
            String answer;
            boolean switched = false;
            if (choices.find(agentId).isEmpty()) {
                answer = "That agent is gone from the bot's config; nothing changed.";
            } else {
                broker.useAgent(conversationId, agentId);
                switched = true;
                LOG.info("{} - switched to agent {} by {}", conversationId, agentId, operator);
                answer = "Switched to **" + agentId + "**.";
            }
            mentions.restrict(hook.editOriginal(answer).setComponents())
                    .queue(null, e -> LOG.warn("{} - /agent answer failed", conversationId, e));
            if (switched) {
                mentions.restrict(channel.sendMessage(
                                "🔀 " + who + " switched this conversation to **" + agentId + "**; it starts afresh."))
                        .queue(null, e -> LOG.warn("{} - the switch notice failed", conversationId, e));
            }
        });
    }

    void autocomplete(CommandAutoCompleteInteractionEvent event) {
        List<Command.Choice> offered = List.of();
        if (isOperator(event)) {
            String typed = event.getFocusedOption().getValue();
            offered = choices.all().stream()
                    .filter(a -> AgentChoices.matches(a, typed))
                    .limit(OptionData.MAX_CHOICES)
                    .map(a -> new Command.Choice(AgentChoices.label(a, OptionData.MAX_CHOICE_NAME_LENGTH), a.id()))
                    .toList();
        }
        event.replyChoices(offered)
                .queue(null, e -> LOG.debug("discord:{} - autocomplete failed", event.getChannelId(), e));
    }

    // ---------------------------------------------------------------- helpers

    private void onExecutor(InteractionHook hook, String conversationId, Runnable work) {
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("{} - an operator command failed", conversationId, e);
                    answer(hook, conversationId, ErrorLines.describe(e));
                }
            });
        } catch (RejectedExecutionException closing) {
            answer(hook, conversationId, DiscordBridge.RESTARTING);
        }
    }

    /** The answer in the deferred reply; a long one continues in ephemeral follow-ups, cut between lines. */
    private void answer(InteractionHook hook, String conversationId, String text) {
        List<String> parts = chunks(text, MessageSplitter.DISCORD_LIMIT);
        mentions.restrict(hook.editOriginal(parts.get(0)))
                .queue(null, e -> LOG.warn("{} - an operator answer could not be shown", conversationId, e));
        for (String part : parts.subList(1, parts.size())) {
            mentions.restrict(hook.sendMessage(part))
                    .setEphemeral(true)
                    .queue(null, e -> LOG.warn("{} - an operator answer could not be shown", conversationId, e));
        }
    }

    /** Whole lines per chunk of at most {@code limit} code points (a longer line is cut). */
    static List<String> chunks(String text, int limit) {
        List<String> out = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String fitted = Text.head(line, limit);
            if (chunk.length() > 0 && Text.codePoints(chunk) + 1 + Text.codePoints(fitted) > limit) {
                out.add(chunk.toString());
                chunk.setLength(0);
            }
            if (chunk.length() > 0) {
                chunk.append('\n');
            }
            chunk.append(fitted);
        }
        out.add(chunk.toString());
        return out;
    }
}
