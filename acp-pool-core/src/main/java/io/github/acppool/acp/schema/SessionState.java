package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer to {@code session/new}, {@code session/load} or {@code session/resume}. Load and resume answer
 * with the mode and options only (or with {@code null}, which some agents send and which is tolerated);
 * the session id is then the one that was asked for. Immutable and thread-safe ({@code raw} is read-only by
 * contract).
 *
 * @param sessionId the session's id
 * @param modes the mode state, if the agent has modes
 * @param configOptions the session's config options (complete list) as JSON
 * @param raw the whole result ({@code null} node if the agent answered {@code null})
 */
public record SessionState(
        String sessionId, SessionMode.@Nullable State modes, List<JsonNode> configOptions, JsonNode raw) {
    public SessionState {
        configOptions = List.copyOf(configOptions);
    }

    /** Reads a result; {@code sessionId} is used when the result carries none. */
    public static SessionState fromJson(JsonNode result, String sessionId) {
        return new SessionState(
                Json.text(result, "sessionId", sessionId),
                SessionMode.State.fromJson(Json.obj(result, "modes")),
                Json.list(result, "configOptions", n -> n),
                result);
    }
}
