package io.github.acppool.discord.fake;

/**
 * A user known to the fake Discord server: the bot itself, a human member or another bot.
 *
 * <p>Immutable and thread-safe.
 */
public record FakeUser(long id, String name, boolean bot) {

    /** The mention markup Discord clients put into message content, {@code <@id>}. */
    public String mention() {
        return "<@" + Long.toUnsignedString(id) + ">";
    }

    public String idString() {
        return Long.toUnsignedString(id);
    }
}
