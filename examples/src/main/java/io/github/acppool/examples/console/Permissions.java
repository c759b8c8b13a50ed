package io.github.acppool.examples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.acp.PermissionOption;
import io.github.acppool.acp.PermissionOutcome;
import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.acp.PermissionRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The console's answers to the agents' permission requests: asked of the person at the console (the next line they
 * type is the answer), or decided by a fixed policy that says what it did. Questions from several conversations wait
 * in line and are shown one at a time.
 *
 * <p>Thread-safe: questions arrive on the ACP clients' threads; answers come from the input thread.
 */
final class Permissions {

    /* Concurrency: `lock` guards the line of pending questions and `inputClosed`; it is never held while a question's
     * future is completed (that runs the client's answer) or while printing. A question leaves the line exactly once:
     * answered (answer), withdrawn (its future was cancelled by the client or timed out) or rejected at the end of
     * input (closeInput); each of those removes it under the lock and only the one that removed it acts on it. */

    /** How the console decides permission requests. */
    enum Mode {
        /** Ask the person at the console. */
        ASK,
        /** Allow every request once. */
        ALLOW,
        /** Reject every request. */
        REJECT
    }

    /** How long a question waits for its answer before it is rejected. */
    static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(10);

    private final Renderer renderer;
    private final Function<String, String> conversationOfSession;
    private final Runnable onQuestion;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final Deque<Question> pending = new ArrayDeque<>();

    @GuardedBy("lock")
    private boolean inputClosed;

    /**
     * @param conversationOfSession the conversation name of an ACP session id, for the question's text
     * @param onQuestion called after a question is shown, so that a waiting input loop reads its answer
     */
    Permissions(Renderer renderer, Function<String, String> conversationOfSession, Runnable onQuestion) {
        this.renderer = renderer;
        this.conversationOfSession = conversationOfSession;
        this.onQuestion = onQuestion;
    }

    /** A question shown or waiting; compared by identity. */
    private static final class Question {
        private final PermissionRequest request;
        private final String conversation;
        private final CompletableFuture<PermissionOutcome> answer = new CompletableFuture<>();

        Question(PermissionRequest request, String conversation) {
            this.request = request;
            this.conversation = conversation;
        }

        PermissionRequest request() {
            return request;
        }

        String conversation() {
            return conversation;
        }

        CompletableFuture<PermissionOutcome> answer() {
            return answer;
        }
    }

    /** The policy for {@code mode}; every decision is shown. */
    PermissionPolicy policy(Mode mode) {
        return switch (mode) {
            case ASK -> PermissionPolicy.askHuman(this::ask, ANSWER_TIMEOUT, PermissionPolicy.rejectAll());
            case ALLOW -> request -> decided(request, request.allowOnce(), "allowed by --permissions allow");
            case REJECT -> request -> decided(request, request.reject(), "rejected by --permissions reject");
        };
    }

    /** Whether a question waits for its answer. */
    boolean hasPending() {
        lock.lock();
        try {
            return !pending.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Answers the oldest question with what the user typed: {@code y} allows once, {@code n} rejects, a number picks
     * that option. Anything else asks again.
     *
     * @return false if no question was pending (the line is not an answer)
     */
    boolean answer(String line) {
        Question question;
        lock.lock();
        try {
            question = pending.peek();
        } finally {
            lock.unlock();
        }
        if (question == null) {
            return false;
        }
        PermissionOutcome outcome = parse(question.request(), line);
        if (outcome == null) {
            renderer.notice(question.conversation(), "please answer " + choices(question.request()));
            return true;
        }
        Question next;
        lock.lock();
        try {
            if (pending.peek() != question) {
                return true; // withdrawn meanwhile; withdrawn() said so
            }
            pending.poll();
            next = pending.peek();
        } finally {
            lock.unlock();
        }
        renderer.notice(question.conversation(), describe(question.request(), outcome));
        question.answer().complete(outcome);
        if (next != null) {
            show(next);
        }
        return true;
    }

    /** No more input will come: rejects the pending questions, and every later one at once. */
    void closeInput() {
        List<Question> rejected;
        lock.lock();
        try {
            inputClosed = true;
            rejected = new ArrayList<>(pending);
            pending.clear();
        } finally {
            lock.unlock();
        }
        for (Question question : rejected) {
            renderer.notice(
                    question.conversation(), "no input left to answer the permission question, so it is" + " rejected");
            question.answer().complete(question.request().reject());
        }
    }

    private CompletionStage<PermissionOutcome> ask(PermissionRequest request) {
        String conversation = conversationOfSession.apply(request.sessionId());
        Question question = new Question(request, conversation);
        boolean closed;
        boolean first = false;
        lock.lock();
        try {
            closed = inputClosed;
            if (!closed) {
                pending.add(question);
                first = pending.size() == 1;
            }
        } finally {
            lock.unlock();
        }
        if (closed) {
            return decided(request, request.reject(), "rejected: no input left to answer the question");
        }
        var unused = question.answer().whenComplete((outcome, error) -> {
            if (error != null) {
                withdrawn(question, error);
            }
        });
        if (first) {
            show(question);
        }
        onQuestion.run();
        return question.answer();
    }

    /** The client cancelled the question (its turn was cancelled) or no answer came in time. */
    private void withdrawn(Question question, Throwable error) {
        Question next = null;
        lock.lock();
        try {
            boolean wasFirst = pending.peek() == question;
            if (!pending.remove(question)) {
                return;
            }
            if (wasFirst) {
                next = pending.peek();
            }
        } finally {
            lock.unlock();
        }
        renderer.notice(
                question.conversation(),
                error instanceof CancellationException
                        ? "the permission question about " + what(question.request()) + " was withdrawn"
                        : error instanceof TimeoutException
                                ? "no answer about " + what(question.request()) + " in " + ANSWER_TIMEOUT.toMinutes()
                                        + " minutes, so it is rejected"
                                : "the permission question failed: " + error);
        if (next != null) {
            show(next);
        }
    }

    private void show(Question question) {
        PermissionRequest request = question.request();
        StringBuilder text = new StringBuilder("the agent asks for permission: ").append(what(request));
        String kind = request.toolCall().toolKind();
        if (kind != null) {
            text.append(" [").append(kind).append(']');
        }
        for (JsonNode location : request.raw().path("toolCall").path("locations")) {
            if (location.path("path").isTextual()) {
                text.append(' ').append(location.path("path").asText());
            }
        }
        renderer.notice(question.conversation(), text.toString());
        StringBuilder options = new StringBuilder("  ");
        for (int i = 0; i < request.options().size(); i++) {
            options.append(i == 0 ? "" : "   ")
                    .append(i + 1)
                    .append(") ")
                    .append(request.options().get(i).name());
        }
        renderer.lines(options + "\n  answer " + choices(request) + ":");
    }

    private CompletionStage<PermissionOutcome> decided(
            PermissionRequest request, PermissionOutcome outcome, String why) {
        renderer.notice(conversationOfSession.apply(request.sessionId()), what(request) + ": " + why);
        return CompletableFuture.completedFuture(outcome);
    }

    private static String what(PermissionRequest request) {
        String title = request.toolCall().title();
        return "\""
                + (title == null || title.isBlank()
                        ? "tool call " + request.toolCall().toolCallId()
                        : title) + "\"";
    }

    private static String choices(PermissionRequest request) {
        int count = request.options().size();
        return "y (allow once), n (reject)" + (count == 0 ? "" : " or a number from 1 to " + count);
    }

    /** The outcome the user's answer means, or null if it means nothing. */
    static @Nullable PermissionOutcome parse(PermissionRequest request, String line) {
        String answer = line.strip().toLowerCase(Locale.ROOT);
        switch (answer) {
            case "y", "yes" -> {
                return request.allowOnce();
            }
            case "n", "no" -> {
                return request.reject();
            }
            default -> {
                try {
                    int number = Integer.parseInt(answer);
                    if (number >= 1 && number <= request.options().size()) {
                        return PermissionOutcome.selected(
                                request.options().get(number - 1).optionId());
                    }
                } catch (NumberFormatException e) {
                    // not a number: not an answer
                }
                return null;
            }
        }
    }

    private static String describe(PermissionRequest request, PermissionOutcome outcome) {
        if (outcome instanceof PermissionOutcome.Selected selected) {
            for (PermissionOption option : request.options()) {
                if (option.optionId().equals(selected.optionId())) {
                    return "answered \"" + option.name() + "\"";
                }
            }
        }
        return "answered: cancelled";
    }
}
