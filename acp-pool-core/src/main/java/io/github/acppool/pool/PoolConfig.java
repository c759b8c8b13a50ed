package io.github.acppool.pool;

import io.github.acppool.internal.Checks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The tuning of a {@link ConnectionPool}. Build one with {@link #builder()}, or take {@link #defaults()}.
 *
 * <p>Immutable and thread-safe. The defaults may change in a later release.
 *
 * @param name names the pool in log lines and exception messages
 * @param maxSize the most connections (and creations in flight) the pool holds at once
 * @param idleTimeout how long a connection may go unused before cleanup closes it
 * @param cleanupInterval the longest time between two cleanup passes on the scheduler (a pass also runs when a
 *     connection becomes due to be idle or hung, so those are found on time); dead processes are found at this pace
 * @param acquireTimeout how long a caller that needs a new slot waits, when every connection is busy, before
 *     it gets a {@link PoolExhaustedException}; zero fails at once
 * @param hungTimeout how long a callback may run before cleanup closes its connection as {@link
 *     EvictionCause#HUNG} even though the callback still holds it; zero turns hung detection off
 * @param closeTimeout how long {@link ConnectionPool#close()} waits for running callbacks before it closes
 *     their connections anyway
 */
public record PoolConfig(
        String name,
        int maxSize,
        Duration idleTimeout,
        Duration cleanupInterval,
        Duration acquireTimeout,
        Duration hungTimeout,
        Duration closeTimeout) {

    /** Default {@link #name()}: {@value}. */
    public static final String DEFAULT_NAME = "acp-pool";
    /** Default {@link #maxSize()}: {@value}, as in openab. */
    public static final int DEFAULT_MAX_SIZE = 10;
    /** Default {@link #idleTimeout()}: 4 hours, as in openab. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(4);
    /** Default {@link #cleanupInterval()}: 60 seconds, as in openab. */
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofSeconds(60);
    /** Default {@link #acquireTimeout()}: zero, so a full pool fails fast. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ZERO;
    /** Default {@link #hungTimeout()}: zero, so hung detection is off. */
    public static final Duration DEFAULT_HUNG_TIMEOUT = Duration.ZERO;
    /** Default {@link #closeTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final PoolConfig DEFAULTS = builder().build();

    /** Validates every setting; messages name the setting and the bad value. */
    public PoolConfig {
        Checks.notNull(name, "name");
        Checks.argument(!name.isBlank(), "name must not be blank: '%s'", name);
        Checks.positive(maxSize, "maxSize");
        Checks.positive(idleTimeout, "idleTimeout");
        Checks.positive(cleanupInterval, "cleanupInterval");
        Checks.nonNegative(acquireTimeout, "acquireTimeout");
        Checks.nonNegative(hungTimeout, "hungTimeout");
        Checks.nonNegative(closeTimeout, "closeTimeout");
    }

    /** This configuration with another {@link #hungTimeout()}. */
    public PoolConfig withHungTimeout(Duration value) {
        return new PoolConfig(name, maxSize, idleTimeout, cleanupInterval, acquireTimeout, value, closeTimeout);
    }

    /** The configuration with every default. */
    public static PoolConfig defaults() {
        return DEFAULTS;
    }

    /**
     * A builder in which every setting can be given once and starts at its default: {@link #DEFAULT_NAME},
     * {@link #DEFAULT_MAX_SIZE}, {@link #DEFAULT_IDLE_TIMEOUT}, {@link #DEFAULT_CLEANUP_INTERVAL}, {@link
     * #DEFAULT_ACQUIRE_TIMEOUT}, {@link #DEFAULT_HUNG_TIMEOUT}, {@link #DEFAULT_CLOSE_TIMEOUT}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link PoolConfig}. Each setting may be given once (a second call throws {@link
     * IllegalStateException}); values are validated by {@link #build()}.
     *
     * <p>Not thread-safe: use one builder from one thread.
     */
    public static final class Builder {
        private @Nullable String name;
        private @Nullable Integer maxSize;
        private @Nullable Duration idleTimeout;
        private @Nullable Duration cleanupInterval;
        private @Nullable Duration acquireTimeout;
        private @Nullable Duration hungTimeout;
        private @Nullable Duration closeTimeout;

        private Builder() {}

        public Builder name(String name) {
            this.name = Checks.setOnce(this.name, name, "name");
            return this;
        }

        public Builder maxSize(int maxSize) {
            this.maxSize = Checks.setOnce(this.maxSize, maxSize, "maxSize");
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Checks.setOnce(this.idleTimeout, idleTimeout, "idleTimeout");
            return this;
        }

        public Builder cleanupInterval(Duration cleanupInterval) {
            this.cleanupInterval = Checks.setOnce(this.cleanupInterval, cleanupInterval, "cleanupInterval");
            return this;
        }

        public Builder acquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = Checks.setOnce(this.acquireTimeout, acquireTimeout, "acquireTimeout");
            return this;
        }

        /** Zero turns hung detection off. */
        public Builder hungTimeout(Duration hungTimeout) {
            this.hungTimeout = Checks.setOnce(this.hungTimeout, hungTimeout, "hungTimeout");
            return this;
        }

        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = Checks.setOnce(this.closeTimeout, closeTimeout, "closeTimeout");
            return this;
        }

        /** Returns the validated configuration; unset settings take their defaults. */
        public PoolConfig build() {
            return new PoolConfig(
                    name != null ? name : DEFAULT_NAME,
                    maxSize != null ? maxSize : DEFAULT_MAX_SIZE,
                    idleTimeout != null ? idleTimeout : DEFAULT_IDLE_TIMEOUT,
                    cleanupInterval != null ? cleanupInterval : DEFAULT_CLEANUP_INTERVAL,
                    acquireTimeout != null ? acquireTimeout : DEFAULT_ACQUIRE_TIMEOUT,
                    hungTimeout != null ? hungTimeout : DEFAULT_HUNG_TIMEOUT,
                    closeTimeout != null ? closeTimeout : DEFAULT_CLOSE_TIMEOUT);
        }
    }
}
