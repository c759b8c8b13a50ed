package io.github.acppool.broker;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.internal.Checks;
import java.util.List;

/**
 * One chat message for the agent of a conversation: the front end's id for it, who wrote it, and its content
 * (text, images, resource links, embedded resources).
 *
 * <p>Immutable and thread-safe.
 *
 * @param messageId the front end's id for the message (a Discord message id, say), so that a {@link TurnStart}
 *     and a {@link BrokerResult} can be matched to the message they are about; not blank
 * @param sender who wrote it
 * @param content what it says, in order; at least one block. Images, audio and embedded resources reach the
 *     agent only if it advertised them in {@code promptCapabilities}; otherwise the turn ends {@link
 *     BrokerResult.Outcome#REJECTED}
 */
public record ChatMessage(String messageId, Sender sender, List<ContentBlock> content) {
    public ChatMessage {
        Checks.notNull(messageId, "messageId");
        Checks.argument(!messageId.isBlank(), "messageId must not be blank");
        Checks.notNull(sender, "sender");
        Checks.notNull(content, "content");
        Checks.argument(!content.isEmpty(), "content of message %s must not be empty", messageId);
        content = List.copyOf(content);
    }

    /** A message of one text block. */
    public static ChatMessage text(String messageId, Sender sender, String text) {
        return new ChatMessage(messageId, sender, List.of(ContentBlock.text(text)));
    }
}
