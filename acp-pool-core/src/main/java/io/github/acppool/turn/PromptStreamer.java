package io.github.acppool.turn;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.Ticker;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.SessionUpdateListener;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Runs prompt turns: sends one {@code session/prompt}, streams what the agent says to a {@link TurnListener}
 * as typed {@link TurnEvent}s, and always ends with a {@link TurnResult}, whatever the agent does.
 *
 * <pre>{@code
 * try (PromptStreamer streamer = PromptStreamer.builder()
 *         .drainPolicy(DrainPolicy.quietPeriod(Duration.ofSeconds(1), Duration.ofSeconds(5)))
 *         .livenessPolicy(LivenessPolicy.builder().inactivityTimeout(Duration.ofMinutes(10)).build())
 *         .build()) {
 *     TurnResult result = streamer.run(client, sessionId, List.of(ContentBlock.text("hello")), event -> {
 *         if (event instanceof TurnEvent.TextChunk chunk) {
 *             preview.append(chunk.text());
 *         }
 *     });
 *     chat.send(result.replyText());
 * }
 * }</pre>
 *
 * <p>A turn:
 *
 * <ul>
 *   <li>checks the prompt against the agent's advertised {@code promptCapabilities} (images, audio and
 *       embedded resources need them; text and resource links are always allowed) and, if it does not fit,
 *       sends nothing and ends as {@link TurnResult.Outcome#REJECTED};
 *   <li>owns the session's updates from just before its prompt is written: the streamer keeps one listener per
 *       session on the client, which routes each update to its turn. The prompt is written once the session
 *       has been quiet for the {@link Builder#quietGap quiet gap} (at once when it has been quiet longer);
 *       what arrives before that belongs to the previous turn, whose listener gets it through {@link
 *       TurnListener#onLateEvent}, or to the session's {@link #history(AcpClient, String, SessionUpdateListener) history} after a load. ACP v1 updates
 *       carry no turn id: where the agent tags chunks with a message id, a chunk with the previous turn's id
 *       goes to that turn even after the next prompt was written;
 *   <li>after the answer keeps collecting for the {@link DrainPolicy}'s window;
 *   <li>tells its listener {@link TurnEvent.StillWorking} when the agent has been silent for the {@link
 *       LivenessPolicy}'s {@code stillWorkingInterval};
 *   <li>while waiting for the answer follows the {@link LivenessPolicy}: checks the process every interval,
 *       ends at once when it died (and as soon as the client sees its stdout close), and on the inactivity
 *       or hard timeout sends {@code session/cancel} and abandons the request id so that a late answer can
 *       never complete a later turn (openab #732);
 *   <li>can be cancelled from any thread ({@link TurnHandle#cancel()}).
 * </ul>
 *
 * <p>One turn at a time per session is the caller's rule (ACP allows no more); turns of different sessions
 * and clients run independently. Every timer runs on the streamer's scheduler, so tests can drive them with
 * a fake one. Thread-safe: any thread may start turns, and {@link #close()} ends every turn still running.
 */
public interface PromptStreamer extends AutoCloseable {

    /** How long a cancelled turn waits for the agent's answer by default. */
    Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(10);

    /**
     * Sends the prompt and returns at once; the listener receives the turn's events.
     *
     * @throws IllegalArgumentException if {@code prompt} is empty
     * @throws IllegalStateException if the streamer was closed
     */
    TurnHandle start(AcpClient client, String sessionId, List<ContentBlock> prompt, TurnListener listener);

    /**
     * Starts consuming a session's history before you send its {@code session/load}: every update of the
     * session until its first prompt is written (the load's replay, whether it comes before or after the
     * load's answer) goes to {@code listener} (if not null) and is counted, never to a turn. Call {@link
     * SessionHistory#loaded()} when the load answers; the first prompt waits for the quiet gap after it. Call
     * {@link SessionHistory#close()} if the load fails.
     */
    SessionHistory history(AcpClient client, String sessionId, @Nullable SessionUpdateListener listener);

    /**
     * Runs a turn and waits for its result ({@link TurnHandle#await()}: an interrupt cancels the turn).
     *
     * @throws IllegalArgumentException if {@code prompt} is empty
     * @throws IllegalStateException if the streamer was closed
     */
    default TurnResult run(AcpClient client, String sessionId, List<ContentBlock> prompt, TurnListener listener) {
        return start(client, sessionId, prompt, listener).await();
    }

    /**
     * Ends every turn still running (as cancelled: {@code session/cancel} is sent and the request abandoned,
     * or as completed if the agent had answered) and shuts the scheduler down if the streamer owns it. Never
     * waits for the agent. Idempotent.
     */
    @Override
    void close();

    /** A streamer with every default (see {@link Builder}); close it to stop its timer thread. */
    static PromptStreamer create() {
        return builder().build();
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * Set-once builder (setting a value twice is an error), validated in {@link #build()}; not thread-safe.
     * Defaults:
     *
     * <ul>
     *   <li>{@code drainPolicy} {@link DrainPolicy#defaultPolicy()} (fixed {@link DrainPolicy#DEFAULT_WINDOW});
     *   <li>{@code livenessPolicy} {@link LivenessPolicy#defaults()};
     *   <li>{@code cancelGrace} {@link #DEFAULT_CANCEL_GRACE};
     *   <li>{@code quietGap}: the drain policy's window (how long it collects after an answer when nothing else
     *       arrives: {@link DrainPolicy#DEFAULT_WINDOW} for the default policy, zero for {@link
     *       DrainPolicy#none()});
     *   <li>{@code scheduler}: one daemon timer thread of the streamer's own, shut down by {@link #close()};
     *   <li>{@code ticker} {@link Ticker#systemTicker()}: give a fake scheduler's ticker along with it.
     * </ul>
     *
     * Defaults may change between releases.
     */
    final class Builder {
        private @Nullable DrainPolicy drainPolicy;
        private @Nullable LivenessPolicy livenessPolicy;
        private @Nullable Duration cancelGrace;
        private @Nullable Duration quietGap;
        private @Nullable ScheduledExecutorService scheduler;
        private boolean shutdownSchedulerOnClose;
        private @Nullable Ticker ticker;

        private Builder() {}

        @CanIgnoreReturnValue
        public Builder drainPolicy(DrainPolicy value) {
            drainPolicy = Checks.setOnce(drainPolicy, value, "drainPolicy");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder livenessPolicy(LivenessPolicy value) {
            livenessPolicy = Checks.setOnce(livenessPolicy, value, "livenessPolicy");
            return this;
        }

        /** How long a cancelled turn waits for the agent's answer before it ends without one. */
        @CanIgnoreReturnValue
        public Builder cancelGrace(Duration value) {
            cancelGrace = Checks.positive(Checks.setOnce(cancelGrace, value, "cancelGrace"), "cancelGrace");
            return this;
        }

        /**
         * How long a session must have been quiet (no update, no answer) before its next prompt is written:
         * what arrives before the prompt belongs to the previous turn (its listener gets it as a late event) or
         * to the loaded history. Only back-to-back prompts pay it: a prompt sent longer than the gap after the
         * session's last update waits for nothing. Zero writes every prompt at once.
         */
        @CanIgnoreReturnValue
        public Builder quietGap(Duration value) {
            quietGap = Checks.nonNegative(Checks.setOnce(quietGap, value, "quietGap"), "quietGap");
            return this;
        }

        /**
         * Runs every timer of every turn (drain window, liveness ticks, timeouts, cancel grace) on {@code
         * scheduler}; its tasks are short and never block. The streamer shuts it down on {@link #close()}
         * only if {@code shutdownOnClose}.
         *
         * <p>Every turn cancels its timers when it ends, its hard timeout included (30 minutes away by
         * default). Give a {@link java.util.concurrent.ScheduledThreadPoolExecutor} {@code
         * setRemoveOnCancelPolicy(true)}: otherwise each cancelled timer stays queued, holding its turn (reply
         * text, tool calls, listener, client), until its time comes.
         */
        @CanIgnoreReturnValue
        public Builder scheduler(ScheduledExecutorService value, boolean shutdownOnClose) {
            scheduler = Checks.setOnce(scheduler, value, "scheduler");
            shutdownSchedulerOnClose = shutdownOnClose;
            return this;
        }

        /** The clock for timings, inactivity and drain windows; must agree with the scheduler's delays. */
        @CanIgnoreReturnValue
        public Builder ticker(Ticker value) {
            ticker = Checks.setOnce(ticker, value, "ticker");
            return this;
        }

        public PromptStreamer build() {
            DrainPolicy drain = drainPolicy == null ? DrainPolicy.defaultPolicy() : drainPolicy;
            return new DefaultPromptStreamer(
                    drain,
                    livenessPolicy == null ? LivenessPolicy.defaults() : livenessPolicy,
                    cancelGrace == null ? DEFAULT_CANCEL_GRACE : cancelGrace,
                    quietGap == null ? windowOf(drain) : quietGap,
                    scheduler,
                    shutdownSchedulerOnClose,
                    ticker == null ? Ticker.systemTicker() : ticker);
        }

        /** How long the policy collects after an answer when nothing else arrives. */
        private static Duration windowOf(DrainPolicy drain) {
            try {
                Duration window = drain.remaining(Duration.ZERO, Duration.ZERO);
                return window.isNegative() ? Duration.ZERO : window;
            } catch (RuntimeException e) {
                return DrainPolicy.DEFAULT_WINDOW;
            }
        }
    }
}
