package io.github.acppool.discord;

import java.util.List;

/**
 * Composes what a reply shows: the tool status lines above the agent's text, as a preview while the turn streams and
 * as Discord messages when it ends.
 *
 * <p>Two openab failures shaped this: splitting while streaming posted the overflow twice (#81), so a streaming reply
 * is only ever a preview of one message and is split once, at the end; and tool lines filled the preview and hid the
 * agent's closing question (#242), so the preview keeps the tail of the text and collapses tool lines.
 *
 * <p>Stateless and thread-safe.
 */
final class ReplyComposer {

    /** What the final reply says when the agent produced neither text nor tool calls. */
    static final String NO_RESPONSE = "_(no response)_";

    private ReplyComposer() {}

    /** The placeholder's content while the turn streams: at most {@link MessageSplitter#PREVIEW_LIMIT} code points. */
    static String streaming(List<ToolCallView> tools, String text, ToolDisplay display) {
        String composed = compose(ToolLines.render(tools, display, true), text);
        return composed.isBlank()
                ? MessageSplitter.ELLIPSIS
                : MessageSplitter.preview(composed, MessageSplitter.PREVIEW_LIMIT);
    }

    /**
     * The final messages: the first replaces the placeholder, the others follow as new messages. Parts that would be
     * blank (Discord refuses them) are left out; never empty.
     */
    static List<String> finalParts(List<ToolCallView> tools, String text, ToolDisplay display) {
        String composed = compose(ToolLines.render(tools, display, false), text);
        List<String> parts = MessageSplitter.split(composed, MessageSplitter.DISCORD_LIMIT).stream()
                .filter(part -> !part.isBlank())
                .toList();
        return parts.isEmpty() ? List.of(NO_RESPONSE) : parts;
    }

    private static String compose(String toolLines, String text) {
        if (toolLines.isEmpty()) {
            return text;
        }
        return text.isBlank() ? toolLines : toolLines + "\n\n" + text;
    }
}
