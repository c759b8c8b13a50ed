package io.github.acppool.discord.fake;

/**
 * A channel known to the fake Discord server: a guild text channel, a public thread or a DM channel.
 *
 * <p>Immutable and thread-safe.
 *
 * @param parentId the text channel a thread belongs to; 0 for other kinds
 * @param guildId the guild; 0 for a DM channel
 * @param ownerId the user who started a thread; for a DM, the other user; 0 for a text channel
 */
public record FakeChannel(long id, String name, Kind kind, long parentId, long guildId, long ownerId) {

    /** The channel types the fake models, with their Discord type numbers. */
    public enum Kind {
        TEXT(0),
        DM(1),
        PUBLIC_THREAD(11);

        private final int discordType;

        Kind(int discordType) {
            this.discordType = discordType;
        }

        public int discordType() {
            return discordType;
        }
    }

    public boolean isThread() {
        return kind == Kind.PUBLIC_THREAD;
    }

    public String idString() {
        return Long.toUnsignedString(id);
    }

    /** The channel mention markup, {@code <#id>}. */
    public String mention() {
        return "<#" + idString() + ">";
    }
}
