package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.internal.Json;
import io.github.acppool.turn.TurnResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The reply text and its fallbacks: never empty. */
@Timeout(10)
final class TurnResultTest {

    private static PromptResult answer(String stopReason) {
        return PromptResult.fromJson(Json.object().put("stopReason", stopReason));
    }

    private static TurnResult result(
            Outcome outcome,
            @Nullable PromptResult answer,
            String text,
            List<ToolCall> tools,
            @Nullable Throwable error,
            String stderr) {
        return new TurnResult(
                "s1", outcome, answer, text, tools, null, null, Duration.ofSeconds(1), error, List.of(), stderr);
    }

    private static ToolCall tool(String id, String title, ToolCall.Status status) {
        return new ToolCall(id, title, "execute", status, List.of(), List.of(), null, null);
    }

    @Test
    void textIsShownAsItCame() {
        TurnResult result = result(Outcome.COMPLETED, answer("end_turn"), "Hello **world**", List.of(), null, "");
        assertThat(result.replyText()).isEqualTo("Hello **world**");
        assertThat(result.stopReasonValue()).isEqualTo("end_turn");
    }

    @Test
    void textOfATurnThatDidNotSimplyCompleteGetsANote() {
        assertThat(result(Outcome.CANCELLED, answer("cancelled"), "partial", List.of(), null, "")
                        .replyText())
                .isEqualTo("partial\n\n(cancelled)");
        assertThat(result(Outcome.COMPLETED, answer("max_tokens"), "long", List.of(), null, "")
                        .replyText())
                .isEqualTo("long\n\n(stop reason: max_tokens)");
        assertThat(result(Outcome.AGENT_DIED, null, "half", List.of(), new AgentProcessException("x", 3, "boom"), "")
                        .replyText())
                .isEqualTo("half\n\n(the agent exited with code 3 before finishing)");
        assertThat(result(Outcome.TIMED_OUT, null, "some", List.of(), null, "").replyText())
                .isEqualTo("some\n\n(the turn timed out)");
    }

    @Test
    void noTextButTools_summarisesTheToolLines() {
        TurnResult result = result(
                Outcome.COMPLETED,
                answer("end_turn"),
                "",
                List.of(
                        tool("t1", "Read README.md", ToolCall.Status.COMPLETED),
                        tool("t2", "Run\ntests", ToolCall.Status.FAILED),
                        tool("t3", "", ToolCall.Status.IN_PROGRESS)),
                null,
                "irrelevant when the agent completed");
        assertThat(result.replyText())
                .isEqualTo("No text reply from the agent (stop reason: end_turn).\n"
                        + "Tools it ran:\n"
                        + "- Read README.md (completed)\n"
                        + "- Run tests (failed)\n"
                        + "- execute (in progress)");
    }

    @Test
    void nothingAtAll_namesTheStopReasonAndTheStderrTail() {
        String stderr = "line 1\n".repeat(20) + "Error: model quota exceeded\n";
        TurnResult result = result(Outcome.COMPLETED, answer("end_turn"), "  \n", List.of(), null, stderr);
        assertThat(result.replyText())
                .isEqualTo("No text reply from the agent (stop reason: end_turn).\n"
                        + "Agent stderr (last lines):\n"
                        + "line 1\n".repeat(9)
                        + "Error: model quota exceeded");
        assertThat(result(Outcome.COMPLETED, answer(""), "", List.of(), null, "")
                        .replyText())
                .isEqualTo("No text reply from the agent (stop reason: (empty)).");
    }

    @Test
    void nothingAtAll_perOutcome() {
        assertThat(result(Outcome.AGENT_DIED, null, "", List.of(), new AgentProcessException("died", 137, "OOM"), "OOM")
                        .replyText())
                .isEqualTo("No reply: the agent exited with code 137.\nAgent stderr (last lines):\nOOM");
        assertThat(result(Outcome.CANCELLED, null, "", List.of(), null, "").replyText())
                .isEqualTo("Cancelled before the agent replied (stop reason: none, the agent did not answer).");
        assertThat(result(
                                Outcome.TIMED_OUT,
                                null,
                                "",
                                List.of(),
                                new TurnTimeoutException(
                                        TurnTimeoutException.Kind.INACTIVITY,
                                        "s1",
                                        Duration.ofMinutes(2),
                                        Duration.ofMinutes(3)),
                                "")
                        .replyText())
                .isEqualTo("No reply: the turn timed out (session s1: no update from the agent for PT2M (inactivity"
                        + " timeout) after PT3M in the turn; the agent is still running; sent session/cancel).");
        assertThat(result(
                                Outcome.FAILED,
                                null,
                                "",
                                List.of(),
                                new AcpProtocolException("session/prompt", -32603, "Internal error", null),
                                "")
                        .replyText())
                .isEqualTo("No reply: the turn failed (session/prompt failed: Internal error (code -32603)).");
        assertThat(result(
                                Outcome.REJECTED,
                                null,
                                "",
                                List.of(),
                                new UnsupportedContentException("audio", "promptCapabilities.audio", true),
                                "")
                        .replyText())
                .isEqualTo("The prompt was not sent: the agent does not accept audio content in prompts: it did not"
                        + " advertise promptCapabilities.audio.");
    }

    @Test
    void anUnknownStopReasonIsKeptAsSent() {
        TurnResult result = result(Outcome.COMPLETED, answer("galaxy_brain"), "", List.of(), null, "");
        assertThat(result.stopReason()).isEqualTo(io.github.acppool.acp.schema.StopReason.OTHER);
        assertThat(result.stopReasonValue()).isEqualTo("galaxy_brain");
        assertThat(result.replyText()).isEqualTo("No text reply from the agent (stop reason: galaxy_brain).");
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void neverEmpty(Outcome outcome) {
        assertThat(result(outcome, null, "", List.of(), null, "").replyText()).isNotBlank();
        assertThat(result(outcome, null, "", List.of(), new RuntimeException(""), "   ")
                        .replyText())
                .isNotBlank();
    }

    @Test
    void aLongStderrTailIsCut() {
        TurnResult result = result(Outcome.COMPLETED, answer("end_turn"), "", List.of(), null, "x".repeat(5000));
        assertThat(result.replyText()).endsWith("x".repeat(1500)).contains("\n...x");
        assertThat(result.exitCode()).isEmpty();
    }
}
