package io.github.acppool.turn;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A tool call as it stands after every {@code tool_call} and {@code tool_call_update} of its id so far: the
 * first sets every field, and each update changes only the fields it carries (a later title refines the
 * placeholder, a status moves it on, {@code locations} and {@code content} replace the earlier lists).
 *
 * <p>Immutable and thread-safe; the JSON values are shared with the update they came from and read-only by
 * contract.
 *
 * @param id the {@code toolCallId}
 * @param title what the agent says it is doing (empty if an update for an unknown id came first)
 * @param kind read, edit, delete, move, search, execute, think, fetch, switch_mode, other, or null
 * @param status where the call stands
 * @param locations the files it touches
 * @param content its output so far, as ACP {@code ToolCallContent} objects ({@code content}, {@code diff} or
 *     {@code terminal})
 * @param rawInput the tool's input, if the agent sent it
 * @param rawOutput the tool's raw output, if the agent sent it
 */
public record ToolCall(
        String id,
        String title,
        @Nullable String kind,
        Status status,
        List<Location> locations,
        List<JsonNode> content,
        @Nullable JsonNode rawInput,
        @Nullable JsonNode rawOutput) {

    public ToolCall {
        Checks.notNull(id, "id");
        Checks.notNull(title, "title");
        Checks.notNull(status, "status");
        locations = List.copyOf(locations);
        content = List.copyOf(content);
    }

    /** The ACP tool call statuses; {@code pending} when the agent sends none. */
    public enum Status {
        PENDING("pending"),
        IN_PROGRESS("in_progress"),
        COMPLETED("completed"),
        FAILED("failed");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** True for {@link #COMPLETED} and {@link #FAILED}. */
        public boolean isFinished() {
            return this == COMPLETED || this == FAILED;
        }

        /** The status for a wire value, or null for a value this version does not know. */
        public static @Nullable Status fromWire(@Nullable String value) {
            for (Status status : values()) {
                if (status.wire.equals(value)) {
                    return status;
                }
            }
            return null;
        }
    }

    /**
     * A file a tool call touches.
     *
     * @param line the 1-based line, if the agent named one
     */
    public record Location(String path, @Nullable Integer line) {
        public Location {
            Checks.notNull(path, "path");
        }
    }

    /** A call known only by its id, for an update whose {@code tool_call} never came. */
    static ToolCall empty(String id) {
        return new ToolCall(id, "", null, Status.PENDING, List.of(), List.of(), null, null);
    }

    /**
     * This call with the fields {@code patch} carries (a {@code tool_call} or {@code tool_call_update}
     * object); absent and null fields leave the current value, and values of the wrong type are ignored.
     */
    ToolCall merge(JsonNode patch) {
        String newTitle = Json.text(patch, "title");
        String newKind = Json.text(patch, "kind");
        Status newStatus = Status.fromWire(Json.text(patch, "status"));
        JsonNode newLocations = patch.get("locations");
        JsonNode newContent = patch.get("content");
        return new ToolCall(
                id,
                newTitle != null ? newTitle : title,
                newKind != null ? newKind : kind,
                newStatus != null ? newStatus : status,
                newLocations != null && newLocations.isArray() ? locations(newLocations) : locations,
                newContent != null && newContent.isArray() ? Json.list(patch, "content", n -> n) : content,
                present(patch.get("rawInput")) ? patch.get("rawInput") : rawInput,
                present(patch.get("rawOutput")) ? patch.get("rawOutput") : rawOutput);
    }

    private static boolean present(@Nullable JsonNode value) {
        return value != null && !value.isNull();
    }

    private static List<Location> locations(JsonNode array) {
        List<Location> out = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            String path = Json.text(node, "path");
            if (path != null) {
                JsonNode line = node.path("line");
                out.add(new Location(path, line.isIntegralNumber() && line.canConvertToInt() ? line.intValue() : null));
            }
        }
        return out;
    }
}
