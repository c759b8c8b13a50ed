package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The liveness policy and the streamer builder: defaults, set-once, validation messages. */
@Timeout(10)
final class ConfigTest {

    @Test
    void livenessDefaults() {
        LivenessPolicy defaults = LivenessPolicy.defaults();
        assertThat(defaults.checkInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.inactivityTimeout()).isNull();
        assertThat(defaults.hardTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void livenessBuilderIsSetOnceAndValidates() {
        LivenessPolicy.Builder builder = LivenessPolicy.builder().checkInterval(Duration.ofSeconds(5));
        assertThatThrownBy(() -> builder.checkInterval(Duration.ofSeconds(6)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("checkInterval was already set to PT5S");
        assertThatThrownBy(() -> LivenessPolicy.builder()
                        .inactivityTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inactivityTimeout must be positive: PT0S");
        assertThatThrownBy(() -> new LivenessPolicy(Duration.ofSeconds(1), null, Duration.ofSeconds(-1)))
                .hasMessage("hardTimeout must be positive: PT-1S");
        assertThat(LivenessPolicy.builder()
                        .inactivityTimeout(Duration.ofMinutes(2))
                        .hardTimeout(Duration.ofMinutes(10))
                        .build())
                .isEqualTo(new LivenessPolicy(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10)));
    }

    @Test
    void streamerBuilderIsSetOnceAndValidates() {
        PromptStreamer.Builder builder = PromptStreamer.builder().drainPolicy(DrainPolicy.none());
        assertThatThrownBy(() -> builder.drainPolicy(DrainPolicy.none()))
                .hasMessage("drainPolicy was already set to DrainPolicy.none()");
        assertThatThrownBy(() -> PromptStreamer.builder().cancelGrace(Duration.ZERO))
                .hasMessage("cancelGrace must be positive: PT0S");
        assertThatThrownBy(() -> PromptStreamer.builder().ticker(null)).hasMessage("ticker must not be null");
        FakeScheduler scheduler = new FakeScheduler();
        PromptStreamer.Builder withScheduler = PromptStreamer.builder().scheduler(scheduler, false);
        assertThatThrownBy(() -> withScheduler.scheduler(scheduler, true))
                .hasMessageStartingWith("scheduler was already set to");
    }

    @Test
    void streamerOwnershipOfTheScheduler() {
        FakeScheduler borrowed = new FakeScheduler();
        PromptStreamer.builder().scheduler(borrowed, false).build().close();
        assertThat(borrowed.isShutdown()).isFalse();

        FakeScheduler given = new FakeScheduler();
        PromptStreamer streamer =
                PromptStreamer.builder().scheduler(given, true).build();
        streamer.close();
        streamer.close(); // idempotent
        assertThat(given.isShutdown()).isTrue();
        assertThatThrownBy(() -> streamer.start(new StubAcpClient(), "s", List.of(ContentBlock.text("hi")), e -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the prompt streamer is closed");
    }

    @Test
    void startChecksItsArguments() {
        try (PromptStreamer streamer = PromptStreamer.create()) {
            StubAcpClient client = new StubAcpClient();
            assertThatThrownBy(() -> streamer.start(client, "s", List.of(), TurnListener.none()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("prompt must not be empty");
            assertThatThrownBy(() -> streamer.start(client, null, List.of(ContentBlock.text("x")), TurnListener.none()))
                    .hasMessage("sessionId must not be null");
            assertThatThrownBy(() -> streamer.start(
                            client, "s", java.util.Arrays.asList(ContentBlock.text("x"), null), TurnListener.none()))
                    .hasMessage("prompt block must not be null");
        }
    }
}
