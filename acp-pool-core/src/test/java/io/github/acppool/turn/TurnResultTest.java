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
        assertThat(result.userText()).isEqualTo("Hello **world**");
        assertThat(result.replyText()).isEqualTo(result.userText());
        assertThat(result.stopReasonValue()).isEqualTo("end_turn");
    }

    @Test
    void textOfATurnThatDidNotSimplyCompleteGetsANote() {
        assertThat(result(Outcome.CANCELLED, answer("cancelled"), "partial", List.of(), null, "")
                        .userText())
                .isEqualTo("partial\n\n(Cancelled.)");
        assertThat(result(Outcome.COMPLETED, answer("max_tokens"), "long", List.of(), null, "")
                        .userText())
                .isEqualTo("long\n\n(The reply was cut off at the agent's length limit.)");
        assertThat(result(Outcome.AGENT_DIED, null, "half", List.of(), new AgentProcessException("x", 3, "boom"), "")
                        .userText())
                .isEqualTo("half\n\n(The agent stopped before finishing; your next message starts it again.)");
        assertThat(result(Outcome.TIMED_OUT, null, "some", List.of(), null, "").userText())
                .isEqualTo("some\n\n(Stopped before the end: the agent took too long, so the turn was stopped; try"
                        + " again.)");
    }

    @Test
    void noTextButTools_countsThemForTheUser_andListsThemForTheOperator() {
        TurnResult result = result(
                Outcome.COMPLETED,
                answer("end_turn"),
                "",
                List.of(
                        tool("t1", "Read /home/bot/README.md", ToolCall.Status.COMPLETED),
                        tool("t2", "Run\ntests", ToolCall.Status.FAILED),
                        tool("t3", "", ToolCall.Status.IN_PROGRESS)),
                null,
                "");
        assertThat(result.userText()).isEqualTo("The agent finished without a text reply. It used 3 tools.");
        assertThat(result.diagnostics())
                .contains("tool calls:\n"
                        + "- Read /home/bot/README.md (completed)\n"
                        + "- Run tests (failed)\n"
                        + "- execute (in progress)");
    }

    @Test
    void nothingAtAll_theUserGetsASentence_theOperatorTheStderrTail() {
        String stderr = "line 1\n".repeat(20) + "\u001b[31mError:\u001b[0m model quota exceeded in /srv/bot\n";
        TurnResult result = result(Outcome.COMPLETED, answer("end_turn"), "  \n", List.of(), null, stderr);
        assertThat(result.userText()).isEqualTo("The agent finished without a text reply.");
        assertThat(result.diagnostics())
                .startsWith("session s1: COMPLETED, stop reason end_turn, total PT1S")
                .endsWith("agent stderr (last lines):\n" + "line 1\n".repeat(9)
                        + "Error: model quota exceeded in /srv/bot")
                .doesNotContain("\u001b");
        assertThat(result(Outcome.COMPLETED, answer(""), "", List.of(), null, "")
                        .userText())
                .isEqualTo("The agent finished without a text reply. The agent stopped early.");
    }

    @Test
    void nothingAtAll_perOutcome() {
        assertThat(result(Outcome.AGENT_DIED, null, "", List.of(), new AgentProcessException("died", 137, "OOM"), "OOM")
                        .userText())
                .isEqualTo("No reply: the agent stopped unexpectedly; your next message starts it again.");
        assertThat(result(Outcome.CANCELLED, null, "", List.of(), null, "").userText())
                .isEqualTo("Cancelled before the agent replied.");
        TurnResult timedOut = result(
                Outcome.TIMED_OUT,
                null,
                "",
                List.of(),
                new TurnTimeoutException(
                        TurnTimeoutException.Kind.INACTIVITY,
                        "sess-1-10620",
                        Duration.ofMinutes(2),
                        Duration.ofMillis(183_001)),
                "");
        assertThat(timedOut.userText())
                .isEqualTo("No reply: the agent sent nothing for 2 min, so the turn was stopped; try again.");
        assertThat(timedOut.diagnostics())
                .contains("io.github.acppool.turn.TurnTimeoutException: session sess-1-10620: no update from the"
                        + " agent for PT2M");
        assertThat(result(
                                Outcome.FAILED,
                                null,
                                "",
                                List.of(),
                                new AcpProtocolException("session/prompt", -32603, "Internal error at /srv", null),
                                "")
                        .userText())
                .isEqualTo("No reply: the agent answered with an error; try again, and tell the operator if it keeps"
                        + " happening.");
        assertThat(result(
                                Outcome.REJECTED,
                                null,
                                "",
                                List.of(),
                                new UnsupportedContentException("audio", "promptCapabilities.audio", true),
                                "")
                        .userText())
                .isEqualTo("This agent does not accept audio; send your message as text instead.");
    }

    @Test
    void anUnknownStopReasonIsKeptAsSent_forTheOperator() {
        TurnResult result = result(Outcome.COMPLETED, answer("galaxy_brain"), "", List.of(), null, "");
        assertThat(result.stopReason()).isEqualTo(io.github.acppool.acp.schema.StopReason.OTHER);
        assertThat(result.stopReasonValue()).isEqualTo("galaxy_brain");
        assertThat(result.userText()).isEqualTo("The agent finished without a text reply. The agent stopped early.");
        assertThat(result.diagnostics()).contains("stop reason galaxy_brain");
    }

    @Test
    void aDroppedLine_tellsTheUserPartWasLost_andTheOperatorItsSize() {
        TurnResult result = result(Outcome.COMPLETED, answer("end_turn"), "the start", List.of(), null, "")
                .withDroppedLines(1, 40_000_123);
        assertThat(result.userText())
                .isEqualTo("the start\n(Part of the reply was lost: the agent sent a message too large to read.)");
        assertThat(result.diagnostics())
                .contains("protocol warning: dropped 1 stdout line of 40000123 bytes, over maxLineBytes");
        assertThat(result(Outcome.COMPLETED, answer("end_turn"), "", List.of(), null, "")
                        .withDroppedLines(2, 10)
                        .userText())
                .isEqualTo("The agent finished without a text reply. (Part of the reply was lost: the agent sent a"
                        + " message too large to read.)");
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void neverEmpty(Outcome outcome) {
        assertThat(result(outcome, null, "", List.of(), null, "").userText()).isNotBlank();
        assertThat(result(outcome, null, "", List.of(), new RuntimeException(""), "   ")
                        .userText())
                .isNotBlank();
        assertThat(result(outcome, null, "", List.of(), null, "").diagnostics()).isNotBlank();
    }

    @Test
    void aLongStderrTailIsCut() {
        TurnResult result = result(Outcome.COMPLETED, answer("end_turn"), "", List.of(), null, "x".repeat(5000));
        assertThat(result.diagnostics()).endsWith("x".repeat(1500)).contains("\n...x");
        assertThat(result.exitCode()).isEmpty();
    }
}
