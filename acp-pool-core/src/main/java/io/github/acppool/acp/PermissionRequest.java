package io.github.acppool.acp;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.SessionUpdate;
import java.util.List;
import java.util.Optional;

/**
 * A {@code session/request_permission} from the agent: may it run this tool call? Immutable and thread-safe
 * ({@code raw} is read-only by contract).
 *
 * @param sessionId the session the tool call belongs to
 * @param toolCall the tool call (only its id is guaranteed; kind and title usually present)
 * @param options the choices, in the agent's order
 * @param raw the whole {@code params} object
 */
public record PermissionRequest(
        String sessionId, SessionUpdate.ToolCallUpdate toolCall, List<PermissionOption> options, JsonNode raw) {

    public PermissionRequest {
        options = List.copyOf(options);
    }

    /** The first option of the given kind. */
    public Optional<PermissionOption> firstOfKind(String kind) {
        return options.stream().filter(o -> o.kind().equals(kind)).findFirst();
    }

    /** Allow once: {@code allow_once}, else {@code allow_always}, else cancelled. */
    public PermissionOutcome allowOnce() {
        return firstOfKind(PermissionOption.ALLOW_ONCE)
                .or(() -> firstOfKind(PermissionOption.ALLOW_ALWAYS))
                .map(o -> PermissionOutcome.selected(o.optionId()))
                .orElse(PermissionOutcome.cancelled());
    }

    /** Reject: {@code reject_once}, else {@code reject_always}, else cancelled. */
    public PermissionOutcome reject() {
        return firstOfKind(PermissionOption.REJECT_ONCE)
                .or(() -> firstOfKind(PermissionOption.REJECT_ALWAYS))
                .map(o -> PermissionOutcome.selected(o.optionId()))
                .orElse(PermissionOutcome.cancelled());
    }
}
