package io.github.acppool.discord.fake;

/**
 * A guild role known to the fake Discord server.
 *
 * <p>Immutable and thread-safe.
 */
public record FakeRole(long id, String name) {

    /** The role mention markup, {@code <@&id>}. */
    public String mention() {
        return "<@&" + Long.toUnsignedString(id) + ">";
    }

    public String idString() {
        return Long.toUnsignedString(id);
    }
}
