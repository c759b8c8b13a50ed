package io.github.acppool.turn;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.SessionUpdateListener;
import io.github.acppool.acp.Subscription;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.internal.Json;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's one listener on its client for as long as the streamer prompts it: it routes each update to the
 * turn (or history) it belongs to, by time, and remembers when the session was last heard from.
 *
 * <p>Attribution: an update goes to the owner of the session at the time it is delivered. A turn becomes the
 * owner just before its prompt is written, so everything before that (the tail of the previous turn, a
 * replayed history) goes to the previous owner, and a finished turn hands what it gets to its listener as a
 * late event. An agent message or thought chunk whose message id the previous owner has seen and the current
 * one has not goes to the previous owner even after the new prompt was written.
 *
 * <p>The quiet gap: a turn writes its prompt only once the session has been quiet (no update delivered, none
 * being delivered) for the streamer's quiet gap since its last update or answer, so the tail of the previous
 * turn has had the gap to arrive. A session that was never heard from needs no wait.
 */
final class SessionLine implements SessionUpdateListener {

    /* Concurrency: onUpdate runs on the client's delivery thread for the session, one call at a time. `owner` and
     * `previous` are volatile and written only by the thread that writes the session's next prompt (one at a
     * time per session, the streamer's contract), just before it writes; a delivery that races the hand-over goes
     * to either owner (that is the "at the time it is delivered" above). `lastActivityNanos`, `heard` and the
     * `delivering` count are written by the delivery thread and by a turn's answer, and read by the thread that
     * decides whether to write the prompt now. Owners are thread-safe themselves. No lock. */

    private static final Logger LOG = LoggerFactory.getLogger(SessionLine.class);

    /** Who gets a session's updates. */
    interface Owner {
        /** Takes an update on the delivery thread. */
        void take(SessionUpdate update);

        /** True if an agent message or thought chunk with this message id went to this owner. */
        boolean saw(String messageId);
    }

    final DefaultPromptStreamer streamer;
    final AcpClient client;
    final String sessionId;
    private volatile Owner owner;
    private volatile @Nullable Owner previous;
    private volatile long lastActivityNanos;
    private volatile boolean heard;
    private final AtomicInteger delivering = new AtomicInteger();

    SessionLine(DefaultPromptStreamer streamer, AcpClient client, String sessionId, @Nullable Owner first) {
        this.streamer = streamer;
        this.client = client;
        this.sessionId = sessionId;
        this.owner = first != null ? first : new Nobody(client, sessionId);
    }

    @Override
    public void onUpdate(String updateSessionId, SessionUpdate update) {
        if (!sessionId.equals(updateSessionId)) {
            LOG.debug("{} - session {} ignored an update of session {}", client, sessionId, updateSessionId);
            return;
        }
        delivering.incrementAndGet();
        touch();
        try {
            Owner target = owner;
            Owner before = previous;
            String messageId = messageId(update);
            if (messageId != null
                    && before != null
                    && before != target
                    && before.saw(messageId)
                    && !target.saw(messageId)) {
                target = before;
            }
            target.take(update);
        } finally {
            touch();
            delivering.decrementAndGet();
        }
    }

    /** Marks the session as active now (an update, or a prompt's or load's answer). */
    void touch() {
        lastActivityNanos = streamer.ticker.read();
        heard = true;
    }

    /** How long the next prompt must still wait for the quiet gap; zero or less: write it now. */
    long waitNanos() {
        long gap = streamer.quietGapNanos;
        if (gap == 0 || !heard) {
            return 0;
        }
        if (delivering.get() > 0) {
            return gap; // a listener is busy with an update: the session is not quiet
        }
        return gap - (streamer.ticker.read() - lastActivityNanos);
    }

    /** Called just before {@code next}'s prompt is written: from now on the session's updates are its. */
    void handOver(Owner next) {
        previous = owner;
        owner = next;
    }

    private static @Nullable String messageId(SessionUpdate update) {
        if (update instanceof SessionUpdate.AgentMessageChunk chunk) {
            return chunk.messageId();
        }
        if (update instanceof SessionUpdate.AgentThoughtChunk thought) {
            return thought.messageId();
        }
        return null;
    }

    /** Records a chunk's message id, if it has one, in {@code ids}. */
    static void record(Set<String> ids, SessionUpdate update) {
        String id = messageId(update);
        if (id != null) {
            ids.add(id);
        }
    }

    @Override
    public String toString() {
        return "SessionLine[" + client + ", session " + sessionId + ", owner " + owner + "]";
    }

    /** The owner of a session the streamer has not prompted yet: logs and drops. */
    private record Nobody(AcpClient client, String sessionId) implements Owner {
        @Override
        public void take(SessionUpdate update) {
            if (update instanceof SessionUpdate.AgentMessageChunk chunk
                    && chunk.content() instanceof ContentBlock.Text text) {
                LOG.info(
                        "{} - session {}: dropped {} chars of text that came before the session's first prompt: {}",
                        client,
                        sessionId,
                        text.text().length(),
                        Json.preview(text.text(), 80));
            } else {
                LOG.debug(
                        "{} - session {}: dropped a {} update before the first prompt",
                        client,
                        sessionId,
                        update.kind());
            }
        }

        @Override
        public boolean saw(String messageId) {
            return false;
        }
    }

    /** A session being loaded: everything until its first prompt is history. */
    static final class History implements Owner, SessionHistory {
        private final SessionLine line;
        private final @Nullable SessionUpdateListener listener;
        private final AtomicInteger replayed = new AtomicInteger();
        private final Set<String> ids = ConcurrentHashMap.newKeySet();
        private volatile @Nullable Subscription subscription;
        private volatile boolean closed;

        History(SessionLine line, @Nullable SessionUpdateListener listener) {
            this.line = line;
            this.listener = listener;
        }

        void subscribed(Subscription value) {
            subscription = value;
        }

        @Override
        public void take(SessionUpdate update) {
            if (closed) {
                return;
            }
            replayed.incrementAndGet();
            record(ids, update);
            SessionUpdateListener target = listener;
            if (target == null) {
                return;
            }
            try {
                target.onUpdate(line.sessionId, update);
            } catch (RuntimeException e) {
                LOG.warn("{} - session {}: the history listener threw", line.client, line.sessionId, e);
            }
        }

        @Override
        public boolean saw(String messageId) {
            return ids.contains(messageId);
        }

        @Override
        public int replayed() {
            return replayed.get();
        }

        @Override
        public CompletableFuture<Integer> loaded() {
            line.touch();
            CompletableFuture<Integer> quiet = new CompletableFuture<>();
            checkQuiet(quiet);
            return quiet;
        }

        private void checkQuiet(CompletableFuture<Integer> quiet) {
            long wait = line.waitNanos();
            if (wait <= 0 || closed) {
                quiet.complete(replayed.get());
                return;
            }
            try {
                var unused = line.streamer.scheduler.schedule(() -> checkQuiet(quiet), wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                quiet.completeExceptionally(e);
            }
        }

        @Override
        public void close() {
            closed = true;
            Subscription current = subscription;
            if (current != null) {
                current.close();
            }
        }

        @Override
        public String toString() {
            return "History[" + replayed.get() + " updates]";
        }
    }
}
