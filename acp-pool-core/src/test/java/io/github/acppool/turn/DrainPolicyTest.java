package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class DrainPolicyTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void none_endsAtOnce() {
        assertThat(DrainPolicy.none().remaining(Duration.ZERO, Duration.ZERO)).isZero();
    }

    @Test
    void fixed_countsFromTheAnswerWhateverArrives() {
        DrainPolicy fixed = DrainPolicy.fixed(ms(200));
        assertThat(fixed.remaining(ms(0), ms(0))).isEqualTo(ms(200));
        assertThat(fixed.remaining(ms(150), ms(0))).isEqualTo(ms(50));
        assertThat(fixed.remaining(ms(200), ms(0))).isZero();
        assertThat(fixed.remaining(ms(250), ms(250))).isNegative();
    }

    @Test
    void quietPeriod_waitsForSilence_butNoLongerThanTheCap() {
        DrainPolicy quiet = DrainPolicy.quietPeriod(ms(1000), ms(5000));
        assertThat(quiet.remaining(ms(0), ms(0))).isEqualTo(ms(1000));
        assertThat(quiet.remaining(ms(900), ms(900))).isEqualTo(ms(100));
        // An update 100 ms ago opens a new quiet period.
        assertThat(quiet.remaining(ms(900), ms(100))).isEqualTo(ms(900));
        assertThat(quiet.remaining(ms(1000), ms(1000))).isZero();
        // A chatty agent is cut off at the cap.
        assertThat(quiet.remaining(ms(4500), ms(10))).isEqualTo(ms(500));
        assertThat(quiet.remaining(ms(5000), ms(0))).isZero();
    }

    @Test
    void defaultIsTheSeedsFixedWindow() {
        assertThat(DrainPolicy.defaultPolicy()).isEqualTo(DrainPolicy.fixed(ms(200)));
        assertThat(DrainPolicy.DEFAULT_WINDOW).isEqualTo(ms(200));
        assertThat(DrainPolicy.defaultPolicy().toString()).contains("PT0.2S");
        assertThat(DrainPolicy.none().toString()).isEqualTo("DrainPolicy.none()");
    }

    @Test
    void badWindowsAreRefusedWithTheirValue() {
        assertThatThrownBy(() -> DrainPolicy.fixed(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window must be positive: PT0S");
        assertThatThrownBy(() -> DrainPolicy.quietPeriod(ms(2000), ms(1000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quiet must not be longer than cap: PT2S > PT1S");
        assertThatThrownBy(() -> DrainPolicy.quietPeriod(ms(-1), ms(1000)))
                .hasMessage("quiet must be positive: PT-0.001S");
        assertThatThrownBy(() -> DrainPolicy.fixed(null)).hasMessage("window must not be null");
    }
}
