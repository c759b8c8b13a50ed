package io.github.acppool.discord;

import static io.github.acppool.discord.ToolCallView.Status.COMPLETED;
import static io.github.acppool.discord.ToolCallView.Status.IN_PROGRESS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class ReplyComposerTest {

    private static List<ToolCallView> tools(int finished, int running) {
        List<ToolCallView> calls = new ArrayList<>();
        for (int i = 0; i < finished; i++) {
            calls.add(new ToolCallView("f" + i, "read src/file" + i + ".java " + "x".repeat(100), "read", COMPLETED));
        }
        for (int i = 0; i < running; i++) {
            calls.add(new ToolCallView("r" + i, "cargo test " + i, "execute", IN_PROGRESS));
        }
        return calls;
    }

    @Test
    void toolLinesComeAboveTheText() {
        assertThat(ReplyComposer.streaming(tools(1, 0), "Looking.", ToolDisplay.FULL))
                .isEqualTo("✅ `read src/file0.java " + "x".repeat(100) + "`\n\nLooking.");
    }

    @Test
    void nothingYetShowsAnEllipsis() {
        assertThat(ReplyComposer.streaming(List.of(), "", ToolDisplay.FULL)).isEqualTo("…");
    }

    /** openab #242: with many tool calls, the question at the end of the text must still be visible. */
    @Test
    void theAgentsClosingQuestionStaysVisibleWhileStreaming() {
        String text = "Some analysis. ".repeat(100) + "\nShould I delete the old branch?";

        String preview = ReplyComposer.streaming(tools(40, 10), text, ToolDisplay.FULL);

        assertThat(Text.codePoints(preview)).isLessThanOrEqualTo(MessageSplitter.PREVIEW_LIMIT);
        assertThat(preview).endsWith("Should I delete the old branch?");
    }

    /** openab #81: a long streaming reply is one preview, never several messages. */
    @Test
    void aLongStreamingReplyIsOnePreview() {
        String preview = ReplyComposer.streaming(List.of(), "y".repeat(10_000), ToolDisplay.FULL);
        assertThat(Text.codePoints(preview)).isEqualTo(MessageSplitter.PREVIEW_LIMIT);
    }

    @Test
    void theFinalReplyListsEveryToolAndSplitsAtTheLimit() {
        List<String> parts = ReplyComposer.finalParts(tools(40, 0), "Done.", ToolDisplay.FULL);

        assertThat(parts.size()).isGreaterThan(1);
        assertThat(parts).allSatisfy(p -> assertThat(Text.codePoints(p)).isLessThanOrEqualTo(2000));
        assertThat(String.join("", parts)).contains("file39.java").endsWith("\n\nDone.");
    }

    @Test
    void anEmptyReplySaysSo() {
        assertThat(ReplyComposer.finalParts(List.of(), "  ", ToolDisplay.FULL))
                .containsExactly(ReplyComposer.NO_RESPONSE);
        assertThat(ReplyComposer.finalParts(tools(1, 0), "", ToolDisplay.HIDDEN))
                .containsExactly(ReplyComposer.NO_RESPONSE);
    }

    @Test
    void blankPartsAreLeftOut() {
        String text = "a\n" + "\n".repeat(4000) + "b";
        assertThat(ReplyComposer.finalParts(List.of(), text, ToolDisplay.FULL))
                .allSatisfy(p -> assertThat(p).isNotBlank());
    }
}
