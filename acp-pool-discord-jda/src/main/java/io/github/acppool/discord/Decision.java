package io.github.acppool.discord;

/** What the adapter does with one incoming message; see {@link Triggers#decide}. */
sealed interface Decision {

    /** Do nothing, silently. */
    record Ignore(Reason reason) implements Decision {}

    /** The author may not talk to the bot: show a quiet sign (a reaction), nothing more. */
    record Deny() implements Decision {}

    /** A conversation starts: create a thread from the message (its id is the message's) and send the prompt. */
    record StartThread(String prompt, String threadName) implements Decision {}

    /** Send the prompt to the conversation of this thread or DM channel. */
    record Reply(String prompt) implements Decision {}

    /**
     * This bot message is the first one over the thread's bot-turn limit: stop answering bots here, and say so once.
     */
    record BotLoopStopped() implements Decision {}

    /** Why a message is ignored. */
    enum Reason {
        OWN_MESSAGE,
        SYSTEM_MESSAGE,
        DIRECT_MESSAGES_OFF,
        CHANNEL_NOT_ALLOWED,
        OTHER_BOT,
        NOT_ADDRESSED,
        BOT_TURN_LIMIT
    }
}
