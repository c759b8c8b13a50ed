package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * What the agent advertised in {@code initialize}; anything absent means unsupported. The broker uses
 * {@link #loadSession()} and {@link #resumeSession()} to choose between resuming a session and starting a new
 * one. Immutable and thread-safe ({@code raw} is read-only by contract).
 *
 * @param loadSession {@code session/load} is supported (it replays the conversation)
 * @param promptCapabilities content accepted in prompts
 * @param resumeSession {@code session/resume} is supported (no replay)
 * @param closeSession {@code session/close} is supported
 * @param listSessions {@code session/list} is supported
 * @param additionalDirectories {@code additionalDirectories} may be sent with sessions
 * @param raw the whole {@code agentCapabilities} object
 */
public record AgentCapabilities(
        boolean loadSession,
        PromptCapabilities promptCapabilities,
        boolean resumeSession,
        boolean closeSession,
        boolean listSessions,
        boolean additionalDirectories,
        JsonNode raw) {

    static AgentCapabilities fromJson(@Nullable JsonNode node) {
        JsonNode caps = node == null ? Json.object() : node;
        JsonNode session = Json.obj(caps, "sessionCapabilities");
        return new AgentCapabilities(
                Json.bool(caps, "loadSession"),
                PromptCapabilities.fromJson(Json.obj(caps, "promptCapabilities")),
                Json.present(session, "resume"),
                Json.present(session, "close"),
                Json.present(session, "list"),
                Json.present(session, "additionalDirectories"),
                caps);
    }
}
