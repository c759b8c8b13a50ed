package io.github.acppool.discord;

import java.util.Set;

/**
 * What the trigger rules need to know about one message, taken from JDA's event by the adapter.
 *
 * @param regular whether a person or bot wrote it (Discord's DEFAULT or REPLY type), not Discord (joins, pins, ...)
 * @param parentChannelId the channel a thread belongs to; 0 elsewhere
 * @param botsThread whether the message is in a thread the bot started or already converses in
 * @param mentionedUserIds users the message mentions (as Discord resolved them)
 * @param mentionedRoleIds roles the message mentions
 */
record IncomingMessage(
        long authorId,
        boolean authorIsBot,
        Set<Long> authorRoleIds,
        boolean regular,
        Place place,
        long channelId,
        long parentChannelId,
        boolean botsThread,
        Set<Long> mentionedUserIds,
        Set<Long> mentionedRoleIds,
        String content) {

    /** Where a message was posted. */
    enum Place {
        /** A guild text channel: a conversation starts a thread from the message. */
        CHANNEL,
        /** A thread in a guild: the thread is the conversation. */
        THREAD,
        /** A DM with the bot: the DM channel is the conversation. */
        DIRECT
    }

    IncomingMessage {
        authorRoleIds = Set.copyOf(authorRoleIds);
        mentionedUserIds = Set.copyOf(mentionedUserIds);
        mentionedRoleIds = Set.copyOf(mentionedRoleIds);
    }
}
