package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The status reaction of one turn's trigger message, as a state machine over an explicit clock: it says which
 * reactions to add and remove, and when to call {@link #tick} next; the adapter performs the changes and schedules the
 * tick.
 *
 * <p>One status reaction is shown at a time. The first status, and QUEUED, DONE and ERROR, show at once; THINKING and
 * TOOL replace a shown status only once they have lasted the debounce time (default 700 ms, openab's), so a turn that
 * flips between thinking and tools does not make the message flicker. DONE, CANCELLED and ERROR are final, and
 * {@link #settle} drops a debounced status still waiting (the turn is over, only its final status is to come). The new reaction is
 * added before the old one is removed, so the message never shows none.
 *
 * <p>Thread-safe.
 */
final class StatusReactions {

    /* Concurrency: all state is guarded by `this`; methods only compute, they never call out. */
    static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(700);

    /** The statuses of a turn. */
    enum Status {
        QUEUED,
        THINKING,
        TOOL,
        DONE,
        CANCELLED,
        ERROR;

        boolean isFinal() {
            return this == DONE || this == CANCELLED || this == ERROR;
        }

        boolean isDebounced() {
            return this == THINKING || this == TOOL;
        }
    }

    /** Add or remove one reaction. */
    record Change(boolean add, String emoji) {}

    private final StatusEmoji emoji;
    private final long debounceNanos;

    @GuardedBy("this")
    private @Nullable Status shown;

    @GuardedBy("this")
    private @Nullable Status pending;

    @GuardedBy("this")
    private long pendingSinceNanos;

    StatusReactions(StatusEmoji emoji, Duration debounce) {
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("debounce must not be negative: " + debounce);
        }
        this.emoji = emoji;
        this.debounceNanos = debounce.toNanos();
    }

    /** The turn reached {@code status} at {@code nowNanos}; returns the changes to make now. */
    synchronized List<Change> set(Status status, long nowNanos) {
        if (shown != null && shown.isFinal()) {
            return List.of();
        }
        if (status == shown) {
            pending = null;
            return List.of();
        }
        if (shown == null || !status.isDebounced()) {
            pending = null;
            return show(status);
        }
        if (status != pending) {
            pending = status;
            pendingSinceNanos = nowNanos;
        }
        return tick(nowNanos);
    }

    /** Applies a debounced status whose time has come. */
    synchronized List<Change> tick(long nowNanos) {
        if (pending != null && nowNanos - pendingSinceNanos >= debounceNanos) {
            Status next = pending;
            pending = null;
            return show(next);
        }
        return List.of();
    }

    /** The turn is over: a debounced status still waiting never shows. */
    synchronized void settle() {
        pending = null;
    }

    /** When {@link #tick} has work to do, if ever. */
    synchronized OptionalLong nextTickNanos() {
        return pending == null ? OptionalLong.empty() : OptionalLong.of(pendingSinceNanos + debounceNanos);
    }

    synchronized @Nullable Status shown() {
        return shown;
    }

    @GuardedBy("this")
    private List<Change> show(Status status) {
        List<Change> changes = new ArrayList<>(2);
        String next = emojiFor(status);
        changes.add(new Change(true, next));
        if (shown != null && !emojiFor(shown).equals(next)) {
            changes.add(new Change(false, emojiFor(shown)));
        }
        shown = status;
        return changes;
    }

    private String emojiFor(Status status) {
        return switch (status) {
            case QUEUED -> emoji.queued();
            case THINKING -> emoji.thinking();
            case TOOL -> emoji.tool();
            case DONE -> emoji.done();
            case CANCELLED -> emoji.cancelled();
            case ERROR -> emoji.error();
        };
    }
}
