package io.github.acppool;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The root of every exception that acp-pool throws. It is unchecked: most failures (an agent that died,
 * a pool that is full) are not something a caller can recover from at the call site, and the subclasses
 * carry what a caller needs to report them.
 *
 * <p>Each exception has two texts for two readers: {@link #getMessage()} for the operator's log (it may name
 * conversations, sessions, paths and the agent's stderr) and {@link #userMessage()}, one plain sentence a chat
 * user may see.
 *
 * <p>Instances are immutable and therefore thread-safe.
 */
public class AcpPoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The user sentence of a failure that has no more specific one. */
    public static final String GENERIC_USER_MESSAGE =
            "Something went wrong on the server; try again, and tell the operator if it keeps happening.";

    public AcpPoolException(String message) {
        super(message);
    }

    public AcpPoolException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * One plain sentence for a chat user: what happened and, where there is something to do, what. It holds no
     * operator internals: no stderr, paths, session or conversation ids, exception names or ISO durations.
     * Subclasses override it; this one says that something went wrong.
     */
    public String userMessage() {
        return GENERIC_USER_MESSAGE;
    }

    /**
     * The {@link #userMessage()} of {@code error} (unwrapping {@link CompletionException} and {@link
     * ExecutionException}), or {@link #GENERIC_USER_MESSAGE} for an exception that is not an acp-pool one.
     */
    public static String userMessageOf(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof AcpPoolException known ? known.userMessage() : GENERIC_USER_MESSAGE;
    }
}
