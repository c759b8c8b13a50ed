package io.github.acppool.examples.console;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an agent command line ({@code --agent "npx -y @zed-industries/codex-acp"}) into words the way a POSIX
 * shell would, for the parts a command line needs: blanks separate words, single quotes keep everything literal,
 * double quotes keep blanks (a backslash in them escapes only {@code "} and {@code \}), and a backslash outside
 * quotes escapes the next character. There are no variables, globs, pipes or redirections: the command runs
 * without a shell. Stateless and thread-safe.
 */
final class ShellWords {
    private ShellWords() {}

    /**
     * The words of {@code line}.
     *
     * @throws IllegalArgumentException if a quote is not closed or the line ends in a lone backslash
     */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed ' in: " + line);
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("the line ends in a lone \\: " + line);
                }
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }

    /** Appends a double-quoted part that starts at {@code from}; returns the index after its closing quote. */
    private static int doubleQuoted(String line, int from, StringBuilder word) {
        int i = from;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                word.append(line.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new IllegalArgumentException("unclosed \" in: " + line);
    }
}
