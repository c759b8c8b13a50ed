package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.emoji.Emoji;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the status reactions of one message on Discord, in the order they were decided: each reaction call is sent
 * only once the one before it has completed (or failed), so the message ends with exactly the last status, whatever
 * threads set statuses and however slowly Discord answers.
 *
 * <p>Thread-safe.
 */
final class ReactionDriver {

    /*
     * Concurrency: `this` guards the state machine's use and `tail`, the last REST call of the chain. A change is
     * computed and appended to the chain under the monitor, so the chain's order is the order of decisions;
     * appending may call JDA's submit() (never blocks) when the chain is idle. The next call is sent from JDA's
     * callback thread when the previous completes, outside the monitor. The debounce tick runs on the scheduler.
     */
    private static final Logger LOG = LoggerFactory.getLogger(ReactionDriver.class);

    private final String conversationId;
    private final Message message;
    private final StatusReactions status;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;

    @GuardedBy("this")
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    @GuardedBy("this")
    private boolean tickScheduled;

    ReactionDriver(
            String conversationId,
            Message message,
            DiscordConfig config,
            ScheduledExecutorService scheduler,
            Ticker ticker) {
        this.conversationId = conversationId;
        this.message = message;
        this.status = new StatusReactions(config.statusEmoji(), config.statusDebounce());
        this.scheduler = scheduler;
        this.ticker = ticker;
    }

    synchronized void set(StatusReactions.Status next) {
        enqueue(status.set(next, ticker.read()));
        scheduleTick();
    }

    /** The turn is over and only its final status is to come: a debounced status still waiting never shows. */
    synchronized void settle() {
        status.settle();
    }

    /** Completes when every reaction call decided so far has been answered (for tests and ordering). */
    synchronized CompletableFuture<?> idle() {
        return tail;
    }

    @GuardedBy("this")
    private void enqueue(List<StatusReactions.Change> changes) {
        for (StatusReactions.Change change : changes) {
            tail = tail.handle((ignored, error) -> null).thenCompose(ignored -> send(change));
        }
    }

    private CompletableFuture<?> send(StatusReactions.Change change) {
        Emoji emoji = Emoji.fromUnicode(change.emoji());
        CompletableFuture<?> sent;
        try {
            sent = (change.add() ? message.addReaction(emoji) : message.removeReaction(emoji)).submit();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.debug(
                        "{} - status reaction {} on {} failed: {}",
                        conversationId,
                        change.emoji(),
                        message.getId(),
                        error.toString());
            }
        });
    }

    @GuardedBy("this")
    private void scheduleTick() {
        OptionalLong due = status.nextTickNanos();
        if (due.isEmpty() || tickScheduled) {
            return;
        }
        tickScheduled = true;
        long delay = Math.max(0, due.getAsLong() - ticker.read());
        try {
            var unused = scheduler.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            tickScheduled = false;
            LOG.debug("{} - status reaction not scheduled: {}", conversationId, e.toString());
        }
    }

    private synchronized void tick() {
        tickScheduled = false;
        enqueue(status.tick(ticker.read()));
        scheduleTick();
    }
}
