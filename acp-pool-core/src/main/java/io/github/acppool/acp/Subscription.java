package io.github.acppool.acp;

/**
 * A listener's registration for one session's updates. Thread-safe; {@link #close()} is idempotent.
 */
public interface Subscription extends AutoCloseable {

    String sessionId();

    /** Stops delivery to this listener (unless another listener has replaced it already, which stays). */
    @Override
    void close();
}
