package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.acp.PermissionOutcome;
import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.acp.PermissionRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.ISnowflake;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditData;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Permission requests as Discord messages with Allow and Deny buttons ("ask" mode). Only people the access rules
 * allow may answer; no answer within the timeout means deny; once decided (or withdrawn because the turn ended) the
 * buttons are disabled and the message says what happened.
 *
 * <p>Thread-safe.
 */
final class PermissionPrompts {

    /*
     * Concurrency: `pending` is a concurrent map from token to question; whoever removes a question from it (a
     * click, the timeout, a withdrawal) decides it, so it is decided exactly once. `channels` (session id to the
     * conversation's channel) is guarded by its own monitor. Discord calls never block.
     */
    private static final Logger LOG = LoggerFactory.getLogger(PermissionPrompts.class);

    static final String BUTTON_PREFIX = "acp-perm:";
    private static final int MAX_SESSIONS = 10_000;

    private final AccessRules access;
    private final Duration timeout;
    private final Mentions mentions;
    private final AtomicLong tokens = new AtomicLong();
    private final Map<String, Question> pending = new ConcurrentHashMap<>();

    @GuardedBy("channels")
    private final Map<String, MessageChannel> channels = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MessageChannel> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    /** Resolves a session the front end has not seen start (e.g. through the broker's status); may return null. */
    private volatile Function<String, @Nullable MessageChannel> fallback = sessionId -> null;

    private record Question(PermissionRequest request, CompletableFuture<PermissionOutcome> answer, String token) {}

    PermissionPrompts(AccessRules access, Duration timeout, Mentions mentions) {
        this.access = access;
        this.mentions = mentions;
        this.timeout = timeout;
    }

    PermissionPolicy policy() {
        return PermissionPolicy.askHuman(this::ask, timeout, PermissionPolicy.rejectAll());
    }

    void sessionStarted(String sessionId, MessageChannel channel) {
        synchronized (channels) {
            channels.put(sessionId, channel);
        }
    }

    void fallback(Function<String, @Nullable MessageChannel> resolver) {
        this.fallback = resolver;
    }

    /** Withdraws every open question (they are answered deny by the policy's fallback). */
    void closeAll() {
        for (Question question : List.copyOf(pending.values())) {
            question.answer.cancel(false);
        }
    }

    private CompletionStage<PermissionOutcome> ask(PermissionRequest request) {
        MessageChannel channel;
        synchronized (channels) {
            channel = channels.get(request.sessionId());
        }
        if (channel == null) {
            channel = fallback.apply(request.sessionId());
        }
        if (channel == null) {
            LOG.warn(
                    "{} - no Discord channel for this session; rejecting tool call {}",
                    request.sessionId(),
                    request.toolCall().toolCallId());
            return CompletableFuture.completedFuture(request.reject());
        }
        String token = Long.toString(tokens.incrementAndGet(), 36);
        CompletableFuture<PermissionOutcome> answer = new CompletableFuture<>();
        Question question = new Question(request, answer, token);
        pending.put(token, question);
        String text = questionText(request);
        CompletableFuture<Message> sent = mentions.restrict(
                        channel.sendMessage(text).setComponents(buttons(token, false)))
                .submit();
        var unused = answer.whenComplete((outcome, error) -> {
            if (error == null || !pending.remove(token, question)) {
                return; // answered by a click, which edited the message itself
            }
            Throwable cause = ErrorLines.unwrap(error);
            String why = cause instanceof TimeoutException
                    ? "⏱ No answer within " + human(timeout) + ": denied."
                    : cause instanceof CancellationException
                            ? "Withdrawn before anyone answered (the turn ended): denied."
                            : "Could not ask: denied.";
            var unusedEdit = sent.thenAccept(message -> message.editMessage(closed(text, why, token))
                    .queue(null, e -> LOG.debug("{} - could not close question {}", request.sessionId(), token, e)));
        });
        var unusedSent = sent.whenComplete((message, error) -> {
            if (error != null) {
                LOG.warn("{} - could not post the permission question", request.sessionId(), error);
                answer.completeExceptionally(error);
            }
        });
        return answer;
    }

    /** A click on one of our buttons; answers the interaction in every case. */
    void onButton(ButtonInteractionEvent event) {
        String[] parts =
                event.getComponentId().substring(BUTTON_PREFIX.length()).split(":", 2);
        Question question = parts.length == 2 ? pending.get(parts[0]) : null;
        if (question == null) {
            ephemeral(event, "This question was already answered or has expired.");
            return;
        }
        Member member = event.getMember();
        List<Long> roles = member == null
                ? List.of()
                : member.getRoles().stream().map(ISnowflake::getIdLong).toList();
        if (!access.isPersonAllowed(event.getUser().getIdLong(), roles)) {
            ephemeral(event, "Only people allowed to use this bot can answer.");
            return;
        }
        if (!pending.remove(parts[0], question)) {
            ephemeral(event, "This question was already answered.");
            return;
        }
        boolean allow = parts[1].equals("allow");
        String original = event.getMessage().getContentRaw();
        String verdict =
                (allow ? "✅ Allowed" : "🚫 Denied") + " by " + event.getUser().getAsMention() + ".";
        MessageEditData decided = closed(original, verdict, parts[0]);
        event.editMessage(decided).queue(null, failed -> {
            // The click's answer did not arrive (expired, Discord error): close the question as a plain edit.
            LOG.warn("{} - answering the click on question {} failed", question.request.sessionId(), parts[0], failed);
            event.getMessage()
                    .editMessage(decided)
                    .queue(
                            null,
                            e -> LOG.warn(
                                    "{} - could not close question {}", question.request.sessionId(), parts[0], e));
        });
        question.answer.complete(allow ? question.request.allowOnce() : question.request.reject());
    }

    private void ephemeral(ButtonInteractionEvent event, String text) {
        mentions.restrict(event.reply(text))
                .setEphemeral(true)
                .queue(
                        null,
                        e -> LOG.warn(
                                "discord:{} - could not answer the click on {}",
                                event.getChannelId(),
                                event.getComponentId(),
                                e));
    }

    private static ActionRow buttons(String token, boolean disabled) {
        return ActionRow.of(
                Button.success(BUTTON_PREFIX + token + ":allow", "Allow").withDisabled(disabled),
                Button.danger(BUTTON_PREFIX + token + ":deny", "Deny").withDisabled(disabled));
    }

    /** The question once decided: the verdict below it, the buttons disabled. */
    private MessageEditData closed(String text, String verdict, String token) {
        return mentions.restrict(new MessageEditBuilder())
                .setContent(MessageSplitter.preview(text + "\n" + verdict, MessageSplitter.DISCORD_LIMIT))
                .setComponents(buttons(token, true))
                .build();
    }

    private static String questionText(PermissionRequest request) {
        String title = request.toolCall().title();
        String kind = request.toolCall().toolKind();
        String shown = ToolLines.sanitizeTitle(title == null ? "" : title);
        if (shown.isEmpty()) {
            shown = kind == null ? "a tool" : kind;
        }
        return "🔐 The agent asks to run `" + shown + "`" + (kind == null || title == null ? "" : " (" + kind + ")")
                + ". Allow it?";
    }

    static String human(Duration duration) {
        if (duration.toMillis() < 1000) {
            return duration.toMillis() + " ms";
        }
        long seconds = duration.toSeconds();
        if (seconds % 60 == 0 && seconds > 0) {
            return (seconds / 60) + (seconds == 60 ? " minute" : " minutes");
        }
        return seconds + (seconds == 1 ? " second" : " seconds");
    }
}
