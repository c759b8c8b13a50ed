package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One {@code session/update} notification's {@code update} object, discriminated by {@code sessionUpdate}.
 *
 * <p>Every variant keeps the whole update as {@link #raw()}, so fields this version does not model are
 * never lost. Kinds this version does not know, and known kinds missing a required field, become {@link
 * Unknown}: an agent that is newer or sloppier than us is never fatal. {@code raw()} is the node as read
 * from the wire and is shared, not copied (updates can arrive by the hundred thousand): treat it as
 * read-only. Otherwise the records are immutable and thread-safe.
 */
public sealed interface SessionUpdate {

    /** The wire {@code sessionUpdate} value, e.g. {@code agent_message_chunk}. */
    String kind();

    /** The whole {@code update} object as received; read-only by contract. */
    JsonNode raw();

    /** Reads an {@code update} object; never throws for agent-supplied content. */
    static SessionUpdate fromJson(JsonNode update) {
        String kind = Json.text(update, "sessionUpdate", "");
        SessionUpdate parsed =
                switch (kind) {
                    case "agent_message_chunk", "user_message_chunk", "agent_thought_chunk" -> chunk(kind, update);
                    case "tool_call" -> toolCall(update);
                    case "tool_call_update" -> ToolCallUpdate.fromJson(update);
                    case "plan" ->
                        update.path("entries").isArray()
                                ? new Plan(Json.list(update, "entries", PlanEntry::fromJson), update)
                                : null;
                    case "available_commands_update" ->
                        update.path("availableCommands").isArray()
                                ? new AvailableCommandsUpdate(
                                        Json.list(update, "availableCommands", AvailableCommand::fromJson), update)
                                : null;
                    case "current_mode_update" -> modeUpdate(update);
                    case "config_option_update" ->
                        update.path("configOptions").isArray()
                                ? new ConfigOptionUpdate(Json.list(update, "configOptions", n -> n), update)
                                : null;
                    case "session_info_update" ->
                        new SessionInfoUpdate(Json.text(update, "title"), Json.text(update, "updatedAt"), update);
                    case "usage_update" ->
                        update.path("used").isIntegralNumber()
                                        && update.path("size").isIntegralNumber()
                                ? new UsageUpdate(
                                        update.get("used").longValue(),
                                        update.get("size").longValue(),
                                        update)
                                : null;
                    default -> null;
                };
        if (parsed != null) {
            return parsed;
        }
        return new Unknown(kind, update);
    }

    private static @Nullable SessionUpdate chunk(String kind, JsonNode update) {
        JsonNode content = Json.obj(update, "content");
        if (content == null) {
            return null;
        }
        ContentBlock block = ContentBlock.fromJson(content);
        String messageId = Json.text(update, "messageId");
        return switch (kind) {
            case "agent_message_chunk" -> new AgentMessageChunk(block, messageId, update);
            case "user_message_chunk" -> new UserMessageChunk(block, messageId, update);
            default -> new AgentThoughtChunk(block, messageId, update);
        };
    }

    private static @Nullable SessionUpdate toolCall(JsonNode update) {
        String id = Json.text(update, "toolCallId");
        String title = Json.text(update, "title");
        return id == null || title == null
                ? null
                : new ToolCall(id, title, Json.text(update, "kind"), Json.text(update, "status"), update);
    }

    private static @Nullable SessionUpdate modeUpdate(JsonNode update) {
        // The schema says currentModeId; the docs' example (and some agents) say modeId.
        String mode = Json.text(update, "currentModeId");
        if (mode == null) {
            mode = Json.text(update, "modeId");
        }
        return mode == null ? null : new CurrentModeUpdate(mode, update);
    }

    /** Text the agent shows the user; concatenate the {@link ContentBlock.Text} chunks. */
    record AgentMessageChunk(ContentBlock content, @Nullable String messageId, JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "agent_message_chunk";
        }
    }

    /** The user's own message, replayed by {@code session/load} or echoed. */
    record UserMessageChunk(ContentBlock content, @Nullable String messageId, JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "user_message_chunk";
        }
    }

    /** The agent's reasoning, usually not shown. */
    record AgentThoughtChunk(ContentBlock content, @Nullable String messageId, JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "agent_thought_chunk";
        }
    }

    /**
     * A new tool call. {@code kind} is one of read, edit, delete, move, search, execute, think, fetch,
     * switch_mode, other (or absent); {@code status} one of pending (the default), in_progress, completed,
     * failed.
     */
    record ToolCall(
            String toolCallId,
            String title,
            @Nullable String toolKind,
            @Nullable String status,
            JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "tool_call";
        }
    }

    /**
     * A patch to a tool call: only the fields that changed are present. Also the shape of the {@code
     * toolCall} of a permission request.
     */
    record ToolCallUpdate(
            String toolCallId,
            @Nullable String title,
            @Nullable String toolKind,
            @Nullable String status,
            JsonNode raw) implements SessionUpdate {

        /** Reads a tool call update, or returns null when {@code toolCallId} is missing. */
        public static @Nullable ToolCallUpdate fromJson(JsonNode node) {
            String id = Json.text(node, "toolCallId");
            if (id == null) {
                return null;
            }
            return new ToolCallUpdate(
                    id, Json.text(node, "title"), Json.text(node, "kind"), Json.text(node, "status"), node);
        }

        @Override
        public String kind() {
            return "tool_call_update";
        }
    }

    /** The agent's plan; each update replaces the whole plan. */
    record Plan(List<PlanEntry> entries, JsonNode raw) implements SessionUpdate {
        public Plan {
            entries = List.copyOf(entries);
        }

        @Override
        public String kind() {
            return "plan";
        }
    }

    /** One plan entry; priority is high, medium or low and status pending, in_progress or completed. */
    record PlanEntry(
            String content,
            @Nullable String priority,
            @Nullable String status) {
        static PlanEntry fromJson(JsonNode node) {
            return new PlanEntry(
                    Json.text(node, "content", ""), Json.text(node, "priority"), Json.text(node, "status"));
        }
    }

    /** The slash commands the agent offers now (the complete list). */
    record AvailableCommandsUpdate(List<AvailableCommand> availableCommands, JsonNode raw) implements SessionUpdate {
        public AvailableCommandsUpdate {
            availableCommands = List.copyOf(availableCommands);
        }

        @Override
        public String kind() {
            return "available_commands_update";
        }
    }

    /** One slash command; {@code hint} describes its input, when it takes any. */
    record AvailableCommand(
            String name, String description, @Nullable String hint) {
        static AvailableCommand fromJson(JsonNode node) {
            return new AvailableCommand(
                    Json.text(node, "name", ""),
                    Json.text(node, "description", ""),
                    Json.text(Json.obj(node, "input"), "hint"));
        }
    }

    /** The session's mode changed; read from {@code currentModeId}, or {@code modeId} as some agents send. */
    record CurrentModeUpdate(String currentModeId, JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "current_mode_update";
        }
    }

    /** The complete, current list of the session's config options, as JSON. */
    record ConfigOptionUpdate(List<JsonNode> configOptions, JsonNode raw) implements SessionUpdate {
        public ConfigOptionUpdate {
            configOptions = List.copyOf(configOptions);
        }

        @Override
        public String kind() {
            return "config_option_update";
        }
    }

    /** Session metadata changed; {@code updatedAt} is ISO 8601. */
    record SessionInfoUpdate(
            @Nullable String title, @Nullable String updatedAt, JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "session_info_update";
        }
    }

    /** Context window usage in tokens. */
    record UsageUpdate(long used, long size, JsonNode raw) implements SessionUpdate {
        @Override
        public String kind() {
            return "usage_update";
        }
    }

    /** A kind this version does not model, or a known kind that lacks a required field. */
    record Unknown(String kind, JsonNode raw) implements SessionUpdate {}
}
