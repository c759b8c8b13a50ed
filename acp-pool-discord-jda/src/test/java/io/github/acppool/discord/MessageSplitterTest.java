package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.discord.MessageSplitter.Part;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class MessageSplitterTest {

    private static final int LIMIT = MessageSplitter.DISCORD_LIMIT;

    // ------------------------------------------------------------------ examples

    @Test
    void shortTextIsOnePartUnchanged() {
        assertThat(MessageSplitter.split("hello\nworld", LIMIT)).containsExactly("hello\nworld");
    }

    @Test
    void emptyTextIsNoPart() {
        assertThat(MessageSplitter.split("", LIMIT)).isEmpty();
    }

    @Test
    void exactlyTheLimitIsOnePartAndOneMoreIsTwo() {
        String full = "a".repeat(LIMIT);
        assertThat(MessageSplitter.split(full, LIMIT)).containsExactly(full);
        assertThat(MessageSplitter.split(full + "b", LIMIT)).containsExactly(full, "b");
    }

    @Test
    void countsCodePointsNotUtf16Units() {
        String emoji = "😀".repeat(LIMIT); // 4000 UTF-16 units, 2000 code points
        assertThat(MessageSplitter.split(emoji, LIMIT)).containsExactly(emoji);
    }

    @Test
    void splitsOnLineBoundaries() {
        String line = "x".repeat(999) + "\n"; // 1000 code points
        String text = line + line + line;
        assertThat(MessageSplitter.split(text, LIMIT)).containsExactly(line + line, line);
    }

    @Test
    void closesACutCodeBlockAndReopensItWithItsLanguage() {
        String code = "int x = 0;\n".repeat(300); // 3300 code points
        String text = "Here:\n```java\n" + code + "```\nDone.";

        List<String> parts = MessageSplitter.split(text, LIMIT);

        assertThat(parts).hasSize(2);
        assertThat(parts.get(0)).startsWith("Here:\n```java\n").endsWith("int x = 0;\n```");
        assertThat(parts.get(1)).startsWith("```java\nint x = 0;\n").endsWith("```\nDone.");
        assertThat(parts).allSatisfy(p -> assertThat(fenceLines(p) % 2).isZero());
    }

    @Test
    void hardSplitsALineLongerThanAPartBetweenGraphemes() {
        String family = "👨‍👩‍👧"; // 5 code points, one grapheme
        String text = family.repeat(1000); // 5000 code points on one line

        List<String> parts = MessageSplitter.split(text, LIMIT);

        assertThat(parts).hasSize(3);
        assertThat(parts).allSatisfy(p -> {
            assertThat(Text.codePoints(p)).isLessThanOrEqualTo(LIMIT);
            assertThat(p).matches("(" + Pattern.quote(family) + ")+");
        });
        assertThat(String.join("", parts)).isEqualTo(text);
    }

    @Test
    void aLongLineInsideACodeBlockIsCutAndEachPieceStaysCode() {
        String text = "```\n" + "y".repeat(4500) + "\n```";

        List<String> parts = MessageSplitter.split(text, LIMIT);

        assertThat(parts).hasSize(3).allSatisfy(p -> {
            assertThat(Text.codePoints(p)).isLessThanOrEqualTo(LIMIT);
            assertThat(fenceLines(p) % 2).isZero();
        });
    }

    @Test
    void anUnclosedFenceAtTheEndIsLeftAsWritten() {
        assertThat(MessageSplitter.split("```py\nprint(1)", LIMIT)).containsExactly("```py\nprint(1)");
    }

    @Test
    void inlineTripleBackticksOnOneLineDoNotToggle() {
        assertThat(MessageSplitter.isFenceToggle("```x``` then text")).isFalse();
        assertThat(MessageSplitter.isFenceToggle("```python\n")).isTrue();
        assertThat(MessageSplitter.isFenceToggle("   ```\n")).isTrue();
        assertThat(MessageSplitter.isFenceToggle("text ```\n")).isFalse();
    }

    @Test
    void rejectsATinyLimit() {
        assertThatThrownBy(() -> MessageSplitter.split("x", 99))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be at least 100: 99");
    }

    @Test
    void previewIsTheTextWhenItFits() {
        assertThat(MessageSplitter.preview("short", MessageSplitter.PREVIEW_LIMIT))
                .isEqualTo("short");
    }

    @Test
    void previewShowsTheTailAfterAnEllipsis() {
        String text = "a".repeat(1000) + "b".repeat(1000) + "THE QUESTION?";

        String preview = MessageSplitter.preview(text, MessageSplitter.PREVIEW_LIMIT);

        assertThat(Text.codePoints(preview)).isEqualTo(MessageSplitter.PREVIEW_LIMIT);
        assertThat(preview).startsWith("…a").endsWith("THE QUESTION?");
    }

    @Test
    void previewReopensTheCodeBlockItsTailStartsIn() {
        String text = "intro\n```rust\n" + "let x = 1;\n".repeat(400);

        String preview = MessageSplitter.preview(text, MessageSplitter.PREVIEW_LIMIT);

        assertThat(preview).startsWith("…\n```rust\n");
        assertThat(Text.codePoints(preview)).isLessThanOrEqualTo(MessageSplitter.PREVIEW_LIMIT);
        assertThat(text).endsWith(preview.substring("…\n```rust\n".length()));
    }

    @Test
    void previewNeverCutsAGrapheme() {
        String text = "🇯🇵".repeat(1500); // flags: two code points each
        String preview = MessageSplitter.preview(text, 101);
        assertThat(preview.substring(1)).matches("(🇯🇵)+");
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 200)
    void everyPartFitsTheLimit(@ForAll("texts") String text, @ForAll("limits") int limit) {
        assertThat(MessageSplitter.split(text, limit))
                .allSatisfy(p -> assertThat(Text.codePoints(p)).isLessThanOrEqualTo(limit));
    }

    @Property(tries = 200)
    void joiningTheBodiesGivesTheInput(@ForAll("texts") String text, @ForAll("limits") int limit) {
        List<Part> parts = MessageSplitter.splitParts(text, limit);
        assertThat(parts.stream().map(Part::body).collect(Collectors.joining())).isEqualTo(text);
        assertThat(parts).allSatisfy(p -> {
            assertThat(p.body()).isNotEmpty();
            // Only fence lines are ever added.
            assertThat(p.prefix()).matches("(```[^\\n`]*\\n)?");
            assertThat(p.suffix()).matches("(\\n?```)?");
        });
    }

    @Property(tries = 200)
    void fencesAreBalancedInEveryPart(@ForAll("texts") String text, @ForAll("limits") int limit) {
        List<String> parts = MessageSplitter.split(text, limit);
        boolean inputBalanced = fenceLines(text) % 2 == 0;
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            if (inputBalanced || !last) {
                assertThat(fenceLines(parts.get(i)) % 2)
                        .as("part %d of %d: %s", i, parts.size(), parts.get(i))
                        .isZero();
            }
        }
    }

    @Property(tries = 200)
    void noPartEndsInsideAGraphemeCluster(@ForAll("texts") String text, @ForAll("limits") int limit) {
        Set<Integer> boundaries = graphemeBoundaries(text);
        int offset = 0;
        for (Part part : MessageSplitter.splitParts(text, limit)) {
            offset += part.body().length();
            assertThat(boundaries).as("cut at %d", offset).contains(offset);
        }
    }

    @Property(tries = 200)
    void aPartEndsMidLineOnlyWhenTheLineCannotFitInAPart(@ForAll("texts") String text, @ForAll("limits") int limit) {
        List<Part> parts = MessageSplitter.splitParts(text, limit);
        int offset = 0;
        for (int i = 0; i < parts.size() - 1; i++) {
            offset += parts.get(i).body().length();
            if (!parts.get(i).body().endsWith("\n")) {
                int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
                int newline = text.indexOf('\n', offset);
                int lineEnd = newline < 0 ? text.length() : newline + 1;
                int reopenAndClose = 32 + 1 + 4; // the longest reopened opener with its newline, and "\n```"
                assertThat(Text.codePoints(text.substring(lineStart, lineEnd))).isGreaterThan(limit - reopenAndClose);
            }
        }
    }

    @Property(tries = 200)
    void previewFitsAndEndsWithTheText(@ForAll("texts") String text, @ForAll("limits") int limit) {
        String preview = MessageSplitter.preview(text, limit);
        assertThat(Text.codePoints(preview)).isLessThanOrEqualTo(limit);
        if (Text.codePoints(text) <= limit) {
            assertThat(preview).isEqualTo(text);
        } else {
            assertThat(preview).startsWith(MessageSplitter.ELLIPSIS);
            String tail = preview.substring(preview.startsWith("…\n```") ? preview.indexOf('\n', 2) + 1 : 1);
            assertThat(text).endsWith(tail);
            assertThat(graphemeBoundaries(text)).contains(text.length() - tail.length());
        }
    }

    @Property(tries = 200)
    void splittingAtDiscordsLimitKeepsLinesWhole(
            @ForAll("shortLines") List<String> lines, @ForAll @IntRange(min = 1, max = 40) int blocks) {
        // Lines far below the limit are never cut.
        String text = String.join("", java.util.Collections.nCopies(blocks, String.join("", lines)));
        for (Part part : MessageSplitter.splitParts(text, LIMIT)) {
            assertThat(part.body().endsWith("\n") || text.endsWith(part.body())).isTrue();
        }
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(MessageSplitter.MIN_LIMIT, 300), Arbitraries.just(LIMIT));
    }

    @Provide
    Arbitrary<List<String>> shortLines() {
        return Arbitraries.strings()
                .alpha()
                .ofMaxLength(80)
                .map(s -> s + "\n")
                .list()
                .ofMinSize(1)
                .ofMaxSize(30);
    }

    /** Text as agents write it: paragraphs with emoji, flags, combining marks and CJK, fenced blocks, long lines. */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> token = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        30,
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMinLength(1)
                                .ofMaxLength(8)),
                net.jqwik.api.Tuple.of(10, Arbitraries.just(" ")),
                net.jqwik.api.Tuple.of(
                        3,
                        Arbitraries.of(
                                "😀",
                                "👨‍👩‍👧",
                                "🇯🇵",
                                "🇺🇸",
                                "👍🏽",
                                "🏳️‍🌈",
                                "e\u0301",
                                "漢字",
                                "𝄞",
                                "`x`",
                                "\r\n")),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMinLength(100)
                                .ofMaxLength(3000)));
        Arbitrary<String> line = token.list().ofMaxSize(30).map(t -> String.join("", t) + "\n");
        Arbitrary<String> paragraph = line.list().ofMinSize(1).ofMaxSize(8).map(l -> String.join("", l));
        Arbitrary<String> fenced = Combinators.combine(
                        Arbitraries.of("", "java", "python", "c++", "diff"),
                        line.list().ofMaxSize(40))
                .as((lang, lines) -> "```" + lang + "\n" + String.join("", lines) + "```\n");
        Arbitrary<String> block =
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, paragraph), net.jqwik.api.Tuple.of(2, fenced));
        Arbitrary<String> body = block.list().ofMinSize(1).ofMaxSize(10).map(b -> String.join("", b));
        Arbitrary<String> unclosed = Combinators.combine(body, line.list().ofMaxSize(20))
                .as((b, lines) -> b + "```sh\n" + String.join("", lines));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, body),
                net.jqwik.api.Tuple.of(1, unclosed),
                net.jqwik.api.Tuple.of(1, body.map(b -> b.substring(0, b.length() - 1))));
    }

    // ------------------------------------------------------------------ oracles

    /** Lines that start with ```: the generated texts have no other kind of fence and no inline ```. */
    private static int fenceLines(String text) {
        int count = 0;
        for (String line : text.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                count++;
            }
        }
        return count;
    }

    private static Set<Integer> graphemeBoundaries(String text) {
        Set<Integer> result = new HashSet<>();
        Matcher matcher = Pattern.compile("\\X").matcher(text);
        while (matcher.find()) {
            result.add(matcher.start());
        }
        result.add(text.length());
        return result;
    }
}
