package io.github.acppool.turn;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a turn, in the order the agent sent it. Every {@code session/update} of the
 * turn's session becomes exactly one event; kinds without an event of their own (user message chunks,
 * available commands, session info, non-text chunks, kinds this version does not know) arrive as {@link
 * Other} rather than being dropped.
 *
 * <p>Records are immutable and thread-safe; JSON values are shared with the update and read-only by
 * contract.
 */
public sealed interface TurnEvent {

    /**
     * Text of the reply ({@code agent_message_chunk} with text content). Chunks may split a character
     * (a surrogate pair, a base letter and its combining mark): concatenate them before you render.
     *
     * @param messageId the agent's message id, if it sends them (a new id means a new message)
     */
    record TextChunk(String text, @Nullable String messageId) implements TurnEvent {
        public TextChunk {
            Checks.notNull(text, "text");
        }
    }

    /** The agent's reasoning ({@code agent_thought_chunk} with text content), usually not shown. */
    record ThoughtChunk(String text) implements TurnEvent {
        public ThoughtChunk {
            Checks.notNull(text, "text");
        }
    }

    /** The first sighting of a tool call id (usually a {@code tool_call}). */
    record ToolCallStarted(ToolCall toolCall) implements TurnEvent {
        public ToolCallStarted {
            Checks.notNull(toolCall, "toolCall");
        }
    }

    /** A tool call changed; {@code toolCall} is the merged state after the change. */
    record ToolCallUpdated(ToolCall toolCall) implements TurnEvent {
        public ToolCallUpdated {
            Checks.notNull(toolCall, "toolCall");
        }
    }

    /** The agent's plan; each one replaces the previous plan entirely. */
    record PlanReplaced(List<SessionUpdate.PlanEntry> entries) implements TurnEvent {
        public PlanReplaced {
            entries = List.copyOf(entries);
        }
    }

    /** Context window usage, in tokens. */
    record Usage(long used, long size) implements TurnEvent {}

    /** The session's mode changed. */
    record ModeChanged(String modeId) implements TurnEvent {
        public ModeChanged {
            Checks.notNull(modeId, "modeId");
        }
    }

    /** The complete, current list of the session's config options, as JSON. */
    record ConfigOptionsChanged(List<JsonNode> configOptions) implements TurnEvent {
        public ConfigOptionsChanged {
            configOptions = List.copyOf(configOptions);
        }
    }

    /**
     * The agent has sent nothing for a while but the turn goes on (a sign of life for the chat, not an end of
     * the turn): emitted by the turn itself each time the agent has been silent for the liveness policy's
     * {@code stillWorkingInterval}, so a front end can say "still working (2 min)".
     *
     * @param silentFor how long the agent has sent nothing
     * @param elapsed how long the turn has been running
     */
    record StillWorking(Duration silentFor, Duration elapsed) implements TurnEvent {
        public StillWorking {
            Checks.notNull(silentFor, "silentFor");
            Checks.notNull(elapsed, "elapsed");
        }
    }

    /** Any other update, passed through as the client parsed it. */
    record Other(SessionUpdate update) implements TurnEvent {
        public Other {
            Checks.notNull(update, "update");
        }
    }
}
