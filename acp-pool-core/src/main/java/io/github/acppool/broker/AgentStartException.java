package io.github.acppool.broker;

import io.github.acppool.internal.Checks;

/**
 * A conversation's agent could not be made ready: its process did not start, did not answer {@code
 * initialize}, or refused to create a session. The cause says why (an {@link
 * io.github.acppool.acp.AgentProcessException} carries the exit code and the agent's last stderr lines, an
 * {@link io.github.acppool.acp.AcpProtocolException} the agent's error, e.g. -32000 authentication required).
 * The process was stopped; the conversation's next message tries again.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentStartException extends BrokerException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    public enum Stage {
        /** Preparing the working directory or starting the process. */
        LAUNCH,
        /** The {@code initialize} handshake. */
        INITIALIZE,
        /** Creating the session ({@code session/new}) after any resume attempt. */
        SESSION
    }

    private final Stage stage;

    public AgentStartException(String conversationId, Stage stage, String message, Throwable cause) {
        super(conversationId, message + ": " + describe(Checks.notNull(cause, "cause")), cause);
        this.stage = Checks.notNull(stage, "stage");
    }

    private static String describe(Throwable cause) {
        String text = cause.getMessage();
        return text == null || text.isBlank() ? cause.toString() : text;
    }

    /** Which step failed. */
    public Stage stage() {
        return stage;
    }
}
