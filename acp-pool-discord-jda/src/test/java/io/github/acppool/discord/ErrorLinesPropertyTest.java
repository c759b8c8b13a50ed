package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Timeout;

/** Whatever an exception says, the user sees one line within the limit. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ErrorLinesPropertyTest {

    @Property
    void describeIsOneShortLine(@ForAll String message) {
        String line = ErrorLines.describe(new IllegalStateException(message));
        assertThat(line).doesNotContain("\n").doesNotContain("\r").startsWith("⚠️ ");
        assertThat(Text.codePoints(ErrorLines.firstLine(message))).isLessThanOrEqualTo(ErrorLines.MAX_DETAIL);
    }
}
