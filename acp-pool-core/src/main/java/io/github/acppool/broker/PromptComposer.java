package io.github.acppool.broker;

import io.github.acppool.acp.schema.ContentBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the messages of one turn (one message, or several queued ones merged in arrival order) into the
 * prompt's content blocks.
 *
 * <p>Called on a broker thread, once per turn; must be thread-safe and must return at least one block. An
 * exception it throws ends the turn's messages as {@link BrokerResult.Outcome#FAILED}.
 */
@FunctionalInterface
public interface PromptComposer {

    /**
     * Builds the prompt for {@code messages}.
     *
     * @param messages the turn's messages, in arrival order; never empty
     */
    List<ContentBlock> compose(List<ChatMessage> messages);

    /**
     * The default: before each message a text block naming its sender, {@code [<display name> (<sender
     * id>)]}, then the message's own blocks. Every prompt, merged or not, looks the same to the agent, so it
     * can always tell who is speaking in a conversation with several people.
     */
    static PromptComposer attributed() {
        return messages -> {
            List<ContentBlock> prompt = new ArrayList<>();
            for (ChatMessage message : messages) {
                prompt.add(ContentBlock.text(header(message.sender())));
                prompt.addAll(message.content());
            }
            return prompt;
        };
    }

    /** The attribution line {@link #attributed()} puts before a message of {@code sender}. */
    static String header(Sender sender) {
        return "[" + sender.displayName() + " (" + sender.id() + ")]";
    }

    /**
     * No attribution: the messages' blocks, one after the other. For one-person conversations, or agents that
     * must see the user's text verbatim.
     */
    static PromptComposer plain() {
        return messages -> {
            List<ContentBlock> prompt = new ArrayList<>();
            for (ChatMessage message : messages) {
                prompt.addAll(message.content());
            }
            return prompt;
        };
    }
}
