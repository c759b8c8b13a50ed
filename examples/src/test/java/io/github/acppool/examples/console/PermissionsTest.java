package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.acp.PermissionOption;
import io.github.acppool.acp.PermissionOutcome;
import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.acp.PermissionRequest;
import io.github.acppool.acp.schema.SessionUpdate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class PermissionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Renderer renderer =
            new Renderer(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, () -> 0L);
    private final AtomicInteger signals = new AtomicInteger();
    private final Permissions permissions =
            new Permissions(renderer, sessionId -> sessionId.equals("s-1") ? "main" : "work", signals::incrementAndGet);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static PermissionRequest request(String sessionId, String title) {
        ObjectNode raw = JSON.createObjectNode().put("sessionId", sessionId);
        ObjectNode toolCall =
                raw.putObject("toolCall").put("toolCallId", "c-" + title).put("title", title);
        toolCall.putArray("locations").addObject().put("path", "/tmp/" + title);
        return new PermissionRequest(
                sessionId,
                new SessionUpdate.ToolCallUpdate("c-" + title, title, "delete", "pending", toolCall),
                List.of(
                        new PermissionOption("allow", "Allow once", PermissionOption.ALLOW_ONCE),
                        new PermissionOption("always", "Always allow", PermissionOption.ALLOW_ALWAYS),
                        new PermissionOption("reject", "Reject", PermissionOption.REJECT_ONCE)),
                raw);
    }

    private static CompletableFuture<PermissionOutcome> decide(PermissionPolicy policy, PermissionRequest request) {
        return policy.decide(request).toCompletableFuture();
    }

    @Test
    void ask_showsTheQuestion_andTheNextLineAnswersIt() {
        CompletableFuture<PermissionOutcome> decision =
                decide(permissions.policy(Permissions.Mode.ASK), request("s-1", "Delete notes.txt"));

        assertThat(decision).isNotDone();
        assertThat(permissions.hasPending()).isTrue();
        assertThat(signals).hasValue(1);
        assertThat(output()).isEqualTo("""
                        (main: the agent asks for permission: "Delete notes.txt" [delete] /tmp/Delete notes.txt)
                          1) Allow once   2) Always allow   3) Reject
                          answer y (allow once), n (reject) or a number from 1 to 3:
                        """);

        assertThat(permissions.answer("perhaps")).isTrue();
        assertThat(decision).isNotDone();
        assertThat(permissions.answer(" Y ")).isTrue();

        assertThat(decision).isCompletedWithValue(PermissionOutcome.selected("allow"));
        assertThat(permissions.hasPending()).isFalse();
        assertThat(output()).endsWith("""
                        (main: please answer y (allow once), n (reject) or a number from 1 to 3)
                        (main: answered "Allow once")
                        """);
        assertThat(permissions.answer("y")).as("nothing pending").isFalse();
    }

    @Test
    void answers_noAndNumbers() {
        PermissionPolicy ask = permissions.policy(Permissions.Mode.ASK);
        CompletableFuture<PermissionOutcome> first = decide(ask, request("s-1", "a"));
        CompletableFuture<PermissionOutcome> second = decide(ask, request("s-2", "b"));
        CompletableFuture<PermissionOutcome> third = decide(ask, request("s-1", "c"));
        assertThat(output()).as("one question at a time").contains("\"a\"").doesNotContain("\"b\"");

        var unused = permissions.answer("n");
        assertThat(first).isCompletedWithValue(PermissionOutcome.selected("reject"));
        assertThat(output()).contains("(work: the agent asks for permission: \"b\"");

        unused = permissions.answer("2");
        assertThat(second).isCompletedWithValue(PermissionOutcome.selected("always"));
        unused = permissions.answer("4");
        assertThat(third).isNotDone();
        unused = permissions.answer("3");
        assertThat(third).isCompletedWithValue(PermissionOutcome.selected("reject"));
    }

    @Test
    void aQuestionTheClientWithdraws_leavesTheLine_andTheNextIsShown() {
        PermissionPolicy ask = permissions.policy(Permissions.Mode.ASK);
        CompletableFuture<PermissionOutcome> first = decide(ask, request("s-1", "a"));
        CompletableFuture<PermissionOutcome> second = decide(ask, request("s-1", "b"));

        first.cancel(false); // what the client does when the turn is cancelled

        assertThat(output())
                .contains("(main: the permission question about \"a\" was withdrawn)\n"
                        + "(main: the agent asks for permission: \"b\"");
        var unused = permissions.answer("y");
        assertThat(second).isCompletedWithValue(PermissionOutcome.selected("allow"));
        assertThat(permissions.hasPending()).isFalse();
    }

    @Test
    void endOfInput_rejectsPendingAndLaterQuestions() {
        PermissionPolicy ask = permissions.policy(Permissions.Mode.ASK);
        CompletableFuture<PermissionOutcome> pending = decide(ask, request("s-1", "a"));

        permissions.closeInput();

        assertThat(pending).isCompletedWithValue(PermissionOutcome.selected("reject"));
        assertThat(decide(ask, request("s-1", "b"))).isCompletedWithValue(PermissionOutcome.selected("reject"));
        assertThat(output())
                .contains("(main: no input left to answer the permission question, so it is rejected)")
                .endsWith("(main: \"b\": rejected: no input left to answer the question)\n");
        assertThat(permissions.hasPending()).isFalse();
    }

    @Test
    void fixedPolicies_decideAtOnce_andSaySo() {
        assertThat(decide(permissions.policy(Permissions.Mode.ALLOW), request("s-1", "a")))
                .isCompletedWithValue(PermissionOutcome.selected("allow"));
        assertThat(decide(permissions.policy(Permissions.Mode.REJECT), request("s-2", "b")))
                .isCompletedWithValue(PermissionOutcome.selected("reject"));
        assertThat(output()).isEqualTo("""
                        (main: "a": allowed by --permissions allow)
                        (work: "b": rejected by --permissions reject)
                        """);
        assertThat(permissions.hasPending()).isFalse();
    }
}
