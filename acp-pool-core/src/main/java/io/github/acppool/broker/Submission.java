package io.github.acppool.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/** One submitted message: its listener, its future, and when it arrived. */
final class Submission {

    /* Concurrency: immutable but for the future (completed once, by whoever ends the message) and `callbacks`,
     * which serialises the listener's calls: the submitting thread holds it from before the message becomes
     * visible in the queue until onQueued returned, and the turn takes it around onTurnStarted, so onQueued
     * always comes first. While `callbacks` is held only the conversation's lock may be taken; the turn takes
     * `callbacks` while it holds the connection's lock (order: connection, callbacks, conversation; see
     * DefaultAcpBroker). */

    final ChatMessage message;
    final MessageListener listener;
    final long submittedNanos;
    final CompletableFuture<BrokerResult> future = new CompletableFuture<>();
    final ReentrantLock callbacks = new ReentrantLock();

    Submission(ChatMessage message, MessageListener listener, long submittedNanos) {
        this.message = message;
        this.listener = listener;
        this.submittedNanos = submittedNanos;
    }

    @Override
    public String toString() {
        return "message " + message.messageId() + " from " + message.sender().id();
    }
}
