package io.github.acppool.discord;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link DiscordFrontEnd} behaves: who may talk to the bot, how replies look, how long a permission question
 * waits and what attachments the agent gets.
 *
 * <p>Immutable and thread-safe.
 *
 * @param access who may talk to the bot, where, DMs and other bots
 * @param toolDisplay how tool calls appear in replies
 * @param statusEmoji the status reactions on the message a turn answers
 * @param editInterval at most one edit of a streaming reply's placeholder per interval
 * @param statusDebounce how long "thinking" or "tool" must last before its reaction replaces the shown one
 * @param permissionTimeout how long an Allow / Deny question waits for a click; then the answer is deny
 * @param maxTextAttachmentBytes text files up to this size are inlined into the prompt; larger ones are skipped
 *     with a note; 0 skips every text file
 * @param maxImageBytes images up to this size are sent as ACP image blocks (if the agent accepts images); 0 skips
 *     every image
 * @param attachmentDownloadTimeout the time limit for downloading one attachment
 * @param registerCommands whether {@link DiscordFrontEnd#start} registers {@code /ask}, {@code /cancel}, {@code
 *     /reset}, {@code /status}, {@code /mode}, {@code /model} and the message action "Ask the agent" (one bulk call that replaces the application's
 *     other commands) (turn off if the embedder registers commands itself; the front end still
 *     answers them)
 * @param commandGuilds the guilds to register the commands in (at once, handy in development); empty registers
 *     them globally (Discord may take up to an hour to show changes)
 * @param allowUserMentions whether the bot's messages may ping the users they mention; {@code @everyone},
 *     {@code @here} and roles never ping, whatever the agent writes
 * @param showDiagnostics whether an error reply also shows the operator's diagnostics (exit code, stderr tail) in a
 *     code block; off, users see one plain sentence and the diagnostics go only to the log
 * @param agents which agents people may choose ({@code /ask agent:}, {@code @bot codex: ...}) and the channels
 *     bound to one agent
 * @param operatorUsers people who may use the operator commands {@code /doctor}, {@code /sessions} and {@code
 *     /agent}
 * @param operatorRoles roles whose members may use the operator commands
 */
public record DiscordConfig(
        AccessRules access,
        ToolDisplay toolDisplay,
        StatusEmoji statusEmoji,
        Duration editInterval,
        Duration statusDebounce,
        Duration permissionTimeout,
        long maxTextAttachmentBytes,
        long maxImageBytes,
        Duration attachmentDownloadTimeout,
        boolean registerCommands,
        Set<Long> commandGuilds,
        boolean allowUserMentions,
        boolean showDiagnostics,
        AgentRules agents,
        Set<Long> operatorUsers,
        Set<Long> operatorRoles) {

    public static final ToolDisplay DEFAULT_TOOL_DISPLAY = ToolDisplay.FULL;
    public static final Duration DEFAULT_EDIT_INTERVAL = EditCadence.DEFAULT_INTERVAL;
    public static final Duration DEFAULT_STATUS_DEBOUNCE = StatusReactions.DEFAULT_DEBOUNCE;
    public static final Duration DEFAULT_PERMISSION_TIMEOUT = Duration.ofMinutes(5);
    /** openab's per-file cap for text attachments: 512 KiB. */
    public static final long DEFAULT_MAX_TEXT_ATTACHMENT_BYTES = 512L * 1024;
    /** openab's cap for images: 10 MiB. */
    public static final long DEFAULT_MAX_IMAGE_BYTES = 10L * 1024 * 1024;

    public static final Duration DEFAULT_ATTACHMENT_DOWNLOAD_TIMEOUT = Duration.ofSeconds(30);
    public static final boolean DEFAULT_REGISTER_COMMANDS = true;
    public static final boolean DEFAULT_ALLOW_USER_MENTIONS = false;
    public static final boolean DEFAULT_SHOW_DIAGNOSTICS = false;

    public DiscordConfig {
        notNull(access, "access");
        notNull(toolDisplay, "toolDisplay");
        notNull(statusEmoji, "statusEmoji");
        positive(editInterval, "editInterval");
        if (statusDebounce == null) {
            throw new NullPointerException("statusDebounce must not be null");
        }
        if (statusDebounce.isNegative()) {
            throw new IllegalArgumentException("statusDebounce must not be negative: " + statusDebounce);
        }
        positive(permissionTimeout, "permissionTimeout");
        if (maxTextAttachmentBytes < 0) {
            throw new IllegalArgumentException(
                    "maxTextAttachmentBytes must not be negative: " + maxTextAttachmentBytes);
        }
        if (maxImageBytes < 0) {
            throw new IllegalArgumentException("maxImageBytes must not be negative: " + maxImageBytes);
        }
        positive(attachmentDownloadTimeout, "attachmentDownloadTimeout");
        notNull(commandGuilds, "commandGuilds");
        commandGuilds = Set.copyOf(commandGuilds);
        notNull(agents, "agents");
        notNull(operatorUsers, "operatorUsers");
        notNull(operatorRoles, "operatorRoles");
        operatorUsers = Set.copyOf(operatorUsers);
        operatorRoles = Set.copyOf(operatorRoles);
    }

    /**
     * Whether someone may use the operator commands ({@code /doctor}, {@code /sessions}, {@code /agent}): listed in
     * {@link #operatorUsers()} or holding one of {@link #operatorRoles()}. Nobody may when both are empty.
     */
    public boolean isOperator(long userId, java.util.Collection<Long> roleIds) {
        if (operatorUsers.contains(userId)) {
            return true;
        }
        for (long role : roleIds) {
            if (operatorRoles.contains(role)) {
                return true;
            }
        }
        return false;
    }

    /** Every setting at its default. */
    public static DiscordConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void notNull(@Nullable Object value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
    }

    private static void positive(@Nullable Duration value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /**
     * Builds a {@link DiscordConfig}. Each setting may be given once (a second call throws {@link
     * IllegalStateException}); {@link #build()} validates them. Defaults (they may change between releases):
     *
     * <ul>
     *   <li>{@code access} {@link AccessRules#defaults()} (everyone in every guild channel, no DMs, no other bots);
     *       {@link #allowDirectMessages} and {@link #botMessages} override those two settings of it;
     *   <li>{@code toolDisplay} {@link #DEFAULT_TOOL_DISPLAY}; {@code statusEmoji} {@link StatusEmoji#defaults()};
     *   <li>{@code editInterval} {@link #DEFAULT_EDIT_INTERVAL} (1.5 s); {@code statusDebounce} {@link
     *       #DEFAULT_STATUS_DEBOUNCE} (700 ms);
     *   <li>{@code permissionTimeout} {@link #DEFAULT_PERMISSION_TIMEOUT} (5 min);
     *   <li>{@code maxTextAttachmentBytes} {@value #DEFAULT_MAX_TEXT_ATTACHMENT_BYTES}, {@code maxImageBytes}
     *       {@value #DEFAULT_MAX_IMAGE_BYTES}, {@code attachmentDownloadTimeout} {@link
     *       #DEFAULT_ATTACHMENT_DOWNLOAD_TIMEOUT} (30 s);
     *   <li>{@code registerCommands} {@value #DEFAULT_REGISTER_COMMANDS}, {@code commandGuilds} none (global);
     *   <li>{@code allowUserMentions} {@value #DEFAULT_ALLOW_USER_MENTIONS}; {@code showDiagnostics} {@value
     *       #DEFAULT_SHOW_DIAGNOSTICS}.
     * </ul>
     *
     * <p>Not thread-safe: use one builder from one thread.
     */
    public static final class Builder {
        private @Nullable AccessRules access;
        private @Nullable Boolean allowDirectMessages;
        private @Nullable BotMessagePolicy botMessages;
        private @Nullable ToolDisplay toolDisplay;
        private @Nullable StatusEmoji statusEmoji;
        private @Nullable Duration editInterval;
        private @Nullable Duration statusDebounce;
        private @Nullable Duration permissionTimeout;
        private @Nullable Long maxTextAttachmentBytes;
        private @Nullable Long maxImageBytes;
        private @Nullable Duration attachmentDownloadTimeout;
        private @Nullable Boolean registerCommands;
        private @Nullable Set<Long> commandGuilds;
        private @Nullable Boolean allowUserMentions;
        private @Nullable Boolean showDiagnostics;
        private @Nullable AgentRules agents;
        private @Nullable Set<Long> operatorUsers;
        private @Nullable Set<Long> operatorRoles;

        private Builder() {}

        /** Which agents people may choose, and the bound channels; {@link AgentRules#none()} by default. */
        @CanIgnoreReturnValue
        public Builder agents(AgentRules value) {
            agents = setOnce(agents, value, "agents");
            return this;
        }

        /** The people who may use the operator commands (besides {@link #operatorRoles}); none by default. */
        @CanIgnoreReturnValue
        public Builder operatorUsers(Collection<Long> userIds) {
            operatorUsers = setOnce(operatorUsers, userIds == null ? null : Set.copyOf(userIds), "operatorUsers");
            return this;
        }

        /** The roles whose members may use the operator commands; none by default. */
        @CanIgnoreReturnValue
        public Builder operatorRoles(Collection<Long> roleIds) {
            operatorRoles = setOnce(operatorRoles, roleIds == null ? null : Set.copyOf(roleIds), "operatorRoles");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder access(AccessRules value) {
            access = setOnce(access, value, "access");
            return this;
        }

        /** Overrides {@link AccessRules#allowDirectMessages()} of {@link #access}. */
        @CanIgnoreReturnValue
        public Builder allowDirectMessages(boolean value) {
            allowDirectMessages = setOnce(allowDirectMessages, value, "allowDirectMessages");
            return this;
        }

        /** Overrides {@link AccessRules#botMessages()} of {@link #access}. */
        @CanIgnoreReturnValue
        public Builder botMessages(BotMessagePolicy value) {
            botMessages = setOnce(botMessages, value, "botMessages");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder toolDisplay(ToolDisplay value) {
            toolDisplay = setOnce(toolDisplay, value, "toolDisplay");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder statusEmoji(StatusEmoji value) {
            statusEmoji = setOnce(statusEmoji, value, "statusEmoji");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder editInterval(Duration value) {
            editInterval = setOnce(editInterval, value, "editInterval");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder statusDebounce(Duration value) {
            statusDebounce = setOnce(statusDebounce, value, "statusDebounce");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder permissionTimeout(Duration value) {
            permissionTimeout = setOnce(permissionTimeout, value, "permissionTimeout");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder maxTextAttachmentBytes(long value) {
            maxTextAttachmentBytes = setOnce(maxTextAttachmentBytes, value, "maxTextAttachmentBytes");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder maxImageBytes(long value) {
            maxImageBytes = setOnce(maxImageBytes, value, "maxImageBytes");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder attachmentDownloadTimeout(Duration value) {
            attachmentDownloadTimeout = setOnce(attachmentDownloadTimeout, value, "attachmentDownloadTimeout");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder registerCommands(boolean value) {
            registerCommands = setOnce(registerCommands, value, "registerCommands");
            return this;
        }

        /** Registers the commands in these guilds instead of globally. */
        @CanIgnoreReturnValue
        public Builder commandGuilds(Collection<Long> guildIds) {
            commandGuilds = setOnce(commandGuilds, guildIds == null ? null : Set.copyOf(guildIds), "commandGuilds");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder allowUserMentions(boolean value) {
            allowUserMentions = setOnce(allowUserMentions, value, "allowUserMentions");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder showDiagnostics(boolean value) {
            showDiagnostics = setOnce(showDiagnostics, value, "showDiagnostics");
            return this;
        }

        /**
         * Validates the settings and builds the config.
         *
         * @throws IllegalArgumentException if a value is out of range (the message names the setting)
         */
        public DiscordConfig build() {
            AccessRules rules = access == null ? AccessRules.defaults() : access;
            if (allowDirectMessages != null || botMessages != null) {
                rules = new AccessRules(
                        rules.allowedChannels(),
                        rules.allowedUsers(),
                        rules.allowedRoles(),
                        allowDirectMessages == null ? rules.allowDirectMessages() : allowDirectMessages,
                        botMessages == null ? rules.botMessages() : botMessages,
                        rules.trustedBots(),
                        rules.maxBotTurns());
            }
            return new DiscordConfig(
                    rules,
                    toolDisplay == null ? DEFAULT_TOOL_DISPLAY : toolDisplay,
                    statusEmoji == null ? StatusEmoji.defaults() : statusEmoji,
                    editInterval == null ? DEFAULT_EDIT_INTERVAL : editInterval,
                    statusDebounce == null ? DEFAULT_STATUS_DEBOUNCE : statusDebounce,
                    permissionTimeout == null ? DEFAULT_PERMISSION_TIMEOUT : permissionTimeout,
                    maxTextAttachmentBytes == null ? DEFAULT_MAX_TEXT_ATTACHMENT_BYTES : maxTextAttachmentBytes,
                    maxImageBytes == null ? DEFAULT_MAX_IMAGE_BYTES : maxImageBytes,
                    attachmentDownloadTimeout == null ? DEFAULT_ATTACHMENT_DOWNLOAD_TIMEOUT : attachmentDownloadTimeout,
                    registerCommands == null ? DEFAULT_REGISTER_COMMANDS : registerCommands,
                    commandGuilds == null ? Set.of() : commandGuilds,
                    allowUserMentions == null ? DEFAULT_ALLOW_USER_MENTIONS : allowUserMentions,
                    showDiagnostics == null ? DEFAULT_SHOW_DIAGNOSTICS : showDiagnostics,
                    agents == null ? AgentRules.none() : agents,
                    operatorUsers == null ? Set.of() : operatorUsers,
                    operatorRoles == null ? Set.of() : operatorRoles);
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
