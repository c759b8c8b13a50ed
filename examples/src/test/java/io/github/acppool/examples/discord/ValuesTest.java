package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ValuesTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "1.5s, PT1.5S",
        "2m, PT2M",
        "4h, PT4H",
        "1d, PT24H",
        "1h30m, PT1H30M",
        "0s, PT0S",
        "' 45s ', PT45S",
        "PT30S, PT30S",
        "pt2m, PT2M",
        "P1D, PT24H",
        "PT-5S, PT-5S"
    })
    void durations(String text, String expected) {
        assertThat(Values.duration(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(
            strings = {"", "30", "s", "30 s", "30sec", "1.s", "-5s", "5y", "1h 30m", "P", "PTXS", "99999999999999999d"})
    void notDurations(String text) {
        assertThat(Values.duration(text)).isNull();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "0, 0",
        "1048576, 1048576",
        "512KiB, 524288",
        "10MB, 10000000",
        "1MiB, 1048576",
        "1.5KB, 1500",
        "2 GiB, 2147483648",
        "7B, 7"
    })
    void sizes(String text, long expected) {
        assertThat(Values.size(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "1.5", "ten", "10mb", "10 megs", "-1", "99999999999GiB"})
    void notSizes(String text) {
        assertThat(Values.size(text)).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"PT0S, 0s", "PT1.5S, 1.5s", "PT0.2S, 200ms", "PT5S, 5s", "PT2M, 2m", "PT4H, 4h", "PT48H, 2d"})
    void format(String duration, String expected) {
        assertThat(Values.format(Duration.parse(duration))).isEqualTo(expected);
    }
}
