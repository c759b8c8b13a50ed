package io.github.acppool.discord;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who may talk to the bot, and where. Every allowlist treats "empty" as "everyone" (or "everywhere"), and every
 * check goes through the methods of this record, so that it means the same on every path (the seed PR's review found
 * a path where an empty channel list meant "none").
 *
 * <ul>
 *   <li>Channels: a message in a thread counts as posted in the thread's parent channel too, so allowing a channel
 *       allows the threads in it.
 *   <li>People: a user is allowed when {@link #allowedUsers()} and {@link #allowedRoles()} are both empty, or when
 *       the user is listed, or holds a listed role. Roles exist only in a guild, so in a DM only listed users count.
 *       Mentioning an allowed role also counts as mentioning the bot.
 *   <li>DMs are answered only when {@link #allowDirectMessages()} is set.
 *   <li>Other bots are governed by {@link #botMessages()} and {@link #trustedBots()} (empty: any bot), never by the
 *       user and role lists; a thread answers at most {@link #maxBotTurns()} consecutive bot messages until a person
 *       writes in it again.
 * </ul>
 *
 * <p>Defaults: {@value #DEFAULT_ALLOW_DIRECT_MESSAGES} for DMs, {@link #DEFAULT_BOT_MESSAGES} for bots, {@value
 * #DEFAULT_MAX_BOT_TURNS} bot turns, and empty lists. Defaults may change between releases.
 *
 * <p>Immutable and thread-safe.
 *
 * @param allowedChannels channel ids; empty allows every channel
 * @param allowedUsers user ids; with {@code allowedRoles}, empty allows everyone
 * @param allowedRoles role ids; with {@code allowedUsers}, empty allows everyone
 * @param trustedBots the bots {@code botMessages} applies to; empty means every bot
 */
public record AccessRules(
        Set<Long> allowedChannels,
        Set<Long> allowedUsers,
        Set<Long> allowedRoles,
        boolean allowDirectMessages,
        BotMessagePolicy botMessages,
        Set<Long> trustedBots,
        int maxBotTurns) {

    public static final boolean DEFAULT_ALLOW_DIRECT_MESSAGES = false;
    public static final BotMessagePolicy DEFAULT_BOT_MESSAGES = BotMessagePolicy.IGNORE;

    /** openab's default: it was raised from 20 because real multi-bot workflows need more. */
    public static final int DEFAULT_MAX_BOT_TURNS = 100;

    public AccessRules {
        allowedChannels = ids(allowedChannels, "allowedChannels");
        allowedUsers = ids(allowedUsers, "allowedUsers");
        allowedRoles = ids(allowedRoles, "allowedRoles");
        trustedBots = ids(trustedBots, "trustedBots");
        if (botMessages == null) {
            throw new NullPointerException("botMessages must not be null");
        }
        if (maxBotTurns <= 0) {
            throw new IllegalArgumentException("maxBotTurns must be positive: " + maxBotTurns);
        }
    }

    /** Everyone, everywhere in guilds; no DMs; no other bots. */
    public static AccessRules defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a message in {@code channelId} (whose parent is {@code parentChannelId}, or 0) may be answered. */
    public boolean isChannelAllowed(long channelId, long parentChannelId) {
        return allowedChannels.isEmpty()
                || allowedChannels.contains(channelId)
                || (parentChannelId != 0 && allowedChannels.contains(parentChannelId));
    }

    /** Whether a person with these roles may talk to the bot. */
    public boolean isPersonAllowed(long userId, Collection<Long> roleIds) {
        if (allowedUsers.isEmpty() && allowedRoles.isEmpty()) {
            return true;
        }
        return allowedUsers.contains(userId) || roleIds.stream().anyMatch(allowedRoles::contains);
    }

    /** Whether messages of this other bot are answered at all ({@link #botMessages()} may still require a mention). */
    public boolean isBotAllowed(long botId) {
        return botMessages != BotMessagePolicy.IGNORE && (trustedBots.isEmpty() || trustedBots.contains(botId));
    }

    private static Set<Long> ids(@Nullable Collection<Long> ids, String name) {
        if (ids == null) {
            throw new NullPointerException(name + " must not be null");
        }
        for (Long id : ids) {
            if (id == null || id <= 0) {
                throw new IllegalArgumentException(name + " must hold Discord ids (positive numbers): " + ids);
            }
        }
        return Set.copyOf(ids);
    }

    /**
     * Builds {@link AccessRules}; each setting may be given once, and {@link #build()} checks them.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private @Nullable Set<Long> allowedChannels;
        private @Nullable Set<Long> allowedUsers;
        private @Nullable Set<Long> allowedRoles;
        private @Nullable Boolean allowDirectMessages;
        private @Nullable BotMessagePolicy botMessages;
        private @Nullable Set<Long> trustedBots;
        private @Nullable Integer maxBotTurns;

        private Builder() {}

        @CanIgnoreReturnValue
        public Builder allowedChannels(Collection<Long> ids) {
            allowedChannels = setOnce(allowedChannels, new HashSet<>(ids), "allowedChannels");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder allowedUsers(Collection<Long> ids) {
            allowedUsers = setOnce(allowedUsers, new HashSet<>(ids), "allowedUsers");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder allowedRoles(Collection<Long> ids) {
            allowedRoles = setOnce(allowedRoles, new HashSet<>(ids), "allowedRoles");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder allowDirectMessages(boolean allow) {
            allowDirectMessages = setOnce(allowDirectMessages, allow, "allowDirectMessages");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder botMessages(BotMessagePolicy policy) {
            botMessages = setOnce(botMessages, policy, "botMessages");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder trustedBots(Collection<Long> ids) {
            trustedBots = setOnce(trustedBots, new HashSet<>(ids), "trustedBots");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder maxBotTurns(int turns) {
            maxBotTurns = setOnce(maxBotTurns, turns, "maxBotTurns");
            return this;
        }

        public AccessRules build() {
            return new AccessRules(
                    allowedChannels == null ? Set.of() : allowedChannels,
                    allowedUsers == null ? Set.of() : allowedUsers,
                    allowedRoles == null ? Set.of() : allowedRoles,
                    allowDirectMessages == null ? DEFAULT_ALLOW_DIRECT_MESSAGES : allowDirectMessages,
                    botMessages == null ? DEFAULT_BOT_MESSAGES : botMessages,
                    trustedBots == null ? Set.of() : trustedBots,
                    maxBotTurns == null ? DEFAULT_MAX_BOT_TURNS : maxBotTurns);
        }

        private static <T> T setOnce(@Nullable Object current, @Nullable T value, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set to " + current);
            }
            if (value == null) {
                throw new NullPointerException(name + " must not be null");
            }
            return value;
        }
    }
}
