package io.github.acppool.broker;

import io.github.acppool.internal.Checks;

/**
 * Who wrote a {@link ChatMessage}: the front end's stable user id and the name to show. The broker puts both
 * into the prompt ({@link PromptComposer#attributed()}) so that the agent knows who said what when several
 * people talk in one conversation, or when several queued messages are merged into one prompt.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the front end's user id, e.g. a Discord user snowflake; not blank
 * @param displayName the name to show, e.g. the member's nickname; not blank
 */
public record Sender(String id, String displayName) {
    public Sender {
        Checks.notNull(id, "sender id");
        Checks.argument(!id.isBlank(), "sender id must not be blank");
        Checks.notNull(displayName, "displayName");
        Checks.argument(!displayName.isBlank(), "displayName must not be blank (sender %s)", id);
    }
}
