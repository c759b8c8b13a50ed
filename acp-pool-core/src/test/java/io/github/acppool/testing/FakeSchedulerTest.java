package io.github.acppool.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class FakeSchedulerTest {

    private final FakeScheduler scheduler = new FakeScheduler(0);
    private final List<String> log = new ArrayList<>();

    @Test
    void tasksRunOnlyWhenTimeIsAdvancedInDueOrder() {
        scheduler.schedule(() -> log.add("b"), 2, TimeUnit.SECONDS);
        scheduler.schedule(() -> log.add("a"), 1, TimeUnit.SECONDS);
        scheduler.execute(() -> log.add("now"));
        assertThat(log).isEmpty();

        scheduler.advance(Duration.ofMillis(1500));
        assertThat(log).containsExactly("now", "a");
        assertThat(scheduler.read()).isEqualTo(Duration.ofMillis(1500).toNanos());

        scheduler.advance(Duration.ofSeconds(1));
        assertThat(log).containsExactly("now", "a", "b");
    }

    @Test
    void periodicTaskRunsOncePerPeriodAndStopsWhenCancelled() {
        ScheduledFuture<?> tick =
                scheduler.scheduleAtFixedRate(() -> log.add("tick@" + scheduler.read()), 1, 1, TimeUnit.SECONDS);
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(log).containsExactly("tick@1000000000", "tick@2000000000", "tick@3000000000");

        tick.cancel(false);
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(log).hasSize(3);
        assertThat(scheduler.pendingTaskCount()).isZero();
    }

    @Test
    void taskScheduledByATaskRunsInTheSameAdvanceWhenDue() {
        scheduler.schedule(() -> scheduler.schedule(() -> log.add("inner"), 1, TimeUnit.SECONDS), 1, TimeUnit.SECONDS);
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(log).containsExactly("inner");
    }

    @Test
    void failingPeriodicTaskIsRecordedAndNotRepeated() {
        scheduler.scheduleAtFixedRate(
                () -> {
                    log.add("run");
                    throw new IllegalStateException("boom");
                },
                0,
                1,
                TimeUnit.SECONDS);
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(log).containsExactly("run");
        assertThat(scheduler.failures())
                .singleElement()
                .extracting(Throwable::getMessage)
                .isEqualTo("boom");
    }

    @Test
    void nextDueInReportsTheEarliestTask() {
        assertThat(scheduler.nextDueIn()).isNull();
        scheduler.schedule(() -> {}, 30, TimeUnit.SECONDS);
        scheduler.schedule(() -> {}, 10, TimeUnit.SECONDS);
        assertThat(scheduler.nextDueIn()).isEqualTo(Duration.ofSeconds(10));
    }

    /** shutdownNow cancelled tasks while iterating the queue they remove themselves from. */
    @Test
    void shutdownNow_cancelsAndReturnsThePendingTasks() {
        ScheduledFuture<?> first = scheduler.schedule(() -> log.add("never"), 1, TimeUnit.SECONDS);
        scheduler.schedule(() -> log.add("never"), 2, TimeUnit.SECONDS);
        assertThat(scheduler.shutdownNow()).hasSize(2);
        assertThat(first.isCancelled()).isTrue();
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(log).isEmpty();
    }
}
