package io.github.acppool.broker;

import io.github.acppool.turn.TurnEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** A message listener that records every call, in order, as text. */
final class Recorder implements MessageListener {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final StringBuffer text = new StringBuffer();
    /** The text of late chunks (kept apart from {@link #calls}, which tests compare exactly). */
    final StringBuffer late = new StringBuffer();

    final CountDownLatch firstChunk = new CountDownLatch(1);
    volatile TurnStart start;

    @Override
    public void onQueued(int position) {
        calls.add("queued " + position);
    }

    @Override
    public void onTurnStarted(TurnStart turn) {
        start = turn;
        calls.add("started "
                + turn.messages().stream().map(ChatMessage::messageId).toList() + " reply to "
                + turn.replyTo().messageId());
    }

    @Override
    public void onEvent(TurnEvent event) {
        if (event instanceof TurnEvent.TextChunk chunk) {
            text.append(chunk.text());
            calls.add("chunk " + chunk.text());
            firstChunk.countDown();
        }
    }

    @Override
    public void onLateEvent(TurnEvent event) {
        if (event instanceof TurnEvent.TextChunk chunk) {
            late.append(chunk.text());
        }
    }
}
