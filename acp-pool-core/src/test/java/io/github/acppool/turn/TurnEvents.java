package io.github.acppool.turn;

import java.util.ArrayList;
import java.util.List;

/** A listener that keeps every event, for assertions. Thread-safe. */
final class TurnEvents implements TurnListener {
    private final List<TurnEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(TurnEvent event) {
        events.add(event);
    }

    synchronized List<TurnEvent> events() {
        return List.copyOf(events);
    }

    /** The text of every text chunk, in order. */
    synchronized List<String> chunks() {
        List<String> out = new ArrayList<>();
        for (TurnEvent event : events) {
            if (event instanceof TurnEvent.TextChunk chunk) {
                out.add(chunk.text());
            }
        }
        return out;
    }

    synchronized String text() {
        return String.join("", chunks());
    }

    synchronized <T extends TurnEvent> List<T> ofType(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
