package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class ThreadNamesTest {

    @Test
    void shortTextIsKeptWithWhitespaceCollapsed() {
        assertThat(ThreadNames.fromText("  fix\nthe   build ")).isEqualTo("fix the build");
    }

    @Test
    void mentionsAreRemovedAndCustomEmojiKeepTheirName() {
        assertThat(ThreadNames.fromText("<@123> ask <@&45> in <#67> <:party:89>"))
                .isEqualTo("ask in :party:");
    }

    @Test
    void githubLinksAreShortened() {
        assertThat(ThreadNames.fromText("look at https://github.com/openabdev/openab/issues/76#issuecomment-1"))
                .isEqualTo("look at openabdev/openab#76");
    }

    @Test
    void longTextIsCutAtFortyWithAnEllipsis() {
        String name = ThreadNames.fromText("a".repeat(100));
        assertThat(name).isEqualTo("a".repeat(40) + "…");
    }

    @Test
    void emptyTextGetsAFallbackName() {
        assertThat(ThreadNames.fromText("<@123>  ")).isEqualTo(ThreadNames.FALLBACK);
    }

    @Test
    void emojiAreNotCut() {
        String name = ThreadNames.fromText("👨‍👩‍👧".repeat(20)); // 5 code points each
        assertThat(name).isEqualTo("👨‍👩‍👧".repeat(8) + "…");
    }

    @Property(tries = 500)
    void aNameIsNeverEmptyFitsDiscordAndEndsOnAGrapheme(@ForAll String text) {
        String name = ThreadNames.fromText(text);
        assertThat(name).isNotBlank();
        assertThat(Text.codePoints(name)).isLessThanOrEqualTo(ThreadNames.MAX_NAME + 1);
        assertThat(name.codePoints().anyMatch(cp -> cp == '\n')).isFalse();
        String body = name.endsWith("…") ? name.substring(0, name.length() - 1) : name;
        assertThat(Character.isHighSurrogate(body.isEmpty() ? 'x' : body.charAt(body.length() - 1)))
                .isFalse();
        Matcher whole = Pattern.compile("\\X").matcher(body);
        int end = 0;
        while (whole.find()) {
            end = whole.end();
        }
        assertThat(end).isEqualTo(body.length());
    }
}
