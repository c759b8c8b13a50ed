/**
 * An optional Micrometer binding of the broker: {@link io.github.acppool.metrics.MicrometerBrokerMetrics}.
 *
 * <p>Only this package uses Micrometer ({@code io.micrometer:micrometer-core}, an optional dependency of core): an
 * application without Micrometer never loads it and needs nothing extra.
 */
@NullMarked
package io.github.acppool.metrics;

import org.jspecify.annotations.NullMarked;
