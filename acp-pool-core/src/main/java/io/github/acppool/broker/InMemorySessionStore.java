package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions in a concurrent map; nothing survives the JVM. */
final class InMemorySessionStore implements SessionStore {
    private final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();

    @Override
    public Optional<StoredSession> get(String conversationId) {
        return Optional.ofNullable(sessions.get(Checks.notNull(conversationId, "conversationId")));
    }

    @Override
    public void put(String conversationId, StoredSession session) {
        sessions.put(Checks.notNull(conversationId, "conversationId"), Checks.notNull(session, "session"));
    }

    @Override
    public void remove(String conversationId) {
        sessions.remove(Checks.notNull(conversationId, "conversationId"));
    }

    @Override
    public Map<String, StoredSession> snapshot() {
        return Map.copyOf(sessions);
    }

    @Override
    public String toString() {
        return "SessionStore.inMemory(" + sessions.size() + " sessions)";
    }
}
