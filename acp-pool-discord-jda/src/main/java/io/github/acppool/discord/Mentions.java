package io.github.acppool.discord;

import java.util.EnumSet;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.utils.messages.MessageRequest;

/**
 * The allowed mentions of every message the front end creates or edits. Text from an agent (and from users, which
 * agents may echo) is untrusted: without this, a reply containing {@code @everyone}, {@code @here} or a role mention
 * would ping with the bot's own permissions. JDA's process-wide default ({@code MessageRequest.setDefaultMentions})
 * is not relied on because the embedder owns JDA and may have changed it: each request sets its own.
 *
 * <p>Immutable and thread-safe.
 */
final class Mentions {

    private final EnumSet<Message.MentionType> allowed;

    Mentions(boolean allowUserMentions) {
        this.allowed =
                allowUserMentions ? EnumSet.of(Message.MentionType.USER) : EnumSet.noneOf(Message.MentionType.class);
    }

    static Mentions of(DiscordConfig config) {
        return new Mentions(config.allowUserMentions());
    }

    /** Restricts {@code request} to the allowed mentions (none by default) and never pings the replied-to user. */
    <R extends MessageRequest<R>> R restrict(R request) {
        return request.setAllowedMentions(allowed).mentionRepliedUser(false);
    }
}
