package io.github.acppool.discord.fake;

/**
 * An interaction (slash command or button click) that the fake dispatched to the bot.
 *
 * <p>Immutable and thread-safe.
 *
 * @param token the interaction token that the bot's callback and follow-up paths carry
 */
public record FakeInteraction(long id, String token, long channelId, long userId) {

    public String idString() {
        return Long.toUnsignedString(id);
    }

    /** The REST path of this interaction's callback, as the fake records it. */
    public String callbackPath() {
        return "/interactions/" + idString() + "/" + token + "/callback";
    }
}
