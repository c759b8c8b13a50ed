package io.github.acppool.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The periodic cleanup (idle, dead, hung), driven by the fake clock and scheduler. */
@Timeout(30)
final class CleanupTest {

    private static final Duration IDLE = Duration.ofMinutes(30);
    private static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final Duration HUNG = Duration.ofMinutes(10);

    private final PoolFixture fixture = new PoolFixture(PoolFixture.config()
            .idleTimeout(IDLE)
            .cleanupInterval(INTERVAL)
            .hungTimeout(HUNG)
            .build());
    private final ConnectionPool<String, FakeConnection> pool = fixture.pool;

    @Test
    void theCleanupIsScheduledEveryInterval() {
        assertThat(fixture.clock.nextDueIn()).isEqualTo(INTERVAL);
        fixture.clock.advance(INTERVAL);
        assertThat(fixture.clock.nextDueIn()).isEqualTo(INTERVAL);
        assertThat(fixture.clock.failures()).isEmpty();
    }

    @Test
    void theNextCleanupIsDueWhenTheFirstConnectionIsDue_notAWholeIntervalLater() {
        PoolFixture shortIdle = new PoolFixture(PoolFixture.config()
                .idleTimeout(Duration.ofSeconds(90))
                .cleanupInterval(INTERVAL)
                .hungTimeout(HUNG)
                .build());
        FakeConnection used = shortIdle.use("a");

        // The pass at one interval finds "a" idle for 60 s of its 90: the next one is due in 30 s, not 60 s.
        shortIdle.clock.advance(INTERVAL);
        assertThat(shortIdle.events).isEmpty();
        assertThat(shortIdle.clock.nextDueIn()).isEqualTo(Duration.ofSeconds(30));

        shortIdle.clock.advance(Duration.ofSeconds(30));
        assertThat(shortIdle.events).containsExactly("evict " + used + " IDLE", "close " + used);
        assertThat(shortIdle.clock.nextDueIn()).isEqualTo(INTERVAL);
    }

    @Test
    void cleanUpAtAnInstantReturnsTheDelayToTheNextUsefulPass() throws Exception {
        DefaultConnectionPool<String, FakeConnection> direct = (DefaultConnectionPool<String, FakeConnection>) pool;
        long now = fixture.clock.read();
        assertThat(direct.cleanUp(now)).as("empty: the interval").isEqualTo(INTERVAL.toNanos());

        FakeConnection idle = fixture.use("idle");
        long later = now + Duration.ofMinutes(25).toNanos();
        assertThat(direct.cleanUp(later)).as("idle for 25 of 30 min").isEqualTo(INTERVAL.toNanos());
        long almost = now + IDLE.minus(Duration.ofSeconds(20)).toNanos();
        assertThat(direct.cleanUp(almost))
                .as("20 s before it is due")
                .isEqualTo(Duration.ofSeconds(20).toNanos());

        Holder<FakeConnection> busy = Holder.hold(pool, "busy");
        long hungIn = direct.cleanUp(now);
        assertThat(hungIn).as("the busy one goes hung first").isEqualTo(INTERVAL.toNanos());
        assertThat(direct.cleanUp(now + HUNG.minus(Duration.ofSeconds(5)).toNanos()))
                .isEqualTo(Duration.ofSeconds(5).toNanos());

        assertThat(direct.cleanUp(now + IDLE.toNanos())).isNotNegative();
        assertThat(fixture.events).contains("evict " + idle + " IDLE");
        busy.release();
    }

    @Test
    void connectionsUnusedForTheIdleTimeoutAreClosedByTheScheduledCleanup() {
        FakeConnection old = fixture.use("old");
        fixture.clock.advance(IDLE.minus(INTERVAL));
        FakeConnection recent = fixture.use("recent");
        assertThat(fixture.events).isEmpty();

        fixture.clock.advance(INTERVAL);

        assertThat(fixture.events).containsExactly("evict " + old + " IDLE", "close " + old);
        assertThat(fixture.keys()).containsExactly("recent");
        assertThat(recent.isClosed()).isFalse();
    }

    @Test
    void cleanupIsAPureStepThatTestsCanCallDirectly() {
        FakeConnection a = fixture.use("a");
        fixture.use("b");
        fixture.clock.advance(Duration.ofSeconds(30));
        a.alive = false;

        assertThat(pool.cleanupIdle()).isOne();

        assertThat(fixture.events).containsExactly("evict " + a + " DEAD", "close " + a);
        assertThat(fixture.keys()).containsExactly("b");
    }

    @Test
    void busyConnectionsAreSkippedWithoutWaitingEvenWhenTheyLookIdle() throws Exception {
        PoolFixture noHung = new PoolFixture(
                PoolFixture.config().idleTimeout(IDLE).cleanupInterval(INTERVAL).build());
        Holder<FakeConnection> holder = Holder.hold(noHung.pool, "busy");
        FakeConnection dead = noHung.use("dead");
        dead.alive = false;

        // Runs the scheduled cleanup on this thread many times; "busy" was last stamped more than IDLE ago.
        noHung.clock.advance(IDLE.plus(INTERVAL));
        int direct = noHung.pool.cleanupIdle();

        assertThat(direct).isZero();
        assertThat(noHung.events).containsExactly("evict " + dead + " DEAD", "close " + dead);
        assertThat(noHung.keys()).containsExactly("busy");
        assertThat(noHung.pool.stats().connections().get(0).inFlightTime()).isEqualTo(IDLE.plus(INTERVAL));
        assertThat(holder.release().isClosed()).isFalse();
    }

    @Test
    void theProbeIsNotCalledOnABusyConnection() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        fixture.probe = connection -> {
            probes.incrementAndGet();
            return true;
        };
        Holder<FakeConnection> holder = Holder.hold(pool, "a");
        int probesBefore = probes.get();

        pool.cleanupIdle();

        assertThat(probes).hasValue(probesBefore);
        holder.release();
    }

    /**
     * The race: cleanup snapshots "a" (a#1), locks it and probes it; the probe is slow (a latch). Meanwhile "a" is
     * evicted and a new connection a#2 is created for the key. Then the probe says a#1 is dead. The cleanup must
     * remove a#1 only if it is still the mapping (it is not), so a#2 survives, and a#1 is closed exactly once. The
     * map lock is free while the probe runs, so the eviction, the creation and stats() all go through.
     */
    @Test
    void cleanupIsIdentitySafeUnderARaceWithReCreation() throws Exception {
        FakeConnection first = fixture.use("a");
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        fixture.probe = connection -> {
            if (connection == first) {
                probing.countDown();
                await(answer);
                return false;
            }
            return connection.alive;
        };
        CompletableFuture<Integer> cleanup = CompletableFuture.supplyAsync(pool::cleanupIdle);
        assertThat(probing.await(10, SECONDS)).isTrue();

        assertThat(pool.evict("a")).isTrue();
        assertThat(first.isClosed()).as("the cleanup still holds it").isFalse();
        FakeConnection second = fixture.use("a");
        assertThat(pool.stats().size()).isOne();
        answer.countDown();

        assertThat(cleanup.get(10, SECONDS)).isZero();
        assertThat(fixture.keys()).containsExactly("a");
        assertThat(fixture.use("a")).isSameAs(second);
        assertThat(second.isClosed()).isFalse();
        assertThat(first.closeCount).hasValue(1);
        assertThat(fixture.events).containsExactly("evict " + first + " EXPLICIT", "close " + first);
    }

    /**
     * The mirror race: an entry in the cleanup's snapshot is evicted and its key re-created after the snapshot
     * but before the cleanup reaches it (here: while the cleanup probes the other entry). The stale entry is
     * retired already, so the cleanup leaves it, and it never touches the new connection.
     */
    @Test
    void cleanupLeavesAnEntryReplacedAfterItsSnapshot() {
        FakeConnection a = fixture.use("a");
        FakeConnection b = fixture.use("b");
        AtomicInteger probes = new AtomicInteger();
        FakeConnection[] replaced = new FakeConnection[2];
        fixture.probe = connection -> {
            if (probes.incrementAndGet() == 1) {
                replaced[0] = connection == a ? b : a;
                pool.evict(replaced[0].key);
                replaced[1] = fixture.use(replaced[0].key); // a new connection: created, not probed
                return true;
            }
            return false; // a stale entry must not even be probed; if it were, this would evict the key
        };

        assertThat(pool.cleanupIdle()).isZero();

        assertThat(probes).hasValue(1);
        assertThat(fixture.keys()).containsExactlyInAnyOrder("a", "b");
        assertThat(replaced[1].isClosed()).isFalse();
        assertThat(fixture.events).containsExactly("evict " + replaced[0] + " EXPLICIT", "close " + replaced[0]);
    }

    @Test
    void aConnectionInFlightLongerThanTheHungTimeoutIsClosedWhileItsCallbackRuns() throws Exception {
        Holder<FakeConnection> holder = Holder.hold(pool, "a");
        FakeConnection hung = fixture.created.get(0);
        fixture.clock.advance(HUNG.minus(INTERVAL));
        assertThat(fixture.events).isEmpty();

        fixture.clock.advance(INTERVAL); // the scheduled cleanup runs

        assertThat(fixture.events).containsExactly("evict " + hung + " HUNG", "close " + hung);
        assertThat(holder.isDone()).as("its callback is still running").isFalse();
        assertThat(fixture.keys()).isEmpty();
        FakeConnection replacement = fixture.use("a"); // the slot is free again
        assertThat(replacement).isNotSameAs(hung);

        assertThat(holder.release()).isSameAs(hung);
        assertThat(hung.closeCount)
                .as("not closed again when the holder returns")
                .hasValue(1);
        assertThat(replacement.isClosed()).isFalse();
    }

    @Test
    void hungDetectionIsOffByDefault() throws Exception {
        PoolFixture defaults = new PoolFixture();
        Holder<FakeConnection> holder = Holder.hold(defaults.pool, "a");

        defaults.clock.advance(Duration.ofDays(1));

        assertThat(defaults.events).isEmpty();
        assertThat(holder.release().isClosed()).isFalse();
    }

    @Test
    void theScheduledCleanupSurvivesFailingProbesListenersAndClosers() {
        FakeConnection a = fixture.use("a");
        FakeConnection b = fixture.use("b");
        fixture.probe = connection -> {
            throw new IllegalStateException("probe broke");
        };
        fixture.listenerHook = () -> {
            throw new IllegalStateException("listener broke");
        };
        fixture.closerHook = () -> {
            throw new IllegalStateException("closer broke");
        };

        fixture.clock.advance(INTERVAL);
        fixture.clock.advance(INTERVAL);

        assertThat(fixture.clock.failures()).isEmpty();
        assertThat(fixture.clock.nextDueIn()).isEqualTo(INTERVAL);
        assertThat(a.closeCount).hasValue(1);
        assertThat(b.closeCount).hasValue(1);
        assertThat(fixture.keys()).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
