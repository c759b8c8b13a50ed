package io.github.acppool.acp;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.SessionUpdate;
import java.util.ArrayList;
import java.util.List;

/** A listener that keeps every update, for assertions. Thread-safe. */
final class Recorder implements SessionUpdateListener {
    private final List<SessionUpdate> updates = new ArrayList<>();

    @Override
    public synchronized void onUpdate(String sessionId, SessionUpdate update) {
        updates.add(update);
    }

    synchronized List<SessionUpdate> updates() {
        return List.copyOf(updates);
    }

    /** The text of every agent_message_chunk, in order. */
    synchronized List<String> messages() {
        List<String> out = new ArrayList<>();
        for (SessionUpdate update : updates) {
            if (update instanceof SessionUpdate.AgentMessageChunk chunk
                    && chunk.content() instanceof ContentBlock.Text text) {
                out.add(text.text());
            }
        }
        return out;
    }

    synchronized <T extends SessionUpdate> List<T> ofType(Class<T> type) {
        return updates.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
