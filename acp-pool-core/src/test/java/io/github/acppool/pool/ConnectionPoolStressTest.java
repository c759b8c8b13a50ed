package io.github.acppool.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads started together hammer one small pool with every operation (use, try, evict, cleanup, stats, time
 * passing, dying connections, failing creations), checking what they can on the way; at the end the pool's
 * invariants are checked: never two holders of one connection, no connection used after it was closed, size never
 * above maxSize, at most one open connection per key, and every created connection closed exactly once.
 */
@Timeout(60)
final class ConnectionPoolStressTest {

    private static final int THREADS = 4; // modest: CI has 2 cores
    private static final int OPERATIONS = 3_000;
    private static final int MAX_SIZE = 3;
    private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "k5"};

    private final PoolFixture fixture = new PoolFixture(PoolFixture.config()
            .maxSize(MAX_SIZE)
            .idleTimeout(Duration.ofSeconds(1))
            .cleanupInterval(Duration.ofMillis(300))
            .acquireTimeout(Duration.ofMillis(2))
            .build());
    private final ConnectionPool<String, FakeConnection> pool = fixture.pool;
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final AtomicInteger callbacks = new AtomicInteger();
    private final AtomicInteger expectedFailures = new AtomicInteger();

    @Test
    void concurrentOperationsKeepEveryInvariant() throws Exception {
        fixture.factoryHook = key -> {
            if (ThreadLocalRandom.current().nextInt(10) == 0) {
                throw new IOException("planned creation failure");
            }
        };
        long seed = new Random().nextLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Random random = new Random(seed + t);
            Thread thread = new Thread(
                    () -> {
                        try {
                            start.await();
                            for (int i = 0; i < OPERATIONS && firstFailure.get() == null; i++) {
                                step(random);
                            }
                        } catch (Throwable e) {
                            firstFailure.compareAndSet(null, e);
                        }
                    },
                    "stress-" + t);
            thread.start();
            threads.add(thread);
        }

        start.countDown();
        for (Thread thread : threads) {
            thread.join(SECONDS.toMillis(50));
            assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
        }

        assertThat(firstFailure.get()).as("first failure (seed %d)", seed).isNull();
        assertThat(callbacks.get()).as("callbacks that ran").isGreaterThan(THREADS * OPERATIONS / 10);
        checkQuiescentInvariants();
        pool.close();
        assertThat(fixture.created)
                .allSatisfy(
                        c -> assertThat(c.closeCount).as("close count of %s", c).hasValue(1));
    }

    private void step(Random random) {
        String key = KEYS[random.nextInt(KEYS.length)];
        try {
            switch (random.nextInt(10)) {
                case 0, 1, 2 -> pool.withConnection(key, this::callback);
                case 3, 4 -> pool.tryWithConnection(key, this::callback);
                case 5 -> pool.evict(key);
                case 6 -> pool.cleanupIdle();
                case 7 -> fixture.clock.advance(Duration.ofMillis(random.nextInt(1000)));
                case 8 -> {
                    List<FakeConnection> created = fixture.created;
                    if (!created.isEmpty()) {
                        created.get(random.nextInt(created.size())).alive = false;
                    }
                }
                default -> checkStats(pool.stats());
            }
        } catch (PoolExhaustedException | ConnectionCreationException expected) {
            expectedFailures.incrementAndGet();
        }
    }

    private String callback(FakeConnection connection) {
        int holders = connection.holders.incrementAndGet();
        try {
            assertThat(holders).as("holders of %s", connection).isOne();
            assertThat(connection.isClosed())
                    .as("%s used after it was closed", connection)
                    .isFalse();
            callbacks.incrementAndGet();
            Thread.yield();
            return connection.key;
        } finally {
            connection.holders.decrementAndGet();
        }
    }

    private static void checkStats(PoolStats<String> stats) {
        assertThat(stats.size()).isLessThanOrEqualTo(MAX_SIZE);
        assertThat(stats.size() + stats.creating()).isLessThanOrEqualTo(MAX_SIZE);
        assertThat(stats.busy()).isBetween(0, stats.size());
        Set<String> keys = new HashSet<>();
        for (ConnectionStats<String> connection : stats.connections()) {
            assertThat(keys.add(connection.key())).as("one entry per key").isTrue();
        }
    }

    /** With no thread running, exactly the connections the pool holds are open, one per key. */
    private void checkQuiescentInvariants() {
        PoolStats<String> stats = pool.stats();
        checkStats(stats);
        assertThat(stats.busy()).isZero();
        assertThat(stats.creating()).isZero();
        fixture.assertClosedAtMostOnce();
        List<String> openKeys = fixture.created.stream()
                .filter(c -> !c.isClosed())
                .map(c -> c.key)
                .toList();
        assertThat(openKeys)
                .as("keys of open connections")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(fixture.keys());
    }
}
