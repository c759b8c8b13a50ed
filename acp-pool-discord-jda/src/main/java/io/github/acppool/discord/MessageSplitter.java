package io.github.acppool.discord;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a reply into Discord messages and makes the streaming preview.
 *
 * <p>Lengths are counted in code points, as Discord and JDA count them. Parts end on line boundaries where they can;
 * a line longer than a part is cut between grapheme clusters. A fenced code block ({@code ```lang}) that is cut is
 * closed at the end of the part and reopened, with its language, at the start of the next one, so every part renders
 * on its own. Nothing else is added or dropped: joining the parts without those added fence lines gives the input.
 *
 * <p>Discord refuses a message that is empty after trimming; a part can be only whitespace when the input has
 * thousands of blank lines in a row, and the caller should skip such a part.
 *
 * <p>Stateless and thread-safe.
 */
final class MessageSplitter {

    /** Discord's limit for the content of one message, in code points. */
    static final int DISCORD_LIMIT = 2000;

    /** The streaming preview leaves room below the limit, as openab does (message limit minus 100). */
    static final int PREVIEW_LIMIT = DISCORD_LIMIT - 100;

    static final String ELLIPSIS = "…";

    private static final String FENCE = "```";

    /** An opener longer than this is reopened as a bare fence, so that reopening always leaves room for content. */
    private static final int MAX_REOPENED_OPENER = 32;

    /**
     * The smallest limit accepted: room for a reopened fence, its closing and still some content (Discord's is 2000).
     */
    static final int MIN_LIMIT = 100;

    private MessageSplitter() {}

    /** One message: {@code prefix + body + suffix}, where only {@code body} comes from the input. */
    record Part(String prefix, String body, String suffix) {
        String text() {
            return prefix + body + suffix;
        }
    }

    /** The messages to send for {@code text}, each at most {@code limit} code points; none for an empty text. */
    static List<String> split(String text, int limit) {
        return splitParts(text, limit).stream().map(Part::text).toList();
    }

    static List<Part> splitParts(String text, int limit) {
        if (limit < MIN_LIMIT) {
            throw new IllegalArgumentException("limit must be at least " + MIN_LIMIT + ": " + limit);
        }
        List<Part> parts = new ArrayList<>();
        if (text.isEmpty()) {
            return parts;
        }
        PartBuilder part = new PartBuilder(limit, "");
        boolean inFence = false;
        String opener = "";
        int lineStart = 0;
        while (lineStart < text.length()) {
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? text.length() : newline + 1;
            String line = text.substring(lineStart, lineEnd);
            boolean toggles = isFenceToggle(line);
            boolean inFenceAfter = toggles != inFence;
            if (!part.fits(line, inFenceAfter)) {
                PartBuilder fresh = new PartBuilder(limit, inFence ? reopen(opener) : "");
                boolean fitsAlone = fresh.fits(line, inFenceAfter);
                if (fitsAlone && !part.isEmpty()) {
                    parts.add(part.finish(inFence));
                    part = fresh;
                }
                if (!fitsAlone) {
                    // Longer than a whole part: cut between grapheme clusters. (A fence line this long cannot be kept
                    // whole, so the part it starts in may hold an unclosed fence; no agent writes such a line.)
                    int from = lineStart;
                    while (from < lineEnd) {
                        int room = part.room(inFence);
                        int cut = Text.fitForward(text, from, lineEnd, room);
                        if (cut == from) {
                            if (!part.isEmpty()) {
                                parts.add(part.finish(inFence));
                                part = new PartBuilder(limit, inFence ? reopen(opener) : "");
                                continue;
                            }
                            // A single cluster longer than a part: cut it at a code point.
                            cut = Text.fitCodePoints(text, from, lineEnd, Math.max(1, room));
                        }
                        part.append(text.substring(from, cut));
                        from = cut;
                        if (from < lineEnd) {
                            parts.add(part.finish(inFence));
                            part = new PartBuilder(limit, inFence ? reopen(opener) : "");
                        }
                    }
                    if (toggles) {
                        inFence = inFenceAfter;
                        opener = inFence ? stripLineEnd(line) : "";
                    }
                    lineStart = lineEnd;
                    continue;
                }
            }
            part.append(line);
            if (toggles) {
                inFence = inFenceAfter;
                opener = inFence ? stripLineEnd(line) : "";
            }
            lineStart = lineEnd;
        }
        if (!part.isEmpty()) {
            // An unclosed fence at the very end stays as the agent wrote it.
            parts.add(part.finish(false));
        }
        return parts;
    }

    /**
     * What to show while a reply streams: the text itself when it fits in {@code limit} code points, else its tail
     * after a leading "…" (and, when the tail starts inside a code block, the block's opener, so it still renders as
     * code). The tail starts on a grapheme boundary.
     */
    static String preview(String text, int limit) {
        if (limit < MIN_LIMIT) {
            throw new IllegalArgumentException("limit must be at least " + MIN_LIMIT + ": " + limit);
        }
        int total = Text.codePoints(text);
        if (total <= limit) {
            return text;
        }
        String prefix = ELLIPSIS;
        int start = tailStart(text, total, limit - Text.codePoints(prefix));
        String opener = openFenceAt(text, start);
        String fencePrefix = opener == null ? "" : ELLIPSIS + "\n" + reopen(opener);
        if (opener != null && Text.codePoints(fencePrefix) <= limit / 2) {
            int fenceStart = tailStart(text, total, limit - Text.codePoints(fencePrefix));
            if (openFenceAt(text, fenceStart) != null) {
                prefix = fencePrefix;
                start = fenceStart;
            }
        }
        return prefix + text.substring(start);
    }

    /** The first grapheme boundary from which the rest of {@code text} has at most {@code room} code points. */
    private static int tailStart(String text, int totalCodePoints, int room) {
        int skip = totalCodePoints - room;
        int index = text.offsetByCodePoints(0, Math.max(0, skip));
        return Text.nextBoundary(text, index);
    }

    /** The opener line of the code block that {@code index} lies in, or null outside a code block. */
    private static @org.jspecify.annotations.Nullable String openFenceAt(String text, int index) {
        boolean inFence = false;
        String opener = "";
        int lineStart = 0;
        while (lineStart < index) {
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? text.length() : newline + 1;
            if (lineEnd > index) {
                break; // the cut is inside this line; a fence line cut in half counts as not yet toggled
            }
            String line = text.substring(lineStart, lineEnd);
            if (isFenceToggle(line)) {
                inFence = !inFence;
                opener = inFence ? stripLineEnd(line) : "";
            }
            lineStart = lineEnd;
        }
        return inFence ? opener : null;
    }

    /**
     * Whether a line opens or closes a code block: it starts with ``` (after indentation) and does not also close it
     * on the same line, i.e. it holds an odd number of ``` runs.
     */
    static boolean isFenceToggle(String line) {
        String stripped = line.stripLeading();
        if (!stripped.startsWith(FENCE)) {
            return false;
        }
        int count = 0;
        int from = 0;
        int at;
        while ((at = stripped.indexOf(FENCE, from)) >= 0) {
            count++;
            from = at + FENCE.length();
            while (from < stripped.length() && stripped.charAt(from) == '`') {
                from++;
            }
        }
        return count % 2 == 1;
    }

    private static String reopen(String opener) {
        String fence = Text.codePoints(opener) <= MAX_REOPENED_OPENER ? opener.stripLeading() : FENCE;
        return fence + "\n";
    }

    private static String stripLineEnd(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
            end--;
        }
        return line.substring(0, end);
    }

    /** One part being filled; knows how much room the closing fence would need. */
    private static final class PartBuilder {
        private final int limit;
        private final String prefix;
        private final StringBuilder body = new StringBuilder();
        private int codePoints;

        PartBuilder(int limit, String prefix) {
            this.limit = limit;
            this.prefix = prefix;
            this.codePoints = Text.codePoints(prefix);
        }

        boolean isEmpty() {
            return body.length() == 0;
        }

        /** Whether {@code line} fits, leaving room to close a code block that is open after it. */
        boolean fits(String line, boolean inFenceAfter) {
            int after = codePoints + Text.codePoints(line);
            int closing = inFenceAfter ? closingFor(line.endsWith("\n")) : 0;
            return after + closing <= limit;
        }

        /** Code points that may still be added if the part must end inside a code block (or not). */
        int room(boolean inFence) {
            // When cutting a line, the body will not end with a newline, so the close needs "\n```".
            return limit - codePoints - (inFence ? closingFor(false) : 0);
        }

        void append(String text) {
            body.append(text);
            codePoints += Text.codePoints(text);
        }

        Part finish(boolean inFence) {
            String suffix = inFence ? (endsWithNewline() ? FENCE : "\n" + FENCE) : "";
            return new Part(prefix, body.toString(), suffix);
        }

        private boolean endsWithNewline() {
            return body.length() > 0 ? body.charAt(body.length() - 1) == '\n' : prefix.endsWith("\n");
        }

        private static int closingFor(boolean endsWithNewline) {
            return endsWithNewline ? FENCE.length() : FENCE.length() + 1;
        }
    }
}
