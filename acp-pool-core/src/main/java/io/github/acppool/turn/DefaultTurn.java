package io.github.acppool.turn;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.AcpPoolException;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpRequestTimeoutException;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.PendingRequest;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.PromptCapabilities;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.turn.TurnResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One prompt turn: the owner of its session's updates, the timers, and the state machine that ends it. */
final class DefaultTurn implements TurnHandle, SessionLine.Owner {

    /*
     * Concurrency
     *
     * Four kinds of thread touch a turn: the client's delivery thread for the session (take: one call at a
     * time, in arrival order, through the session's SessionLine), the client's executor (the prompt's answer),
     * the streamer's scheduler (the quiet-gap wait before the prompt, drain window, liveness ticks, still-working
     * notices, timeouts, cancel grace) and any caller (cancel, the streamer's close). `state` packs the phase (RUNNING -> DRAINING -> DONE, or RUNNING -> DONE) and the number of
     * threads "inside" the turn:
     *
     * - start, take, the prompt's write and cancel enter (count + 1) only while the phase is not DONE, and leave when done.
     * - Ending the turn is one CAS from an expected phase to DONE that also enters. The winner records the
     *   Ending, cancels the timers, abandons the request and sends session/cancel if needed, then leaves. A
     *   loser re-reads the phase (a timeout that lost to the answer ends the drain instead, or does nothing).
     * - Whoever leaves last in phase DONE (the count reaches 0) builds and completes the result: exactly once,
     *   after the listener's last call returned and after session/cancel went out, so a caller that starts
     *   the next turn as soon as the result arrives can never have it cancelled by this one. Entering fails
     *   in DONE, so no listener call starts after the result.
     * - The reply model (text, toolCalls, first chunk time, listener errors) is written only by onUpdate while
     *   inside, and read only by the completing thread; the atomic state orders those accesses. Everything
     *   else shared is final, volatile or atomic: lastActivityNanos, request, answered, ending, the timers.
     * - Arming a timer stores its future and then re-reads the phase; ending moves the phase to DONE and then
     *   cancels the stored timers. One of the two sees the other, so no timer armed while the turn ends
     *   outlives it on a shared scheduler. (A timer that fires before its future is stored, which only a
     *   near-zero delay allows, finds the phase moved on and returns.)
     * - The listener is called under `listenerLock` only, so that a StillWorking notice from the scheduler and
     *   an update from the delivery thread never call it at once (the listener's one-at-a-time contract). Late
     *   updates (take after DONE) are converted without touching the reply model: tool calls merge into
     *   `lateToolCalls`, which only the delivery thread uses; `toolCalls` is only read then (the delivery
     *   thread was its only writer), so completing concurrently is safe.
     * - The prompt is written by start() or, when the session must first be quiet for the quiet gap, by a
     *   timer; either runs inside. cancel() before the write ends the turn at once; a write that races it sees
     *   DONE afterwards and abandons its request and sends session/cancel, as start() always did.
     * - Nothing here blocks except the listener (on the delivery thread, by contract) and await().
     */

    private static final Logger LOG = LoggerFactory.getLogger(DefaultTurn.class);

    private static final int PHASE = 3;
    private static final int RUNNING = 0;
    private static final int DRAINING = 1;
    private static final int DONE = 2;
    private static final int INSIDE = 4;
    /** Longer delays are cut to this (73 years), so that deadlines cannot overflow. */
    private static final long MAX_DELAY_NANOS = Long.MAX_VALUE / 4;

    private record Answer(
            @Nullable PromptResult result, @Nullable Throwable error, long nanos) {}

    private record Ending(
            Outcome outcome,
            @Nullable Answer answer,
            @Nullable Throwable error) {}

    private final DefaultPromptStreamer streamer;
    private final AcpClient client;
    private final String sessionId;
    private final TurnListener listener;
    /** The client's dropped-line counters when the turn began: what they gained since was lost from this turn. */
    private final long droppedLinesBefore;

    private final long droppedBytesBefore;
    private final long startNanos;
    private final long hardDeadlineNanos;
    private final CompletableFuture<TurnResult> result = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final AtomicBoolean cancelRequested = new AtomicBoolean();

    private volatile long lastActivityNanos;
    private volatile @Nullable PendingRequest<PromptResult> request;
    private volatile @Nullable Answer answered;
    private volatile @Nullable Ending ending;
    private volatile @Nullable SessionLine line;
    private volatile @Nullable ScheduledFuture<?> hardTimer;
    private volatile @Nullable ScheduledFuture<?> livenessTimer;
    private volatile @Nullable ScheduledFuture<?> inactivityTimer;
    private volatile @Nullable ScheduledFuture<?> drainTimer;
    private volatile @Nullable ScheduledFuture<?> graceTimer;
    private volatile @Nullable ScheduledFuture<?> promptTimer;
    private volatile @Nullable ScheduledFuture<?> stillWorkingTimer;
    private final ReentrantLock listenerLock = new ReentrantLock();
    /** Message ids of the chunks this turn received (in time or late). */
    private final Set<String> messageIds = ConcurrentHashMap.newKeySet();
    /** Delivery thread only: tool calls as late updates changed them. */
    private final Map<String, ToolCall> lateToolCalls = new HashMap<>();

    // The reply model: see Concurrency.
    private final StringBuilder text = new StringBuilder();
    private final Map<String, ToolCall> toolCalls = new LinkedHashMap<>();
    private long firstChunkNanos;
    private boolean sawChunk;
    private final List<Throwable> listenerErrors = new ArrayList<>();
    private int listenerErrorCount;

    DefaultTurn(DefaultPromptStreamer streamer, AcpClient client, String sessionId, TurnListener listener) {
        this.streamer = streamer;
        this.client = client;
        this.sessionId = sessionId;
        this.listener = listener;
        this.droppedLinesBefore = client.droppedLines();
        this.droppedBytesBefore = client.droppedLineBytes();
        this.startNanos = streamer.ticker.read();
        this.hardDeadlineNanos = startNanos + nanos(streamer.livenessPolicy.hardTimeout());
        this.lastActivityNanos = startNanos;
    }

    // ---------------------------------------------------------------- starting

    /** Called once, by the streamer, before the handle is returned. */
    void start(List<ContentBlock> prompt) {
        enter();
        try {
            UnsupportedContentException unsupported = checkContent(prompt);
            if (unsupported != null) {
                LOG.info("{} - session {}: prompt not sent: {}", client, sessionId, unsupported.getMessage());
                finish(RUNNING, Outcome.REJECTED, null, unsupported, false, false);
                return;
            }
            line = streamer.line(client, sessionId);
            if (!startTimers() || phase() == DONE) {
                return; // no timers, or the streamer was closed: send no prompt the caller thinks cancelled
            }
            writeWhenQuiet(prompt);
        } catch (RuntimeException e) {
            LOG.warn("{} - session {}: could not start the turn", client, sessionId, e);
            finish(RUNNING, Outcome.FAILED, null, e, true, false);
        } finally {
            leave();
        }
    }

    /** Inside: writes the prompt once the session has been quiet for the quiet gap (now, or by a timer). */
    private void writeWhenQuiet(List<ContentBlock> prompt) {
        SessionLine session = line;
        if (session == null || phase() != RUNNING || cancelRequested.get()) {
            return;
        }
        long wait = session.waitNanos();
        if (wait > 0) {
            try {
                promptTimer = schedule(() -> writeLater(prompt), wait);
                cancelTimersIfEnded();
            } catch (RejectedExecutionException e) {
                finish(
                        RUNNING,
                        Outcome.FAILED,
                        null,
                        new IllegalStateException("the prompt streamer's scheduler rejected the turn's prompt", e),
                        false,
                        false);
            }
            return;
        }
        session.handOver(this);
        PendingRequest<PromptResult> sent = client.prompt(sessionId, prompt);
        request = sent;
        LOG.debug("{} - session {}: turn started (request id {})", client, sessionId, sent.id());
        if (phase() == DONE) {
            sent.abandon(); // the turn was cancelled or the streamer closed just as the prompt went out
            client.cancel(sessionId);
        }
        // whenComplete would keep what onAnswer throws in a future nobody reads: log it instead.
        var unusedAnswer = sent.future().whenComplete((value, failure) -> runGuarded(() -> onAnswer(value, failure)));
    }

    private void writeLater(List<ContentBlock> prompt) {
        if (!enter()) {
            return;
        }
        try {
            writeWhenQuiet(prompt);
        } catch (RuntimeException e) {
            LOG.warn("{} - session {}: could not send the prompt", client, sessionId, e);
            finish(RUNNING, Outcome.FAILED, null, e, true, false);
        } finally {
            leave();
        }
    }

    private boolean startTimers() {
        LivenessPolicy liveness = streamer.livenessPolicy;
        try {
            hardTimer = schedule(this::onHardTimeout, nanos(liveness.hardTimeout()));
            long interval = nanos(liveness.checkInterval());
            livenessTimer = streamer.scheduler.scheduleWithFixedDelay(
                    guarded(this::onLivenessTick), interval, interval, TimeUnit.NANOSECONDS);
            Duration inactivity = liveness.inactivityTimeout();
            if (inactivity != null) {
                inactivityTimer = schedule(this::onInactivityCheck, nanos(inactivity));
            }
            stillWorkingTimer = schedule(this::onStillWorkingCheck, nanos(liveness.stillWorkingInterval()));
            cancelTimersIfEnded();
            return true;
        } catch (RejectedExecutionException e) {
            finish(
                    RUNNING,
                    Outcome.FAILED,
                    null,
                    new IllegalStateException("the prompt streamer's scheduler rejected the turn's timers", e),
                    false,
                    false);
            return false;
        }
    }

    private @Nullable UnsupportedContentException checkContent(List<ContentBlock> prompt) {
        Optional<InitializeResult> init = client.initializeResult();
        PromptCapabilities caps =
                init.map(i -> i.agentCapabilities().promptCapabilities()).orElse(PromptCapabilities.NONE);
        for (ContentBlock block : prompt) {
            String needed = null;
            if (block instanceof ContentBlock.Image && !caps.image()) {
                needed = "promptCapabilities.image";
            } else if (block instanceof ContentBlock.Audio && !caps.audio()) {
                needed = "promptCapabilities.audio";
            } else if (block instanceof ContentBlock.Other other
                    && other.type().equals("resource")
                    && !caps.embeddedContext()) {
                needed = "promptCapabilities.embeddedContext";
            }
            if (needed != null) {
                return new UnsupportedContentException(block.type(), needed, init.isPresent());
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- updates (the client's delivery thread)

    @Override
    public void take(SessionUpdate update) {
        SessionLine.record(messageIds, update);
        if (!enter()) {
            late(update);
            return;
        }
        try {
            long now = streamer.ticker.read();
            lastActivityNanos = now;
            TurnEvent event = toEvent(update, now, false);
            listenerLock.lock();
            try {
                emit(event);
            } finally {
                listenerLock.unlock();
            }
        } finally {
            leave();
        }
    }

    @Override
    public boolean saw(String messageId) {
        return messageIds.contains(messageId);
    }

    /** An update that belongs to this turn but came after it ended: the listener's, as a late event. */
    private void late(SessionUpdate update) {
        TurnEvent event = toEvent(update, streamer.ticker.read(), true);
        if (event instanceof TurnEvent.TextChunk chunk) {
            LOG.debug(
                    "{} - session {}: {} chars of text came after the turn had ended; passed on as a late event",
                    client,
                    sessionId,
                    chunk.text().length());
        } else {
            LOG.debug("{} - session {}: a late {} update passed on as a late event", client, sessionId, update.kind());
        }
        listenerLock.lock();
        try {
            listener.onLateEvent(event);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            LOG.warn("{} - session {}: the turn listener threw on a late event", client, sessionId, t);
        } finally {
            listenerLock.unlock();
        }
    }

    /** The update as an event; {@code late} ones leave the reply model alone (see Concurrency). */
    private TurnEvent toEvent(SessionUpdate update, long now, boolean late) {
        if (update instanceof SessionUpdate.AgentMessageChunk chunk
                && chunk.content() instanceof ContentBlock.Text block) {
            if (late) {
                return new TurnEvent.TextChunk(block.text(), chunk.messageId());
            }
            text.append(block.text());
            if (!sawChunk) {
                sawChunk = true;
                firstChunkNanos = now;
            }
            return new TurnEvent.TextChunk(block.text(), chunk.messageId());
        }
        if (update instanceof SessionUpdate.AgentThoughtChunk thought
                && thought.content() instanceof ContentBlock.Text block) {
            return new TurnEvent.ThoughtChunk(block.text());
        }
        if (update instanceof SessionUpdate.ToolCall call) {
            return toolCall(call.toolCallId(), call.raw(), late);
        }
        if (update instanceof SessionUpdate.ToolCallUpdate patch) {
            return toolCall(patch.toolCallId(), patch.raw(), late);
        }
        if (update instanceof SessionUpdate.Plan plan) {
            return new TurnEvent.PlanReplaced(plan.entries());
        }
        if (update instanceof SessionUpdate.UsageUpdate usage) {
            return new TurnEvent.Usage(usage.used(), usage.size());
        }
        if (update instanceof SessionUpdate.CurrentModeUpdate mode) {
            return new TurnEvent.ModeChanged(mode.currentModeId());
        }
        if (update instanceof SessionUpdate.ConfigOptionUpdate options) {
            return new TurnEvent.ConfigOptionsChanged(options.configOptions());
        }
        return new TurnEvent.Other(update);
    }

    private TurnEvent toolCall(String id, JsonNode patch, boolean late) {
        ToolCall previous = late ? lateToolCalls.getOrDefault(id, toolCalls.get(id)) : toolCalls.get(id);
        ToolCall merged = (previous == null ? ToolCall.empty(id) : previous).merge(patch);
        (late ? lateToolCalls : toolCalls).put(id, merged);
        return previous == null ? new TurnEvent.ToolCallStarted(merged) : new TurnEvent.ToolCallUpdated(merged);
    }

    private void emit(TurnEvent event) {
        try {
            listener.onEvent(event);
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            listenerErrorCount++;
            if (listenerErrors.size() < TurnResult.MAX_LISTENER_ERRORS) {
                listenerErrors.add(t);
            }
            if (listenerErrorCount == 1) {
                LOG.warn("{} - session {}: the turn listener threw; the turn goes on", client, sessionId, t);
            } else {
                LOG.debug("{} - session {}: the turn listener threw again: {}", client, sessionId, t.toString());
            }
        }
    }

    // ---------------------------------------------------------------- the answer (the client's executor)

    private void onAnswer(@Nullable PromptResult value, @Nullable Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CancellationException) {
            return; // abandoned by this turn, which has ended already
        }
        if (cause instanceof AgentProcessException dead) {
            if (finish(RUNNING, Outcome.AGENT_DIED, null, dead, false, false)) {
                LOG.warn("{} - session {}: the agent died during the turn: {}", client, sessionId, dead.getMessage());
            }
            return;
        }
        if (cause instanceof AcpRequestTimeoutException) {
            // The client's own prompt timeout: it has abandoned the id; tell the agent to stop too.
            finish(RUNNING, Outcome.TIMED_OUT, null, cause, false, true);
            return;
        }
        answered = new Answer(value, cause, streamer.ticker.read());
        SessionLine session = line;
        if (session != null) {
            session.touch(); // the tail of a reply follows its answer: the next prompt waits the gap from here
        }
        if (casPhase(RUNNING, DRAINING)) {
            drainCheck();
        }
    }

    /** Asks the drain policy how much longer to collect; ends the drain or re-arms itself. */
    private void drainCheck() {
        Answer answer = answered;
        if (phase() != DRAINING || answer == null) {
            return;
        }
        long now = streamer.ticker.read();
        long last = lastActivityNanos;
        long activity = last - answer.nanos() > 0 ? last : answer.nanos();
        long remaining;
        try {
            remaining = nanos(streamer.drainPolicy.remaining(
                    Duration.ofNanos(now - answer.nanos()), Duration.ofNanos(now - activity)));
        } catch (RuntimeException e) {
            LOG.warn("{} - session {}: the drain policy threw; ending the drain", client, sessionId, e);
            remaining = 0;
        }
        remaining = Math.min(remaining, hardDeadlineNanos - now);
        if (remaining > 0) {
            try {
                drainTimer = schedule(this::drainCheck, remaining);
                cancelTimersIfEnded();
                return;
            } catch (RejectedExecutionException e) {
                LOG.debug("{} - session {}: scheduler rejected the drain timer; ending the drain", client, sessionId);
            }
        }
        finishDrain();
    }

    /** Ends a draining turn with the outcome its answer gives. */
    private void finishDrain() {
        Answer answer = answered;
        if (answer == null) {
            return;
        }
        PromptResult value = answer.result();
        Outcome outcome;
        if (cancelRequested.get() || (value != null && value.stopReason() == StopReason.CANCELLED)) {
            outcome = Outcome.CANCELLED;
        } else if (answer.error() != null) {
            outcome = Outcome.FAILED;
        } else {
            outcome = Outcome.COMPLETED;
        }
        finish(DRAINING, outcome, answer, answer.error(), false, false);
    }

    // ---------------------------------------------------------------- timers (the streamer's scheduler)

    private void onHardTimeout() {
        // Ends a drain too: a custom drain policy may not cut the hard timeout short.
        TurnTimeoutException timeout = new TurnTimeoutException(
                TurnTimeoutException.Kind.HARD, sessionId, streamer.livenessPolicy.hardTimeout(), elapsed());
        if (endRunningOrDrain(Outcome.TIMED_OUT, timeout, true)) {
            LOG.warn("{} - {}", client, timeout.getMessage());
        }
    }

    private void onLivenessTick() {
        if (client.isAlive()) {
            return;
        }
        OptionalInt code = client.exitCode();
        AgentProcessException dead = new AgentProcessException(
                "the agent died during the turn of session " + sessionId + " (found by the liveness check)",
                code.isPresent() ? code.getAsInt() : null,
                stderrTail());
        // Ends a drain too: nothing more can arrive.
        if (endRunningOrDrain(Outcome.AGENT_DIED, dead, false)) {
            LOG.warn("{} - {}", client, dead.getMessage());
        }
    }

    private void onInactivityCheck() {
        Duration limit = streamer.livenessPolicy.inactivityTimeout();
        if (limit == null || phase() != RUNNING) {
            return;
        }
        long idle = streamer.ticker.read() - lastActivityNanos;
        long left = nanos(limit) - idle;
        if (left > 0) {
            inactivityTimer = schedule(this::onInactivityCheck, left);
            cancelTimersIfEnded();
            return;
        }
        TurnTimeoutException timeout =
                new TurnTimeoutException(TurnTimeoutException.Kind.INACTIVITY, sessionId, limit, elapsed());
        if (finish(RUNNING, Outcome.TIMED_OUT, null, timeout, true, true)) {
            LOG.warn("{} - {}", client, timeout.getMessage());
        }
    }

    /** Tells the listener that the agent has been silent for a multiple of the still-working interval. */
    private void onStillWorkingCheck() {
        if (!enter()) {
            return;
        }
        try {
            if (phase() != RUNNING) {
                return; // answered: the agent is not working on it any more
            }
            long interval = nanos(streamer.livenessPolicy.stillWorkingInterval());
            long now = streamer.ticker.read();
            long silent = now - lastActivityNanos;
            long next;
            if (silent >= interval && listenerLock.tryLock()) {
                // Never wait for the listener on the shared timer thread: busy with an update, it is not silent.
                try {
                    emit(new TurnEvent.StillWorking(Duration.ofNanos(silent), Duration.ofNanos(now - startNanos)));
                } finally {
                    listenerLock.unlock();
                }
                next = interval - silent % interval;
            } else if (silent >= interval) {
                next = interval;
            } else {
                next = interval - silent;
            }
            stillWorkingTimer = schedule(this::onStillWorkingCheck, next);
            cancelTimersIfEnded();
        } catch (RejectedExecutionException e) {
            LOG.debug("{} - session {}: scheduler rejected the still-working timer", client, sessionId);
        } finally {
            leave();
        }
    }

    private void onCancelGrace() {
        if (finish(RUNNING, Outcome.CANCELLED, null, null, true, false)) {
            LOG.warn(
                    "{} - session {}: no answer within {} of session/cancel; abandoned the request",
                    client,
                    sessionId,
                    streamer.cancelGrace);
        }
    }

    // ---------------------------------------------------------------- cancel and close (any thread)

    @Override
    public boolean cancel() {
        if (!enter()) {
            return false;
        }
        try {
            int phase = phase();
            if (phase == DRAINING) {
                finishDrain();
                return false;
            }
            if (phase != RUNNING || !cancelRequested.compareAndSet(false, true)) {
                return false;
            }
            if (request == null) {
                // Still waiting for the quiet gap: nothing went out. A write racing this one cancels itself.
                LOG.info("{} - session {}: cancelled the turn before its prompt was sent", client, sessionId);
                finish(RUNNING, Outcome.CANCELLED, null, null, true, true);
                return true;
            }
            LOG.info("{} - session {}: cancelling the turn", client, sessionId);
            client.cancel(sessionId); // the prompt went out: the handle escapes only after start()
            try {
                graceTimer = schedule(this::onCancelGrace, nanos(streamer.cancelGrace));
                cancelTimersIfEnded();
            } catch (RejectedExecutionException e) {
                finish(RUNNING, Outcome.CANCELLED, null, null, true, false);
            }
            return true;
        } finally {
            leave();
        }
    }

    /** Ends the turn because the streamer is closing. */
    void shutdown() {
        endRunningOrDrain(
                Outcome.CANCELLED, new AcpPoolException("the prompt streamer was closed during the turn"), true);
    }

    // ---------------------------------------------------------------- the state machine

    private int phase() {
        return state.get() & PHASE;
    }

    private boolean enter() {
        int s;
        do {
            s = state.get();
            if ((s & PHASE) == DONE) {
                return false;
            }
        } while (!state.compareAndSet(s, s + INSIDE));
        return true;
    }

    private void leave() {
        if (state.addAndGet(-INSIDE) == DONE) {
            complete();
        }
    }

    private boolean casPhase(int from, int to) {
        int s;
        do {
            s = state.get();
            if ((s & PHASE) != from) {
                return false;
            }
        } while (!state.compareAndSet(s, s - from + to));
        return true;
    }

    /**
     * Ends a running turn as given, abandoning its request (and sending {@code session/cancel} if asked), or
     * ends a draining turn's drain with the outcome its answer gives.
     *
     * @return true if this call ended a running turn as given
     */
    @CanIgnoreReturnValue
    private boolean endRunningOrDrain(Outcome outcome, Throwable error, boolean sendCancel) {
        while (true) {
            int phase = phase();
            if (phase == DRAINING) {
                finishDrain();
                return false;
            }
            if (phase != RUNNING) {
                return false;
            }
            if (finish(RUNNING, outcome, null, error, true, sendCancel)) {
                return true;
            }
        }
    }

    /**
     * Ends the turn if it is still in phase {@code from}: records how, stops the timers, optionally abandons
     * the request and sends {@code session/cancel}, all before the result can complete.
     *
     * @return false if the turn had left {@code from} already
     */
    @CanIgnoreReturnValue
    private boolean finish(
            int from,
            Outcome outcome,
            @Nullable Answer answer,
            @Nullable Throwable error,
            boolean abandon,
            boolean sendCancel) {
        int s;
        do {
            s = state.get();
            if ((s & PHASE) != from) {
                return false;
            }
        } while (!state.compareAndSet(s, s - from + DONE + INSIDE));
        try {
            ending = new Ending(outcome, answer, error);
            cancelTimers();
            PendingRequest<PromptResult> sent = request;
            if (abandon && sent != null) {
                sent.abandon();
            }
            if (sendCancel && sent != null) {
                client.cancel(sessionId);
            }
        } catch (RuntimeException e) {
            LOG.warn("{} - session {}: while ending the turn", client, sessionId, e);
        } finally {
            leave();
        }
        return true;
    }

    private void cancelTimers() {
        for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {
            hardTimer, livenessTimer, inactivityTimer, drainTimer, graceTimer, promptTimer, stillWorkingTimer
        }) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /** After storing a new timer: the turn may have ended and cancelled its timers before the store. */
    private void cancelTimersIfEnded() {
        if (phase() == DONE) {
            cancelTimers();
        }
    }

    /** Runs once, on the thread that left last after the turn ended. */
    private void complete() {
        Ending end = ending;
        if (end == null) {
            end = new Ending(Outcome.FAILED, null, new IllegalStateException("turn ended without an outcome"));
        }
        long now = streamer.ticker.read();
        String reply = text.toString();
        Throwable error = end.error();
        String tail = "";
        if (error instanceof AgentProcessException dead && !dead.stderrTail().isBlank()) {
            tail = dead.stderrTail();
        } else if ((reply.isBlank() && toolCalls.isEmpty() && end.outcome() != Outcome.REJECTED)
                || end.outcome() == Outcome.AGENT_DIED
                || end.outcome() == Outcome.TIMED_OUT
                || end.outcome() == Outcome.FAILED) {
            tail = stderrTail();
        }
        Answer answer = end.answer();
        TurnResult turnResult = new TurnResult(
                sessionId,
                end.outcome(),
                answer == null ? null : answer.result(),
                reply,
                List.copyOf(toolCalls.values()),
                sawChunk ? Duration.ofNanos(firstChunkNanos - startNanos) : null,
                answer == null ? null : Duration.ofNanos(answer.nanos() - startNanos),
                Duration.ofNanos(now - startNanos),
                error,
                listenerErrors,
                tail,
                client.droppedLines() - droppedLinesBefore,
                client.droppedLineBytes() - droppedBytesBefore);
        streamer.ended(this);
        if (listenerErrorCount > 1) {
            LOG.warn("{} - session {}: the turn listener threw {} times", client, sessionId, listenerErrorCount);
        }
        LOG.debug(
                "{} - session {}: turn ended {} (stop reason {}, {} chars, {} tool calls, {})",
                client,
                sessionId,
                end.outcome(),
                turnResult.stopReasonValue(),
                reply.length(),
                toolCalls.size(),
                turnResult.total());
        result.complete(turnResult);
    }

    // ---------------------------------------------------------------- the handle

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public CompletableFuture<TurnResult> result() {
        return result.copy();
    }

    @Override
    public TurnResult await() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a turn's result never fails", e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return streamer.scheduler.schedule(guarded(task), delayNanos, TimeUnit.NANOSECONDS);
    }

    private Runnable guarded(Runnable task) {
        return () -> runGuarded(task);
    }

    private void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.error("{} - session {}: a turn's timer or answer callback failed", client, sessionId, e);
        }
    }

    /** The client's stderr tail, or empty: a client that cannot give one must not keep the turn from ending. */
    private String stderrTail() {
        try {
            return client.stderrTail();
        } catch (RuntimeException e) {
            LOG.debug("{} - session {}: no stderr tail: {}", client, sessionId, e.toString());
            return "";
        }
    }

    private Duration elapsed() {
        return Duration.ofNanos(streamer.ticker.read() - startNanos);
    }

    private static long nanos(Duration duration) {
        if (duration.isNegative()) {
            return 0;
        }
        return duration.compareTo(Duration.ofNanos(MAX_DELAY_NANOS)) >= 0 ? MAX_DELAY_NANOS : duration.toNanos();
    }

    @Override
    public String toString() {
        return "Turn[" + client + ", session " + sessionId + ", phase " + phase() + "]";
    }
}
