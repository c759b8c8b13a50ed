package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the streaming placeholder of one reply is edited: at most once per interval (default 1.5 s) and only
 * when the text changed since the last edit, with at most one edit in flight. The final edit is sent as soon as the
 * edit in flight (if any) is done, without waiting for the interval, and nothing is edited after it, so it always
 * wins over a slower intermediate edit.
 *
 * <p>Thread-safe: the turn's stream calls {@link #update}, JDA completes edits on its threads and the scheduler fires
 * on its own.
 */
final class EditCadence {

    /*
     * Concurrency: `lock` guards every field below it. Decisions are made under `lock`; the editor is called and
     * its future observed without it, so a synchronous editor or JDA callback cannot deadlock with us. The
     * `inFlight` flag is set under the lock before the editor is called, which is what keeps edits to one at a
     * time. The timer task and edit completions re-validate everything under the lock. Nothing here blocks.
     */
    private static final Logger LOG = LoggerFactory.getLogger(EditCadence.class);

    static final Duration DEFAULT_INTERVAL = Duration.ofMillis(1500);

    /** Performs one edit of the placeholder, e.g. {@code text -> message.editMessage(text).submit()}. */
    @FunctionalInterface
    interface Editor {
        CompletionStage<?> edit(String text);
    }

    private final String key;
    private final long intervalNanos;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final Editor editor;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private String latest;

    @GuardedBy("lock")
    private String lastSent;

    @GuardedBy("lock")
    private long lastEditStartNanos;

    @GuardedBy("lock")
    private boolean inFlight;

    @GuardedBy("lock")
    private @Nullable ScheduledFuture<?> timer;

    @GuardedBy("lock")
    private @Nullable String finalText;

    @GuardedBy("lock")
    private boolean finalInFlight;

    /** The final edit is sent even when the placeholder shows its text already (it also changes the buttons). */
    @GuardedBy("lock")
    private boolean finalAlways;

    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    /**
     * @param key names the conversation in log messages
     * @param placeholder the text the placeholder was sent with; the first edit comes one interval after this call
     */
    EditCadence(
            String key,
            String placeholder,
            Duration interval,
            ScheduledExecutorService scheduler,
            Ticker ticker,
            Editor editor) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.key = key;
        this.intervalNanos = interval.toNanos();
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.editor = editor;
        lock.lock();
        try {
            this.latest = placeholder;
            this.lastSent = placeholder;
            this.lastEditStartNanos = ticker.read();
        } finally {
            lock.unlock();
        }
    }

    /** The whole text to show now (already cut to a preview); ignored once {@link #finish} ran. */
    void update(String text) {
        String toSend;
        lock.lock();
        try {
            if (finalText != null) {
                return;
            }
            latest = text;
            toSend = nextEditLocked();
        } finally {
            lock.unlock();
        }
        send(toSend);
    }

    /**
     * Sends {@code text} as the last edit, after the edit in flight, if any. The future completes when it is done
     * (at once when the placeholder already shows it) and fails when the edit failed. Later calls return the same
     * future and do not change the final text.
     */
    CompletableFuture<Void> finish(String text) {
        return finish(text, false);
    }

    /** Like {@link #finish(String)}; with {@code always}, the final edit is sent even if the text is shown already. */
    CompletableFuture<Void> finish(String text, boolean always) {
        String toSend = null;
        lock.lock();
        try {
            if (finalText != null) {
                return finished;
            }
            finalText = text;
            finalAlways = always;
            cancelTimerLocked();
            if (!inFlight) {
                toSend = nextEditLocked();
                if (toSend == null) {
                    finished.complete(null);
                }
            }
        } finally {
            lock.unlock();
        }
        send(toSend);
        return finished;
    }

    /** What to send now, or null; arms the timer when an edit is wanted but not yet due. */
    @GuardedBy("lock")
    private @Nullable String nextEditLocked() {
        if (inFlight) {
            return null;
        }
        if (finalText != null) {
            if (finalText.equals(lastSent) && !finalAlways) {
                return null;
            }
            finalAlways = false;
            inFlight = true;
            finalInFlight = true;
            lastEditStartNanos = ticker.read();
            return finalText;
        }
        if (latest.equals(lastSent)) {
            return null;
        }
        long now = ticker.read();
        long due = lastEditStartNanos + intervalNanos;
        if (now - due >= 0) {
            inFlight = true;
            lastEditStartNanos = now;
            return latest;
        }
        if (timer == null) {
            timer = scheduler.schedule(this::onTimer, due - now, TimeUnit.NANOSECONDS);
        }
        return null;
    }

    private void onTimer() {
        String toSend;
        lock.lock();
        try {
            timer = null;
            toSend = nextEditLocked();
        } finally {
            lock.unlock();
        }
        send(toSend);
    }

    private void send(@Nullable String text) {
        if (text == null) {
            return;
        }
        CompletionStage<?> stage;
        try {
            stage = editor.edit(text);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((ignored, error) -> onEditDone(text, error));
    }

    private void onEditDone(String text, @Nullable Throwable error) {
        String toSend = null;
        lock.lock();
        try {
            inFlight = false;
            boolean wasFinal = finalInFlight;
            finalInFlight = false;
            if (error == null) {
                lastSent = text;
            } else {
                // Not lost: an intermediate edit is retried at the next slot, a final one fails `finished`.
                LOG.debug("{} - editing the streaming reply failed: {}", key, error.toString());
            }
            if (wasFinal) {
                if (error == null) {
                    finished.complete(null);
                } else {
                    finished.completeExceptionally(error);
                }
            } else {
                toSend = nextEditLocked();
                if (toSend == null && finalText != null) {
                    finished.complete(null);
                }
            }
        } finally {
            lock.unlock();
        }
        send(toSend);
    }

    @GuardedBy("lock")
    private void cancelTimerLocked() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
