package io.github.acppool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Durations read like a person would say them. */
@Timeout(10)
final class HumanDurationTest {

    @Test
    void formats() {
        assertThat(HumanDuration.format(Duration.ofMillis(300))).isEqualTo("less than 1 s");
        assertThat(HumanDuration.format(Duration.ofMillis(3001))).isEqualTo("3 s");
        assertThat(HumanDuration.format(Duration.ofMillis(29_600))).isEqualTo("30 s");
        assertThat(HumanDuration.format(Duration.ofSeconds(120))).isEqualTo("2 min");
        assertThat(HumanDuration.format(Duration.ofSeconds(150))).isEqualTo("2 min 30 s");
        assertThat(HumanDuration.format(Duration.ofMinutes(45))).isEqualTo("45 min");
        assertThat(HumanDuration.format(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
        assertThat(HumanDuration.format(Duration.ofHours(3))).isEqualTo("3 h");
        assertThat(HumanDuration.format(Duration.ofSeconds(-5))).isEqualTo("less than 1 s");
    }
}
