package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * Which content blocks beyond text and resource links the agent accepts in a prompt. Immutable and
 * thread-safe.
 */
public record PromptCapabilities(boolean image, boolean audio, boolean embeddedContext) {
    public static final PromptCapabilities NONE = new PromptCapabilities(false, false, false);

    static PromptCapabilities fromJson(@Nullable JsonNode node) {
        return node == null
                ? NONE
                : new PromptCapabilities(
                        Json.bool(node, "image"), Json.bool(node, "audio"), Json.bool(node, "embeddedContext"));
    }
}
