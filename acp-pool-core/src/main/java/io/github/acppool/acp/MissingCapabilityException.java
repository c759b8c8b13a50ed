package io.github.acppool.acp;

import io.github.acppool.AcpPoolException;
import io.github.acppool.internal.Checks;

/**
 * A request needs a capability the agent did not advertise in its {@code initialize} answer (or the client has
 * not initialized yet), so it was not sent: e.g. {@code session/load} without {@code loadSession}.
 *
 * <p>Immutable and thread-safe.
 */
public final class MissingCapabilityException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final String capability;

    public MissingCapabilityException(String method, String capability, boolean initialized) {
        super(Checks.notNull(method, "method") + " needs " + Checks.notNull(capability, "capability")
                + ", which the agent "
                + (initialized ? "did not advertise" : "has not advertised yet (initialize first)"));
        this.method = method;
        this.capability = capability;
    }

    @Override
    public String userMessage() {
        return "The agent does not support that.";
    }

    /** The method that was not sent, e.g. {@code session/load}. */
    public String method() {
        return method;
    }

    /** The capability it needs, e.g. {@code loadSession}. */
    public String capability() {
        return capability;
    }
}
