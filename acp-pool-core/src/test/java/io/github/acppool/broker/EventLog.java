package io.github.acppool.broker;

import io.github.acppool.pool.EvictionCause;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A broker listener that records every call as a line of text. */
final class EventLog implements BrokerListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onConnectionCreated(String conversationId, String sessionId, Duration startup) {
        events.add("created " + conversationId + " " + sessionId);
    }

    @Override
    public void onSessionResumed(String conversationId, String sessionId, String method, int replayedUpdates) {
        events.add("resumed " + conversationId + " " + sessionId + " " + method + " replayed " + replayedUpdates);
    }

    @Override
    public void onSessionReset(String conversationId, String previousSessionId, String newSessionId, String reason) {
        events.add("reset " + conversationId + " " + previousSessionId + " -> " + newSessionId);
    }

    @Override
    public void onEvicted(String conversationId, String sessionId, EvictionCause cause) {
        events.add("evicted " + conversationId + " " + sessionId + " " + cause);
    }

    @Override
    public void onTurnFinished(String conversationId, BrokerResult result, Duration queueWait) {
        events.add("turn " + conversationId + " " + result.outcome() + " "
                + result.turnMessages().size());
    }

    List<String> matching(String prefix) {
        return events.stream().filter(e -> e.startsWith(prefix)).toList();
    }
}
