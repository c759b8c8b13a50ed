package io.github.acppool.discord;

import java.util.regex.Pattern;

/**
 * Names a conversation's thread after the message that started it, as openab does: mentions removed, GitHub issue
 * and pull-request links shortened to {@code owner/repo#N}, whitespace collapsed, and cut after {@value #MAX_NAME}
 * code points with an ellipsis (Discord allows 100), never inside a grapheme cluster, never empty.
 *
 * <p>Stateless and thread-safe.
 */
final class ThreadNames {

    static final int MAX_NAME = 40;
    static final String FALLBACK = "New conversation";

    private static final Pattern MENTION = Pattern.compile("<(?:@[!&]?|#)\\d+>");
    private static final Pattern CUSTOM_EMOJI = Pattern.compile("<a?(:\\w+:)\\d+>");
    private static final Pattern GITHUB =
            Pattern.compile("https?://github\\.com/([\\w.-]+)/([\\w.-]+)/(?:issues|pull)/(\\d+)\\S*");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ThreadNames() {}

    static String fromText(String text) {
        String name = MENTION.matcher(text).replaceAll(" ");
        name = CUSTOM_EMOJI.matcher(name).replaceAll("$1");
        name = GITHUB.matcher(name).replaceAll("$1/$2#$3");
        name = WHITESPACE.matcher(name).replaceAll(" ").strip();
        if (name.isEmpty()) {
            return FALLBACK;
        }
        if (Text.codePoints(name) <= MAX_NAME) {
            return name;
        }
        int cut = Text.fitForward(name, 0, name.length(), MAX_NAME);
        if (cut == 0) {
            // A single cluster longer than the name: cut it at a code point rather than return nothing.
            cut = Text.fitCodePoints(name, 0, name.length(), MAX_NAME);
        }
        return name.substring(0, cut).stripTrailing() + MessageSplitter.ELLIPSIS;
    }
}
