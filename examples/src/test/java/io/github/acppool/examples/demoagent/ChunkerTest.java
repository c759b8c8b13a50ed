package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class ChunkerTest {

    @Property(tries = 500)
    void piecesJoinBackIntoTheText(@ForAll @StringLength(max = 3000) String text) {
        assertThat(String.join("", Chunker.split(text))).isEqualTo(text);
    }

    @Property(tries = 500)
    void everyPieceButTheLastEndsAfterWhitespace_soNoWordIsCut(@ForAll @StringLength(max = 1000) String text) {
        List<String> pieces = Chunker.split(text);
        for (String piece : pieces.subList(0, Math.max(0, pieces.size() - 1))) {
            assertThat(piece).isNotEmpty();
            assertThat(Character.isWhitespace(piece.charAt(piece.length() - 1))).isTrue();
        }
    }

    @Property(tries = 200)
    void theSameTextIsAlwaysCutTheSameWay(@ForAll @StringLength(max = 500) String text) {
        assertThat(Chunker.split(text)).isEqualTo(Chunker.split(text));
    }

    @Test
    void anEmptyText_hasNoPieces() {
        assertThat(Chunker.split("")).isEmpty();
    }

    @Test
    void aShortSentence_comesInAFewPiecesOfWholeWords() {
        String text = "The quick brown fox jumps over the lazy dog, twice.";

        List<String> pieces = Chunker.split(text);

        assertThat(pieces).hasSizeBetween(2, 8);
        assertThat(String.join("", pieces)).isEqualTo(text);
    }

    @Test
    void aLongReply_comesInAtMostAboutTargetPieces() {
        assertThat(Chunker.split(Replies.longReply()))
                .hasSizeGreaterThan(Chunker.TARGET_PIECES / 2)
                .hasSizeLessThanOrEqualTo(Chunker.TARGET_PIECES * 2);
    }

    @Test
    void surrogatePairs_areNeverSplit() {
        String text = "\uD83D\uDE00".repeat(40) + " " + "\uD83D\uDE00".repeat(40);

        for (String piece : Chunker.split(text)) {
            assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1)))
                    .isFalse();
        }
    }
}
