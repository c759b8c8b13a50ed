package io.github.acppool.broker;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/** The broker's bookkeeping for one conversation: its queue, whether a turn runs, its current connection. */
final class Conversation {

    /* Concurrency: `lock` guards the queue, `running` and `retired`, and every write of `generation`. It is held
     * only for a few instructions of bookkeeping: never while calling a listener, a composer, the pool, the store
     * or an agent, and no other lock is taken while it is held except the broker map's bin lock (remove on
     * retire). Invariants under `lock`: !running implies an empty queue; a retired conversation is out of the
     * broker's map and never changes again. The rest is volatile or atomic and read without the lock (status). */

    final String id;
    final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    final ArrayDeque<Submission> queue = new ArrayDeque<>();

    /** A driver runs (or is about to run) this conversation's turns. */
    @GuardedBy("lock")
    boolean running;

    @GuardedBy("lock")
    boolean retired;

    /** Bumped (under lock) by reset and close; a connection made under an older generation is stale. */
    final AtomicLong generation = new AtomicLong();

    /**
     * The generation that the latest close(id) started (written under lock): a connection made under an older one
     * closes its session when it is stopped, also one whose factory still ran when close was called.
     */
    volatile long closedBelow;

    /**
     * Makes each store write of this conversation atomic with its generation check, so that a reset's remove
     * always wins over a persist that checked the generation before the reset (issue 12, race 1). Taken with at
     * most a connection lock held; under it only the store (and its own lock) is called.
     */
    final ReentrantLock storeLock = new ReentrantLock();

    volatile @Nullable ActiveTurn active;
    volatile @Nullable AgentConnection connection;
    volatile @Nullable String sessionId;
    /** The agent of its latest connection; kept after the connection is gone. */
    volatile @Nullable String agentId;

    volatile long lastActiveNanos;
    volatile @Nullable String lastError;
    final AtomicLong turns = new AtomicLong();

    Conversation(String id, long nowNanos) {
        this.id = id;
        this.lastActiveNanos = nowNanos;
    }

    /** Takes up to {@code max} queued messages; caller holds the lock. */
    @GuardedBy("lock")
    List<Submission> take(int max) {
        List<Submission> batch = new ArrayList<>(Math.min(max, queue.size()));
        while (batch.size() < max && !queue.isEmpty()) {
            batch.add(queue.pollFirst());
        }
        return batch;
    }

    /** Empties the queue; caller holds the lock. */
    @GuardedBy("lock")
    List<Submission> drain() {
        List<Submission> all = new ArrayList<>(queue);
        queue.clear();
        return all;
    }

    /** Records the conversation's new connection. */
    void connected(AgentConnection current) {
        lock.lock();
        try {
            connection = current;
            sessionId = current.sessionId;
            agentId = current.agent.id();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code gone} if it is still the current connection. */
    void connectionGone(AgentConnection gone) {
        lock.lock();
        try {
            if (connection == gone) {
                connection = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param chosenAgent the agent chosen for the conversation ({@link AcpBroker#useAgent}), if any
     * @param defaultAgent the broker's default agent
     */
    ConversationStatus snapshot(long nowNanos, @Nullable String chosenAgent, String defaultAgent) {
        boolean busy;
        int queued;
        lock.lock();
        try {
            busy = running;
            queued = queue.size();
        } finally {
            lock.unlock();
        }
        AgentConnection current = connection;
        String session = current != null ? current.sessionId : sessionId;
        Duration idle = busy ? Duration.ZERO : Duration.ofNanos(Math.max(0, nowNanos - lastActiveNanos));
        String agent = current != null
                ? current.agent.id()
                : chosenAgent != null ? chosenAgent : agentId != null ? agentId : defaultAgent;
        return new ConversationStatus(
                id,
                current != null && current.client.isAlive(),
                busy,
                queued,
                session,
                idle,
                turns.get(),
                lastError,
                agent);
    }

    @Override
    public String toString() {
        return "conversation " + id;
    }
}
