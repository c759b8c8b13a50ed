package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;

/**
 * The answer to {@code session/prompt}: the turn is over. Unknown fields (e.g. {@code usage}) stay in
 * {@code raw}. Immutable and thread-safe ({@code raw} is read-only by contract).
 *
 * @param stopReason why the turn ended
 * @param stopReasonValue the wire value, useful when {@code stopReason} is {@link StopReason#OTHER}
 * @param raw the whole result
 */
public record PromptResult(StopReason stopReason, String stopReasonValue, JsonNode raw) {

    public static PromptResult fromJson(JsonNode result) {
        String value = Json.text(result, "stopReason", "");
        return new PromptResult(StopReason.fromWire(value), value, result);
    }
}
