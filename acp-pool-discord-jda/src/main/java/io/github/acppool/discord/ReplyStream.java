package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.TurnStart;
import io.github.acppool.turn.ToolCall;
import io.github.acppool.turn.TurnEvent;
import io.github.acppool.turn.TurnResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Discord shows for one submitted message: the status reaction on it and, if the turn's reply streams to it, a
 * placeholder that is edited at the cadence and replaced by the final reply (split, the rest sent as new messages).
 *
 * <p>Thread-safe: the broker calls the listener methods (its threads and the client's delivery thread), JDA completes
 * the placeholder on its callback threads, the scheduler ticks the reaction debounce.
 */
final class ReplyStream implements MessageListener {

    /*
     * Concurrency: `lock` guards the reply's state below. Discord calls (JDA's queue/submit never block) and calls
     * into the EditCadences are made after releasing `lock`, with values computed under it; a cadence has its own
     * lock and calls back into this class only through its editor (editPlaceholder, which takes `lock` briefly and
     * is never called with the cadence's lock held). The ReactionDriver has its own monitor and orders the reaction
     * calls itself; it never calls back. The typing renewal runs on the scheduler and re-checks `finished` under
     * `lock`.
     */
    private static final Logger LOG = LoggerFactory.getLogger(ReplyStream.class);

    private final String conversationId;
    private final Message trigger;
    private final MessageChannel replyChannel;
    private final DiscordConfig config;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final ReactionDriver reactions;
    private final Mentions mentions;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final List<String> notices = new ArrayList<>();

    @GuardedBy("lock")
    private final StringBuilder text = new StringBuilder();

    @GuardedBy("lock")
    private final Map<String, ToolCallView> tools = new LinkedHashMap<>();

    @GuardedBy("lock")
    private @Nullable CompletableFuture<@Nullable Message> placeholder;

    @GuardedBy("lock")
    private @Nullable EditCadence cadence;

    @GuardedBy("lock")
    private boolean queued;

    @GuardedBy("lock")
    private boolean finished;

    /** The "still working" line under the preview, until the agent shows something new. */
    @GuardedBy("lock")
    private @Nullable String stillWorking;

    /** Repeats the typing indicator until the first text arrives or the turn ends. */
    @GuardedBy("lock")
    private @Nullable ScheduledFuture<?> typing;

    @GuardedBy("lock")
    private boolean typingStopped;

    /** The last message of the final reply, once posted, and its text (late text is appended to it). */
    @GuardedBy("lock")
    private @Nullable CompletableFuture<@Nullable Message> lastPart;

    @GuardedBy("lock")
    private String lastPartText = "";

    @GuardedBy("lock")
    private final StringBuilder lateText = new StringBuilder();

    @GuardedBy("lock")
    private @Nullable EditCadence lateEdits;

    private final String stopId;
    private final Runnable onEnded;

    /** How often the typing indicator is renewed: Discord shows it for about 10 seconds. */
    static final Duration TYPING_INTERVAL = Duration.ofSeconds(8);

    ReplyStream(
            String conversationId,
            Message trigger,
            MessageChannel replyChannel,
            DiscordConfig config,
            ScheduledExecutorService scheduler,
            Ticker ticker,
            Mentions mentions,
            String stopId,
            Runnable onEnded) {
        this.mentions = mentions;
        this.stopId = stopId;
        this.onEnded = onEnded;
        this.conversationId = conversationId;
        this.trigger = trigger;
        this.replyChannel = replyChannel;
        this.config = config;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.reactions = new ReactionDriver(conversationId, trigger, config, scheduler, ticker);
    }

    /** A line shown above the reply (a skipped attachment, a lost session). */
    void addNotice(String notice) {
        lock.lock();
        try {
            notices.add(notice);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The message was submitted: the first visible sign. A queued message shows the queued reaction (set by {@link
     * #onQueued}, which the broker calls before {@code promptAsync} returns); any other gets the thinking reaction
     * and the placeholder at once.
     */
    void submitted() {
        boolean wasQueued;
        lock.lock();
        try {
            wasQueued = queued;
        } finally {
            lock.unlock();
        }
        if (!wasQueued) {
            setStatus(StatusReactions.Status.THINKING);
            ensurePlaceholder();
        }
    }

    @Override
    public void onQueued(int position) {
        lock.lock();
        try {
            queued = true;
        } finally {
            lock.unlock();
        }
        LOG.debug("{} - message {} queued at {}", conversationId, trigger.getId(), position);
        setStatus(StatusReactions.Status.QUEUED);
    }

    @Override
    public void onTurnStarted(TurnStart turn) {
        setStatus(StatusReactions.Status.THINKING);
        if (turn.sessionReset()) {
            // The reason names sessions and paths: it is the operator's.
            LOG.info("{} - session reset: {}", conversationId, turn.sessionResetReason());
            addNotice("⚠️ The earlier context of this conversation could not be restored; the agent starts afresh.");
        }
        if (turn.streamsTo(ownMessage(turn))) {
            ensurePlaceholder();
        }
    }

    private ChatMessage ownMessage(TurnStart turn) {
        for (ChatMessage message : turn.messages()) {
            if (message.messageId().equals(trigger.getId())) {
                return message;
            }
        }
        return turn.replyTo();
    }

    @Override
    public void onEvent(TurnEvent event) {
        StatusReactions.Status next = null;
        String preview;
        EditCadence edits;
        lock.lock();
        try {
            if (finished) {
                return;
            }
            if (event instanceof TurnEvent.TextChunk chunk) {
                text.append(chunk.text());
                next = StatusReactions.Status.THINKING;
                stillWorking = null;
                if (!chunk.text().isBlank()) {
                    stopTypingLocked();
                }
            } else if (event instanceof TurnEvent.ToolCallStarted started) {
                next = putTool(started.toolCall());
                stillWorking = null;
            } else if (event instanceof TurnEvent.ToolCallUpdated updated) {
                next = putTool(updated.toolCall());
                stillWorking = null;
            } else if (event instanceof TurnEvent.StillWorking working) {
                stillWorking = "… still working (" + DiscordBridge.human(working.elapsed()) + ")";
            } else {
                return;
            }
            edits = cadence;
            preview = edits == null ? "" : previewLocked();
        } finally {
            lock.unlock();
        }
        if (next != null) {
            setStatus(next);
        }
        if (edits != null) {
            edits.update(preview);
        }
    }

    @GuardedBy("lock")
    private StatusReactions.Status putTool(ToolCall call) {
        ToolCallView view = view(call);
        tools.put(call.id(), view);
        boolean anyRunning = tools.values().stream().anyMatch(t -> t.status().isRunning());
        return anyRunning ? StatusReactions.Status.TOOL : StatusReactions.Status.THINKING;
    }

    static ToolCallView view(ToolCall call) {
        ToolCallView.Status status =
                switch (call.status()) {
                    case PENDING -> ToolCallView.Status.PENDING;
                    case IN_PROGRESS -> ToolCallView.Status.IN_PROGRESS;
                    case COMPLETED -> ToolCallView.Status.COMPLETED;
                    case FAILED -> ToolCallView.Status.FAILED;
                };
        return new ToolCallView(call.id(), call.title(), call.kind() == null ? "" : call.kind(), status);
    }

    @GuardedBy("lock")
    private String previewLocked() {
        String body = ReplyComposer.streaming(List.copyOf(tools.values()), text.toString(), config.toolDisplay());
        String shown = notices.isEmpty()
                ? body
                : MessageSplitter.preview(String.join("\n", notices) + "\n\n" + body, MessageSplitter.PREVIEW_LIMIT);
        if (stillWorking == null) {
            return shown;
        }
        String base = shown.equals(MessageSplitter.ELLIPSIS) ? "" : shown + "\n\n";
        return MessageSplitter.preview(base + stillWorking, MessageSplitter.PREVIEW_LIMIT + stillWorking.length() + 2);
    }

    /**
     * An update that arrived after the result (see {@link MessageListener#onLateEvent}): late text is appended to
     * the last message of the reply, at the edit cadence.
     */
    @Override
    public void onLateEvent(TurnEvent event) {
        if (!(event instanceof TurnEvent.TextChunk chunk) || chunk.text().isEmpty()) {
            return;
        }
        CompletableFuture<@Nullable Message> last;
        lock.lock();
        try {
            lateText.append(chunk.text());
            last = lastPart;
        } finally {
            lock.unlock();
        }
        if (last == null) {
            LOG.debug("{} - late text before the reply was shown; it waits for it", conversationId);
            return;
        }
        var unused = last.thenAccept(this::showLate);
    }

    private void showLate(@Nullable Message message) {
        if (message == null) {
            return;
        }
        String shown;
        EditCadence edits;
        lock.lock();
        try {
            if (lateText.length() == 0) {
                return;
            }
            if (lateEdits == null) {
                lateEdits = new EditCadence(
                        conversationId, lastPartText, config.editInterval(), scheduler, ticker, t -> mentions.restrict(
                                        message.editMessage(t))
                                .submit());
            }
            edits = lateEdits;
            shown = MessageSplitter.preview(lastPartText + lateText, MessageSplitter.DISCORD_LIMIT);
        } finally {
            lock.unlock();
        }
        edits.update(shown);
    }

    /** Starts the typing indicator at once; it is renewed until the first text or the end of the turn. */
    private void startTyping() {
        lock.lock();
        try {
            if (typing != null || typingStopped || finished) {
                return;
            }
            typing = scheduleTypingLocked();
        } finally {
            lock.unlock();
        }
        sendTyping();
    }

    @GuardedBy("lock")
    private @Nullable ScheduledFuture<?> scheduleTypingLocked() {
        try {
            return scheduler.schedule(this::renewTyping, TYPING_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            LOG.debug("{} - typing indicator not scheduled: {}", conversationId, e.toString());
            return null;
        }
    }

    private void renewTyping() {
        lock.lock();
        try {
            if (typingStopped || finished) {
                return;
            }
            typing = scheduleTypingLocked();
        } finally {
            lock.unlock();
        }
        sendTyping();
    }

    private void sendTyping() {
        replyChannel
                .sendTyping()
                .queue(null, e -> LOG.debug("{} - typing indicator failed: {}", conversationId, e.toString()));
    }

    @GuardedBy("lock")
    private void stopTypingLocked() {
        typingStopped = true;
        if (typing != null) {
            typing.cancel(false);
            typing = null;
        }
    }

    /** A streamed edit keeps the Stop button; the final edit (made once finished) removes it. */
    private CompletableFuture<Message> editPlaceholder(Message message, String text) {
        boolean done;
        lock.lock();
        try {
            done = finished;
        } finally {
            lock.unlock();
        }
        return mentions.restrict(message.editMessage(text).setComponents(done ? List.of() : stopButton()))
                .submit();
    }

    /** The Stop button while the reply streams; none once it is final. */
    private List<ActionRow> stopButton() {
        return List.of(ActionRow.of(Button.secondary(stopId, "Stop")));
    }

    private void ensurePlaceholder() {
        CompletableFuture<@Nullable Message> sent;
        lock.lock();
        try {
            if (placeholder != null || finished) {
                return;
            }
            sent = new CompletableFuture<>();
            placeholder = sent;
        } finally {
            lock.unlock();
        }
        startTyping();
        mentions.restrict(replyChannel.sendMessage(MessageSplitter.ELLIPSIS).setComponents(stopButton()))
                .queue(
                        message -> {
                            String preview = null;
                            EditCadence edits = null;
                            lock.lock();
                            try {
                                // Once finished, finish() puts the final reply in: no streamed edit may follow it.
                                if (!finished) {
                                    edits = new EditCadence(
                                            conversationId,
                                            MessageSplitter.ELLIPSIS,
                                            config.editInterval(),
                                            scheduler,
                                            ticker,
                                            t -> editPlaceholder(message, t));
                                    cadence = edits;
                                    preview = previewLocked();
                                }
                            } finally {
                                lock.unlock();
                            }
                            sent.complete(message);
                            if (edits != null && preview != null) {
                                edits.update(preview);
                            }
                        },
                        error -> {
                            LOG.warn(
                                    "{} - could not send the placeholder for message {}",
                                    conversationId,
                                    trigger.getId(),
                                    error);
                            sent.complete(null);
                        });
    }

    /** The message's result: the final reply (if it streamed here) and the final reaction. */
    void finish(@Nullable BrokerResult result, @Nullable Throwable error) {
        boolean replyHere = error != null || result == null || result.repliedHere();
        List<String> parts;
        CompletableFuture<@Nullable Message> shown;
        EditCadence edits;
        lock.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            stopTypingLocked();
            edits = cadence;
            cadence = null;
            parts = replyHere ? finalPartsLocked(result, error) : List.of();
            shown = placeholder;
        } finally {
            lock.unlock();
        }
        if (error != null) {
            LOG.warn("{} - message {} was not answered", conversationId, trigger.getId(), error);
        } else if (result != null && result.error() != null) {
            LOG.warn(
                    "{} - turn for message {} ended {}",
                    conversationId,
                    trigger.getId(),
                    result.outcome(),
                    result.error());
        }
        // The final status shows once the reply it stands for is visible, never before.
        reactions.settle();
        StatusReactions.Status end = finalStatus(result, error);
        onEnded.run();
        CompletableFuture<@Nullable Message> posted = showFinal(parts, shown, edits);
        lock.lock();
        try {
            lastPart = posted;
            lastPartText = parts.isEmpty() ? "" : parts.get(parts.size() - 1);
        } finally {
            lock.unlock();
        }
        var unused = posted.whenComplete((last, failed) -> {
            reactions.set(end);
            showLate(last);
        });
    }

    static StatusReactions.Status finalStatus(@Nullable BrokerResult result, @Nullable Throwable error) {
        if (error != null || result == null) {
            return StatusReactions.Status.ERROR;
        }
        return switch (result.outcome()) {
            case COMPLETED -> StatusReactions.Status.DONE;
            case CANCELLED -> StatusReactions.Status.CANCELLED;
            default -> StatusReactions.Status.ERROR;
        };
    }

    /** Completes with the reply's last message when the reply is on Discord (null if that failed; it is logged). */
    private CompletableFuture<@Nullable Message> showFinal(
            List<String> parts, @Nullable CompletableFuture<@Nullable Message> shown, @Nullable EditCadence edits) {
        if (parts.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (shown == null) {
            return sendInOrder(parts, 0, null);
        }
        return shown.thenCompose(message -> {
            if (message == null) {
                return sendInOrder(parts, 0, null);
            }
            // The final edit also takes the Stop button away, so it is sent even if the text is shown already.
            CompletableFuture<?> edited = edits == null
                    ? mentions.restrict(message.editMessage(parts.get(0)).setComponents())
                            .submit()
                    : edits.finish(parts.get(0), true);
            CompletableFuture<@Nullable Throwable> outcome = edited.handle((done, failed) -> failed);
            return outcome.thenCompose(
                    failed -> failed == null ? sendInOrder(parts, 1, message) : postAnew(message, parts, failed));
        });
    }

    /** The final edit failed: the whole reply goes out as new messages, and the stale placeholder goes away first. */
    private CompletableFuture<@Nullable Message> postAnew(
            Message placeholder, List<String> parts, Throwable editFailure) {
        LOG.warn("{} - could not edit the reply into the placeholder; posting it anew", conversationId, editFailure);
        return placeholder
                .delete()
                .submit()
                .handle((done, failed) -> {
                    if (failed != null) {
                        LOG.warn(
                                "{} - could not delete the placeholder {}",
                                conversationId,
                                placeholder.getId(),
                                failed);
                    }
                    return null;
                })
                .thenCompose(ignored -> sendInOrder(parts, 0, null));
    }

    @GuardedBy("lock")
    private List<String> finalPartsLocked(@Nullable BrokerResult result, @Nullable Throwable error) {
        List<ToolCallView> views;
        String body;
        if (error != null || result == null) {
            views = List.of();
            Throwable failure = error == null ? new IllegalStateException("no result") : error;
            body = ErrorLines.describe(failure) + diagnosticsBlock(failure.toString());
        } else {
            TurnResult turn = result.turn();
            views = turn == null
                    ? List.of()
                    : turn.toolCalls().stream().map(ReplyStream::view).toList();
            boolean failed = result.outcome() != BrokerResult.Outcome.COMPLETED
                    && result.outcome() != BrokerResult.Outcome.CANCELLED;
            if (turn != null && !turn.text().isBlank()) {
                body = result.userText();
            } else {
                // No text: one short sentence for the user; the operator's diagnostics go to the log.
                LOG.info(
                        "{} - no text reply to message {}: {} {}",
                        conversationId,
                        trigger.getId(),
                        result.userText(),
                        result.diagnostics());
                body = (failed ? "⚠️ " : "") + ErrorLines.firstLine(result.userText());
            }
            if (failed) {
                body += diagnosticsBlock(result.diagnostics());
            }
        }
        String top = String.join("\n", notices);
        List<String> parts = ReplyComposer.finalParts(views, body, config.toolDisplay());
        if (top.isEmpty()) {
            return parts;
        }
        List<String> all = new ArrayList<>();
        all.addAll(MessageSplitter.split(top, MessageSplitter.DISCORD_LIMIT).stream()
                .filter(p -> !p.isBlank())
                .toList());
        // Keep the notice in the first message when it fits, so the placeholder shows it.
        String first = top + "\n\n" + parts.get(0);
        if (all.size() == 1 && Text.codePoints(first) <= MessageSplitter.DISCORD_LIMIT) {
            all.set(0, first);
            all.addAll(parts.subList(1, parts.size()));
        } else {
            all.addAll(parts);
        }
        return all;
    }

    /** Sends {@code parts} from {@code from} on, one after the other; completes with the last one sent. */
    private CompletableFuture<@Nullable Message> sendInOrder(List<String> parts, int from, @Nullable Message last) {
        if (from >= parts.size()) {
            return CompletableFuture.completedFuture(last);
        }
        return mentions.restrict(replyChannel.sendMessage(parts.get(from)))
                .submit()
                .handle((sent, error) -> {
                    if (error != null) {
                        LOG.warn(
                                "{} - could not send part {} of {} of the reply",
                                conversationId,
                                from + 1,
                                parts.size(),
                                error);
                        return null;
                    }
                    return sent;
                })
                .thenCompose(sent -> sendInOrder(parts, from + 1, sent == null ? last : sent));
    }

    /** The operator's diagnostics under an error reply, only when the operator switched {@code showDiagnostics} on. */
    private String diagnosticsBlock(String diagnostics) {
        if (!config.showDiagnostics() || diagnostics.isBlank()) {
            return "";
        }
        String shown = MessageSplitter.preview(diagnostics.strip().replace("```", "`\u200b``"), MAX_DIAGNOSTICS);
        return "\n```\n" + shown + "\n```";
    }

    static final int MAX_DIAGNOSTICS = 1500;

    private void setStatus(StatusReactions.Status next) {
        reactions.set(next);
    }
}
