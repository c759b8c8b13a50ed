package io.github.acppool.discord;

import io.github.acppool.AcpPoolException;
import io.github.acppool.broker.BrokerClosedException;
import io.github.acppool.broker.NoAgentAvailableException;
import io.github.acppool.broker.QueueFullException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Turns an exception into the one short line a Discord user sees; the details go to the log.
 *
 * <p>Stateless and thread-safe.
 */
final class ErrorLines {

    /** A line longer than this is cut: the user needs the gist, the operator has the log. */
    static final int MAX_DETAIL = 200;

    private ErrorLines() {}

    static String describe(Throwable error) {
        Throwable e = unwrap(error);
        String what;
        if (e instanceof QueueFullException) {
            what = "Too many messages are waiting in this conversation; try again when the agent has answered.";
        } else if (e instanceof NoAgentAvailableException) {
            what = "Every agent is busy right now; try again in a moment.";
        } else if (e instanceof BrokerClosedException) {
            what = "The bot is shutting down; try again after it restarts.";
        } else if (e instanceof AcpPoolException known) {
            what = known.userMessage(); // its message may name the conversation, paths, stderr: that is for the log
        } else {
            what = AcpPoolException.GENERIC_USER_MESSAGE; // a bug's message is for the log, not the chat
        }
        return "⚠️ " + what;
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static String firstLine(@Nullable String message) {
        if (message == null) {
            return "";
        }
        String line = message.strip().lines().findFirst().orElse("");
        if (Text.codePoints(line) > MAX_DETAIL) {
            line = line.substring(0, Text.fitForward(line, 0, line.length(), MAX_DETAIL - 1))
                    + MessageSplitter.ELLIPSIS;
        }
        return line;
    }
}
