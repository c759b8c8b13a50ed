package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.awaitChunk;
import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 20 conversations, 500 messages, with crashes, hangs (the hard timeout ends them), cancels, resets and bursts of
 * queued messages injected at random from a printed seed ({@code -Dsoak.seed=<n>} replays one). Afterwards every
 * conversation still answers, and nothing leaked: no agent process, no broker or client thread, no tracked
 * conversation, driver or stopping agent, no queued message. Timeouts are short and on the real clock: they
 * configure the system, nothing here asserts how long anything took.
 */
@Timeout(180)
final class BrokerSoakIT {
    private static final int CONVERSATIONS = 20;
    private static final int MESSAGES = 500;

    @TempDir
    Path root;

    @Test
    void twentyConversations_fiveHundredMessages_withFaults_thenEverythingAnswers_andNothingLeaks() throws Exception {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.println("BrokerSoakIT seed: " + seed + " (-Dsoak.seed=" + seed + " to replay)");
        Random seeds = new Random(seed);
        int threadsBefore = brokerThreads();
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

        BrokerFixture fixture = new BrokerFixture(root);
        AcpBroker broker = AcpBroker.builder()
                .agent(fixture.agent("--state-dir=" + root.resolve("agent-state")))
                .workingDirectory(id -> root.resolve("work").resolve(id.replace(':', '_')))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .poolConfig(PoolConfig.builder()
                        .name("soak")
                        .maxSize(CONVERSATIONS)
                        .cleanupInterval(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .livenessPolicy(LivenessPolicy.builder()
                        .checkInterval(Duration.ofMillis(200))
                        .hardTimeout(Duration.ofSeconds(2))
                        .build())
                .cancelGrace(Duration.ofMillis(500))
                .hungGrace(Duration.ofSeconds(2))
                .shutdownTimeout(Duration.ofSeconds(2))
                .build();
        ExecutorService users = Executors.newFixedThreadPool(CONVERSATIONS);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < CONVERSATIONS; c++) {
                String id = "soak:" + c;
                long conversationSeed = seeds.nextLong();
                int messages = MESSAGES / CONVERSATIONS;
                runs.add(users.submit(() -> {
                    converse(broker, id, new Random(conversationSeed), messages, outcomes);
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(150, TimeUnit.SECONDS);
            }
            System.out.println("BrokerSoakIT outcomes: " + outcomes);
            assertThat(outcomes.values().stream().mapToInt(AtomicInteger::get).sum())
                    .isEqualTo(MESSAGES);

            // Every conversation still answers.
            for (int c = 0; c < CONVERSATIONS; c++) {
                BrokerResult last = broker.prompt("soak:" + c, message("final", "ann", "say final " + c));
                assertThat(last.outcome()).as("soak:%s", c).isEqualTo(Outcome.COMPLETED);
                assertThat(last.replyText()).isEqualTo("final " + c);
            }
            List<ConversationStatus> status = broker.status();
            assertThat(status).hasSize(CONVERSATIONS).allSatisfy(s -> {
                assertThat(s.busy()).isFalse();
                assertThat(s.queuedMessages()).isZero();
                assertThat(s.alive()).isTrue();
            });
            assertThat(fixture.agentProcesses()).hasSize(CONVERSATIONS);
        } finally {
            users.shutdownNow();
            broker.shutdown();
        }
        assertThat(fixture.agentProcesses()).isEmpty();
        assertThat(((DefaultAcpBroker) broker).internals()).containsExactly(0, 0, 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> brokerThreads() <= threadsBefore);
        fixture.close();
    }

    /** One user's messages to one conversation, each a normal turn or a fault, checked as it ends. */
    private static void converse(
            AcpBroker broker, String id, Random random, int messages, Map<String, AtomicInteger> outcomes) {
        int sent = 0;
        while (sent < messages) {
            int dice = random.nextInt(100);
            String tag = id + "-" + sent;
            if (dice < 5) {
                expect(broker.prompt(id, message(tag, "ann", "say dying\ncrash 3 injected")), Outcome.AGENT_DIED);
                count(outcomes, "crash");
                sent++;
            } else if (dice < 10) {
                expect(broker.prompt(id, message(tag, "ann", "say stuck\nhang")), Outcome.TIMED_OUT);
                count(outcomes, "hang");
                sent++;
            } else if (dice < 18) {
                Recorder recorder = new Recorder();
                CompletableFuture<BrokerResult> paused = broker.promptAsync(
                        id, message(tag, "ann", "say paused\nwait-for-continue\nsay never"), recorder);
                awaitChunk(recorder);
                broker.cancel(id);
                expect(get(paused), Outcome.CANCELLED);
                count(outcomes, "cancel");
                sent++;
            } else if (dice < 20) {
                broker.reset(id);
                expect(broker.prompt(id, message(tag, "ann", "history")), Outcome.COMPLETED);
                count(outcomes, "reset");
                sent++;
            } else if (dice < 30 && messages - sent >= 4) {
                // A burst: one turn paused, three messages queued behind it and merged.
                Recorder recorder = new Recorder();
                CompletableFuture<BrokerResult> first =
                        broker.promptAsync(id, message(tag, "ann", "say burst\nwait-for-continue\nsay end"), recorder);
                awaitChunk(recorder);
                List<CompletableFuture<BrokerResult>> queued = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    queued.add(broker.promptAsync(id, message(tag + "." + i, "bob", "say q" + i)));
                }
                BrokerFixture.release(broker, id);
                expect(get(first), Outcome.COMPLETED);
                for (CompletableFuture<BrokerResult> future : queued) {
                    BrokerResult result = get(future);
                    expect(result, Outcome.COMPLETED);
                    assertThat(result.turnMessages()).hasSize(3);
                    assertThat(result.replyText()).isEqualTo("q1q2q3");
                }
                count(outcomes, "burst");
                sent += 4;
                outcomes.computeIfAbsent("burst", k -> new AtomicInteger()).addAndGet(3);
            } else {
                BrokerResult result = broker.prompt(id, message(tag, "ann", "say " + tag));
                expect(result, Outcome.COMPLETED);
                assertThat(result.replyText()).isEqualTo(tag);
                count(outcomes, "normal");
                sent++;
            }
        }
    }

    private static void expect(BrokerResult result, Outcome outcome) {
        assertThat(result.outcome())
                .as("%s: %s", result.message().messageId(), result.replyText())
                .isEqualTo(outcome);
    }

    private static void count(Map<String, AtomicInteger> outcomes, String kind) {
        outcomes.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }

    /** Threads of brokers named "soak" and of ACP clients (but the clients' shared timer, which lives on). */
    private static int brokerThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(n -> n.startsWith("soak-") || (n.startsWith("acp-client-") && !n.equals("acp-client-timer")))
                .count();
    }
}
