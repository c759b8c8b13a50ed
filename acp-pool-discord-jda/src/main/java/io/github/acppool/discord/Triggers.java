package io.github.acppool.discord;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides, for one incoming message, whether the bot answers, starts a conversation or stays quiet. A pure function
 * of the message, the rules and the thread's count of consecutive bot messages.
 *
 * <p>Order: the bot's own messages, then system messages, then DMs (opt-in), then the channel allowlist, then other
 * bots (policy, trust, mention, turn limit), then whether the message is addressed to the bot (a mention of the bot
 * or of a trigger role, a DM, any message in the bot's own thread or in a bound channel), and last the person allowlist, so that people
 * outside it are shown a sign only when they actually talk to the bot.
 *
 * <p>Immutable and thread-safe.
 */
final class Triggers {

    private final AccessRules rules;
    private final AgentRules agents;
    private final long botUserId;
    private final Set<Long> triggerRoles;
    private final Pattern mentionMarkup;

    /**
     * @param botRoleIds roles that stand for the bot itself (its managed role), which Discord clients often insert
     *     when a user types the bot's name
     */
    Triggers(AccessRules rules, long botUserId, Set<Long> botRoleIds) {
        this(rules, AgentRules.none(), botUserId, botRoleIds);
    }

    /** @param agents the bound channels, where every message is addressed to the bot */
    Triggers(AccessRules rules, AgentRules agents, long botUserId, Set<Long> botRoleIds) {
        this.rules = rules;
        this.agents = agents;
        this.botUserId = botUserId;
        Set<Long> roles = new HashSet<>(rules.allowedRoles());
        roles.addAll(botRoleIds);
        this.triggerRoles = Set.copyOf(roles);
        StringBuilder alternatives = new StringBuilder("<@!?" + botUserId + ">");
        for (long role : triggerRoles) {
            alternatives.append("|<@&").append(role).append('>');
        }
        this.mentionMarkup = Pattern.compile(alternatives.toString());
    }

    /** @param botTurns consecutive bot messages in this channel, this one included (see {@link BotTurnCounter}) */
    Decision decide(IncomingMessage message, int botTurns) {
        if (message.authorId() == botUserId) {
            return new Decision.Ignore(Decision.Reason.OWN_MESSAGE);
        }
        if (!message.regular()) {
            return new Decision.Ignore(Decision.Reason.SYSTEM_MESSAGE);
        }
        IncomingMessage.Place place = message.place();
        if (place == IncomingMessage.Place.DIRECT && !rules.allowDirectMessages()) {
            return new Decision.Ignore(Decision.Reason.DIRECT_MESSAGES_OFF);
        }
        ChannelBinding binding = place == IncomingMessage.Place.CHANNEL
                ? agents.binding(message.channelId()).orElse(null)
                : null;
        if (place != IncomingMessage.Place.DIRECT
                && binding == null
                && !rules.isChannelAllowed(message.channelId(), message.parentChannelId())
                && agents.binding(message.parentChannelId()).isEmpty()) {
            return new Decision.Ignore(Decision.Reason.CHANNEL_NOT_ALLOWED);
        }
        boolean mentioned = mentionsBot(message);
        boolean addressed = mentioned
                || binding != null
                || place == IncomingMessage.Place.DIRECT
                || (place == IncomingMessage.Place.THREAD && message.botsThread());
        if (message.authorIsBot()) {
            if (!rules.isBotAllowed(message.authorId())) {
                return new Decision.Ignore(Decision.Reason.OTHER_BOT);
            }
            if (!addressed || (rules.botMessages() == BotMessagePolicy.MENTIONS && !mentioned)) {
                return new Decision.Ignore(Decision.Reason.NOT_ADDRESSED);
            }
            if (botTurns > rules.maxBotTurns()) {
                return botTurns == rules.maxBotTurns() + 1
                        ? new Decision.BotLoopStopped()
                        : new Decision.Ignore(Decision.Reason.BOT_TURN_LIMIT);
            }
        } else {
            if (!addressed) {
                return new Decision.Ignore(Decision.Reason.NOT_ADDRESSED);
            }
            if (!rules.isPersonAllowed(message.authorId(), message.authorRoleIds())) {
                return new Decision.Deny();
            }
        }
        String prompt = prompt(message.content());
        if (binding != null && binding.mode() == ChannelBinding.Mode.CHANNEL) {
            return new Decision.Reply(prompt);
        }
        return place == IncomingMessage.Place.CHANNEL
                ? new Decision.StartThread(prompt, ThreadNames.fromText(prompt))
                : new Decision.Reply(prompt);
    }

    boolean mentionsBot(IncomingMessage message) {
        return message.mentionedUserIds().contains(botUserId)
                || message.mentionedRoleIds().stream().anyMatch(triggerRoles::contains)
                || mentionMarkup.matcher(message.content()).find();
    }

    /** The content without the mentions that addressed the bot, with the whitespace they leave collapsed. */
    String prompt(String content) {
        String stripped = mentionMarkup.matcher(content).replaceAll("");
        return stripped.replaceAll("[ \\t]{2,}", " ").strip();
    }
}
