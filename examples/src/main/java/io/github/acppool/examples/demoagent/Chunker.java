package io.github.acppool.examples.demoagent;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Cuts a reply into the pieces it is streamed in: a few words each, cut after whitespace, so that the pieces
 * join back into exactly the original text and no piece splits a word or a surrogate pair. The cuts vary like
 * a language model's tokens do, but are the same every time for the same text, which keeps tests exact.
 */
final class Chunker {
    /** Replies are cut into about this many pieces at most, so that long ones do not take ages to stream. */
    static final int TARGET_PIECES = 60;

    static final int MIN_PIECE_LENGTH = 12;

    private Chunker() {}

    static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        int target = Math.max(MIN_PIECE_LENGTH, text.length() / TARGET_PIECES);
        Random random = new Random(text.hashCode());
        int start = 0;
        while (start < text.length()) {
            int end = start + target / 2 + random.nextInt(target);
            while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            end = Math.min(end, text.length());
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }
}
