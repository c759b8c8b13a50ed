package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.awaitChunk;
import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.testing.Postgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two brokers (A and B) over real fake-agent processes that share one session store, one agent state directory
 * and one set of {@link ConversationLeases} (in memory, or with the store in a real PostgreSQL): a conversation is served by one of them at a time, hands
 * over when its agent stops, and a lost lease stops its agent. Each broker's agents carry a {@code --broker=}
 * flag, so the process table tells whose agent runs in which conversation's directory.
 */
@Timeout(120)
final class BrokerLeasesIT {
    private static final Duration TTL = Duration.ofMinutes(10);

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private ConversationLeases leases;
    private SessionStore store;
    private final List<String> conflicts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
        useLeases("memory");
    }

    /** In-memory leases and store on the fixture's clock, or both in a fresh database of a real PostgreSQL. */
    private void useLeases(String kind) {
        if (kind.equals("postgres")) {
            Postgres.Database db = Postgres.freshDatabase();
            leases = ConversationLeases.jdbc(db.dataSource());
            store = SessionStore.jdbc(db.dataSource());
        } else {
            leases = ConversationLeases.inMemory(fixture.clock);
            store = SessionStore.inMemory();
        }
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    private AcpBroker broker(String owner) {
        return broker(owner, Duration.ZERO, PoolConfig.defaults());
    }

    private AcpBroker broker(String owner, Duration wait, PoolConfig pool) {
        return fixture.start(
                b -> b.leases(leases)
                        .leaseOwner(owner)
                        .leaseTtl(TTL)
                        .leaseWait(wait)
                        .sessionStore(store)
                        .poolConfig(pool)
                        .listener(new BrokerListener() {
                            @Override
                            public void onLeaseConflict(String conversationId, String holder) {
                                conflicts.add(owner + " " + conversationId + " held by " + holder);
                            }
                        }),
                "--state-dir=" + root.resolve("agent-state"),
                "--no-resume",
                "--broker=" + owner);
    }

    /** The live agents of this test, as "owner directory" (the directory is the conversation's). */
    private List<String> agents() {
        List<String> agents = new ArrayList<>();
        for (ProcessHandle process : fixture.agentProcesses()) {
            String owner = process.info()
                    .arguments()
                    .flatMap(args -> Arrays.stream(args)
                            .filter(a -> a.startsWith("--broker="))
                            .findFirst())
                    .map(a -> a.substring("--broker=".length()))
                    .orElse("?");
            try {
                agents.add(owner + " "
                        + Files.readSymbolicLink(Path.of("/proc", String.valueOf(process.pid()), "cwd"))
                                .getFileName());
            } catch (IOException e) {
                // exited between the listing and the read
            }
        }
        return agents;
    }

    /**
     * A's conversation is refused by B (the owner named for the operator, one plain sentence for the user, the
     * listener told, no agent started); A's clean shutdown releases the lease at once and B resumes the session
     * with the agent's memory of the earlier turn.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "postgres"})
    void theOtherBrokerIsRefusedAndTakesOverAtOnceAfterACleanShutdown(String kind) {
        useLeases(kind);
        AcpBroker a = broker("a");
        AcpBroker b = broker("b");
        BrokerResult first = a.prompt("t:1", message("m1", "ann", "say hello from a"));
        assertThat(first.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(leases.owner("t:1")).contains("a");

        BrokerResult refused = b.prompt("t:1", message("m2", "bob", "say hello from b"));

        assertThat(refused.outcome()).isEqualTo(Outcome.OWNED_ELSEWHERE);
        assertThat(refused.userText())
                .isEqualTo("Another instance of this bot is serving this conversation right now; try again in a"
                        + " minute.");
        assertThat(refused.diagnostics()).contains("held by a");
        assertThat(refused.error()).isInstanceOf(ConversationOwnedElsewhereException.class);
        assertThat(conflicts).containsExactly("b t:1 held by a");
        assertThat(agents()).containsExactly("a t_1");
        assertThat(b.status("t:1").map(ConversationStatus::sessionId)).isEmpty();

        a.shutdown();
        assertThat(leases.owner("t:1")).isEmpty(); // handed over at once, not after the ttl

        Recorder recorder = new Recorder();
        BrokerResult resumed = b.prompt("t:1", message("m3", "bob", "history"), recorder);
        assertThat(resumed.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(resumed.sessionId()).isEqualTo(first.sessionId());
        assertThat(resumed.sessionReset()).isFalse();
        assertThat(leases.owner("t:1")).contains("b");
        assertThat(agents()).containsExactly("b t_1");
    }

    /** Idle suspension and reset stop the agent and release the lease, so the other broker may serve at once. */
    @Test
    void suspendAndResetHandOver() {
        PoolConfig pool = PoolConfig.builder()
                .name("test-broker")
                .idleTimeout(Duration.ofMinutes(1))
                .cleanupInterval(Duration.ofSeconds(30))
                .build();
        AcpBroker a = broker("a", Duration.ZERO, pool);
        AcpBroker b = broker("b", Duration.ZERO, pool);
        assertThat(a.prompt("t:idle", message("m1", "ann", "say one")).outcome())
                .isEqualTo(Outcome.COMPLETED);
        assertThat(b.prompt("t:reset", message("m2", "bob", "say two")).outcome())
                .isEqualTo(Outcome.COMPLETED);

        fixture.clock.advance(Duration.ofSeconds(91)); // A's agent is idle past the timeout: suspended
        await().atMost(Duration.ofSeconds(20))
                .until(() -> leases.owner("t:idle").isEmpty());
        b.reset("t:reset");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> leases.owner("t:reset").isEmpty());

        assertThat(b.prompt("t:idle", message("m3", "bob", "say three")).outcome())
                .isEqualTo(Outcome.COMPLETED);
        assertThat(a.prompt("t:reset", message("m4", "ann", "say four")).outcome())
                .isEqualTo(Outcome.COMPLETED);
        assertThat(agents()).containsExactlyInAnyOrder("b t_idle", "a t_reset");
    }

    /** With a lease wait, B's message waits for A's agent to stop and is then answered by B. */
    @Test
    void aMessageWaitsForTheLeaseWithLeaseWait() throws Exception {
        AcpBroker a = broker("a");
        AcpBroker b = broker("b", Duration.ofMinutes(1), PoolConfig.defaults());
        assertThat(a.prompt("t:1", message("m1", "ann", "say one")).outcome()).isEqualTo(Outcome.COMPLETED);

        CompletableFuture<BrokerResult> waiting = b.promptAsync("t:1", message("m2", "bob", "say two"));
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.clock.pendingTaskCount() > 0 && !waiting.isDone());
        a.reset("t:1");
        await().atMost(Duration.ofSeconds(20)).until(() -> leases.owner("t:1").isEmpty());
        fixture.clock.advance(Duration.ofSeconds(1)); // B looks again

        assertThat(get(waiting).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(conflicts).isEmpty();
    }

    /**
     * A lease that another instance took over (as after renewals lost to a network partition) stops its agent at
     * the next renewal, mid-turn: the turn ends, and the agent is gone before anyone else could start one.
     */
    @Test
    void aLostLeaseStopsItsAgentMidTurn() {
        AcpBroker a = broker("a");
        Recorder recorder = new Recorder();
        CompletableFuture<BrokerResult> turn =
                a.promptAsync("t:1", message("m1", "ann", "say started\nwait-for-continue\nsay finished"), recorder);
        awaitChunk(recorder);
        leases.release("t:1", "a");
        assertThat(leases.acquire("t:1", "b", TTL)).isEqualTo("b");

        fixture.clock.advance(TTL.dividedBy(3)); // the renewal finds the lease gone

        BrokerResult result = get(turn);
        assertThat(result.outcome()).isIn(Outcome.AGENT_DIED, Outcome.CANCELLED);
        fixture.awaitNoAgentProcess();
        assertThat(leases.owner("t:1")).contains("b"); // a's release did not touch b's lease
    }

    /**
     * Random interleavings of prompts, resets and idle suspensions on both brokers for three conversations, while
     * a monitor watches the process table: no conversation's directory ever has live agents of both brokers.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "postgres"})
    void theSameConversationNeverHasAgentsOfBothBrokers(String kind) throws Exception {
        useLeases(kind);
        long seed = Long.getLong("leases.seed", System.nanoTime());
        System.out.println(
                "BrokerLeasesIT stress (" + kind + ") seed: " + seed + " (rerun with -Dleases.seed=" + seed + ")");
        PoolConfig pool = PoolConfig.builder()
                .name("test-broker")
                .maxSize(2)
                .idleTimeout(Duration.ofMinutes(1))
                .cleanupInterval(Duration.ofSeconds(30))
                .build();
        Map<String, AcpBroker> brokers =
                Map.of("a", broker("a", Duration.ZERO, pool), "b", broker("b", Duration.ZERO, pool));
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger samples = new AtomicInteger();
        Thread monitor = new Thread(() -> {
            while (running.get()) {
                Map<String, String> ownerByDirectory = new HashMap<>();
                for (String agent : agents()) {
                    String[] parts = agent.split(" ", 2);
                    String other = ownerByDirectory.putIfAbsent(parts[1], parts[0]);
                    if (other != null && !other.equals(parts[0])) {
                        violations.add(parts[1] + " has agents of " + other + " and " + parts[0]);
                    }
                }
                samples.incrementAndGet();
            }
        });
        monitor.setDaemon(true);
        monitor.start();
        Map<Outcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Random random = new Random(seed + w);
            int worker = w;
            done.add(workers.submit(() -> {
                go.await();
                for (int i = 0; i < 15; i++) {
                    AcpBroker broker = brokers.get(random.nextBoolean() ? "a" : "b");
                    String conversation = "s:" + random.nextInt(3);
                    int op = random.nextInt(10);
                    if (op < 7) {
                        BrokerResult result =
                                broker.prompt(conversation, message("w" + worker + "-" + i, "ann", "say " + i));
                        outcomes.computeIfAbsent(result.outcome(), o -> new AtomicInteger())
                                .incrementAndGet();
                    } else if (op < 9) {
                        broker.reset(conversation);
                    } else {
                        fixture.clock.advance(Duration.ofSeconds(61));
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> future : done) {
            future.get(90, TimeUnit.SECONDS);
        }
        workers.shutdown();
        running.set(false);
        monitor.join(10_000);

        System.out.println("BrokerLeasesIT stress seed " + seed + ": outcomes " + outcomes + ", " + samples
                + " process-table samples");
        assertThat(violations).as("seed %s", seed).isEmpty();
        assertThat(samples.get()).isPositive();
        assertThat(outcomes.keySet())
                .as("seed %s: %s", seed, outcomes)
                .isSubsetOf(Outcome.COMPLETED, Outcome.OWNED_ELSEWHERE, Outcome.CANCELLED, Outcome.AGENT_DIED);
        assertThat(outcomes.get(Outcome.COMPLETED)).as("seed %s", seed).isNotNull();
        // Whoever holds a lease now has the conversation's only agents.
        for (String agent : agents()) {
            String[] parts = agent.split(" ", 2);
            Optional<String> owner = leases.owner(parts[1].replace('_', ':'));
            assertThat(owner).as("seed %s: %s", seed, agent).contains(parts[0]);
        }
    }
}
