package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The agent's answer to {@code initialize}. Immutable and thread-safe ({@code raw} is read-only by
 * contract).
 *
 * @param protocolVersion the version the agent answered; the client accepts only 1
 * @param agentCapabilities what the agent supports
 * @param authMethods authentication methods on offer (often empty)
 * @param agentInfo the agent's name and version, if it sent them
 * @param raw the whole result
 */
public record InitializeResult(
        int protocolVersion,
        AgentCapabilities agentCapabilities,
        List<AuthMethod> authMethods,
        @Nullable Implementation agentInfo,
        JsonNode raw) {

    public InitializeResult {
        authMethods = List.copyOf(authMethods);
    }

    /** Reads a result; the caller has already checked {@code protocolVersion}. */
    public static InitializeResult fromJson(JsonNode result) {
        return new InitializeResult(
                result.path("protocolVersion").asInt(-1),
                AgentCapabilities.fromJson(Json.obj(result, "agentCapabilities")),
                Json.list(result, "authMethods", AuthMethod::fromJson),
                Implementation.fromJson(Json.obj(result, "agentInfo")),
                result);
    }
}
