package io.github.acppool.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** close(): every connection closed once, running callbacks waited for up to a deadline, later calls refused. */
@Timeout(30)
final class CloseTest {

    @Test
    void closeClosesIdleConnectionsAndLaterCallsFailClearly() {
        PoolFixture fixture = new PoolFixture();
        FakeConnection a = fixture.use("a");
        FakeConnection b = fixture.use("b");

        fixture.pool.close();

        assertThat(fixture.events)
                .containsExactlyInAnyOrder(
                        "evict " + a + " SHUTDOWN", "close " + a, "evict " + b + " SHUTDOWN", "close " + b);
        assertThatThrownBy(() -> fixture.use("a"))
                .isInstanceOf(PoolClosedException.class)
                .hasMessage("acp-pool - pool is closed");
        assertThatThrownBy(() -> fixture.pool.tryWithConnection("c", c -> c)).isInstanceOf(PoolClosedException.class);
        assertThat(fixture.pool.evict("a")).isFalse();
        assertThat(fixture.pool.cleanupIdle()).isZero();
        assertThat(fixture.pool.stats().size()).isZero();
        assertThat(fixture.clock.pendingTaskCount()).as("cleanup cancelled").isZero();
        assertThat(fixture.clock.isShutdown())
                .as("a given scheduler is not shut down")
                .isFalse();

        fixture.pool.close(); // idempotent
        fixture.assertClosedAtMostOnce();
        assertThat(a.closeCount).hasValue(1);
    }

    @Test
    void closeWaitsForARunningCallbackAndClosesItsConnectionAfterwards() throws Exception {
        PoolFixture fixture = new PoolFixture();
        Holder<FakeConnection> holder = Holder.hold(fixture.pool, "a");
        FakeConnection a = fixture.created.get(0);
        CompletableFuture<Void> closing = new CompletableFuture<>();
        Thread closer = new Thread(() -> {
            fixture.pool.close();
            closing.complete(null);
        });
        closer.start();
        await().until(() -> closer.getState() == Thread.State.TIMED_WAITING);
        assertThat(a.isClosed()).isFalse();
        assertThatThrownBy(() -> fixture.use("b")).isInstanceOf(PoolClosedException.class);

        holder.release();

        closing.get(10, SECONDS);
        assertThat(a.closeCount).hasValue(1);
        assertThat(fixture.events).containsExactly("evict " + a + " SHUTDOWN", "close " + a);
    }

    @Test
    void afterTheCloseTimeoutABusyConnectionIsClosedAnyway() throws Exception {
        PoolFixture fixture = new PoolFixture(
                PoolFixture.config().closeTimeout(Duration.ofMillis(20)).build());
        Holder<FakeConnection> holder = Holder.hold(fixture.pool, "a");
        FakeConnection a = fixture.created.get(0);

        fixture.pool.close();

        assertThat(a.closeCount).hasValue(1);
        assertThat(holder.isDone()).isFalse();
        holder.release();
        assertThat(a.closeCount).as("not closed again by its holder").hasValue(1);
    }

    /**
     * A connection evicted while its callback runs has left the map but is still open until its holder returns.
     * close() must treat it like any other busy connection: wait for it up to the close timeout, then close it,
     * or a hung callback keeps its agent process alive after the pool was closed.
     */
    @Test
    void aConnectionEvictedWhileBusyIsClosedByCloseAfterTheCloseTimeout() throws Exception {
        PoolFixture fixture = new PoolFixture(
                PoolFixture.config().closeTimeout(Duration.ofMillis(20)).build());
        Holder<FakeConnection> holder = Holder.hold(fixture.pool, "a");
        FakeConnection a = fixture.created.get(0);
        assertThat(fixture.pool.evict("a")).isTrue();
        assertThat(a.isClosed()).as("its holder still runs").isFalse();

        fixture.pool.close();

        assertThat(a.closeCount).hasValue(1);
        assertThat(holder.isDone()).isFalse();
        holder.release();
        assertThat(a.closeCount).as("not closed again by its holder").hasValue(1);
        assertThat(fixture.events).containsExactly("evict " + a + " EXPLICIT", "close " + a);
    }

    @Test
    void anInterruptedCloseClosesTheRestAtOnceAndKeepsTheFlag() throws Exception {
        PoolFixture fixture = new PoolFixture(); // close timeout: 30 s
        Holder<FakeConnection> holder = Holder.hold(fixture.pool, "a");
        FakeConnection a = fixture.created.get(0);

        Thread.currentThread().interrupt();
        fixture.pool.close();

        assertThat(Thread.interrupted()).isTrue();
        assertThat(a.closeCount).hasValue(1);
        holder.release();
        assertThat(a.closeCount).hasValue(1);
    }

    @Test
    void aCreationInFlightAtCloseIsClosedWhenItsFactoryReturns() throws Exception {
        PoolFixture fixture = new PoolFixture();
        CountDownLatch inFactory = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        fixture.factoryHook = key -> {
            inFactory.countDown();
            finish.await();
        };
        CompletableFuture<FakeConnection> creator = CompletableFuture.supplyAsync(() -> fixture.use("a"));
        assertThat(inFactory.await(10, SECONDS)).isTrue();
        CompletableFuture<FakeConnection> follower = new CompletableFuture<>();
        Thread followerThread = new Thread(() -> {
            try {
                follower.complete(fixture.use("a"));
            } catch (Throwable t) {
                follower.completeExceptionally(t);
            }
        });
        followerThread.start();
        await().until(() -> followerThread.getState() == Thread.State.WAITING);

        fixture.pool.close();

        assertThatThrownBy(() -> follower.get(10, SECONDS)).hasCauseInstanceOf(PoolClosedException.class);
        finish.countDown();
        assertThatThrownBy(() -> creator.get(10, SECONDS)).hasCauseInstanceOf(PoolClosedException.class);
        FakeConnection a = fixture.created.get(0);
        assertThat(a.closeCount).hasValue(1);
        assertThat(fixture.events).containsExactly("evict " + a + " SHUTDOWN", "close " + a);
    }

    @Test
    void thePoolShutsDownTheSchedulerItCreated() {
        String name = "own-scheduler-" + System.nanoTime();
        ConnectionPool<String, String> pool = ConnectionPool.<String, String>builder()
                .factory(key -> key)
                .closer(connection -> {})
                .config(PoolConfig.builder().name(name).build())
                .build();
        pool.withConnection("a", c -> c);
        assertThat(housekeeperAlive(name)).isTrue();

        pool.close();

        await().until(() -> !housekeeperAlive(name));
    }

    private static boolean housekeeperAlive(String poolName) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(poolName + "-housekeeper") && t.isAlive() && t.isDaemon());
    }
}
