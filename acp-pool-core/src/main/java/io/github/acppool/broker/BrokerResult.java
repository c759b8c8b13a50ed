package io.github.acppool.broker;

import io.github.acppool.AcpPoolException;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.ExceptionChain;
import io.github.acppool.internal.TerminalText;
import io.github.acppool.turn.TurnResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What became of one submitted {@link ChatMessage}: the turn that answered it (shared by every message merged
 * into that turn), or why it never reached the agent.
 *
 * <p>Immutable and thread-safe.
 *
 * @param conversationId the conversation
 * @param message the message this result is about
 * @param outcome how it ended
 * @param turn the turn that answered it, if one ran to an end ({@code null} if the message was dropped before
 *     its turn started, or if the turn {@link Outcome#HUNG})
 * @param turnMessages every message the turn answered, in arrival order (this one included), or just this
 *     message if no turn ran
 * @param sessionReset true if the turn ran in a new session because the stored one could not be resumed, so the
 *     agent lost the earlier context (see {@link TurnStart#sessionReset()})
 * @param sessionResetReason why, when {@code sessionReset}
 * @param sessionId the ACP session the turn ran in, if it got that far
 * @param error why the message was not answered normally: the turn's {@link TurnResult#error()}, or a {@link
 *     BrokerException} saying why no turn ran or why it was abandoned; {@code null} for a completed turn
 */
public record BrokerResult(
        String conversationId,
        ChatMessage message,
        Outcome outcome,
        @Nullable TurnResult turn,
        List<ChatMessage> turnMessages,
        boolean sessionReset,
        @Nullable String sessionResetReason,
        @Nullable String sessionId,
        @Nullable Throwable error) {

    /** How a message ended; the first six are those of {@link TurnResult.Outcome}. */
    public enum Outcome {
        /** The agent answered; see {@link TurnResult#stopReason()}. */
        COMPLETED,
        /**
         * Cancelled: the turn was cancelled ({@link AcpBroker#cancel}), or the message was dropped from the queue
         * before its turn started ({@link AcpBroker#cancel(String, boolean)}, {@link AcpBroker#reset}, {@link
         * AcpBroker#close(String)}, shutdown); then {@link #turn()} is {@code null}.
         */
        CANCELLED,
        /** The turn's inactivity or hard timeout ran out. */
        TIMED_OUT,
        /** The agent process died during the turn; the next message starts a new one, resuming the session. */
        AGENT_DIED,
        /** The agent answered with an error, or the turn could not run. */
        FAILED,
        /** The prompt holds content the agent does not accept (an image, say); nothing was sent. */
        REJECTED,
        /**
         * The turn did not end within the hung limit (hard timeout plus hung grace), for example because a
         * listener blocked: the agent process tree was killed and the next message starts a new one.
         */
        HUNG,
        /**
         * The conversation is served by another broker instance right now (its {@link ConversationLeases lease}
         * is held by a live owner), so no agent was started and nothing was sent; {@link #error()} is a {@link
         * ConversationOwnedElsewhereException} naming the owner. The message may be sent again later.
         */
        OWNED_ELSEWHERE;

        static Outcome of(TurnResult.Outcome outcome) {
            return switch (outcome) {
                case COMPLETED -> COMPLETED;
                case CANCELLED -> CANCELLED;
                case TIMED_OUT -> TIMED_OUT;
                case AGENT_DIED -> AGENT_DIED;
                case FAILED -> FAILED;
                case REJECTED -> REJECTED;
            };
        }
    }

    public BrokerResult {
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(message, "message");
        Checks.notNull(outcome, "outcome");
        turnMessages = List.copyOf(turnMessages);
        Checks.argument(turnMessages.contains(message), "turnMessages must contain the message itself");
    }

    /** Whether the turn's reply streamed to this message's listener (the latest message of its turn). */
    public boolean repliedHere() {
        return turnMessages.get(turnMessages.size() - 1).equals(message);
    }

    /** Whether the message was answered together with others in one merged turn. */
    public boolean merged() {
        return turnMessages.size() > 1;
    }

    /**
     * One plain text for the chat user: the turn's {@link TurnResult#userText()} (the reply as the agent wrote
     * it, with a note when the turn did not simply complete), or a sentence saying why there is no reply and
     * what to do. Never empty; it holds no operator internals (no stderr, paths, session or conversation ids,
     * exception names or ISO durations): those are in {@link #diagnostics()}. For a merged turn every message
     * carries the same reply: show it once, under the message it {@linkplain #repliedHere() streamed to}.
     */
    public String userText() {
        String reset =
                sessionReset ? "(The agent could not pick up the earlier conversation; it starts afresh.)" : null;
        if (turn != null) {
            String text = turn.userText();
            return reset == null ? text : text + "\n\n" + reset;
        }
        String why =
                switch (outcome) {
                    case CANCELLED ->
                        error instanceof AcpPoolException known
                                        && !known.userMessage().equals(AcpPoolException.GENERIC_USER_MESSAGE)
                                ? known.userMessage()
                                : "Cancelled before the agent replied.";
                    case HUNG ->
                        "No reply: the agent stopped responding, so it was restarted; send your message again.";
                    case TIMED_OUT -> "No reply: the agent took too long; try again.";
                    case AGENT_DIED -> "No reply: the agent stopped unexpectedly; your next message starts it again.";
                    case COMPLETED, FAILED, REJECTED, OWNED_ELSEWHERE ->
                        error != null ? AcpPoolException.userMessageOf(error) : AcpPoolException.GENERIC_USER_MESSAGE;
                };
        return reset == null ? why : why + " " + reset;
    }

    /**
     * The operator's diagnostics for this message, for the log or a private debugging channel: conversation,
     * message and session ids, the outcome, why the session was reset, the exception chain, and the turn's
     * {@link TurnResult#diagnostics()} (exit code, protocol warnings, stderr tail), with every terminal escape
     * sequence removed. Never empty.
     */
    public String diagnostics() {
        StringBuilder out = new StringBuilder();
        out.append("conversation ")
                .append(conversationId)
                .append(", message ")
                .append(message.messageId())
                .append(": ")
                .append(outcome);
        if (merged()) {
            out.append(" (one turn for ").append(turnMessages.size()).append(" messages)");
        }
        if (sessionId != null) {
            out.append(", session ").append(sessionId);
        }
        if (sessionReset) {
            out.append("\nsession reset: ").append(sessionResetReason == null ? "reason unknown" : sessionResetReason);
        }
        if (turn != null) {
            out.append('\n').append(turn.diagnostics());
            if (error != null && error != turn.error()) {
                out.append("\nerror: ").append(ExceptionChain.summary(error));
            }
        } else if (error != null) {
            out.append("\nerror: ").append(ExceptionChain.summary(error));
        }
        // Ids and reasons come from agents and front ends too: nothing in them may drive a terminal.
        return TerminalText.strip(out.toString());
    }

    /** Same as {@link #userText()}; the name predates the split into a user text and {@link #diagnostics()}. */
    public String replyText() {
        return userText();
    }
}
