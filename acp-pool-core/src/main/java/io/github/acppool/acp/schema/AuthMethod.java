package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * An authentication method the agent offers; pass {@link #id()} to {@code authenticate}. {@code type} is
 * null for the default ("agent") type and {@code terminal} for methods the user must run in a terminal.
 * Immutable and thread-safe.
 */
public record AuthMethod(
        String id,
        String name,
        @Nullable String description,
        @Nullable String type,
        JsonNode raw) {
    static AuthMethod fromJson(JsonNode node) {
        return new AuthMethod(
                Json.text(node, "id", ""),
                Json.text(node, "name", ""),
                Json.text(node, "description"),
                Json.text(node, "type"),
                node);
    }
}
