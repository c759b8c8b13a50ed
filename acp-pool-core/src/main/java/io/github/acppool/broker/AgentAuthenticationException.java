package io.github.acppool.broker;

import io.github.acppool.acp.schema.AuthMethod;
import io.github.acppool.internal.Checks;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The agent needs authentication that nothing configured satisfies: it answered "authentication required"
 * ({@code -32000}) and the authentication policy picked no method, the method it picked is not advertised, or
 * the agent refused it. The process was stopped; the conversation's next message tries again.
 *
 * <p>Two texts for two readers: {@link #userMessage()} is one plain sentence for the chat user, with nothing
 * of the server in it; {@link #details()} (also in {@link #getMessage()}) is for the operator's log: the
 * agent's advertised methods with their names and descriptions, the setting that picks one, and the
 * environment variables a method reads that are not passed to the agent, with the setting that would pass
 * them.
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentAuthenticationException extends AgentStartException {
    private static final long serialVersionUID = 1L;

    /** What {@link #userMessage()} says. */
    public static final String USER_MESSAGE = "The agent needs to be signed in, and an operator has to set that up.";

    private final transient List<AuthMethod> authMethods;
    private final String details;

    AgentAuthenticationException(
            String conversationId, String details, List<AuthMethod> authMethods, @Nullable Throwable cause) {
        super(conversationId, Stage.AUTHENTICATE, Checks.notNull(details, "details"), cause, true);
        this.details = details;
        this.authMethods = List.copyOf(authMethods);
    }

    /** One plain sentence for the chat user: no method ids, variables, paths or ids. */
    @Override
    public String userMessage() {
        return USER_MESSAGE;
    }

    /** For the operator: what the agent asked for, what it offers, and which setting would fix it. */
    public String details() {
        return details;
    }

    /** The methods the agent advertised (possibly empty). */
    public List<AuthMethod> authMethods() {
        return authMethods;
    }
}
