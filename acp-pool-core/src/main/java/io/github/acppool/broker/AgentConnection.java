package io.github.acppool.broker;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.pool.EvictionCause;
import io.github.acppool.turn.TurnResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** What the pool holds for a conversation: one agent process (its client) and the ACP session it serves. */
final class AgentConnection {

    /* Concurrency: the pool gives the connection to one turn at a time (its lock), but the eviction listener, the
     * closer and status() read it from other threads: everything mutable is volatile or atomic. evicted() and
     * watch() form a handshake like ActiveTurn's: the turn publishes the future it waits on, then re-reads
     * `evictedBy`; the listener writes `evictedBy`, then completes the published future. */

    final String conversationId;
    /** The agent this process runs. */
    final AgentRegistry.Agent agent;

    final AcpClient client;
    final String sessionId;
    final Path workingDirectory;
    final InitializeResult init;
    /** The conversation's generation when the connection was made; a reset since then makes it stale. */
    final long generation;

    private final AtomicReference<@Nullable String> pendingResetReason;
    private volatile @Nullable EvictionCause evictedBy;
    private volatile @Nullable CompletableFuture<TurnResult> watched;
    /** What the agent advertised for the session, updated by {@link AcpBroker#choose}. */
    volatile SessionSettings settings = SessionSettings.none();

    /** The settings chosen for the conversation (setting id to value), persisted with the session. */
    volatile Map<String, String> chosen = Map.of();

    /** Set by {@link AcpBroker#close(String)}: send session/close before stopping the process. */
    volatile boolean endSession;

    AgentConnection(
            String conversationId,
            AgentRegistry.Agent agent,
            AcpClient client,
            String sessionId,
            Path workingDirectory,
            InitializeResult init,
            long generation,
            @Nullable String resetReason) {
        this.conversationId = conversationId;
        this.agent = agent;
        this.client = client;
        this.sessionId = sessionId;
        this.workingDirectory = workingDirectory;
        this.init = init;
        this.generation = generation;
        this.pendingResetReason = new AtomicReference<>(resetReason);
    }

    /** The reason the stored session could not be resumed, once: only the first turn reports the reset. */
    @Nullable
    String takeResetReason() {
        return pendingResetReason.getAndSet(null);
    }

    /**
     * Makes {@code turnResult} (the turn's own copy of its result future) fail with {@link Evicted} if the
     * connection is force-evicted while the turn waits on it.
     */
    void watch(CompletableFuture<TurnResult> turnResult) {
        watched = turnResult;
        EvictionCause cause = evictedBy;
        if (cause != null) {
            turnResult.completeExceptionally(new Evicted(cause));
        }
    }

    void unwatch() {
        watched = null;
    }

    /** Called by the eviction listener, before the process is stopped. */
    void evicted(EvictionCause cause) {
        evictedBy = cause;
        CompletableFuture<TurnResult> waiting = watched;
        if (waiting != null) {
            waiting.completeExceptionally(new Evicted(cause));
        }
    }

    @Override
    public String toString() {
        return "agent of conversation " + conversationId + " (" + client + ", session " + sessionId + ")";
    }

    /** The signal a turn waiting on a force-evicted connection receives instead of its result. */
    static final class Evicted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient EvictionCause cause;

        Evicted(EvictionCause cause) {
            super("evicted: " + cause, null, false, false);
            this.cause = cause;
        }
    }
}
