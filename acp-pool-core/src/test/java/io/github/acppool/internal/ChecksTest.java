package io.github.acppool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class ChecksTest {

    @Test
    void messagesNameTheSettingAndTheValue() {
        assertThatThrownBy(() -> Checks.notNull(null, "factory"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("factory must not be null");
        assertThatThrownBy(() -> Checks.positive(0, "maxSize"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be positive: 0");
        assertThatThrownBy(() -> Checks.positive(Duration.ZERO, "idleTimeout"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must be positive: PT0S");
        assertThatThrownBy(() -> Checks.nonNegative(Duration.ofSeconds(-1), "drain"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("drain must not be negative: PT-1S");
        assertThatThrownBy(() -> Checks.nonNegative(-1L, "size"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must not be negative: -1");
        assertThatThrownBy(() -> Checks.argument(false, "%s is %d", "x", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x is 3");
        assertThatThrownBy(() -> Checks.state(false, "closed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("closed");
    }

    @Test
    void validValuesPassThrough() {
        assertThat(Checks.notNull("a", "x")).isEqualTo("a");
        assertThat(Checks.positive(3, "x")).isEqualTo(3);
        assertThat(Checks.positive(Duration.ofMillis(1), "x")).isEqualTo(Duration.ofMillis(1));
        assertThat(Checks.nonNegative(Duration.ZERO, "x")).isEqualTo(Duration.ZERO);
    }

    @Test
    void setOnceRejectsASecondValue() {
        assertThat(Checks.setOnce(null, 5, "maxSize")).isEqualTo(5);
        assertThatThrownBy(() -> Checks.setOnce(5, 6, "maxSize"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxSize was already set to 5");
    }
}
