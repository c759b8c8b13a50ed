package io.github.acppool.examples.discord;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentSpec;
import io.github.acppool.broker.BrokerListener;
import io.github.acppool.broker.ConversationLeases;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.discord.DiscordFrontEnd;
import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import io.github.acppool.metrics.MicrometerBrokerMetrics;
import io.github.acppool.pool.PoolConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.events.session.ReadyEvent;
import net.dv8tion.jda.api.events.session.ShutdownEvent;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.CloseCode;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started bot: the Discord front end, the broker with its agents, the JDA client (or, with {@code shards}, a shard
 * manager for this process's range of shards), the session store and the optional monitoring endpoint. {@link
 * #close()} stops the broker first (running turns get its shutdown timeout to finish, and their replies are still
 * posted; new messages are told the bot is stopping, and so is {@code /healthz}; every session is stored and every
 * agent process stopped), then the front end, then JDA, then the store's database pool if it has one, then the
 * monitoring endpoint.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread (a shutdown hook), any number of times.
 */
final class RunningBot implements AutoCloseable {

    /*
     * Concurrency: `closed` makes close() run once; later callers return at once, and awaitStop() waits on
     * `stopped`, which close() counts down at its end and JDA's ShutdownEvent counts down when Discord ended the
     * session itself (then the waiting thread closes the rest). The components are immutable references, except
     * `monitoring`, set once by start() before the bot is handed out (volatile for close() from a hook thread).
     * unhealthy() runs on the monitoring thread and reads only `closed` and JDA's own thread-safe status.
     */
    private static final Logger LOG = LoggerFactory.getLogger(RunningBot.class);

    /** How long close() waits for JDA to shut down before it cuts the connections. */
    private static final Duration JDA_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final DiscordFrontEnd frontEnd;
    private final AcpBroker broker;
    /** Exactly one of jda and shards is set. */
    private final @Nullable JDA jda;

    private final @Nullable ShardManager shards;
    private final BotStore store;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable CloseCode discordClosed;
    private volatile @Nullable MonitoringServer monitoring;

    private RunningBot(
            DiscordFrontEnd frontEnd,
            AcpBroker broker,
            @Nullable JDA jda,
            @Nullable ShardManager shards,
            BotStore store) {
        this.frontEnd = frontEnd;
        this.broker = broker;
        this.jda = jda;
        this.shards = shards;
        this.store = store;
    }

    /** The bot could not start (Discord refused the token or an intent, the state directory is not writable, ...). */
    static final class StartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Starts the bot: checks the token, creates the state and working directories, builds the front end and the
     * broker (no agent starts until the first message), logs in to Discord and waits until the session is ready.
     *
     * @param env the environment, where the bot token is
     * @throws ConfigException if the token variable is not set (nothing was started)
     * @throws StartException if the bot could not start (everything started so far was stopped)
     */
    static RunningBot start(BotConfig config, Map<String, String> env) {
        String token = config.discord().token(env);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            createDirectories(config);
            BotStore botStore = BotStore.open(config, env);
            started.add(botStore);
            SessionStore store = botStore.sessions();
            DiscordFrontEnd frontEnd = DiscordFrontEnd.create(config.discord().frontEnd());
            started.add(frontEnd);
            PrometheusMeterRegistry registry =
                    config.metrics() == null ? null : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            MicrometerBrokerMetrics metrics = registry == null ? null : MicrometerBrokerMetrics.create(registry);
            // A thread of a bound channel works in the binding's directory; only JDA knows a thread's parent.
            AtomicReference<@Nullable LongFunction<@Nullable ThreadChannel>> threads = new AtomicReference<>();
            AcpBroker broker = broker(
                    config, store, frontEnd, threadId -> parentOf(threads.get(), threadId), metrics, botStore.leases());
            started.add(broker);
            if (metrics != null) {
                metrics.bindTo(broker);
            }
            RunningBot bot;
            if (config.shards() == null) {
                JDA jda = login(config, token);
                threads.set(jda::getThreadChannelById);
                started.add(() -> shutdown(jda));
                frontEnd.start(broker, jda);
                bot = new RunningBot(frontEnd, broker, jda, null, botStore);
                jda.addEventListener(bot.shutdownListener());
                if (jda.getStatus() == JDA.Status.SHUTDOWN) {
                    bot.stopped.countDown();
                }
            } else {
                ShardManager shards = loginShards(config, config.shards(), token);
                threads.set(shards::getThreadChannelById);
                started.add(() -> shutdown(shards));
                frontEnd.start(broker, shards);
                bot = new RunningBot(frontEnd, broker, null, shards, botStore);
                shards.addEventListener(bot.shutdownListener());
                if (shards.getShards().stream().anyMatch(shard -> shard.getStatus() == JDA.Status.SHUTDOWN)) {
                    bot.stopped.countDown();
                }
            }
            BotConfig.Metrics endpoint = config.metrics();
            if (endpoint != null && registry != null) {
                bot.monitoring = MonitoringServer.start(endpoint, registry, bot::unhealthy);
            }
            return bot;
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            if (e instanceof StartException || e instanceof ConfigException) {
                throw e;
            }
            throw new StartException("could not start: " + describe(e), e);
        }
    }

    /** The bot user's name, as Discord knows it. */
    String botName() {
        return clients().get(0).getSelfUser().getName();
    }

    /** The JDA client, or with shards the first shard's (for tests). */
    JDA jda() {
        return clients().get(0);
    }

    /** The JDA client, or one per shard of this process. */
    private List<JDA> clients() {
        JDA single = jda;
        ShardManager manager = shards;
        if (single != null || manager == null) {
            return single == null ? List.of() : List.of(single);
        }
        List<JDA> all = new ArrayList<>(manager.getShards());
        all.sort(java.util.Comparator.comparingInt(shard -> shard.getShardInfo().getShardId()));
        return all;
    }

    /** The monitoring endpoint's address, if it runs. */
    Optional<java.net.InetSocketAddress> monitoringAddress() {
        MonitoringServer server = monitoring;
        return server == null ? Optional.empty() : Optional.of(server.address());
    }

    /**
     * Why the bot cannot serve now (for {@code /healthz}): it is stopping, or a Discord connection is not up; empty
     * when every connection is up and the broker accepts messages.
     */
    Optional<String> unhealthy() {
        if (closed.get()) {
            return Optional.of("the bot is stopping");
        }
        for (JDA client : clients()) {
            JDA.Status status = client.getStatus();
            if (status != JDA.Status.CONNECTED) {
                String what = jda != null
                        ? "the Discord connection"
                        : "Discord shard " + client.getShardInfo().getShardId();
                return Optional.of(what + " is not connected ("
                        + status.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
            }
        }
        ShardManager manager = shards;
        if (manager != null && manager.getShardsQueued() > 0) {
            return Optional.of("Discord shards are still connecting");
        }
        return Optional.empty();
    }

    AcpBroker broker() {
        return broker;
    }

    /** Names the bot and what runs; never the token. */
    @Override
    public String toString() {
        return "RunningBot[" + botName() + ", status "
                + clients().stream().map(JDA::getStatus).toList() + ", "
                + broker.status().size() + " conversations]";
    }

    /**
     * Waits until the bot stops: returns 0 after {@link #close()}, or 1 after closing everything when Discord ended
     * the session itself (e.g. the token was reset).
     */
    int awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return 1;
        }
        CloseCode code = discordClosed;
        if (code != null) {
            close();
            return 1;
        }
        return 0;
    }

    /** Stops the broker (sessions stored, agents stopped), the front end and JDA. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("stopping: the agents (running turns may finish), then the Discord front end and connection");
        try {
            broker.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("shutting down the broker failed", e);
        }
        try {
            frontEnd.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the Discord front end failed", e);
        }
        if (jda != null) {
            shutdown(jda);
        }
        if (shards != null) {
            shutdown(shards);
        }
        // After JDA: the broker's shutdown stored every session through it.
        store.close();
        MonitoringServer server = monitoring;
        if (server != null) {
            server.close();
        }
        stopped.countDown();
    }

    private EventListener shutdownListener() {
        return event -> {
            if (event instanceof ShutdownEvent shutdown) {
                onJdaShutdown(shutdown);
            }
        };
    }

    private void onJdaShutdown(ShutdownEvent event) {
        if (!closed.get()) {
            CloseCode code = event.getCloseCode();
            LOG.error(
                    "Discord ended the session (close code {}: {}); stopping",
                    event.getCode(),
                    code == null ? "no reason given" : code.getMeaning());
            discordClosed = code == null ? CloseCode.UNKNOWN_ERROR : code;
            stopped.countDown();
        }
    }

    private static void createDirectories(BotConfig config) {
        Path current = config.state().directory();
        try {
            Files.createDirectories(current);
            current = config.state().sessionStore().toAbsolutePath().getParent();
            if (current != null) {
                Files.createDirectories(current);
            }
            for (BotConfig.Agent agent : config.agents().byId().values()) {
                current = agent.workingDirectory();
                Files.createDirectories(current);
            }
            for (BotConfig.Binding binding : config.agents().bindings()) {
                if (binding.workingDirectory() != null) {
                    current = binding.workingDirectory();
                    Files.createDirectories(current);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new StartException("cannot create the directory " + current + ": " + describe(e), e);
        }
    }

    /**
     * The broker: with the single {@code agent:} section one agent as before, with the {@code agents:} map one {@link
     * AgentSpec} per entry (its own working directory rule and authentication; the rest is shared).
     *
     * @param parentOf the parent channel of a thread, 0 if unknown (for the working directory of bound channels)
     * @param listener told about the broker's connections and turns (the metrics), if any
     * @param leases the conversation leases shared with other bot processes (with a database), if any
     */
    static AcpBroker broker(
            BotConfig config,
            SessionStore store,
            DiscordFrontEnd frontEnd,
            LongUnaryOperator parentOf,
            @Nullable BrokerListener listener,
            @Nullable ConversationLeases leases) {
        BotConfig.Permissions permissions = config.permissions();
        PermissionPolicy policy =
                switch (permissions.mode()) {
                    case ASK -> frontEnd.permissionPolicy();
                    case REJECT -> PermissionPolicy.rejectAll();
                    case ALLOW_ONCE -> PermissionPolicy.allowOnce();
                    case ALLOW_KINDS -> PermissionPolicy.allowToolKinds(permissions.allowKinds());
                };
        AcpBroker.Builder builder = AcpBroker.builder();
        if (listener != null) {
            builder.listener(listener);
        }
        if (leases != null) {
            builder.leases(leases);
        }
        BotConfig.Agents agents = config.agents();
        if (agents.named()) {
            for (String id : agents.ids()) {
                BotConfig.Agent agent =
                        java.util.Objects.requireNonNull(agents.byId().get(id));
                AgentSpec.Builder spec = AgentSpec.builder(id, launchSpec(config, agent, id))
                        .workingDirectory(workingDirectory(agent, agents.bindings(), parentOf));
                if (agent.description() != null) {
                    spec.description(agent.description());
                }
                builder.agent(spec.build());
            }
            builder.defaultAgent(agents.defaultId());
        } else {
            builder.agent(agent(config))
                    .workingDirectory(workingDirectory(config.agent(), agents.bindings(), parentOf));
        }
        return builder.stateDirectory(config.state().directory())
                .clientOptions(
                        AcpClientOptions.builder().permissionPolicy(policy).build())
                .sessionStore(store)
                .promptComposer(config.agent().senderHeaders() ? PromptComposer.attributed() : PromptComposer.plain())
                .poolConfig(PoolConfig.builder()
                        .name("discord")
                        .maxSize(config.pool().maxAgents())
                        .idleTimeout(config.pool().idleTimeout())
                        .build())
                .maxQueuedMessages(config.pool().maxQueuedMessages())
                .warmAgents(config.pool().warmAgents())
                .drainPolicy(config.drain())
                .livenessPolicy(config.liveness())
                .build();
    }

    /** The agent to run: the configured command line, or the demo agent keeping its sessions in the state dir. */
    static AgentLaunchSpec agent(BotConfig config) {
        return launchSpec(config, config.agent(), null);
    }

    /**
     * One agent's launch spec; a demo agent of the {@code agents:} map keeps its sessions in a file of its own
     * ({@code demo-agent-sessions-<id>.json}), so that two never share one.
     */
    static AgentLaunchSpec launchSpec(BotConfig config, BotConfig.Agent agent, @Nullable String id) {
        String sessions = id == null
                ? BotConfig.DEMO_AGENT_SESSIONS
                : BotConfig.DEMO_AGENT_SESSIONS.replace(".json", "-" + id + ".json");
        List<String> command = agent.demo()
                ? DemoAgentLauncher.command(
                        "--sessions-file",
                        config.state().directory().resolve(sessions).toString())
                : agent.commandLine();
        AgentLaunchSpec.Builder spec = AgentLaunchSpec.builder(command.get(0)).args(command.subList(1, command.size()));
        agent.env().forEach(spec::env);
        spec.inheritEnv(agent.inheritEnv().toArray(new String[0]));
        spec.authPolicy(agent.authPolicy());
        return spec.build();
    }

    /**
     * One directory for every conversation, or a subdirectory per Discord thread; a conversation id ({@code
     * discord:<thread id>}) becomes a safe directory name ({@code discord-<thread id>}).
     */
    static Function<String, Path> workingDirectory(BotConfig.Agent agent) {
        return workingDirectory(agent.workingDirectory(), agent.workingDirectoryPerThread());
    }

    private static Function<String, Path> workingDirectory(Path base, boolean perThread) {
        if (!perThread) {
            return conversationId -> base;
        }
        return conversationId -> base.resolve(conversationId.replaceAll("[^A-Za-z0-9._-]", "-"));
    }

    /**
     * As {@link #workingDirectory(BotConfig.Agent)}, except for the conversations of a binding with a working
     * directory of its own: the bound channel (mode channel) or a thread of it (mode thread) works there (in a
     * subdirectory per thread if the agent has {@code workingDirectoryPerThread}).
     */
    static Function<String, Path> workingDirectory(
            BotConfig.Agent agent, List<BotConfig.Binding> bindings, LongUnaryOperator parentOf) {
        Function<String, Path> own = workingDirectory(agent);
        Map<Long, Function<String, Path>> bound = new java.util.HashMap<>();
        for (BotConfig.Binding binding : bindings) {
            Path directory = binding.workingDirectory();
            if (directory != null) {
                bound.put(binding.channelId(), workingDirectory(directory, agent.workingDirectoryPerThread()));
            }
        }
        if (bound.isEmpty()) {
            return own;
        }
        return conversationId -> {
            long channel = channelOf(conversationId);
            Function<String, Path> rule = bound.get(channel);
            if (rule == null && channel != 0) {
                rule = bound.get(parentOf.applyAsLong(channel));
            }
            return (rule == null ? own : rule).apply(conversationId);
        };
    }

    /** The channel (or thread) id of a Discord conversation id, 0 for another. */
    private static long channelOf(String conversationId) {
        if (!conversationId.startsWith(DiscordFrontEnd.CONVERSATION_PREFIX)) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(conversationId.substring(DiscordFrontEnd.CONVERSATION_PREFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The parent channel of a thread JDA knows, else 0. */
    private static long parentOf(@Nullable LongFunction<@Nullable ThreadChannel> threads, long threadId) {
        if (threads == null) {
            return 0;
        }
        ThreadChannel thread = threads.apply(threadId);
        return thread == null ? 0 : thread.getParentChannel().getIdLong();
    }

    private static JDA login(BotConfig config, String token) {
        BotConfig.Discord discord = config.discord();
        JDABuilder builder = JDABuilder.createLight(token, DiscordFrontEnd.requiredIntents())
                .setCompression(discord.gatewayCompression())
                // The program's own shutdown hook stops JDA after the agents, not before.
                .setEnableShutdownHook(false);
        if (discord.restBaseUrl() != null) {
            String base = discord.restBaseUrl().toString();
            builder.setRestConfig(new RestConfig().setBaseUrl(base.endsWith("/") ? base : base + "/"));
        }
        if (discord.gatewayUrl() != null) {
            builder.setSessionController(
                    new GatewaySessionController(discord.gatewayUrl().toString()));
        }
        JDA jda;
        try {
            jda = builder.build();
        } catch (RuntimeException e) {
            throw buildFailure(discord, e);
        }
        try {
            jda.awaitReady();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(jda);
            throw new StartException("interrupted while logging in to Discord", e);
        } catch (IllegalStateException e) {
            shutdown(jda);
            throw new StartException(
                    "Discord closed the connection while logging in: " + describe(e) + loginHint(e), e);
        }
        return jda;
    }

    /**
     * Why building JDA or the shard manager failed. JDA checks the token with a REST call while building, so a
     * network failure surfaces here too, wrapped.
     */
    private static StartException buildFailure(BotConfig.Discord discord, RuntimeException e) {
        if (e instanceof InvalidTokenException) {
            return new StartException(
                    "Discord refused the bot token in " + discord.tokenEnv()
                            + " (copy it again from the Discord developer portal: your application, Bot, Reset Token)",
                    e);
        }
        return new StartException(
                "cannot reach Discord at "
                        + (discord.restBaseUrl() == null ? "discord.com" : discord.restBaseUrl()) + ": "
                        + rootCause(e),
                e);
    }

    /**
     * Starts a shard manager for the shards {@code range.from()..range.to()} of {@code range.total()} and waits
     * until each of them is READY (JDA connects them one after another, as Discord's identify limit asks).
     */
    private static ShardManager loginShards(BotConfig config, BotConfig.Shards range, String token) {
        BotConfig.Discord discord = config.discord();
        CompletableFuture<Void> allReady = new CompletableFuture<>();
        AtomicInteger ready = new AtomicInteger();
        DefaultShardManagerBuilder builder = DefaultShardManagerBuilder.createLight(
                        token, DiscordFrontEnd.requiredIntents())
                .setCompression(discord.gatewayCompression())
                .setEnableShutdownHook(false)
                .setShardsTotal(range.total())
                .setShards(range.from(), range.to())
                .addEventListeners((EventListener) event -> {
                    if (event instanceof ReadyEvent && ready.incrementAndGet() == range.count()) {
                        allReady.complete(null);
                    } else if (event instanceof ShutdownEvent shutdown) {
                        CloseCode code = shutdown.getCloseCode();
                        allReady.completeExceptionally(new IllegalStateException("shard "
                                + shutdown.getJDA().getShardInfo().getShardId() + " was shut down (close code "
                                + shutdown.getCode() + (code == null ? "" : ": " + code.getMeaning()) + ")"));
                    }
                });
        if (discord.restBaseUrl() != null) {
            String base = discord.restBaseUrl().toString();
            builder.setRestConfigProvider(shard -> new RestConfig().setBaseUrl(base.endsWith("/") ? base : base + "/"));
        }
        if (discord.gatewayUrl() != null) {
            builder.setSessionController(
                    new GatewaySessionController(discord.gatewayUrl().toString()));
        }
        ShardManager shards;
        try {
            shards = builder.build();
        } catch (RuntimeException e) {
            throw buildFailure(discord, e);
        }
        LOG.info("connecting Discord shards {} to {} of {}", range.from(), range.to(), range.total());
        try {
            allReady.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutdown(shards);
            throw new StartException("interrupted while logging in to Discord", e);
        } catch (ExecutionException e) {
            shutdown(shards);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StartException(
                    "Discord closed the connection while logging in: " + describe(cause) + loginHint(cause), cause);
        }
        return shards;
    }

    private static String loginHint(Throwable e) {
        String text = String.valueOf(e.getMessage());
        if (text.contains("4014") || text.toLowerCase(java.util.Locale.ROOT).contains("intent")) {
            return "; enable MESSAGE CONTENT INTENT in the Discord developer portal (your application, Bot,"
                    + " Privileged Gateway Intents)";
        }
        if (text.contains("4004")) {
            return "; the token in the environment is not valid";
        }
        return "";
    }

    private static void shutdown(ShardManager shards) {
        shards.shutdown();
        // ShardManager.shutdown() returns at once; wait for each shard as for a single client.
        for (JDA shard : shards.getShardCache()) {
            try {
                if (!shard.awaitShutdown(JDA_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn(
                            "Discord shard {} did not stop within {}; cutting its connection",
                            shard.getShardInfo().getShardId(),
                            JDA_SHUTDOWN_TIMEOUT);
                    shard.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shard.shutdownNow();
            }
        }
    }

    private static void shutdown(JDA jda) {
        jda.shutdown();
        try {
            if (!jda.awaitShutdown(JDA_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Discord client did not stop within {}; cutting its connections", JDA_SHUTDOWN_TIMEOUT);
                jda.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jda.shutdownNow();
        }
    }

    /**
     * The network failure behind {@code e}, e.g. {@code UnknownHostException: discord.com: Name or service not
     * known}; JDA wraps it, and chains a {@code ContextException} (a stack trace holder) after it.
     */
    static String rootCause(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                String message = cause.getMessage();
                return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return describe(e);
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
