package io.github.acppool.turn;

import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * How a turn ended and everything it produced. {@link #replyText()} is what a chat should show: never empty.
 *
 * <p>Immutable and thread-safe (the answer's JSON is read-only by contract).
 *
 * @param sessionId the turn's session
 * @param outcome how the turn ended
 * @param answer the agent's answer to the prompt, if one arrived and counted (its stop reason is kept as
 *     sent, even one this version does not know)
 * @param text every text chunk of the reply, concatenated
 * @param toolCalls every tool call of the turn in the order first seen, with its last known state
 * @param timeToFirstChunk from the start of the turn to the first text chunk, if any came
 * @param timeToAnswer from the start of the turn to the agent's answer, if one came
 * @param total from the start of the turn to its end (including the drain)
 * @param error why the turn did not complete normally: {@link AgentProcessException} (agent died; exit code
 *     and stderr tail), {@link TurnTimeoutException}, {@link UnsupportedContentException}, the client's
 *     {@link io.github.acppool.acp.AcpProtocolException} for an error answer or {@link
 *     io.github.acppool.acp.AcpRequestTimeoutException} for its own prompt timeout, or another exception
 * @param listenerErrors what the listener threw (the first {@value #MAX_LISTENER_ERRORS}; all are logged)
 * @param stderrTail the agent's recent stderr, kept when the turn produced no text or did not complete
 *     (empty otherwise)
 */
public record TurnResult(
        String sessionId,
        Outcome outcome,
        @Nullable PromptResult answer,
        String text,
        List<ToolCall> toolCalls,
        @Nullable Duration timeToFirstChunk,
        @Nullable Duration timeToAnswer,
        Duration total,
        @Nullable Throwable error,
        List<Throwable> listenerErrors,
        String stderrTail) {

    /** At most this many listener exceptions are kept. */
    public static final int MAX_LISTENER_ERRORS = 10;

    private static final int MAX_STDERR_LINES = 10;
    private static final int MAX_STDERR_CHARS = 1500;
    private static final int MAX_ERROR_CHARS = 300;

    /** How a turn ended. */
    public enum Outcome {
        /** The agent answered (any stop reason but {@code cancelled}) and the drain ended. */
        COMPLETED,
        /** Cancelled by the caller (any answer after a cancel counts), or the agent answered {@code cancelled}. */
        CANCELLED,
        /**
         * The inactivity or hard timeout ran out (see {@link TurnTimeoutException}), or the client's own prompt
         * timeout did ({@link io.github.acppool.acp.AcpRequestTimeoutException}); {@code session/cancel} was sent.
         */
        TIMED_OUT,
        /** The agent process exited or closed its stdout before answering (see {@link AgentProcessException}). */
        AGENT_DIED,
        /** The agent answered with an error, or the turn could not run. */
        FAILED,
        /** The prompt was not sent (see {@link UnsupportedContentException}). */
        REJECTED
    }

    public TurnResult {
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(outcome, "outcome");
        Checks.notNull(text, "text");
        toolCalls = List.copyOf(toolCalls);
        Checks.notNull(total, "total");
        listenerErrors = List.copyOf(listenerErrors);
        Checks.notNull(stderrTail, "stderrTail");
    }

    /** The answer's stop reason ({@link StopReason#OTHER} for an unknown one), or null without an answer. */
    public @Nullable StopReason stopReason() {
        return answer == null ? null : answer.stopReason();
    }

    /** The answer's stop reason exactly as sent, or null without an answer. */
    public @Nullable String stopReasonValue() {
        return answer == null ? null : answer.stopReasonValue();
    }

    /** The agent's exit code, when it died during the turn and the code is known. */
    public OptionalInt exitCode() {
        return error instanceof AgentProcessException dead ? dead.exitCode() : OptionalInt.empty();
    }

    /**
     * The text to show: the reply text, followed by a note in parentheses when the turn did not simply
     * complete. Without any text, a summary instead: a line saying why (naming the stop reason), the tool
     * calls the agent ran, and the agent's last stderr lines when they may explain it. Never empty.
     */
    public String replyText() {
        if (!text.isBlank()) {
            String note = note();
            return note == null ? text : text + "\n\n(" + note + ")";
        }
        StringBuilder reply = new StringBuilder(headline());
        if (!toolCalls.isEmpty()) {
            reply.append("\nTools it ran:");
            for (ToolCall call : toolCalls) {
                reply.append("\n- ")
                        .append(toolTitle(call))
                        .append(" (")
                        .append(statusWord(call.status()))
                        .append(')');
            }
        }
        String tail = lastLines(stderrTail);
        if (!tail.isEmpty() && (toolCalls.isEmpty() || outcome != Outcome.COMPLETED)) {
            reply.append("\nAgent stderr (last lines):\n").append(tail);
        }
        return reply.toString();
    }

    private @Nullable String note() {
        return switch (outcome) {
            case COMPLETED -> stopReason() == StopReason.END_TURN ? null : "stop reason: " + stopReasonText();
            case CANCELLED -> "cancelled";
            case TIMED_OUT -> "the turn timed out";
            case AGENT_DIED -> died() + " before finishing";
            case FAILED -> "the turn failed: " + errorText();
            case REJECTED -> "the prompt was not sent: " + errorText();
        };
    }

    private String headline() {
        return switch (outcome) {
            case COMPLETED -> "No text reply from the agent (stop reason: " + stopReasonText() + ").";
            case CANCELLED -> "Cancelled before the agent replied (stop reason: " + stopReasonText() + ").";
            case TIMED_OUT -> "No reply: the turn timed out (" + errorText() + ").";
            case AGENT_DIED -> "No reply: " + died() + ".";
            case FAILED -> "No reply: the turn failed (" + errorText() + ").";
            case REJECTED -> "The prompt was not sent: " + errorText() + ".";
        };
    }

    private String stopReasonText() {
        String value = stopReasonValue();
        return value == null ? "none, the agent did not answer" : value.isEmpty() ? "(empty)" : value;
    }

    private String died() {
        OptionalInt code = exitCode();
        return code.isPresent() ? "the agent exited with code " + code.getAsInt() : "the agent stopped";
    }

    private String errorText() {
        if (error == null) {
            return "no details";
        }
        // AgentProcessException's message repeats the stderr tail, which replyText shows on its own.
        String message = error instanceof AgentProcessException ? null : error.getMessage();
        if (message == null || message.isBlank()) {
            message = error.getClass().getSimpleName();
        }
        if (message.length() <= MAX_ERROR_CHARS) {
            return message;
        }
        int cut =
                Character.isHighSurrogate(message.charAt(MAX_ERROR_CHARS - 1)) ? MAX_ERROR_CHARS - 1 : MAX_ERROR_CHARS;
        return message.substring(0, cut) + "...";
    }

    private static String toolTitle(ToolCall call) {
        String title = call.title().replace('\n', ' ').strip();
        if (!title.isEmpty()) {
            return title;
        }
        return call.kind() != null ? call.kind() : "tool " + call.id();
    }

    private static String statusWord(ToolCall.Status status) {
        return status.wire().replace('_', ' ');
    }

    private static String lastLines(String tail) {
        List<String> lines = tail.strip().lines().toList();
        String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - MAX_STDERR_LINES), lines.size()));
        if (joined.length() <= MAX_STDERR_CHARS) {
            return joined;
        }
        int cut = joined.length() - MAX_STDERR_CHARS;
        return "..." + joined.substring(Character.isLowSurrogate(joined.charAt(cut)) ? cut + 1 : cut);
    }
}
