package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/** A request that is answered with a JSON-RPC error instead of a result. */
final class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    static final int RESOURCE_NOT_FOUND = -32002;

    private final int code;
    private final String text;
    private final transient @Nullable JsonNode data;

    RpcException(int code, String message) {
        this(code, message, null);
    }

    RpcException(int code, String message, @Nullable JsonNode data) {
        super(message);
        this.code = code;
        this.text = message;
        this.data = data;
    }

    int code() {
        return code;
    }

    /** The error's {@code message}. */
    String text() {
        return text;
    }

    @Nullable
    JsonNode data() {
        return data;
    }

    static RpcException invalidParams(String message) {
        return new RpcException(INVALID_PARAMS, "Invalid params: " + message);
    }
}
