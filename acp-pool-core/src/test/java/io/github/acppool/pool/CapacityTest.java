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

/** maxSize: LRU eviction of idle connections only, the exhausted-pool error, and the acquire timeout. */
@Timeout(30)
final class CapacityTest {

    private static PoolFixture fixture(int maxSize, Duration acquireTimeout) {
        return new PoolFixture(PoolFixture.config()
                .maxSize(maxSize)
                .acquireTimeout(acquireTimeout)
                .build());
    }

    @Test
    void atCapacityTheLeastRecentlyUsedIdleConnectionMakesRoom() {
        PoolFixture fixture = fixture(3, Duration.ZERO);
        FakeConnection a = fixture.use("a");
        fixture.clock.advance(Duration.ofSeconds(1));
        FakeConnection b = fixture.use("b");
        fixture.clock.advance(Duration.ofSeconds(1));
        fixture.use("c");
        fixture.clock.advance(Duration.ofSeconds(1));
        fixture.use("a"); // now b is the least recently used
        fixture.clock.advance(Duration.ofSeconds(1));

        fixture.use("d");

        assertThat(fixture.events).containsExactly("evict " + b + " CAPACITY", "close " + b);
        assertThat(fixture.keys()).containsExactlyInAnyOrder("a", "c", "d");
        assertThat(a.isClosed()).isFalse();
    }

    @Test
    void capacityEvictionSkipsBusyConnectionsEvenIfTheyAreOlder() throws Exception {
        PoolFixture fixture = fixture(2, Duration.ZERO);
        Holder<FakeConnection> oldest = Holder.hold(fixture.pool, "a");
        fixture.clock.advance(Duration.ofSeconds(1));
        FakeConnection b = fixture.use("b");
        fixture.clock.advance(Duration.ofSeconds(1));

        fixture.use("c");

        assertThat(fixture.events).containsExactly("evict " + b + " CAPACITY", "close " + b);
        assertThat(oldest.release().isClosed()).isFalse();
    }

    @Test
    void whenEveryConnectionIsBusyTheCallFailsAtOnceWithAClearMessage() throws Exception {
        PoolFixture fixture = fixture(2, Duration.ZERO);
        Holder<FakeConnection> a = Holder.hold(fixture.pool, "a");
        Holder<FakeConnection> b = Holder.hold(fixture.pool, "b");

        assertThatThrownBy(() -> fixture.use("c"))
                .isInstanceOfSatisfying(PoolExhaustedException.class, e -> {
                    assertThat(e.key()).isEqualTo("c");
                    assertThat(e.size()).isEqualTo(2);
                    assertThat(e.busy()).isEqualTo(2);
                    assertThat(e.creating()).isZero();
                    assertThat(e.waited()).isZero();
                })
                .hasMessage("test-pool - pool exhausted: no connection for key 'c': all 2 slots are taken"
                        + " (2 connections, 2 of them busy, 0 being created) and none is idle; waited PT0S");
        assertThatThrownBy(() -> fixture.pool.tryWithConnection("c", c -> c))
                .isInstanceOf(PoolExhaustedException.class);

        a.release();
        b.release();
        assertThat(fixture.use("c").key).isEqualTo("c");
    }

    @Test
    void aCreationInFlightHoldsASlot() throws Exception {
        PoolFixture fixture = fixture(1, Duration.ZERO);
        CountDownLatch inFactory = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        fixture.factoryHook = key -> {
            if (key.equals("a")) {
                inFactory.countDown();
                finish.await();
            }
        };
        CompletableFuture<FakeConnection> creating = CompletableFuture.supplyAsync(() -> fixture.use("a"));
        assertThat(inFactory.await(10, SECONDS)).isTrue();

        assertThatThrownBy(() -> fixture.use("b"))
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessageContaining("(0 connections, 0 of them busy, 1 being created)");

        finish.countDown();
        assertThat(creating.get(10, SECONDS).key).isEqualTo("a");
    }

    @Test
    void withAnAcquireTimeoutACallWaitsForAConnectionToBecomeIdle() throws Exception {
        PoolFixture fixture = fixture(2, Duration.ofSeconds(30));
        Holder<FakeConnection> a = Holder.hold(fixture.pool, "a");
        Holder<FakeConnection> b = Holder.hold(fixture.pool, "b");
        CompletableFuture<FakeConnection> c = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                c.complete(fixture.use("c"));
            } catch (Throwable t) {
                c.completeExceptionally(t);
            }
        });
        waiter.start();
        await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(c).isNotDone();

        FakeConnection released = a.release();

        assertThat(c.get(10, SECONDS).key).isEqualTo("c");
        assertThat(fixture.events).containsExactly("evict " + released + " CAPACITY", "close " + released);
        b.release();
    }

    @Test
    void withAnAcquireTimeoutACallGivesUpAfterIt() throws Exception {
        PoolFixture fixture = fixture(1, Duration.ofMillis(50));
        Holder<FakeConnection> a = Holder.hold(fixture.pool, "a");

        assertThatThrownBy(() -> fixture.use("b"))
                .isInstanceOfSatisfying(PoolExhaustedException.class, e -> assertThat(e.waited())
                        .isGreaterThanOrEqualTo(Duration.ofMillis(50)));

        a.release();
    }

    @Test
    void waitingForRoomIsInterruptible() throws Exception {
        PoolFixture fixture = fixture(1, Duration.ofMinutes(5));
        Holder<FakeConnection> a = Holder.hold(fixture.pool, "a");
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                fixture.use("b");
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        waiter.start();
        await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);

        waiter.interrupt();

        assertThat(failure.get(10, SECONDS))
                .isInstanceOf(AcquireInterruptedException.class)
                .hasMessage("test-pool - interrupted while waiting for the connection for key 'b'");
        a.release();
        assertThat(fixture.use("b").key).isEqualTo("b"); // the waiter left no trace
    }

    @Test
    void evictingABusyConnectionFreesItsSlotAtOnce() throws Exception {
        PoolFixture fixture = fixture(1, Duration.ZERO);
        Holder<FakeConnection> a = Holder.hold(fixture.pool, "a");

        fixture.pool.evict("a");
        FakeConnection b = fixture.use("b");

        assertThat(b.key).isEqualTo("b");
        FakeConnection old = a.release();
        assertThat(old.closeCount).hasValue(1);
        assertThat(fixture.keys()).containsExactly("b");
    }
}
