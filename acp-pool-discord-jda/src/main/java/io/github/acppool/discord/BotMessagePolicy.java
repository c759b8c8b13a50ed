package io.github.acppool.discord;

/**
 * Which messages from other bots the adapter answers. The bot's own messages are never answered.
 *
 * <p>Immutable and thread-safe.
 */
public enum BotMessagePolicy {
    /** Other bots are ignored (the default). */
    IGNORE,
    /** Other bots are answered only when their message mentions this bot, even in a thread this bot started. */
    MENTIONS,
    /** Other bots are answered like people, within the per-thread bot-turn limit. */
    ALL
}
