package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A mode the agent can run in (e.g. "ask", "code"). Immutable and thread-safe. */
public record SessionMode(String id, String name, @Nullable String description) {

    /** The session's current mode and the modes it can switch to. Immutable and thread-safe. */
    public record State(String currentModeId, List<SessionMode> availableModes) {
        public State {
            availableModes = List.copyOf(availableModes);
        }

        static @Nullable State fromJson(@Nullable JsonNode node) {
            String current = Json.text(node, "currentModeId");
            if (current == null) {
                return null;
            }
            return new State(
                    current,
                    Json.list(
                            node,
                            "availableModes",
                            m -> new SessionMode(
                                    Json.text(m, "id", ""), Json.text(m, "name", ""), Json.text(m, "description"))));
        }
    }
}
