package io.github.acppool.discord;

import static io.github.acppool.discord.ToolCallView.Status.COMPLETED;
import static io.github.acppool.discord.ToolCallView.Status.FAILED;
import static io.github.acppool.discord.ToolCallView.Status.IN_PROGRESS;
import static io.github.acppool.discord.ToolCallView.Status.PENDING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class ToolLinesTest {

    private static ToolCallView call(int n, ToolCallView.Status status) {
        return new ToolCallView("t" + n, "step " + n, "execute", status);
    }

    @Test
    void fullShowsOneLinePerCallWithItsIcon() {
        List<ToolCallView> calls = List.of(call(1, COMPLETED), call(2, FAILED), call(3, IN_PROGRESS));

        assertThat(ToolLines.render(calls, ToolDisplay.FULL, true)).isEqualTo("✅ `step 1`\n❌ `step 2`\n🔧 `step 3`…");
    }

    @Test
    void pendingCountsAsRunning() {
        assertThat(ToolLines.render(List.of(call(1, PENDING)), ToolDisplay.FULL, true))
                .isEqualTo("🔧 `step 1`…");
    }

    @Test
    void whileStreamingMoreThanThreeFinishedCollapseIntoACountLine() {
        List<ToolCallView> calls = List.of(
                call(1, COMPLETED), call(2, COMPLETED), call(3, FAILED), call(4, COMPLETED), call(5, IN_PROGRESS));

        assertThat(ToolLines.render(calls, ToolDisplay.FULL, true)).isEqualTo("✅ 3 done · ❌ 1 failed\n🔧 `step 5`…");
    }

    @Test
    void threeFinishedStillShowEachLine() {
        List<ToolCallView> calls = List.of(call(1, COMPLETED), call(2, COMPLETED), call(3, COMPLETED));
        assertThat(ToolLines.render(calls, ToolDisplay.FULL, true).lines()).hasSize(3);
    }

    @Test
    void whileStreamingMoreThanThreeRunningShowTheLastThree() {
        List<ToolCallView> calls = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            calls.add(call(i, IN_PROGRESS));
        }

        assertThat(ToolLines.render(calls, ToolDisplay.FULL, true))
                .isEqualTo("🔧 3 more running\n🔧 `step 4`…\n🔧 `step 5`…\n🔧 `step 6`…");
    }

    @Test
    void theFinalReplyListsEveryCall() {
        List<ToolCallView> calls = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            calls.add(call(i, COMPLETED));
        }
        assertThat(ToolLines.render(calls, ToolDisplay.FULL, false).lines()).hasSize(6);
    }

    @Test
    void compactIsOneLineOfCounts() {
        List<ToolCallView> calls = List.of(call(1, COMPLETED), call(2, COMPLETED), call(3, FAILED), call(4, PENDING));

        assertThat(ToolLines.render(calls, ToolDisplay.COMPACT, true)).isEqualTo("✅ 2 · ❌ 1 · 🔧 1 tools");
        assertThat(ToolLines.render(List.of(call(1, COMPLETED)), ToolDisplay.COMPACT, false))
                .isEqualTo("✅ 1 tool");
    }

    @Test
    void hiddenAndEmptyShowNothing() {
        assertThat(ToolLines.render(List.of(call(1, COMPLETED)), ToolDisplay.HIDDEN, true))
                .isEmpty();
        assertThat(ToolLines.render(List.of(), ToolDisplay.FULL, true)).isEmpty();
    }

    @Test
    void titlesAreSanitised() {
        assertThat(ToolLines.sanitizeTitle("run `make`\r\nthen\ntest")).isEqualTo("run 'make' ; then ; test");
    }

    @Test
    void aBlankTitleFallsBackToTheKindThenToTool() {
        assertThat(ToolLines.line(new ToolCallView("1", " ", "read", COMPLETED)))
                .isEqualTo("✅ `read`");
        assertThat(ToolLines.line(new ToolCallView("1", "", "", COMPLETED))).isEqualTo("✅ `tool`");
    }

    @Test
    void aLongTitleIsCutWithAnEllipsis() {
        String title = ToolLines.sanitizeTitle("👍🏽".repeat(100));
        assertThat(Text.codePoints(title)).isLessThanOrEqualTo(ToolLines.MAX_TITLE_CODE_POINTS);
        assertThat(title).matches("(👍🏽)+…");
    }

    @Property(tries = 300)
    void everyLineIsOneLineAndStreamingShowsAtMostEightLines(
            @ForAll("calls") List<ToolCallView> calls, @ForAll boolean streaming) {
        String rendered = ToolLines.render(calls, ToolDisplay.FULL, streaming);
        List<String> lines = rendered.lines().toList();
        if (streaming) {
            // At most 3 finished (or one count line) + "N more running" + 3 running.
            assertThat(lines.size()).isLessThanOrEqualTo(COLLAPSED_MAX);
        } else {
            assertThat(lines).hasSize(calls.size());
        }
        for (String line : lines) {
            assertThat(line).doesNotContain("\r");
            // Inline code stays closed: the only backticks are the two around the title.
            assertThat(line.chars().filter(c -> c == '`').count()).isIn(0L, 2L);
        }
    }

    private static final int COLLAPSED_MAX = 3 + 1 + 3;

    @Provide
    Arbitrary<List<ToolCallView>> calls() {
        Arbitrary<String> titles =
                Arbitraries.strings().withChars("ab `\r\n\t😀".toCharArray()).ofMaxLength(200);
        return Combinators.combine(
                        titles,
                        Arbitraries.of("read", "edit", "execute", ""),
                        Arbitraries.of(ToolCallView.Status.class))
                .as((title, kind, status) -> new ToolCallView("id", title, kind, status))
                .list()
                .ofMaxSize(20);
    }
}
