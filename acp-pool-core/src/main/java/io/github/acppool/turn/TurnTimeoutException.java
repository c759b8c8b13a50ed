package io.github.acppool.turn;

import io.github.acppool.AcpPoolException;
import io.github.acppool.internal.HumanDuration;
import java.time.Duration;

/**
 * A turn ended because the agent, though alive, did not answer in time: either no update came for the
 * {@linkplain LivenessPolicy#inactivityTimeout() inactivity timeout}, or the {@linkplain
 * LivenessPolicy#hardTimeout() hard timeout} passed. By then {@code session/cancel} was sent and the prompt's
 * request id abandoned, so a late answer is logged and dropped.
 *
 * <p>Immutable and thread-safe.
 */
public final class TurnTimeoutException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    /** Which limit ran out. */
    public enum Kind {
        /** No update for the inactivity timeout. */
        INACTIVITY,
        /** The turn reached the hard timeout. */
        HARD
    }

    private final Kind kind;
    private final String sessionId;
    private final Duration timeout;

    public TurnTimeoutException(Kind kind, String sessionId, Duration timeout, Duration elapsed) {
        super("session " + sessionId + ": "
                + (kind == Kind.INACTIVITY
                        ? "no update from the agent for " + timeout + " (inactivity timeout)"
                        : "no answer to the prompt within " + timeout + " (hard timeout)")
                + " after " + elapsed + " in the turn; the agent is still running; sent session/cancel");
        this.kind = kind;
        this.sessionId = sessionId;
        this.timeout = timeout;
    }

    @Override
    public String userMessage() {
        return kind == Kind.INACTIVITY
                ? "The agent sent nothing for " + HumanDuration.format(timeout)
                        + ", so the turn was stopped; try again."
                : "The agent did not finish within " + HumanDuration.format(timeout) + ", so the turn was stopped.";
    }

    public Kind kind() {
        return kind;
    }

    public String sessionId() {
        return sessionId;
    }

    /** The limit that ran out. */
    public Duration timeout() {
        return timeout;
    }
}
