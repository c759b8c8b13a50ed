package io.github.acppool.acp;

import com.google.errorprone.annotations.CheckReturnValue;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the agent's {@code session/request_permission} requests. The client calls it off its stdout
 * reader thread, so a policy may take as long as it likes: it returns a stage that completes when the
 * decision is made (e.g. when a chat user clicks Allow or Deny).
 *
 * <p>Every request gets exactly one answer. If the session is cancelled first, the client answers {@code
 * cancelled} itself and cancels the returned stage's {@link CompletionStage#toCompletableFuture()
 * future} (a chat adapter can listen for that to disable its buttons); a later completion is ignored. A
 * request cancelled before the policy was called is not given to it at all. A stage that fails, or a policy
 * that throws, is answered with a reject option (or cancelled).
 *
 * <p>Implementations must be thread-safe: requests of different sessions may be decided concurrently.
 */
@FunctionalInterface
public interface PermissionPolicy {

    /** Decides {@code request}; must not return null. */
    @CheckReturnValue
    CompletionStage<PermissionOutcome> decide(PermissionRequest request);

    /** Rejects everything (reject_once, else reject_always, else cancelled). The default policy. */
    static PermissionPolicy rejectAll() {
        return request -> CompletableFuture.completedFuture(request.reject());
    }

    /** Allows everything once (allow_once, else allow_always, else cancelled). */
    static PermissionPolicy allowOnce() {
        return request -> CompletableFuture.completedFuture(request.allowOnce());
    }

    /**
     * Allows (once) tool calls whose kind is in {@code toolKinds} (e.g. {@code read}, {@code search}) and
     * rejects the rest, including tool calls of no stated kind.
     */
    static PermissionPolicy allowToolKinds(Set<String> toolKinds) {
        Set<String> kinds = Set.copyOf(toolKinds);
        return request -> {
            String kind = request.toolCall().toolKind();
            return CompletableFuture.completedFuture(
                    kind != null && kinds.contains(kind) ? request.allowOnce() : request.reject());
        };
    }

    /**
     * Asks a human: {@code ask} posts the question (e.g. Allow/Deny buttons) and returns a stage that the
     * answer completes. If no answer comes within {@code timeout}, or the stage fails, {@code fallback}
     * decides (typically {@link #rejectAll()}).
     */
    static PermissionPolicy askHuman(
            Function<PermissionRequest, CompletionStage<PermissionOutcome>> ask,
            Duration timeout,
            PermissionPolicy fallback) {
        Checks.notNull(ask, "ask");
        Checks.positive(timeout, "timeout");
        Checks.notNull(fallback, "fallback");
        Logger log = LoggerFactory.getLogger(PermissionPolicy.class);
        return request -> {
            CompletableFuture<PermissionOutcome> asked;
            try {
                asked = ask.apply(request).toCompletableFuture();
            } catch (RuntimeException e) {
                log.warn(
                        "{} - asking a human about tool call {} failed",
                        request.sessionId(),
                        request.toolCall().toolCallId(),
                        e);
                return fallback.decide(request);
            }
            CompletableFuture<PermissionOutcome> decided = new CompletableFuture<>();
            var unused = asked.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((outcome, error) -> {
                        if (decided.isDone()) {
                            return; // withdrawn by the client (session/cancel): nothing left to decide
                        }
                        if (error == null && outcome != null) {
                            decided.complete(outcome);
                        } else {
                            log.info(
                                    "{} - no human answer for tool call {} ({}); falling back",
                                    request.sessionId(),
                                    request.toolCall().toolCallId(),
                                    String.valueOf(error));
                            var unusedFallback = fallback.decide(request).whenComplete((o, e) -> {
                                if (e != null) {
                                    decided.completeExceptionally(e);
                                } else {
                                    decided.complete(o);
                                }
                            });
                        }
                    });
            // Propagate the client's cancellation (session/cancel) to the human question.
            var unusedCancel = decided.whenComplete((o, e) -> {
                if (decided.isCancelled()) {
                    asked.cancel(false);
                }
            });
            return decided;
        };
    }
}
