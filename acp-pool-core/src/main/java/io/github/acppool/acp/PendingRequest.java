package io.github.acppool.acp;

import com.google.errorprone.annotations.CheckReturnValue;
import java.util.concurrent.CompletableFuture;

/**
 * A request sent to the agent whose answer is outstanding. Thread-safe.
 *
 * @param <T> the result type
 */
public interface PendingRequest<T> {

    /** The JSON-RPC id the client gave the request. */
    long id();

    String method();

    /**
     * Completes with the result, or exceptionally with {@link AcpProtocolException}, {@link
     * AgentProcessException}, {@link AcpRequestTimeoutException} or {@link
     * java.util.concurrent.CancellationException} (after {@link #abandon()}). Cancelling it abandons the
     * request.
     */
    @CheckReturnValue
    CompletableFuture<T> future();

    /**
     * Forgets the request: its id is released so a late answer is logged and dropped (and can never
     * complete anything else), and {@link #future()} is cancelled. Sends nothing to the agent: to stop a
     * prompt turn, also call {@link AcpClient#cancel(String)}.
     *
     * @return true if the request was still outstanding
     */
    boolean abandon();
}
