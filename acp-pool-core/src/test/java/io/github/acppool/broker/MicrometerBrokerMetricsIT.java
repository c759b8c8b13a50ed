package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.awaitChunk;
import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static io.github.acppool.broker.BrokerFixture.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.metrics.MicrometerBrokerMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Micrometer binding fed by a real broker over fake-agent processes: the counters and timers match the turns,
 * starts, evictions and sessions that happened, the gauges match the broker's status, and no meter carries a
 * conversation or session id. The broker's clock is the fixture's fake one, so the recorded durations are exact.
 */
@Timeout(90)
final class MicrometerBrokerMetricsIT {
    private static final String A = "test:metrics-a";
    private static final String B = "test:metrics-b";

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private String stateDir;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
        stateDir = "--state-dir=" + root.resolve("agent-state");
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
        registry.close();
    }

    @Test
    void turnsStartsEvictionsAndGauges_matchWhatTheBrokerDid() {
        MicrometerBrokerMetrics metrics = MicrometerBrokerMetrics.create(registry, Tags.of("broker", "test"));
        AcpBroker broker = fixture.start(b -> b.listener(metrics), stateDir);
        metrics.bindTo(broker);
        assertThat(counter("acp.broker.turns", "outcome", "completed"))
                .as("every outcome's series exists before the first turn")
                .isZero();
        assertThat(gauge("acp.broker.agents.live")).isZero();

        Recorder paused = new Recorder();
        CompletableFuture<BrokerResult> a1 =
                broker.promptAsync(A, message("a1", "ann", "say started\nwait-for-continue\nsay finished"), paused);
        awaitChunk(paused);
        assertThat(broker.prompt(B, message("b1", "bob", "say hi")).outcome()).isEqualTo(Outcome.COMPLETED);
        CompletableFuture<BrokerResult> a2 = broker.promptAsync(A, message("a2", "ann", "say queued"));
        assertThat(gauge("acp.broker.agents.live")).isEqualTo(2);
        assertThat(gauge("acp.broker.conversations.busy")).isEqualTo(1);
        assertThat(gauge("acp.broker.messages.queued")).isEqualTo(1);

        fixture.clock.advance(Duration.ofSeconds(3));
        release(broker, A);
        assertThat(get(a1).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(get(a2).outcome()).isEqualTo(Outcome.COMPLETED);

        assertThat(counter("acp.broker.turns", "outcome", "completed")).isEqualTo(3);
        Timer duration = timer("acp.broker.turn.duration", "outcome", "completed");
        assertThat(duration.count()).isEqualTo(3);
        assertThat(duration.max(TimeUnit.SECONDS))
                .as("a1 ran 3 s on the broker's clock")
                .isEqualTo(3);
        assertThat(timer("acp.broker.turn.first.chunk").count()).isEqualTo(3);
        Timer queueWait = timer("acp.broker.queue.wait");
        assertThat(queueWait.count()).isEqualTo(3);
        assertThat(queueWait.max(TimeUnit.SECONDS)).as("a2 waited behind a1").isEqualTo(3);
        assertThat(counter("acp.broker.agents.started")).isEqualTo(2);
        assertThat(timer("acp.broker.agent.startup").count()).isEqualTo(2);
        assertThat(gauge("acp.broker.conversations.busy")).isZero();
        assertThat(gauge("acp.broker.messages.queued")).isZero();

        // A crash: the turn ends AGENT_DIED; the next message evicts the dead connection and resumes the session.
        assertThat(broker.prompt(B, message("b2", "bob", "crash 3 boom")).outcome())
                .isEqualTo(Outcome.AGENT_DIED);
        assertThat(counter("acp.broker.turns", "outcome", "agent_died")).isEqualTo(1);
        assertThat(broker.prompt(B, message("b3", "bob", "say back")).outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(counter("acp.broker.evictions", "cause", "dead"))
                .as("the dead connection leaves the pool when the next message needs it")
                .isEqualTo(1);
        assertThat(counter("acp.broker.sessions.resumed", "method", "session/resume"))
                .isEqualTo(1);
        assertThat(counter("acp.broker.agents.started")).isEqualTo(3);

        broker.close(A);
        await().until(() -> counter("acp.broker.evictions", "cause", "explicit") == 1);
        await().until(() -> gauge("acp.broker.agents.live") == 1);
        assertThat(counter("acp.broker.turns", "outcome", "completed")).isEqualTo(4);
        assertThat(counter("acp.broker.sessions.reset")).isZero();

        metrics.onLeaseConflict(A, "instance-2");
        assertThat(counter("acp.broker.lease.conflicts")).isEqualTo(1);

        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTags())
                    .as("tags of %s", meter.getId().getName())
                    .extracting(Tag::getValue)
                    .noneMatch(value -> value.contains("metrics-a") || value.contains("metrics-b"))
                    .contains("test");
        }
    }

    @Test
    void aSessionThatCannotBeResumed_countsAsReset() {
        SessionStore store = SessionStore.inMemory();
        AcpBroker first = fixture.start(b -> b.sessionStore(store), "--fail-load", "--no-resume");
        assertThat(first.prompt(A, message("a1", "ann", "say a1")).outcome()).isEqualTo(Outcome.COMPLETED);
        first.shutdown();

        MicrometerBrokerMetrics metrics = MicrometerBrokerMetrics.create(registry);
        AcpBroker second = fixture.start(b -> b.sessionStore(store).listener(metrics), "--fail-load", "--no-resume");
        metrics.bindTo(second);
        assertThat(second.prompt(A, message("a2", "ann", "say a2")).sessionReset())
                .isTrue();

        assertThat(counter("acp.broker.sessions.reset")).isEqualTo(1);
        assertThat(counter("acp.broker.sessions.resumed", "method", "session/load"))
                .isZero();
        assertThat(counter("acp.broker.sessions.resumed", "method", "session/resume"))
                .isZero();
        second.shutdown();
        assertThat(counter("acp.broker.evictions", "cause", "shutdown")).isEqualTo(1);
        assertThat(gauge("acp.broker.agents.live")).isZero();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private Timer timer(String name, String... tags) {
        return registry.get(name).tags(tags).timer();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
