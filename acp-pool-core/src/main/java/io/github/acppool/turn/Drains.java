package io.github.acppool.turn;

import java.time.Duration;

/** The built-in {@link DrainPolicy}s, as records so that they print and compare well. */
final class Drains {
    private Drains() {}

    enum None implements DrainPolicy {
        INSTANCE;

        @Override
        public Duration remaining(Duration sinceAnswer, Duration sinceLastActivity) {
            return Duration.ZERO;
        }

        @Override
        public String toString() {
            return "DrainPolicy.none()";
        }
    }

    record Fixed(Duration window) implements DrainPolicy {
        @Override
        public Duration remaining(Duration sinceAnswer, Duration sinceLastActivity) {
            return window.minus(sinceAnswer);
        }
    }

    record Quiet(Duration quiet, Duration cap) implements DrainPolicy {
        @Override
        public Duration remaining(Duration sinceAnswer, Duration sinceLastActivity) {
            Duration untilQuiet = quiet.minus(sinceLastActivity);
            Duration untilCap = cap.minus(sinceAnswer);
            return untilQuiet.compareTo(untilCap) <= 0 ? untilQuiet : untilCap;
        }
    }
}
