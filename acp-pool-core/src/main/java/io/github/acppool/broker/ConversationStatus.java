package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one conversation, from {@link AcpBroker#status()}. Taken without waiting for any turn, agent
 * or connection; the fields are read one by one, so they may be a few instructions apart.
 *
 * <p>Immutable and thread-safe.
 *
 * @param conversationId the conversation
 * @param alive whether it has an agent process that is alive (false after idle eviction, a crash, or before its
 *     first message)
 * @param busy whether a turn is running or being prepared (agent starting, session resuming)
 * @param queuedMessages messages waiting for the next turn
 * @param sessionId the ACP session of its agent, if it has one
 * @param idle how long since its last turn ended or its agent was started ({@link Duration#ZERO} while busy)
 * @param turns turns run since the broker last started to track the conversation
 * @param lastError if the last turn or start failed, one plain sentence saying so, fit for a chat user (see {@link
 *     io.github.acppool.AcpPoolException#userMessage()}; the details are in the log)
 * @param agentId the agent the conversation runs on ({@link AcpBroker#agentOf}): its connection's, else the one
 *     chosen for it, else the one it last ran on, else the default
 */
public record ConversationStatus(
        String conversationId,
        boolean alive,
        boolean busy,
        int queuedMessages,
        @Nullable String sessionId,
        Duration idle,
        long turns,
        @Nullable String lastError,
        String agentId) {

    public ConversationStatus {
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(agentId, "agentId");
        Checks.nonNegative(queuedMessages, "queuedMessages");
        Checks.nonNegative(idle, "idle");
        Checks.nonNegative(turns, "turns");
    }

    /** A conversation of a broker with a single agent ({@value AgentSpec#DEFAULT_ID_FOR_SINGLE}). */
    public ConversationStatus(
            String conversationId,
            boolean alive,
            boolean busy,
            int queuedMessages,
            @Nullable String sessionId,
            Duration idle,
            long turns,
            @Nullable String lastError) {
        this(
                conversationId,
                alive,
                busy,
                queuedMessages,
                sessionId,
                idle,
                turns,
                lastError,
                AgentSpec.DEFAULT_ID_FOR_SINGLE);
    }
}
