package io.github.acppool.acp;

import io.github.acppool.acp.schema.SessionUpdate;

/**
 * Receives one session's {@code session/update} notifications, strictly in arrival order and on one thread
 * at a time (never on the stdout reader thread). Everything that arrived before the answer to a request was
 * delivered (this method returned) before that request's future completes.
 *
 * <p>A slow listener slows the stdout reader down once its bounded queue is full (back-pressure) but never
 * stops the client from answering the agent's requests. A listener must not block waiting for the answer to
 * a request of the same client: that answer may be queued behind it. An exception thrown here is logged and
 * the next update is still delivered.
 *
 * <p>A listener subscribed to one session is called by one thread at a time, so it needs no locking of its
 * own unless it shares state with other sessions or threads.
 */
@FunctionalInterface
public interface SessionUpdateListener {
    void onUpdate(String sessionId, SessionUpdate update);
}
