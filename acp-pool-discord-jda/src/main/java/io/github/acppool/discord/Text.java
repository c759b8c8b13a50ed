package io.github.acppool.discord;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counting and cutting text the way Discord counts it: in Unicode code points, and only between grapheme clusters.
 *
 * <p>Grapheme clusters come from the regex {@code \X}, not from {@link java.text.BreakIterator}: on JDK 17 the
 * character break iterator splits emoji ZWJ sequences, flags and skin-tone modifiers, which {@code \X} keeps whole.
 *
 * <p>Stateless and thread-safe.
 */
final class Text {

    private static final Pattern GRAPHEME = Pattern.compile("\\X");

    private Text() {}

    /** {@code text} cut to at most {@code maxCodePoints} (at a grapheme boundary, ending in "…" when cut). */
    static String head(String text, int maxCodePoints) {
        if (codePoints(text) <= maxCodePoints) {
            return text;
        }
        return text.substring(0, fitForward(text, 0, text.length(), maxCodePoints - 1)) + MessageSplitter.ELLIPSIS;
    }

    static int codePoints(CharSequence text) {
        return Character.codePointCount(text, 0, text.length());
    }

    /**
     * The largest grapheme boundary {@code b} with {@code from <= b <= to} such that {@code text[from, b)} has at most
     * {@code maxCodePoints} code points. Returns {@code from} when even the first cluster does not fit.
     */
    static int fitForward(String text, int from, int to, int maxCodePoints) {
        Matcher matcher = GRAPHEME.matcher(text).region(from, to);
        int end = from;
        int used = 0;
        while (matcher.find()) {
            int length = Character.codePointCount(text, matcher.start(), matcher.end());
            if (used + length > maxCodePoints) {
                break;
            }
            used += length;
            end = matcher.end();
        }
        return end;
    }

    /**
     * Where to cut a cluster that alone is longer than {@code maxCodePoints} (e.g. thousands of combining marks):
     * after at most that many code points, but never inside a surrogate pair. At least one code point is taken.
     */
    static int fitCodePoints(String text, int from, int to, int maxCodePoints) {
        int end = from;
        int used = 0;
        while (end < to && (used < maxCodePoints || end == from)) {
            end += Character.charCount(text.codePointAt(end));
            used++;
        }
        return end;
    }

    /** The smallest grapheme boundary at or after {@code index}. */
    static int nextBoundary(String text, int index) {
        if (index <= 0) {
            return 0;
        }
        if (index >= text.length()) {
            return text.length();
        }
        // Clusters are found from the start of the line: a line break always ends a cluster, and starting anywhere
        // else could pair regional indicators (flags) wrongly.
        int lineStart = text.lastIndexOf('\n', index - 1) + 1;
        Matcher matcher = GRAPHEME.matcher(text).region(lineStart, text.length());
        while (matcher.find()) {
            if (matcher.end() >= index) {
                return matcher.start() >= index ? matcher.start() : matcher.end();
            }
        }
        return text.length();
    }
}
