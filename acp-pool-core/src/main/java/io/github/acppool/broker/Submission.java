package io.github.acppool.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/** One submitted message: its listener, its future, and when it arrived. */
final class Submission {

    /* Concurrency: immutable but for the future (completed once, by whoever ends the message) and `callbacks`,
     * which serialises the listener's calls: the submitting thread holds it from before the message becomes
     * visible in the queue until onQueued returned, and the turn takes it around onTurnStarted, so onQueued
     * always comes first. Whoever completes the future passes `callbacks` first (complete/fail), so every listener
     * call happens before the future completes, also for a message dropped from the queue. While `callbacks` is
     * held only the conversation's lock may be taken; the turn takes `callbacks` while it holds the connection's
     * lock (order: connection, callbacks, conversation; see DefaultAcpBroker). */

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

    /** Completes the message's future once every listener call has returned (MessageListener's contract). */
    void complete(BrokerResult result) {
        awaitCallbacks();
        future.complete(result);
    }

    /** Fails the message's future once every listener call has returned. */
    void fail(Throwable failure) {
        awaitCallbacks();
        future.completeExceptionally(failure);
    }

    /**
     * Passes the callbacks lock once: whoever took this submission from the queue then runs after the submitter's
     * onQueued (the submitter holds the lock from before the message became visible until onQueued returned). The
     * future completes after the lock is released, so no dependent action of the caller's runs under it.
     */
    private void awaitCallbacks() {
        callbacks.lock();
        try {
            // Nothing to do under it: acquiring it is the point.
        } finally {
            callbacks.unlock();
        }
    }

    @Override
    public String toString() {
        return "message " + message.messageId() + " from " + message.sender().id();
    }
}
