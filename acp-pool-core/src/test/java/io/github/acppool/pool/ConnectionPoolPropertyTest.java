package io.github.acppool.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random sequences of operations on one thread, checked against a simple model after every step: which key holds
 * which connection, which connections are open, and which evictions (with which cause) happened.
 *
 * <p>No {@code @Timeout} here: jqwik does not process Jupiter's annotation (it only warns about it), so each try
 * is bounded with {@code assertTimeoutPreemptively} instead.
 */
final class ConnectionPoolPropertyTest {

    private static final int MAX_SIZE = 3;
    private static final Duration IDLE = Duration.ofMinutes(10);

    @Property(tries = 300)
    void thePoolBehavesLikeTheModel(@ForAll("operations") List<Op> operations) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Harness harness = new Harness();
            for (Op op : operations) {
                int eventsBefore = harness.fixture.events.size();
                List<String> expected = new ArrayList<>();
                op.run(harness, expected);
                List<String> actual = harness.fixture.events.subList(eventsBefore, harness.fixture.events.size());
                // Cleanup visits entries in map order, so compare each step's events as a multiset.
                assertThat(actual).as("events of %s", op).containsExactlyInAnyOrderElementsOf(expected);
                harness.checkInvariants(op);
            }
            harness.fixture.pool.close();
            assertThat(harness.fixture.created)
                    .allSatisfy(c ->
                            assertThat(c.closeCount).as("close count of %s", c).hasValue(1));
        });
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<String> keys = Arbitraries.of("k0", "k1", "k2", "k3", "k4");
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(6, keys.map(Use::new)),
                Tuple.of(2, keys.map(TryUse::new)),
                Tuple.of(2, keys.map(Evict::new)),
                Tuple.of(2, keys.map(Kill::new)),
                Tuple.of(2, Arbitraries.integers().between(0, 15).map(Advance::new)),
                Tuple.of(2, Arbitraries.just(new Cleanup())),
                Tuple.of(1, Arbitraries.just(new FailNextCreation())));
        return op.list().ofMaxSize(60);
    }

    /** The model: key to (connection, last active). */
    private static final class Harness {
        final PoolFixture fixture = new PoolFixture(PoolFixture.config()
                .maxSize(MAX_SIZE)
                .idleTimeout(IDLE)
                .cleanupInterval(Duration.ofDays(10_000)) // only explicit cleanups in this test
                .build());
        final Map<String, FakeConnection> connections = new HashMap<>();
        final Map<String, Long> lastActive = new HashMap<>();
        boolean failNextCreation;

        Harness() {
            fixture.factoryHook = key -> {
                if (failNextCreation) {
                    failNextCreation = false;
                    throw new IOException("planned failure");
                }
            };
        }

        long now() {
            return fixture.clock.read();
        }

        void evicted(String key, EvictionCause cause, List<String> expected) {
            FakeConnection connection = connections.remove(key);
            lastActive.remove(key);
            expected.add("evict " + connection + " " + cause);
            expected.add("close " + connection);
        }

        /** What a use of {@code key} must do; returns the connection it must get, or null if creation fails. */
        FakeConnection expectUse(String key, List<String> expected, Runnable call) {
            fixture.clock.advance(Duration.ofMillis(1)); // distinct stamps make the LRU order unambiguous
            FakeConnection existing = connections.get(key);
            if (existing != null && !existing.alive) {
                evicted(key, EvictionCause.DEAD, expected);
                existing = null;
            }
            if (existing == null && connections.size() == MAX_SIZE) {
                String lru = lastActive.entrySet().stream()
                        .min(Map.Entry.comparingByValue())
                        .orElseThrow()
                        .getKey();
                evicted(lru, EvictionCause.CAPACITY, expected);
            }
            if (existing == null && failNextCreation) {
                assertThatThrownBy(call::run)
                        .isInstanceOf(ConnectionCreationException.class)
                        .hasRootCauseMessage("planned failure");
                return null;
            }
            int createdBefore = fixture.created.size();
            call.run();
            if (existing == null) {
                assertThat(fixture.created).hasSize(createdBefore + 1);
                existing = fixture.created.get(createdBefore);
                connections.put(key, existing);
            }
            lastActive.put(key, now());
            return existing;
        }

        void checkInvariants(Op op) {
            List<FakeConnection> open = fixture.created.stream()
                    .filter(c -> !c.isClosed())
                    .sorted(Comparator.comparingInt(c -> c.id))
                    .toList();
            List<FakeConnection> mapped = connections.values().stream()
                    .sorted(Comparator.comparingInt(c -> c.id))
                    .toList();
            assertThat(open).as("open connections after %s", op).isEqualTo(mapped);
            assertThat(fixture.keys())
                    .as("keys after %s", op)
                    .containsExactlyInAnyOrderElementsOf(connections.keySet());
            PoolStats<String> stats = fixture.pool.stats();
            assertThat(stats.size()).isLessThanOrEqualTo(MAX_SIZE);
            assertThat(stats.busy()).isZero();
            assertThat(stats.creating()).isZero();
            Map<String, Duration> idle = stats.connections().stream()
                    .collect(Collectors.toMap(ConnectionStats::key, ConnectionStats::idleTime));
            lastActive.forEach((key, stamp) ->
                    assertThat(idle.get(key)).as("idle time of %s", key).isEqualTo(Duration.ofNanos(now() - stamp)));
            fixture.assertClosedAtMostOnce();
        }
    }

    interface Op {
        void run(Harness harness, List<String> expected);
    }

    record Use(String key) implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            FakeConnection[] got = new FakeConnection[1];
            FakeConnection want = harness.expectUse(key, expected, () -> got[0] = harness.fixture.use(key));
            assertThat(got[0]).isSameAs(want);
        }
    }

    record TryUse(String key) implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            TryResult<?>[] got = new TryResult<?>[1];
            FakeConnection want = harness.expectUse(
                    key, expected, () -> got[0] = harness.fixture.pool.tryWithConnection(key, c -> c));
            if (want != null) {
                assertThat(got[0]).isEqualTo(TryResult.ran(want));
            }
        }
    }

    record Evict(String key) implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            boolean present = harness.connections.containsKey(key);
            if (present) {
                harness.evicted(key, EvictionCause.EXPLICIT, expected);
            }
            assertThat(harness.fixture.pool.evict(key)).isEqualTo(present);
        }
    }

    record Kill(String key) implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            FakeConnection connection = harness.connections.get(key);
            if (connection != null) {
                connection.alive = false;
            }
        }
    }

    record Advance(int minutes) implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            harness.fixture.clock.advance(Duration.ofMinutes(minutes));
        }
    }

    record Cleanup() implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            long now = harness.now();
            int evictions = 0;
            for (String key : List.copyOf(harness.connections.keySet())) {
                if (now - harness.lastActive.get(key) >= IDLE.toNanos()) {
                    harness.evicted(key, EvictionCause.IDLE, expected);
                    evictions++;
                } else if (!harness.connections.get(key).alive) {
                    harness.evicted(key, EvictionCause.DEAD, expected);
                    evictions++;
                }
            }
            assertThat(harness.fixture.pool.cleanupIdle()).isEqualTo(evictions);
        }
    }

    record FailNextCreation() implements Op {
        @Override
        public void run(Harness harness, List<String> expected) {
            harness.failNextCreation = true;
        }
    }
}
