package io.github.acppool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class PoolConfigTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        PoolConfig defaults = PoolConfig.defaults();

        assertThat(defaults)
                .isEqualTo(PoolConfig.builder().build())
                .isEqualTo(new PoolConfig(
                        "acp-pool",
                        10,
                        Duration.ofHours(4),
                        Duration.ofSeconds(60),
                        Duration.ZERO,
                        Duration.ZERO,
                        Duration.ofSeconds(30)));
        assertThat(defaults.maxSize()).isEqualTo(PoolConfig.DEFAULT_MAX_SIZE);
        assertThat(defaults.idleTimeout()).isEqualTo(PoolConfig.DEFAULT_IDLE_TIMEOUT);
        assertThat(defaults.cleanupInterval()).isEqualTo(PoolConfig.DEFAULT_CLEANUP_INTERVAL);
        assertThat(defaults.acquireTimeout()).isEqualTo(PoolConfig.DEFAULT_ACQUIRE_TIMEOUT);
        assertThat(defaults.hungTimeout()).isEqualTo(PoolConfig.DEFAULT_HUNG_TIMEOUT);
        assertThat(defaults.closeTimeout()).isEqualTo(PoolConfig.DEFAULT_CLOSE_TIMEOUT);
        assertThat(defaults.name()).isEqualTo(PoolConfig.DEFAULT_NAME);
    }

    @Test
    void everySettingCanBeGiven() {
        PoolConfig config = PoolConfig.builder()
                .name("broker")
                .maxSize(3)
                .idleTimeout(Duration.ofMinutes(5))
                .cleanupInterval(Duration.ofSeconds(5))
                .acquireTimeout(Duration.ofSeconds(2))
                .hungTimeout(Duration.ofMinutes(32))
                .closeTimeout(Duration.ofSeconds(1))
                .build();

        assertThat(config)
                .isEqualTo(new PoolConfig(
                        "broker",
                        3,
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(2),
                        Duration.ofMinutes(32),
                        Duration.ofSeconds(1)));
    }

    @Test
    void withHungTimeoutChangesOnlyThat() {
        PoolConfig config = PoolConfig.builder().name("b").maxSize(3).build();

        assertThat(config.withHungTimeout(Duration.ofMinutes(7)))
                .isEqualTo(PoolConfig.builder()
                        .name("b")
                        .maxSize(3)
                        .hungTimeout(Duration.ofMinutes(7))
                        .build());
        assertThatThrownBy(() -> config.withHungTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hungTimeout");
    }

    @Test
    void badValuesAreRejectedWithTheSettingAndTheValue() {
        assertThatThrownBy(() -> PoolConfig.builder().maxSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be positive: 0");
        assertThatThrownBy(() -> PoolConfig.builder().idleTimeout(Duration.ZERO).build())
                .hasMessage("idleTimeout must be positive: PT0S");
        assertThatThrownBy(() -> PoolConfig.builder()
                        .cleanupInterval(Duration.ofSeconds(-1))
                        .build())
                .hasMessage("cleanupInterval must be positive: PT-1S");
        assertThatThrownBy(() -> PoolConfig.builder()
                        .acquireTimeout(Duration.ofMillis(-1))
                        .build())
                .hasMessage("acquireTimeout must not be negative: PT-0.001S");
        assertThatThrownBy(() ->
                        PoolConfig.builder().hungTimeout(Duration.ofMinutes(-1)).build())
                .hasMessage("hungTimeout must not be negative: PT-1M");
        assertThatThrownBy(() ->
                        PoolConfig.builder().closeTimeout(Duration.ofHours(-1)).build())
                .hasMessage("closeTimeout must not be negative: PT-1H");
        assertThatThrownBy(() -> PoolConfig.builder().name(" ").build()).hasMessage("name must not be blank: ' '");
        assertThatThrownBy(() -> PoolConfig.builder().idleTimeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("idleTimeout must not be null");
    }

    @Test
    void aSettingGivenTwiceIsAnError() {
        assertThatThrownBy(() -> PoolConfig.builder().maxSize(2).maxSize(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxSize was already set to 2");
        assertThatThrownBy(() ->
                        ConnectionPool.<String, String>builder().closer(c -> {}).closer(c -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("closer was already set to");
    }

    @Test
    void thePoolBuilderRequiresAFactoryAndACloser() {
        assertThatThrownBy(() ->
                        ConnectionPool.<String, String>builder().closer(c -> {}).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("factory must not be null");
        assertThatThrownBy(() -> ConnectionPool.<String, String>builder()
                        .factory(key -> key)
                        .build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("closer must not be null");
    }

    @Test
    void tryResultsDescribeThemselves() {
        assertThat(TryResult.busy()).hasToString("TryResult[busy]").isSameAs(TryResult.busy());
        assertThat(TryResult.ran("x")).hasToString("TryResult[ran: x]").isEqualTo(TryResult.ran("x"));
        assertThat(TryResult.ran("x").hashCode()).isEqualTo(TryResult.ran("x").hashCode());
        assertThat(TryResult.ran(null)).isNotEqualTo(TryResult.busy());
    }
}
