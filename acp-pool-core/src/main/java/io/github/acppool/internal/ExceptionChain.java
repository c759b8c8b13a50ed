package io.github.acppool.internal;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One line per exception of a cause chain, for an operator's diagnostics: {@code Type: message}, with terminal
 * sequences removed and each message cut to a bounded length.
 *
 * <p>Stateless and thread-safe.
 */
public final class ExceptionChain {

    private static final int MAX_DEPTH = 8;
    private static final int MAX_MESSAGE_CHARS = 2000;

    private ExceptionChain() {}

    public static String summary(Throwable error) {
        StringBuilder out = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable e = error;
        for (int depth = 0; e != null && depth < MAX_DEPTH && seen.add(e); depth++) {
            if (depth > 0) {
                out.append("\n  caused by ");
            }
            out.append(e.getClass().getName());
            String message = message(e);
            if (message != null) {
                out.append(": ").append(message);
            }
            e = e.getCause();
        }
        return out.toString();
    }

    private static @Nullable String message(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return null;
        }
        String clean = TerminalText.strip(message).strip();
        if (clean.length() <= MAX_MESSAGE_CHARS) {
            return clean;
        }
        int cut = Character.isHighSurrogate(clean.charAt(MAX_MESSAGE_CHARS - 1))
                ? MAX_MESSAGE_CHARS - 1
                : MAX_MESSAGE_CHARS;
        return clean.substring(0, cut) + "...";
    }
}
