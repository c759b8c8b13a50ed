package io.github.acppool.acp;

import io.github.acppool.AcpPoolException;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The agent process could not be started, exited, or closed its stdout; every request that was pending
 * fails with this. Carries the exit code (when the process has exited) and the last lines the agent wrote
 * to stderr, which usually say why.
 *
 * <p>Immutable and thread-safe.
 */
public class AgentProcessException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final @Nullable Integer exitCode;
    private final String stderrTail;

    public AgentProcessException(String message, @Nullable Integer exitCode, String stderrTail) {
        this(message, exitCode, stderrTail, null);
    }

    public AgentProcessException(
            String message, @Nullable Integer exitCode, String stderrTail, @Nullable Throwable cause) {
        super(describe(message, exitCode, stderrTail), cause);
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
    }

    @Override
    public String userMessage() {
        return "The agent stopped unexpectedly; your next message starts it again.";
    }

    /** The process's exit code, if it had exited when this was thrown. */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** The tail of the agent's stderr (possibly empty). */
    public String stderrTail() {
        return stderrTail;
    }

    private static String describe(String message, @Nullable Integer exitCode, String stderrTail) {
        StringBuilder text = new StringBuilder(message);
        if (exitCode != null) {
            text.append(" (exit code ").append(exitCode).append(')');
        }
        String tail = stderrTail.strip();
        if (!tail.isEmpty()) {
            int cut = Math.max(0, tail.length() - 2000);
            text.append("; stderr tail:\n").append(cut > 0 ? "..." : "").append(tail, cut, tail.length());
        }
        return text.toString();
    }
}
