package io.github.acppool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.testing.FakeScheduler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A pool of {@link FakeConnection}s on a {@link FakeScheduler} (both its clock and its scheduler), with hooks
 * that tests use to slow down or fail the factory and the probe, and a log of what happened.
 */
final class PoolFixture {

    /** Runs at the start of the factory; may block on a latch or throw. */
    @FunctionalInterface
    interface FactoryHook {
        void beforeCreate(String key) throws Exception;
    }

    final FakeScheduler clock = new FakeScheduler();
    final List<FakeConnection> created = new CopyOnWriteArrayList<>();
    /** "evict a#1 IDLE" from the listener and "close a#1" from the closer, in order. */
    final List<String> events = new CopyOnWriteArrayList<>();

    volatile FactoryHook factoryHook = key -> {};
    volatile Predicate<FakeConnection> probe = connection -> connection.alive;
    volatile Runnable listenerHook = () -> {};
    volatile Runnable closerHook = () -> {};

    final ConnectionPool<String, FakeConnection> pool;

    PoolFixture() {
        this(PoolConfig.defaults());
    }

    PoolFixture(PoolConfig config) {
        pool = ConnectionPool.<String, FakeConnection>builder()
                .factory(this::create)
                .closer(this::close)
                .probe(connection -> probe.test(connection))
                .evictionListener((key, connection, cause) -> {
                    assertThat(connection.key).isEqualTo(key);
                    events.add("evict " + connection + " " + cause);
                    listenerHook.run();
                })
                .config(config)
                .ticker(clock)
                .scheduler(clock)
                .build();
    }

    static PoolConfig.Builder config() {
        return PoolConfig.builder().name("test-pool");
    }

    private FakeConnection create(String key) throws Exception {
        factoryHook.beforeCreate(key);
        FakeConnection connection = new FakeConnection(key);
        created.add(connection);
        return connection;
    }

    private void close(FakeConnection connection) {
        connection.closeCount.incrementAndGet();
        events.add("close " + connection);
        closerHook.run();
    }

    /** Runs an empty callback for {@code key} and returns the connection it got. */
    FakeConnection use(String key) {
        return pool.withConnection(key, connection -> connection);
    }

    /** The keys the pool holds now, from {@link ConnectionPool#stats()}. */
    List<String> keys() {
        return pool.stats().connections().stream().map(ConnectionStats::key).toList();
    }

    /** Every created connection is closed at most once, and those the pool still holds are open. */
    void assertClosedAtMostOnce() {
        for (FakeConnection connection : created) {
            assertThat(connection.closeCount.get())
                    .as("close count of %s", connection)
                    .isLessThanOrEqualTo(1);
        }
    }
}
