package io.github.acppool.metrics;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerListener;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ConversationStatus;
import io.github.acppool.internal.Checks;
import io.github.acppool.pool.EvictionCause;
import io.github.acppool.turn.TurnResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a broker's numbers to a Micrometer {@link MeterRegistry}: fed by the broker as its {@link
 * BrokerListener} (turns, evictions, sessions, agent starts, lease conflicts), and reading the broker's {@link
 * AcpBroker#status()} for the gauges (live agents, busy conversations, queued messages) when the registry is
 * scraped.
 *
 * <pre>{@code
 * MicrometerBrokerMetrics metrics = MicrometerBrokerMetrics.create(registry);
 * AcpBroker broker = AcpBroker.builder().agent(spec).listener(metrics).build();
 * metrics.bindTo(broker);
 * }</pre>
 *
 * <p>No meter is tagged with a conversation id or a session id (there may be millions: a time series each would
 * swamp the monitoring system); the tags are the outcome, the eviction cause, the resume method and the tags given
 * to {@link #create(MeterRegistry, Iterable)} (e.g. a broker name when one registry serves several brokers). The
 * meters are listed in the README ("Metrics"); their names follow Micrometer's dotted convention, which each
 * registry renders in its own way (Prometheus: {@code acp_broker_turns_total}).
 *
 * <p>Thread-safe: the broker calls it from many threads at once; Micrometer's meters are thread-safe and
 * this class keeps no other state.
 */
// Its API names Micrometer types that core does not re-export (see module-info): their users require micrometer.core.
@SuppressWarnings("exports")
public final class MicrometerBrokerMetrics implements BrokerListener {

    /** The percentiles every timer publishes. */
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<BrokerResult.Outcome, Counter> turns = new EnumMap<>(BrokerResult.Outcome.class);
    private final Map<BrokerResult.Outcome, Timer> turnDuration = new EnumMap<>(BrokerResult.Outcome.class);
    private final Map<EvictionCause, Counter> evictions = new EnumMap<>(EvictionCause.class);
    /** By ACP method; the broker resumes with one of these two. */
    private final Map<String, Counter> resumed = new HashMap<>();

    private final Timer firstChunk;
    private final Timer queueWait;
    private final Counter sessionsReset;
    private final Counter leaseConflicts;
    private final Counter agentsStarted;
    private final Timer agentStartup;

    private MicrometerBrokerMetrics(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        // Registered up front, so every series exists (at 0) from the first scrape: a rate over a series that
        // appears only with its first event misses that event.
        for (BrokerResult.Outcome outcome : BrokerResult.Outcome.values()) {
            Tags outcomeTags = tags.and("outcome", tagValue(outcome));
            turns.put(
                    outcome,
                    Counter.builder("acp.broker.turns")
                            .description("Turns ended, by outcome (a merged turn counts once)")
                            .tags(outcomeTags)
                            .register(registry));
            turnDuration.put(
                    outcome,
                    timer("acp.broker.turn.duration", "From a turn's start to its end (drain included)")
                            .tags(outcomeTags)
                            .register(registry));
        }
        for (EvictionCause cause : EvictionCause.values()) {
            evictions.put(
                    cause,
                    Counter.builder("acp.broker.evictions")
                            .description("Agent connections that left the pool, by cause")
                            .tags(tags.and("cause", tagValue(cause)))
                            .register(registry));
        }
        for (String method : List.of("session/resume", "session/load")) {
            resumed.put(method, resumedCounter(method));
        }
        this.firstChunk = timer("acp.broker.turn.first.chunk", "From a turn's start to the reply's first text chunk")
                .tags(tags)
                .register(registry);
        this.queueWait = timer(
                        "acp.broker.queue.wait",
                        "From a message's submission to the start of its turn (agent start-up included)")
                .tags(tags)
                .register(registry);
        this.sessionsReset = Counter.builder("acp.broker.sessions.reset")
                .description("Stored sessions that could not be resumed, so the conversation started afresh")
                .tags(tags)
                .register(registry);
        this.leaseConflicts = Counter.builder("acp.broker.lease.conflicts")
                .description("Messages whose conversation was owned by another broker instance")
                .tags(tags)
                .register(registry);
        this.agentsStarted = Counter.builder("acp.broker.agents.started")
                .description("Agent processes started and given a session")
                .tags(tags)
                .register(registry);
        this.agentStartup = timer(
                        "acp.broker.agent.startup",
                        "From launching an agent process to its session being ready (new or resumed)")
                .tags(tags)
                .register(registry);
    }

    /** Meters without extra tags; give this to the broker's builder as its listener, then {@link #bindTo}. */
    public static MicrometerBrokerMetrics create(MeterRegistry registry) {
        return create(registry, Tags.empty());
    }

    /**
     * Meters carrying {@code tags} as well, e.g. {@code Tags.of("broker", "discord")} when one registry serves
     * several brokers. Never put a conversation id in a tag.
     */
    public static MicrometerBrokerMetrics create(MeterRegistry registry, Iterable<Tag> tags) {
        Checks.notNull(registry, "registry");
        Checks.notNull(tags, "tags");
        return new MicrometerBrokerMetrics(registry, Tags.of(tags));
    }

    /**
     * Registers the gauges that read {@code broker}'s {@link AcpBroker#status()} at each scrape: {@code
     * acp.broker.agents.live}, {@code acp.broker.conversations.busy} and {@code acp.broker.messages.queued}.
     * Reading the status never waits for a turn, an agent or the store. The gauges hold the broker weakly, as
     * Micrometer's gauges do: after the application drops the broker they read {@code NaN}. Call once per broker.
     *
     * @return this
     */
    @CanIgnoreReturnValue
    public MicrometerBrokerMetrics bindTo(AcpBroker broker) {
        Checks.notNull(broker, "broker");
        gauge(broker, "acp.broker.agents.live", "Conversations with a live agent process", ConversationStatus::alive);
        gauge(
                broker,
                "acp.broker.conversations.busy",
                "Conversations whose turn is running or being prepared",
                ConversationStatus::busy);
        Gauge.builder("acp.broker.messages.queued", broker, sum(ConversationStatus::queuedMessages))
                .description("Messages waiting behind a running turn, over every conversation")
                .tags(tags)
                .register(registry);
        return this;
    }

    @Override
    public void onConnectionCreated(String conversationId, String sessionId, Duration startup) {
        agentsStarted.increment();
        agentStartup.record(startup);
    }

    @Override
    public void onSessionResumed(String conversationId, String sessionId, String method, int replayedUpdates) {
        // The method comes from the broker, never from an agent: a bounded set of values.
        Counter counter = resumed.get(method);
        (counter != null ? counter : resumedCounter(method)).increment();
    }

    private Counter resumedCounter(String method) {
        return Counter.builder("acp.broker.sessions.resumed")
                .description("Stored sessions resumed in a new agent process, by ACP method")
                .tags(tags.and("method", method))
                .register(registry);
    }

    @Override
    public void onSessionReset(String conversationId, String previousSessionId, String newSessionId, String reason) {
        sessionsReset.increment();
    }

    @Override
    public void onEvicted(String conversationId, String sessionId, EvictionCause cause) {
        Counter counter = evictions.get(cause);
        if (counter != null) {
            counter.increment();
        }
    }

    @Override
    public void onTurnFinished(String conversationId, BrokerResult result, Duration queueWait) {
        BrokerResult.Outcome outcome = result.outcome();
        Counter counter = turns.get(outcome);
        if (counter != null) {
            counter.increment();
        }
        this.queueWait.record(queueWait);
        TurnResult turn = result.turn();
        if (turn == null) {
            return;
        }
        Timer duration = turnDuration.get(outcome);
        if (duration != null) {
            duration.record(turn.total());
        }
        Duration first = turn.timeToFirstChunk();
        if (first != null) {
            firstChunk.record(first);
        }
    }

    @Override
    public void onLeaseConflict(String conversationId, String owner) {
        leaseConflicts.increment();
    }

    private void gauge(
            AcpBroker broker, String name, String description, java.util.function.Predicate<ConversationStatus> which) {
        Gauge.builder(name, broker, count(which))
                .description(description)
                .tags(tags)
                .register(registry);
    }

    private static ToDoubleFunction<AcpBroker> count(java.util.function.Predicate<ConversationStatus> which) {
        return broker -> broker.status().stream().filter(which).count();
    }

    private static ToDoubleFunction<AcpBroker> sum(java.util.function.ToIntFunction<ConversationStatus> value) {
        return broker -> broker.status().stream().mapToInt(value).sum();
    }

    private static Timer.Builder timer(String name, String description) {
        return Timer.builder(name).description(description).publishPercentiles(PERCENTILES);
    }

    private static String tagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
