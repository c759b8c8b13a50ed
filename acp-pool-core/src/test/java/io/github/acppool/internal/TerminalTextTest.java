package io.github.acppool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of terminal sequence an agent's stderr carries is removed; the words around it stay. */
@Timeout(10)
final class TerminalTextTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SGR colour | 'a⎋[31mred⎋[0mb' | 'aredb'
            SGR with several params | '⎋[1;38;5;208mx⎋[m' | 'x'
            cursor and erase | '⎋[2K⎋[1Gline⎋[?25l' | 'line'
            CSI with intermediates | 'a⎋[1 qb' | 'ab'
            8-bit CSI | 'a\u009b31mb' | 'ab'
            OSC title ended by BEL | '⎋]0;my title\u0007done' | 'done'
            OSC link ended by ST | '⎋]8;;http://x⎋\\link⎋]8;;⎋\\' | 'link'
            8-bit OSC ended by 8-bit ST | 'a\u009d0;t\u009cb' | 'ab'
            DCS string | 'a⎋P+q544e⎋\\b' | 'ab'
            APC and PM strings | 'a⎋_x⎋\\b⎋^y⎋\\c' | 'abc'
            charset selection | '⎋(Btext⎋)0' | 'text'
            two-byte escapes | '⎋7a⎋8b⎋=c' | 'abc'
            lone ESC at the end | 'abc⎋' | 'abc'
            lone ESC before a word | 'a ⎋ word' | 'a  word'
            residue without ESC | '[31mError:[0m failed' | 'Error: failed'
            residue of erase and reset | '[2Kprogress [m' | 'progress '
            other control characters | 'a\u0000b\u0007c\u007fd\u0085e' | 'abcde'
            """)
    void strips(String name, String raw, String expected) {
        // ⎋ stands for ESC, which the CSV parser would trim from the start of a value.
        assertThat(TerminalText.strip(raw.replace('⎋', '\u001b'))).as(name).isEqualTo(expected);
    }

    @Test
    void keepsLinesTabsAndText() {
        assertThat(TerminalText.strip("one\ttwo\nthree [1] [a] [x]m ü ✓ 😀"))
                .isEqualTo("one\ttwo\nthree [1] [a] [x]m ü ✓ 😀");
    }

    @Test
    void carriageReturnsBecomeLineEnds() {
        assertThat(TerminalText.strip("a\r\nb\rc")).isEqualTo("a\nb\nc");
    }

    @Test
    void anUnterminatedStringEndsWithItsLine() {
        assertThat(TerminalText.strip("a\u001b]0;title without end\nnext line")).isEqualTo("a\nnext line");
        assertThat(TerminalText.strip("a\u001b[12")).isEqualTo("a");
    }

    @Test
    void nothingLeftIsAnEscape() {
        String raw = "\u001b\u001b[\u001b]\u001bP\u001b(\u009b\u009d";
        assertThat(TerminalText.strip(raw)).doesNotContain("\u001b").doesNotContain("\u009b");
    }
}
