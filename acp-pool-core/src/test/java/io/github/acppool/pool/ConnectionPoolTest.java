package io.github.acppool.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** withConnection, tryWithConnection, the probe on lookup, the listener and closer, evict and stats. */
@Timeout(30)
final class ConnectionPoolTest {

    private final PoolFixture fixture = new PoolFixture();
    private final ConnectionPool<String, FakeConnection> pool = fixture.pool;

    @Test
    void firstCallCreatesTheConnectionAndLaterCallsReuseIt() {
        FakeConnection first = fixture.use("a");
        FakeConnection second = fixture.use("a");
        FakeConnection other = fixture.use("b");

        assertThat(second).isSameAs(first);
        assertThat(other).isNotSameAs(first);
        assertThat(fixture.created).containsExactly(first, other);
        assertThat(fixture.events).isEmpty();
    }

    @Test
    void checkedExceptionsFromTheCallbackPropagateUnchangedAndTheConnectionStays() {
        FakeConnection connection = fixture.use("a");
        IOException failure = new IOException("agent went away");
        InterruptedException interrupted = new InterruptedException("turn cancelled");

        assertThatThrownBy(() -> pool.withConnection("a", c -> {
                    throw failure;
                }))
                .isSameAs(failure);
        assertThatThrownBy(() -> pool.tryWithConnection("a", c -> {
                    throw interrupted;
                }))
                .isSameAs(interrupted);
        assertThatThrownBy(() -> pool.withConnection("a", c -> {
                    throw new AssertionError("an error");
                }))
                .isInstanceOf(AssertionError.class);

        assertThat(fixture.use("a")).isSameAs(connection);
        assertThat(pool.stats().busy()).isZero();
        assertThat(connection.isClosed()).isFalse();
    }

    @Test
    void withConnectionDeclaresOnlyTheCallbacksCheckedException() throws InterruptedException {
        // Compiles only because X is inferred: RuntimeException here, InterruptedException below.
        String none = pool.withConnection("a", c -> "ok");
        String interruptible = pool.withConnection("a", c -> {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return "ok";
        });
        assertThat(none).isEqualTo(interruptible);
    }

    @Test
    void tryWithConnectionRunsTheCallbackWhenNobodyHoldsTheConnection() {
        TryResult<String> ran = pool.tryWithConnection("a", c -> c.key);
        TryResult<String> ranNull = pool.tryWithConnection("a", c -> null);

        assertThat(ran.ran()).isTrue();
        assertThat(ran.value()).isEqualTo("a");
        assertThat(ranNull.isBusy()).isFalse();
        assertThat(ranNull.value()).isNull();
        assertThat(ranNull).isEqualTo(TryResult.ran(null)).isNotEqualTo(TryResult.busy());
    }

    @Test
    void tryWithConnectionAnswersBusyAtOnceWhileAnotherCallerHoldsTheConnection() throws Exception {
        Holder<FakeConnection> holder = Holder.hold(pool, "a");

        TryResult<String> result = pool.tryWithConnection("a", c -> {
            throw new AssertionError("must not run");
        });

        assertThat(result.isBusy()).isTrue();
        assertThatThrownBy(result::value).isInstanceOf(IllegalStateException.class);
        assertThat(pool.tryWithConnection("b", c -> c.key).value()).isEqualTo("b");
        holder.release();
        assertThat(pool.tryWithConnection("a", c -> c.key).value()).isEqualTo("a");
    }

    @Test
    void tryWithConnectionAnswersBusyWhileAnotherThreadCreatesTheConnection() throws Exception {
        CountDownLatch inFactory = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        fixture.factoryHook = key -> {
            inFactory.countDown();
            finish.await();
        };
        CompletableFuture<FakeConnection> creator = CompletableFuture.supplyAsync(() -> fixture.use("a"));
        assertThat(inFactory.await(10, SECONDS)).isTrue();

        assertThat(pool.tryWithConnection("a", c -> c).isBusy()).isTrue();

        finish.countDown();
        assertThat(creator.get(10, SECONDS).key).isEqualTo("a");
    }

    @Test
    void aConnectionFoundDeadOnLookupIsClosedAsDeadAndReplaced() {
        FakeConnection dead = fixture.use("a");
        dead.alive = false;

        FakeConnection replacement = fixture.use("a");

        assertThat(replacement).isNotSameAs(dead);
        assertThat(fixture.events).containsExactly("evict " + dead + " DEAD", "close " + dead);
    }

    @Test
    void aProbeThatThrowsCountsAsDead() {
        FakeConnection first = fixture.use("a");
        fixture.probe = connection -> {
            throw new IllegalStateException("probe broke");
        };

        FakeConnection second = pool.withConnection("a", c -> c);

        assertThat(second).isNotSameAs(first);
        assertThat(first.closeCount).hasValue(1);
        assertThat(fixture.events).containsExactly("evict " + first + " DEAD", "close " + first);
    }

    @Test
    void theListenerRunsBeforeTheCloserAndNeitherFailureEscapes() {
        FakeConnection a = fixture.use("a");
        FakeConnection b = fixture.use("b");
        fixture.listenerHook = () -> {
            throw new IllegalStateException("listener broke");
        };
        fixture.closerHook = () -> {
            throw new IllegalStateException("closer broke");
        };

        assertThat(pool.evict("a")).isTrue();
        assertThat(pool.evict("b")).isTrue();

        assertThat(fixture.events)
                .containsExactly("evict " + a + " EXPLICIT", "close " + a, "evict " + b + " EXPLICIT", "close " + b);
        assertThat(fixture.use("a")).isNotSameAs(a);
        fixture.assertClosedAtMostOnce();
    }

    @Test
    void evictClosesAnIdleConnectionAtOnce() {
        FakeConnection a = fixture.use("a");

        assertThat(pool.evict("a")).isTrue();
        assertThat(pool.evict("a")).isFalse();
        assertThat(pool.evict("unknown")).isFalse();

        assertThat(fixture.events).containsExactly("evict " + a + " EXPLICIT", "close " + a);
        assertThat(fixture.keys()).isEmpty();
    }

    @Test
    void evictNeverBlocksOnABusyConnectionAndItsHolderClosesItAfterwards() throws Exception {
        Holder<FakeConnection> holder = Holder.hold(pool, "a");

        assertThat(pool.evict("a")).isTrue(); // returns although "a" is held
        FakeConnection fresh = fixture.use("a"); // the next call creates a new connection at once

        FakeConnection old = fixture.created.get(0);
        assertThat(fresh).isNotSameAs(old);
        assertThat(old.isClosed()).as("still used by its holder").isFalse();
        assertThat(holder.release()).isSameAs(old);
        assertThat(old.closeCount).hasValue(1);
        assertThat(fresh.isClosed()).isFalse();
        assertThat(fixture.events).containsExactly("evict " + old + " EXPLICIT", "close " + old);
    }

    @Test
    void aCallbackMayEvictItsOwnKeyAndTheConnectionIsClosedAfterTheCallback() {
        AtomicReference<Boolean> closedInside = new AtomicReference<>();
        FakeConnection used = pool.withConnection("a", c -> {
            pool.evict("a");
            closedInside.set(c.isClosed());
            return c;
        });

        assertThat(closedInside.get()).isFalse();
        assertThat(used.closeCount).hasValue(1);
        assertThat(fixture.use("a")).isNotSameAs(used);
    }

    @Test
    void aNestedCallForTheSameKeyFailsClearlyAndOneForAnotherKeyWorks() {
        String nested = pool.withConnection("a", outer -> pool.withConnection("b", inner -> inner.key));
        assertThat(nested).isEqualTo("b");

        assertThatThrownBy(() -> pool.withConnection("a", outer -> pool.withConnection("a", inner -> inner)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("acp-pool - the connection for key 'a' is already held by this thread"
                        + " (a nested call for the same key)");
        assertThat(pool.stats().busy()).isZero();
    }

    @Test
    void waitingForABusyConnectionIsInterruptible() throws Exception {
        Holder<FakeConnection> holder = Holder.hold(pool, "a");
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        AtomicReference<Boolean> flagSetAgain = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                pool.withConnection("a", c -> c);
                failure.complete(null);
            } catch (Throwable t) {
                flagSetAgain.set(Thread.currentThread().isInterrupted());
                failure.complete(t);
            }
        });
        waiter.start();
        await().until(() -> waiter.getState() == Thread.State.WAITING);

        waiter.interrupt();

        assertThat(failure.get(10, SECONDS))
                .isInstanceOf(AcquireInterruptedException.class)
                .hasMessage("acp-pool - interrupted while waiting for the connection for key 'a'")
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(flagSetAgain.get()).isTrue();
        holder.release();
        // The interrupted waiter is no longer counted as a user.
        assertThat(pool.tryWithConnection("a", c -> "free").value()).isEqualTo("free");
    }

    @Test
    void statsReportEveryConnectionWithoutWaitingForBusyOnes() throws Exception {
        fixture.use("idle");
        fixture.clock.advance(Duration.ofMinutes(5));
        Holder<FakeConnection> holder = Holder.hold(pool, "busy");
        fixture.clock.advance(Duration.ofMinutes(2));

        PoolStats<String> stats = pool.stats();

        assertThat(stats.size()).isEqualTo(2);
        assertThat(stats.busy()).isEqualTo(1);
        assertThat(stats.idle()).isEqualTo(1);
        assertThat(stats.creating()).isZero();
        assertThat(stats.maxSize()).isEqualTo(PoolConfig.DEFAULT_MAX_SIZE);
        assertThat(stats.connections())
                .containsExactly(
                        new ConnectionStats<>(
                                "idle", Duration.ofMinutes(7), Duration.ofMinutes(7), Duration.ZERO, false),
                        new ConnectionStats<>(
                                "busy", Duration.ofMinutes(2), Duration.ZERO, Duration.ofMinutes(2), true));
        holder.release();
        assertThat(pool.stats().busy()).isZero();
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> pool.withConnection(null, c -> c))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key must not be null");
        assertThatThrownBy(() -> pool.withConnection("a", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("callback must not be null");
        assertThatThrownBy(() -> pool.evict(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("key must not be null");
    }
}
