package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class BotTurnCounterTest {

    @Test
    void countsConsecutiveBotMessagesPerChannel() {
        BotTurnCounter counter = new BotTurnCounter();
        assertThat(counter.record(1, true, true, "a")).isEqualTo(1);
        assertThat(counter.record(1, true, true, "b")).isEqualTo(2);
        assertThat(counter.record(2, true, true, "c")).isEqualTo(1);
    }

    @Test
    void aPersonsMessageResetsButSystemAndEmptyMessagesDoNot() {
        BotTurnCounter counter = new BotTurnCounter();
        counter.record(1, true, true, "a");
        counter.record(1, true, true, "b");

        assertThat(counter.record(1, false, false, "alice joined the thread")).isEqualTo(2);
        assertThat(counter.record(1, false, true, "  ")).isEqualTo(2);
        assertThat(counter.record(1, false, true, "stop it")).isZero();
        assertThat(counter.record(1, true, true, "c")).isEqualTo(1);
    }

    @Test
    void forgetsTheLeastRecentlyActiveChannelBeyondItsCapacity() {
        BotTurnCounter counter = new BotTurnCounter(2);
        counter.record(1, true, true, "a");
        counter.record(2, true, true, "a");
        counter.record(1, true, true, "a");
        counter.record(3, true, true, "a");

        assertThat(counter.record(1, true, true, "a")).isEqualTo(3);
        assertThat(counter.record(2, true, true, "a")).isEqualTo(1);
    }
}
