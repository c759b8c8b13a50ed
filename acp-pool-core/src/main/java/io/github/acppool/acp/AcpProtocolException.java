package io.github.acppool.acp;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.AcpPoolException;
import org.jspecify.annotations.Nullable;

/**
 * The agent answered a request with a JSON-RPC error, or with a result the client cannot use (then {@link
 * #code()} is {@link #UNUSABLE_RESPONSE}).
 *
 * <p>Immutable and thread-safe ({@link #data()} is a private copy).
 */
public class AcpProtocolException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    /** Not a JSON-RPC code: the agent's answer was well-formed JSON-RPC but unusable, e.g. protocol version 2. */
    public static final int UNUSABLE_RESPONSE = -1;

    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    public static final int REQUEST_CANCELLED = -32800;
    public static final int AUTH_REQUIRED = -32000;
    public static final int RESOURCE_NOT_FOUND = -32002;

    private final String method;
    private final int code;
    private final String errorMessage;
    private final transient @Nullable JsonNode data;

    public AcpProtocolException(String method, int code, String errorMessage, @Nullable JsonNode data) {
        super(method + " failed: " + errorMessage + " (code " + code + (data == null ? "" : ", data " + data) + ")");
        this.method = method;
        this.code = code;
        this.errorMessage = errorMessage;
        this.data = data == null ? null : data.deepCopy();
    }

    /** Says that the agent needs signing in, or that it answered with an error; never the agent's own text. */
    @Override
    public String userMessage() {
        return code == AUTH_REQUIRED
                ? "The agent needs to be signed in before it can answer; ask the operator to set up its"
                        + " authentication."
                : "The agent answered with an error; try again, and tell the operator if it keeps happening.";
    }

    /** The method of the request that failed. */
    public String method() {
        return method;
    }

    /** The JSON-RPC error code, or {@link #UNUSABLE_RESPONSE}. */
    public int code() {
        return code;
    }

    /** The JSON-RPC error message. */
    public String errorMessage() {
        return errorMessage;
    }

    /** The JSON-RPC error data (agents put details here, e.g. {@code data.details}), if any. */
    public @Nullable JsonNode data() {
        return data == null ? null : data.deepCopy();
    }
}
