package io.github.acppool.turn;

import io.github.acppool.AcpPoolException;
import io.github.acppool.acp.AcpRequestTimeoutException;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.ExceptionChain;
import io.github.acppool.internal.TerminalText;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * How a turn ended and everything it produced, with two texts for two readers: {@link #userText()} for the chat
 * user (the reply, or one plain sentence saying why there is none; never empty) and {@link #diagnostics()} for
 * the operator's log.
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
 *     (empty otherwise); raw, as the agent wrote it (terminal sequences included)
 * @param droppedLines stdout lines of the agent dropped during the turn because they were longer than {@code
 *     maxLineBytes}: part of the reply may be lost (see {@link io.github.acppool.acp.AcpClient#droppedLines()})
 * @param droppedLineBytes their total size in bytes
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
        String stderrTail,
        long droppedLines,
        long droppedLineBytes) {

    /** At most this many listener exceptions are kept. */
    public static final int MAX_LISTENER_ERRORS = 10;

    private static final int MAX_STDERR_LINES = 10;
    private static final int MAX_STDERR_CHARS = 1500;

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
        Checks.nonNegative(droppedLines, "droppedLines");
        Checks.nonNegative(droppedLineBytes, "droppedLineBytes");
    }

    /** A result without dropped lines. */
    public TurnResult(
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
        this(
                sessionId,
                outcome,
                answer,
                text,
                toolCalls,
                timeToFirstChunk,
                timeToAnswer,
                total,
                error,
                listenerErrors,
                stderrTail,
                0,
                0);
    }

    /** This result with the given dropped-line counts. */
    public TurnResult withDroppedLines(long lines, long bytes) {
        return new TurnResult(
                sessionId,
                outcome,
                answer,
                text,
                toolCalls,
                timeToFirstChunk,
                timeToAnswer,
                total,
                error,
                listenerErrors,
                stderrTail,
                lines,
                bytes);
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
     * What the chat user should see: the reply text as the agent wrote it, followed by a note in parentheses when
     * the turn did not simply complete or part of the reply was lost; without any text, one plain sentence
     * saying why. Never empty. It holds no operator internals (no stderr, paths, ids, exception names or ISO
     * durations) beyond what the agent itself wrote into its reply: those are in {@link #diagnostics()}.
     */
    public String userText() {
        StringBuilder out = new StringBuilder();
        if (!text.isBlank()) {
            out.append(text);
            String note = note();
            if (note != null) {
                out.append("\n\n(").append(note).append(')');
            }
        } else {
            out.append(headline());
        }
        if (droppedLines > 0) {
            out.append(text.isBlank() ? " " : "\n")
                    .append("(Part of the reply was lost: the agent sent a message too large to read.)");
        }
        return out.toString();
    }

    /**
     * Same as {@link #userText()}; the name predates the split into a user text and {@link #diagnostics()}.
     */
    public String replyText() {
        return userText();
    }

    /**
     * The operator's account of the turn, for the log or a private debugging channel: session id, outcome and
     * stop reason, timings, the exception chain, the exit code, protocol warnings (dropped over-long lines with
     * their size), the tool calls and the agent's last stderr lines, with every terminal escape sequence
     * removed. Never empty.
     */
    public String diagnostics() {
        StringBuilder out = new StringBuilder();
        out.append("session ")
                .append(sessionId)
                .append(": ")
                .append(outcome)
                .append(", stop reason ")
                .append(stopReasonText())
                .append(", total ")
                .append(total);
        if (timeToFirstChunk != null) {
            out.append(", first chunk after ").append(timeToFirstChunk);
        }
        out.append(", ").append(text.length()).append(" chars of text");
        OptionalInt code = exitCode();
        if (code.isPresent()) {
            out.append("\nexit code ").append(code.getAsInt());
        }
        if (error != null) {
            out.append("\nerror: ").append(ExceptionChain.summary(error));
        }
        if (droppedLines > 0) {
            out.append("\nprotocol warning: dropped ")
                    .append(droppedLines)
                    .append(droppedLines == 1 ? " stdout line of " : " stdout lines totalling ")
                    .append(droppedLineBytes)
                    .append(" bytes, over maxLineBytes");
        }
        if (!listenerErrors.isEmpty()) {
            out.append("\nthe listener threw ").append(listenerErrors.size()).append(" times, first: ");
            out.append(ExceptionChain.summary(listenerErrors.get(0)));
        }
        if (!toolCalls.isEmpty()) {
            out.append("\ntool calls:");
            for (ToolCall call : toolCalls) {
                out.append("\n- ")
                        .append(toolTitle(call))
                        .append(" (")
                        .append(statusWord(call.status()))
                        .append(')');
            }
        }
        String tail = lastLines(TerminalText.strip(stderrTail));
        if (!tail.isEmpty()) {
            out.append("\nagent stderr (last lines):\n").append(tail);
        }
        // The session id, the stop reason and tool titles are the agent's: nothing in them may drive a terminal.
        return TerminalText.strip(out.toString());
    }

    private @Nullable String note() {
        return switch (outcome) {
            case COMPLETED -> stopNote();
            case CANCELLED -> "Cancelled.";
            case TIMED_OUT -> "Stopped before the end: " + lowerFirst(timeoutSentence());
            case AGENT_DIED -> "The agent stopped before finishing; your next message starts it again.";
            case FAILED -> "The agent reported an error before finishing.";
            case REJECTED -> userMessage(error, "The message was not sent to the agent.");
        };
    }

    private String headline() {
        return switch (outcome) {
            case COMPLETED -> {
                String tools = toolCalls.isEmpty()
                        ? ""
                        : " It used " + toolCalls.size() + (toolCalls.size() == 1 ? " tool." : " tools.");
                String stop = stopNote();
                yield "The agent finished without a text reply." + tools + (stop == null ? "" : " " + stop);
            }
            case CANCELLED -> "Cancelled before the agent replied.";
            case TIMED_OUT -> "No reply: " + lowerFirst(timeoutSentence());
            case AGENT_DIED -> "No reply: the agent stopped unexpectedly; your next message starts it again.";
            case FAILED ->
                error instanceof AcpPoolException
                        ? "No reply: " + lowerFirst(userMessage(error, AcpPoolException.GENERIC_USER_MESSAGE))
                        : "No reply: " + lowerFirst(AcpPoolException.GENERIC_USER_MESSAGE);
            case REJECTED -> userMessage(error, "The message was not sent to the agent.");
        };
    }

    /** Why a completed turn stopped, when it was not simply the end of its turn; the agent's value is not shown. */
    private @Nullable String stopNote() {
        StopReason reason = stopReason();
        if (reason == null) {
            return "The agent did not say why it stopped.";
        }
        return switch (reason) {
            case END_TURN -> null;
            case MAX_TOKENS -> "The reply was cut off at the agent's length limit.";
            case MAX_TURN_REQUESTS -> "The agent stopped at its limit of steps for one message.";
            case REFUSAL -> "The agent declined to continue.";
            case CANCELLED -> "Cancelled.";
            case OTHER -> "The agent stopped early.";
        };
    }

    private String timeoutSentence() {
        if (error instanceof TurnTimeoutException || error instanceof AcpRequestTimeoutException) {
            return ((AcpPoolException) error).userMessage();
        }
        return "The agent took too long, so the turn was stopped; try again.";
    }

    private static String userMessage(@Nullable Throwable error, String fallback) {
        return error instanceof AcpPoolException known ? known.userMessage() : fallback;
    }

    private static String lowerFirst(String sentence) {
        return sentence.isEmpty()
                ? sentence
                : sentence.substring(0, 1).toLowerCase(Locale.ROOT) + sentence.substring(1);
    }

    private String stopReasonText() {
        String value = stopReasonValue();
        return value == null ? "none (no answer)" : value.isEmpty() ? "(empty)" : value;
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
