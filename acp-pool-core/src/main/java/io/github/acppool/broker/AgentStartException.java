package io.github.acppool.broker;

import io.github.acppool.AcpPoolException;
import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * A conversation's agent could not be made ready: its process did not start, did not answer {@code
 * initialize}, or refused to create a session. The cause says why (an {@link
 * io.github.acppool.acp.AgentProcessException} carries the exit code and the agent's last stderr lines, an
 * {@link io.github.acppool.acp.AcpProtocolException} the agent's error).
 * The process was stopped; the conversation's next message tries again.
 *
 * {@link AgentAuthenticationException} is the subtype for an agent that needs authentication nothing
 * configured could satisfy.
 *
 * <p>Immutable and thread-safe.
 */
public class AgentStartException extends BrokerException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    public enum Stage {
        /** Preparing the working directory or starting the process. */
        LAUNCH,
        /** The {@code initialize} handshake. */
        INITIALIZE,
        /** Creating the session ({@code session/new}) after any resume attempt. */
        SESSION,
        /** Authenticating ({@code authenticate}), or finding a method to authenticate with. */
        AUTHENTICATE
    }

    private final Stage stage;

    public AgentStartException(String conversationId, Stage stage, String message, Throwable cause) {
        super(conversationId, message + ": " + describe(Checks.notNull(cause, "cause")), cause);
        this.stage = Checks.notNull(stage, "stage");
    }

    /** For subclasses whose message already says everything; {@code cause} may be null. */
    AgentStartException(String conversationId, Stage stage, String message, @Nullable Throwable cause, boolean own) {
        super(conversationId, message, cause);
        this.stage = Checks.notNull(stage, "stage");
    }

    private static String describe(Throwable cause) {
        String text = cause.getMessage();
        return text == null || text.isBlank() ? cause.toString() : text;
    }

    /**
     * The sentence of the first acp-pool exception in the cause chain that says more than that the agent failed
     * (e.g. that it needs authentication), else one that says the agent could not be started.
     */
    @Override
    public String userMessage() {
        for (Throwable cause = getCause(); cause != null && cause != this; cause = cause.getCause()) {
            if (cause instanceof AcpProtocolException protocol
                    && protocol.code() != AcpProtocolException.AUTH_REQUIRED) {
                break; // the agent's refusal: "could not be started" says it better than "answered with an error"
            }
            if (cause instanceof AcpPoolException specific
                    && !(cause instanceof AgentProcessException)
                    && !(cause instanceof AgentStartException)
                    && !specific.userMessage().equals(GENERIC_USER_MESSAGE)) {
                return specific.userMessage();
            }
        }
        return "The agent could not be started; try again later, and tell the operator if it keeps happening.";
    }

    /** Which step failed. */
    public Stage stage() {
        return stage;
    }
}
