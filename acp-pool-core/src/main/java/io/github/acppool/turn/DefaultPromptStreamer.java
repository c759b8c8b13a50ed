package io.github.acppool.turn;

import io.github.acppool.Ticker;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.SessionUpdateListener;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** The {@link PromptStreamer}: configuration, the scheduler, and the set of turns in flight. */
final class DefaultPromptStreamer implements PromptStreamer {

    /* Concurrency: the configuration is immutable. `turns` (a concurrent set) holds the turns in flight so that
     * close() can end them; a turn removes itself as it completes. start() registers a turn and then re-checks
     * `closed`, so a turn that races close() is ended by one of the two. A session's SessionLine lives on its
     * client (found again through AcpClient.listener), not here, so the streamer holds nothing per session and
     * a line goes away with its client. Nothing here takes a lock; nothing here blocks. */

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    final DrainPolicy drainPolicy;
    final LivenessPolicy livenessPolicy;
    final Duration cancelGrace;
    final Duration quietGap;
    final long quietGapNanos;
    final ScheduledExecutorService scheduler;
    final Ticker ticker;
    private final boolean ownsScheduler;
    private final Set<DefaultTurn> turns = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    DefaultPromptStreamer(
            DrainPolicy drainPolicy,
            LivenessPolicy livenessPolicy,
            Duration cancelGrace,
            Duration quietGap,
            @Nullable ScheduledExecutorService scheduler,
            boolean shutdownSchedulerOnClose,
            Ticker ticker) {
        this.drainPolicy = drainPolicy;
        this.livenessPolicy = livenessPolicy;
        this.cancelGrace = cancelGrace;
        this.quietGap = quietGap;
        this.quietGapNanos = quietGap.compareTo(Duration.ofDays(365)) > 0
                ? Duration.ofDays(365).toNanos()
                : quietGap.toNanos();
        this.ticker = ticker;
        if (scheduler != null) {
            this.scheduler = scheduler;
            this.ownsScheduler = shutdownSchedulerOnClose;
        } else {
            String name = "acp-pool-turn-timer-" + SEQUENCE.incrementAndGet();
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, name);
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
            this.scheduler = timer;
            this.ownsScheduler = true;
        }
    }

    @Override
    public TurnHandle start(AcpClient client, String sessionId, List<ContentBlock> prompt, TurnListener listener) {
        Checks.notNull(client, "client");
        Checks.notNull(sessionId, "sessionId");
        Checks.notNull(prompt, "prompt");
        Checks.notNull(listener, "listener");
        Checks.argument(!prompt.isEmpty(), "prompt must not be empty");
        List<ContentBlock> blocks = new ArrayList<>(prompt.size());
        for (ContentBlock block : prompt) {
            blocks.add(Checks.notNull(block, "prompt block"));
        }
        Checks.state(!closed.get(), "the prompt streamer is closed");
        DefaultTurn turn = new DefaultTurn(this, client, sessionId, listener);
        turns.add(turn);
        turn.start(List.copyOf(blocks));
        if (closed.get()) {
            turn.shutdown();
        }
        return turn;
    }

    /** The session's line: the one a previous turn of this streamer left on the client, or a new one. */
    SessionLine line(AcpClient client, String sessionId) {
        SessionUpdateListener current = client.listener(sessionId).orElse(null);
        if (current instanceof SessionLine line && line.streamer == this && line.client == client) {
            return line;
        }
        SessionLine line = new SessionLine(this, client, sessionId, null);
        var unused = client.subscribe(sessionId, line);
        return line;
    }

    @Override
    public SessionHistory history(AcpClient client, String sessionId, @Nullable SessionUpdateListener listener) {
        Checks.notNull(client, "client");
        Checks.notNull(sessionId, "sessionId");
        SessionLine line = new SessionLine(this, client, sessionId, null);
        SessionLine.History history = new SessionLine.History(line, listener);
        line.handOver(history);
        line.touch();
        history.subscribed(client.subscribe(sessionId, line));
        return history;
    }

    void ended(DefaultTurn turn) {
        turns.remove(turn);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (DefaultTurn turn : turns) {
            turn.shutdown();
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "PromptStreamer[drain " + drainPolicy + ", " + livenessPolicy + ", cancel grace " + cancelGrace
                + ", quiet gap " + quietGap + ", " + turns.size() + " turns in flight]";
    }
}
