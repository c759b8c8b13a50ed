package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.TurnResult.Outcome;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Updates, the answer and a cancel race on three threads, many times over. Whatever the interleaving: no
 * listener call starts after the result completed, the result holds exactly the text the listener saw, the
 * turn ends once, the session's line subscribes once, at most one session/cancel is sent, and no
 * timer outlives the turn (a cancel's grace timer armed as the answer ends the turn).
 */
@Timeout(120)
final class TurnRaceTest {
    private static final int ROUNDS = 300;
    private static final int CHUNKS = 200;

    @Test
    void updatesAnswerAndCancelRacing() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        FakeScheduler clock = new FakeScheduler(); // never advanced: only the race decides
        try (PromptStreamer streamer = PromptStreamer.builder()
                .drainPolicy(DrainPolicy.none())
                .scheduler(clock, false)
                .ticker(clock)
                .build()) {
            for (int round = 0; round < ROUNDS; round++) {
                StubAcpClient client = new StubAcpClient();
                AtomicReference<TurnHandle> handle = new AtomicReference<>();
                AtomicInteger callsAfterResult = new AtomicInteger();
                AtomicInteger chunksSeen = new AtomicInteger();
                TurnHandle turn = streamer.start(client, "s", List.of(ContentBlock.text("go")), event -> {
                    TurnHandle self = handle.get();
                    if (self != null && self.result().isDone()) {
                        callsAfterResult.incrementAndGet();
                    }
                    if (event instanceof TurnEvent.TextChunk) {
                        chunksSeen.incrementAndGet();
                    }
                });
                handle.set(turn);
                CountDownLatch go = new CountDownLatch(1);
                Future<?> updates = threads.submit(() -> {
                    await(go);
                    for (int i = 0; i < CHUNKS; i++) {
                        client.deliver("s", StubAcpClient.chunk("x"));
                    }
                });
                Future<?> answer = threads.submit(() -> {
                    await(go);
                    spin();
                    client.lastPrompt().answer("end_turn");
                });
                Future<?> cancel = threads.submit(() -> {
                    await(go);
                    spin();
                    turn.cancel();
                });
                go.countDown();
                updates.get(10, TimeUnit.SECONDS);
                answer.get(10, TimeUnit.SECONDS);
                cancel.get(10, TimeUnit.SECONDS);

                TurnResult result = turn.result().get(10, TimeUnit.SECONDS);
                assertThat(callsAfterResult).as("round %d", round).hasValue(0);
                assertThat(result.text()).as("round %d", round).hasSize(chunksSeen.get());
                assertThat(result.outcome()).isIn(Outcome.COMPLETED, Outcome.CANCELLED);
                assertThat(client.subscribes)
                        .as("round %d: the session's line subscribed once", round)
                        .hasValue(1);
                assertThat(client.cancels.get()).isLessThanOrEqualTo(1);
                assertThat(clock.pendingTaskCount())
                        .as("round %d: no timer outlives the turn", round)
                        .isZero();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void spin() {
        for (int i = ThreadLocalRandom.current().nextInt(20_000); i > 0; i--) {
            Thread.onSpinWait();
        }
    }
}
