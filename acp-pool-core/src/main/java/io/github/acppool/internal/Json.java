package io.github.acppool.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The one Jackson setup acp-pool uses for the wire (tree model only, so nothing needs reflective access),
 * and small null-tolerant readers for agent-supplied JSON.
 *
 * <p>Thread-safe: the mapper is configured once and never reconfigured.
 */
public final class Json {
    /**
     * Lines are already capped by the client's maximum line size; Jackson's own string-length cap (20 MB
     * by default) would otherwise refuse a legal message that is below our cap.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE);

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE)
                        .maxNestingDepth(1000)
                        .build());
    }

    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** The text of {@code node.field}, or null when it is missing, null or not a string. */
    public static @Nullable String text(@Nullable JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** The text of {@code node.field}, or {@code fallback}. */
    public static String text(@Nullable JsonNode node, String field, String fallback) {
        String value = text(node, field);
        return value == null ? fallback : value;
    }

    /** True only when {@code node.field} is the JSON literal {@code true}. */
    public static boolean bool(@Nullable JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isBoolean() && value.booleanValue();
    }

    /** True when {@code node.field} is present and not null (ACP's "object marker" capability convention). */
    public static boolean present(@Nullable JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    /** {@code node.field} when it is an object, else null. */
    public static @Nullable JsonNode obj(@Nullable JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isObject() ? value : null;
    }

    /** The elements of the array {@code node.field} mapped by {@code mapper}; empty if it is not an array. */
    public static <T> List<T> list(@Nullable JsonNode node, String field, Function<JsonNode, T> mapper) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isArray()) {
            return List.of();
        }
        List<T> out = new ArrayList<>(value.size());
        for (JsonNode element : value) {
            out.add(mapper.apply(element));
        }
        return List.copyOf(out);
    }

    /** Renders a node for a log line, cut to {@code max} characters. */
    public static String preview(@Nullable Object value, int max) {
        String text = String.valueOf(value);
        return text.length() <= max ? text : text.substring(0, max) + "...(" + text.length() + " chars)";
    }
}
