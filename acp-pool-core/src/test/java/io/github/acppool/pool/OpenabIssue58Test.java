package io.github.acppool.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression test for openab #58, "pool write lock deadlock during long-running notification loops" (the bug the
 * seed PRs fix).
 *
 * <p>The interleaving: thread T1 calls {@code withConnection(A)}, and its callback runs a prompt turn that takes
 * minutes (here it blocks on a latch). While T1 is inside that callback, thread T2 calls {@code
 * withConnection(B)} for an unrelated key that has no connection yet, then {@code stats()}, {@code
 * cleanupIdle()}, {@code evict(C)} and {@code tryWithConnection(A)}. openab's original pool held its one write
 * lock for the whole callback, so T2 blocked in its first call until T1's turn ended: one busy chat thread froze
 * every other thread, the status API and the cleanup. With a brief map lock and one lock per connection, T2
 * finishes all five calls while A is still held.
 *
 * <p>The second test runs the same scenario against {@link NaiveConnectionPool}, which has the bug, to show that
 * the first test can fail: there T2 is observed queued on the global lock (no sleep: the lock reports its queued
 * threads), it does not finish while A is held, and it finishes once T1 releases A.
 */
@Timeout(30)
final class OpenabIssue58Test {

    /** What T2 saw. */
    private record Outcome(FakeConnection b, PoolStats<String> stats, int cleaned, boolean evicted, boolean aBusy) {}

    private static CompletableFuture<Outcome> startOtherOperations(
            ConnectionPool<String, FakeConnection> pool, Thread[] threadOut) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread t2 = new Thread(
                () -> {
                    try {
                        FakeConnection b = pool.withConnection("B", connection -> connection);
                        PoolStats<String> stats = pool.stats();
                        int cleaned = pool.cleanupIdle();
                        boolean evicted = pool.evict("C");
                        boolean aBusy = pool.tryWithConnection("A", connection -> connection)
                                .isBusy();
                        outcome.complete(new Outcome(b, stats, cleaned, evicted, aBusy));
                    } catch (Throwable t) {
                        outcome.completeExceptionally(t);
                    }
                },
                "T2");
        t2.setDaemon(true);
        threadOut[0] = t2;
        t2.start();
        return outcome;
    }

    @Test
    void aConnectionHeldForAWholeTurnBlocksNoOtherKeyNorStatsCleanupOrEvict() throws Exception {
        PoolFixture fixture = new PoolFixture();
        FakeConnection c = fixture.use("C");
        Holder<FakeConnection> t1 = Holder.hold(fixture.pool, "A");

        Outcome outcome = startOtherOperations(fixture.pool, new Thread[1]).get(10, SECONDS);

        assertThat(t1.isDone()).as("T1 still holds A").isFalse();
        assertThat(outcome.b().key).isEqualTo("B");
        assertThat(outcome.stats().size()).isEqualTo(3);
        assertThat(outcome.stats().busy()).isEqualTo(1);
        assertThat(outcome.cleaned()).isZero();
        assertThat(outcome.evicted()).isTrue();
        assertThat(outcome.aBusy()).isTrue();
        assertThat(c.closeCount).hasValue(1);

        FakeConnection a = t1.release();
        assertThat(a.isClosed()).isFalse();
        assertThat(fixture.keys()).containsExactlyInAnyOrder("A", "B");
    }

    @Test
    void theNaiveSingleLockPoolBlocksInTheSameScenario() throws Exception {
        FakeScheduler clock = new FakeScheduler();
        NaiveConnectionPool<String, FakeConnection> naive = new NaiveConnectionPool<>(
                FakeConnection::new, connection -> connection.closeCount.incrementAndGet(), clock, Duration.ofHours(4));
        naive.withConnection("C", connection -> connection);
        Holder<FakeConnection> t1 = Holder.hold(naive, "A");
        Thread[] t2 = new Thread[1];

        CompletableFuture<Outcome> outcome = startOtherOperations(naive, t2);

        await().atMost(Duration.ofSeconds(10)).until(() -> naive.isWaiting(t2[0]));
        assertThat(outcome).as("T2 cannot finish while T1 holds A").isNotDone();
        assertThat(t1.isDone()).isFalse();

        t1.release();
        Outcome late = outcome.get(10, SECONDS);
        assertThat(late.b().key).isEqualTo("B");
        assertThat(late.evicted()).isTrue();
    }
}
