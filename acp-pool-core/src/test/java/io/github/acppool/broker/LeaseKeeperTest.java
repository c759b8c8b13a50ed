package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.testing.FakeScheduler;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lease mechanism alone, on a fake clock: in-memory leases judged by the same {@link FakeScheduler} that runs
 * the keepers' renewal timers, and a direct executor, so every expiry and renewal happens at a chosen instant.
 */
@Timeout(30)
final class LeaseKeeperTest {

    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration PERIOD = TTL.dividedBy(3);

    private final FakeScheduler clock = new FakeScheduler();
    private final ConversationLeases leases = ConversationLeases.inMemory(clock);
    private final List<String> lostA = new CopyOnWriteArrayList<>();

    private LeaseKeeper keeper(String owner, ConversationLeases store, Duration wait, List<String> lost) {
        return new LeaseKeeper("test", store, owner, TTL, wait, clock, Runnable::run, clock, lost::add);
    }

    @Test
    void aLeaseHeldByALiveOwnerIsRefusedWithTheOwnerNamed() {
        LeaseKeeper a = keeper("a", leases, Duration.ZERO, lostA);
        LeaseKeeper b = keeper("b", leases, Duration.ZERO, List.of());
        a.acquire("c1");

        assertThatThrownBy(() -> b.acquire("c1"))
                .isInstanceOfSatisfying(ConversationOwnedElsewhereException.class, e -> {
                    assertThat(e.owner()).isEqualTo("a");
                    assertThat(e.getMessage()).contains("c1").contains("held by a");
                    assertThat(e.userMessage())
                            .isEqualTo("Another instance of this bot is serving this conversation right now; try"
                                    + " again in a minute.");
                });
        assertThat(b.holders("c1")).isZero();
        b.acquire("c2"); // other conversations are free
        assertThat(leases.owner("c2")).contains("b");
    }

    @Test
    void renewalEveryThirdOfTheTtlKeepsTheLeaseFarBeyondItsTtl() {
        LeaseKeeper a = keeper("a", leases, Duration.ZERO, lostA);
        LeaseKeeper b = keeper("b", leases, Duration.ZERO, List.of());
        a.acquire("c1");

        for (int i = 0; i < 10; i++) {
            clock.advance(PERIOD);
        }

        assertThat(leases.owner("c1")).contains("a");
        assertThatThrownBy(() -> b.acquire("c1")).isInstanceOf(ConversationOwnedElsewhereException.class);
        assertThat(lostA).isEmpty();
    }

    @Test
    void aReleaseHandsOverAtOnceAndACrashedOwnersLeaseAfterTheTtl() {
        LeaseKeeper a = keeper("a", leases, Duration.ZERO, lostA);
        LeaseKeeper b = keeper("b", leases, Duration.ZERO, List.of());
        a.acquire("clean");
        a.acquire("crash");

        a.release("clean");
        b.acquire("clean");
        assertThat(leases.owner("clean")).contains("b");

        a.close(); // a "crashes": no more renewals
        clock.advance(TTL.minusMillis(1));
        assertThatThrownBy(() -> b.acquire("crash")).isInstanceOf(ConversationOwnedElsewhereException.class);
        clock.advance(Duration.ofMillis(1));
        b.acquire("crash");
        assertThat(leases.owner("crash")).contains("b");
    }

    @Test
    void theLeaseIsGivenUpOnlyWhenTheLastAgentRelyingOnItIsGone() {
        LeaseKeeper a = keeper("a", leases, Duration.ZERO, lostA);
        a.acquire("c1"); // an evicted agent still stopping...
        a.acquire("c1"); // ...while the next one starts
        assertThat(a.holders("c1")).isEqualTo(2);

        a.release("c1");
        assertThat(leases.owner("c1")).contains("a");
        a.release("c1");
        assertThat(leases.owner("c1")).isEmpty();
        assertThat(a.holders("c1")).isZero();
    }

    @Test
    void aMessageWaitsUpToLeaseWaitForTheOtherOwnerToLetGo() throws Exception {
        LeaseKeeper a = keeper("a", leases, Duration.ZERO, lostA);
        LeaseKeeper b = keeper("b", leases, Duration.ofSeconds(5), List.of());
        a.acquire("c1");
        a.acquire("c2");

        CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> b.acquire("c1"));
        awaitPendingPoll();
        clock.advance(Duration.ofSeconds(2));
        assertThat(waited).isNotDone();
        a.release("c1");
        clock.advance(Duration.ofSeconds(1)); // the next look finds it free
        waited.get(10, TimeUnit.SECONDS);
        assertThat(leases.owner("c1")).contains("b");

        CompletableFuture<Void> gaveUp = CompletableFuture.runAsync(() -> b.acquire("c2"));
        for (int i = 0; i < 5; i++) {
            awaitPendingPoll();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThatThrownBy(() -> gaveUp.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConversationOwnedElsewhereException.class)
                .hasMessageContaining("waited 5000 ms");
    }

    /** Waits until the acquiring thread scheduled its next look (beside a's renewal timer). */
    private void awaitPendingPoll() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.pendingTaskCount() >= 2);
    }

    @Test
    void aLeaseFoundLapsedOrTakenAtRenewalStopsItsAgentAtOnce() {
        LeaseKeeper a = keeper("a", leases, Duration.ZERO, lostA);
        a.acquire("c1");
        a.acquire("c2");
        // Another instance took c1 over (as if a's renewals had been lost): the store no longer has it for a.
        leases.release("c1", "a");
        assertThat(leases.acquire("c1", "b", TTL)).isEqualTo("b");

        clock.advance(PERIOD);

        assertThat(lostA).containsExactly("c1");
        assertThat(leases.owner("c2")).contains("a");
        clock.advance(PERIOD);
        assertThat(lostA).containsExactly("c1"); // told once
    }

    @Test
    void renewalsThatFailAreRetriedAndTheLeaseIsGivenUpOnePeriodBeforeItCouldExpire() {
        AtomicBoolean down = new AtomicBoolean();
        ConversationLeases flaky = new ConversationLeases() {
            @Override
            public String acquire(String conversationId, String owner, Duration ttl) {
                return leases.acquire(conversationId, owner, ttl);
            }

            @Override
            public Set<String> renew(String owner, Collection<String> conversationIds, Duration ttl) {
                if (down.get()) {
                    throw new SessionStoreException("connection refused", null);
                }
                return leases.renew(owner, conversationIds, ttl);
            }

            @Override
            public void release(String conversationId, String owner) {
                leases.release(conversationId, owner);
            }

            @Override
            public Optional<String> owner(String conversationId) {
                return leases.owner(conversationId);
            }
        };
        LeaseKeeper a = keeper("a", flaky, Duration.ZERO, lostA);
        a.acquire("c1");
        clock.advance(PERIOD); // renewed: confirmed at 10 s, valid until 40 s
        down.set(true);

        clock.advance(PERIOD); // 20 s: failed, 10 s since the last renewal: keep going
        assertThat(lostA).isEmpty();
        clock.advance(PERIOD); // 30 s: failed, 20 s = ttl - period since the last renewal: give up
        assertThat(lostA).containsExactly("c1");
        assertThat(leases.owner("c1")).contains("a"); // 10 s left for the agent to stop before anyone may take over
    }

    @Test
    void aStoreFailureWhileTakingTheLeaseStartsNoAgentAndSaysSoPlainly() {
        ConversationLeases broken = new ConversationLeases() {
            @Override
            public String acquire(String conversationId, String owner, Duration ttl) {
                throw new SessionStoreException("could not take the lease: connection refused", null);
            }

            @Override
            public Set<String> renew(String owner, Collection<String> conversationIds, Duration ttl) {
                return Set.of();
            }

            @Override
            public void release(String conversationId, String owner) {}

            @Override
            public Optional<String> owner(String conversationId) {
                return Optional.empty();
            }
        };
        LeaseKeeper a = keeper("a", broken, Duration.ZERO, lostA);

        assertThatThrownBy(() -> a.acquire("c1")).isInstanceOfSatisfying(BrokerException.class, e -> {
            assertThat(e.getMessage()).contains("connection refused");
            assertThat(e.userMessage()).doesNotContain("refused").endsWith("try again in a minute.");
        });
        assertThat(a.holders("c1")).isZero();
    }

    /**
     * Found by BrokerLeasesIT on PostgreSQL: the last agent's release and the next agent's acquire of one
     * conversation race. The acquire must not take a fresh record and renew the lease in the store while the
     * release's DELETE is still on its way (that DELETE would then remove the new agent's lease, and another
     * instance could start a second agent): it waits for the release to finish and takes the lease afresh.
     */
    @Test
    void anAcquireRacingTheLastReleaseWaitsForItSoTheLeaseSurvives() throws Exception {
        java.util.concurrent.CountDownLatch releasing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);
        ConversationLeases slowRelease = new ConversationLeases() {
            @Override
            public String acquire(String conversationId, String owner, Duration ttl) {
                return leases.acquire(conversationId, owner, ttl);
            }

            @Override
            public Set<String> renew(String owner, Collection<String> conversationIds, Duration ttl) {
                return leases.renew(owner, conversationIds, ttl);
            }

            @Override
            public void release(String conversationId, String owner) {
                releasing.countDown();
                try {
                    proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                leases.release(conversationId, owner);
            }

            @Override
            public Optional<String> owner(String conversationId) {
                return leases.owner(conversationId);
            }
        };
        LeaseKeeper a = keeper("a", slowRelease, Duration.ZERO, lostA);
        a.acquire("c1");

        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> a.release("c1"));
        assertThat(releasing.await(10, TimeUnit.SECONDS)).isTrue(); // the DELETE is on its way
        CompletableFuture<Void> acquire = CompletableFuture.runAsync(() -> a.acquire("c1"));
        org.awaitility.Awaitility.await()
                .during(Duration.ofMillis(200))
                .atMost(Duration.ofSeconds(5))
                .until(() -> !acquire.isDone());
        proceed.countDown();
        release.get(10, TimeUnit.SECONDS);
        acquire.get(10, TimeUnit.SECONDS);

        assertThat(leases.owner("c1")).contains("a");
        assertThat(a.holders("c1")).isEqualTo(1);
        assertThatThrownBy(() -> keeper("b", leases, Duration.ZERO, List.of()).acquire("c1"))
                .isInstanceOf(ConversationOwnedElsewhereException.class);
    }

    @Test
    void inMemoryLeasesTakeOverOnlyExpiredLeasesAndNeverRenewALapsedOne() {
        assertThat(leases.acquire("c", "a", TTL)).isEqualTo("a");
        assertThat(leases.acquire("c", "b", TTL)).isEqualTo("a");
        assertThat(leases.acquire("c", "a", TTL)).isEqualTo("a"); // its own: extended
        clock.advance(TTL);
        assertThat(leases.owner("c")).isEmpty();
        assertThat(leases.renew("a", List.of("c"), TTL)).isEmpty();
        assertThat(leases.acquire("c", "b", TTL)).isEqualTo("b");
        leases.release("c", "a"); // not a's: nothing happens
        assertThat(leases.owner("c")).contains("b");
        assertThatThrownBy(() -> leases.acquire("c", " ", TTL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("owner must not be blank");
        assertThatThrownBy(() -> leases.acquire("c", "a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl");
    }

    @Test
    void theBuilderRefusesBadLeaseSettingsWithTheFieldNamed() {
        io.github.acppool.acp.AgentLaunchSpec agent =
                io.github.acppool.acp.AgentLaunchSpec.builder("agent").build();
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(agent)
                        .leases(leases)
                        .leaseTtl(Duration.ofMillis(500))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTtl must be at least 1 s: PT0.5S");
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(agent)
                        .leaseOwner("bad\nowner")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("owner must not contain control characters");
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(agent)
                        .leaseWait(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leaseWait");
        assertThatThrownBy(() -> AcpBroker.builder().leases(leases).leases(leases))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("leases");
    }

    @Test
    void theDefaultOwnerIdNamesHostAndProcessAndDiffersEachTime() {
        String one = ConversationLeases.defaultOwnerId();
        assertThat(one).contains(":" + ProcessHandle.current().pid() + ":");
        assertThat(ConversationLeases.defaultOwnerId()).isNotEqualTo(one);
    }
}
