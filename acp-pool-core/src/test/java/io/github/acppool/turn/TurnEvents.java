package io.github.acppool.turn;

import java.util.ArrayList;
import java.util.List;

/** A listener that keeps every event, for assertions. Thread-safe. */
final class TurnEvents implements TurnListener {
    private final List<TurnEvent> events = new ArrayList<>();
    private final List<TurnEvent> late = new ArrayList<>();

    @Override
    public synchronized void onEvent(TurnEvent event) {
        events.add(event);
    }

    @Override
    public synchronized void onLateEvent(TurnEvent event) {
        late.add(event);
    }

    synchronized List<TurnEvent> lateEvents() {
        return List.copyOf(late);
    }

    /** The text of every late text chunk, in order. */
    synchronized String lateText() {
        StringBuilder out = new StringBuilder();
        for (TurnEvent event : late) {
            if (event instanceof TurnEvent.TextChunk chunk) {
                out.append(chunk.text());
            }
        }
        return out.toString();
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
