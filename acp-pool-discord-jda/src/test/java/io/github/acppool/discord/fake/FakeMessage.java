package io.github.acppool.discord.fake;

import java.util.List;

/**
 * A snapshot of a message stored by the fake Discord server, as it is after the last edit.
 *
 * <p>Immutable and thread-safe.
 *
 * @param reactions the emoji the bot has on this message, in the order they were added
 * @param edits how many times the message was edited
 */
public record FakeMessage(
        long id, long channelId, long authorId, String content, List<String> reactions, int edits, boolean ephemeral) {

    public FakeMessage {
        reactions = List.copyOf(reactions);
    }

    public String idString() {
        return Long.toUnsignedString(id);
    }
}
