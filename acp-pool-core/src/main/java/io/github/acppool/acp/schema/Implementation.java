package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * Name and version of a peer ({@code clientInfo} / {@code agentInfo}). Immutable and thread-safe.
 *
 * @param name programmatic name, e.g. {@code acp-pool}
 * @param title human-readable name, or null
 * @param version version string
 */
public record Implementation(String name, @Nullable String title, String version) {
    public Implementation {
        Checks.notNull(name, "name");
        Checks.notNull(version, "version");
    }

    public static Implementation of(String name, String version) {
        return new Implementation(name, null, version);
    }

    static @Nullable Implementation fromJson(@Nullable JsonNode node) {
        String name = Json.text(node, "name");
        return name == null ? null : new Implementation(name, Json.text(node, "title"), Json.text(node, "version", ""));
    }

    public ObjectNode toJson() {
        ObjectNode node = Json.object().put("name", name);
        if (title != null) {
            node.put("title", title);
        }
        return node.put("version", version);
    }
}
