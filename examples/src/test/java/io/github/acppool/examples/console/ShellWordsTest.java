package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ShellWordsTest {

    @Test
    void blanksSeparateWords() {
        assertThat(ShellWords.split("  npx  -y\t@zed-industries/codex-acp "))
                .containsExactly("npx", "-y", "@zed-industries/codex-acp");
    }

    @Test
    void quotesKeepBlanks_andJoinWithAdjacentText() {
        assertThat(ShellWords.split("java -cp '/opt/my dir/a.jar' --name=\"Ada Lovelace\" x'y'\"z\""))
                .containsExactly("java", "-cp", "/opt/my dir/a.jar", "--name=Ada Lovelace", "xyz");
    }

    @Test
    void singleQuotesAreLiteral_doubleQuotesEscapeOnlyQuoteAndBackslash() {
        assertThat(ShellWords.split("'a\\b\"c' \"d\\\"e\\\\f\\g\"")).containsExactly("a\\b\"c", "d\"e\\f\\g");
    }

    @Test
    void backslashOutsideQuotesEscapesTheNextCharacter() {
        assertThat(ShellWords.split("my\\ agent \\'x")).containsExactly("my agent", "'x");
    }

    @Test
    void emptyQuotesMakeAnEmptyWord() {
        assertThat(ShellWords.split("cmd '' \"\"")).containsExactly("cmd", "", "");
    }

    @Test
    void blankLineHasNoWords() {
        assertThat(ShellWords.split("  \t ")).isEmpty();
    }

    @Test
    void unclosedQuotesAndALoneBackslashAreErrors() {
        assertThatThrownBy(() -> ShellWords.split("npx 'oops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unclosed ' in: npx 'oops");
        assertThatThrownBy(() -> ShellWords.split("npx \"oops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unclosed \" in: npx \"oops");
        assertThatThrownBy(() -> ShellWords.split("npx \\"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the line ends in a lone \\: npx \\");
    }
}
