package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.Ticker;
import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.ConversationStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Discord front end for an {@link AcpBroker} on a JDA client (or a {@link ShardManager}) that the embedder owns.
 *
 * <pre>{@code
 * DiscordFrontEnd discord = DiscordFrontEnd.create(DiscordConfig.defaults());
 * AcpBroker broker = AcpBroker.builder()
 *         .agent(AgentLaunchSpec.builder("npx").args("@zed-industries/codex-acp").build())
 *         .clientOptions(AcpClientOptions.builder().permissionPolicy(discord.permissionPolicy()).build())
 *         .sessionStore(SessionStore.jsonFile(Path.of("sessions.json")))
 *         .build();
 * JDA jda = JDABuilder.createDefault(token, DiscordFrontEnd.requiredIntents()).build().awaitReady();
 * discord.start(broker, jda);
 * // ... at exit: discord.close(); broker.shutdown(); jda.shutdown();
 * }</pre>
 *
 * <p>A mention of the bot (or of an allowed role) in a channel starts a thread from that message; the thread is
 * the conversation (id {@value #CONVERSATION_PREFIX}{@code <thread id>}), and follow-ups in it need no mention.
 * Replies stream into a placeholder message, status reactions show where a turn is, and {@code /cancel}, {@code
 * /reset} and {@code /status} act on the thread they are used in.
 *
 * <p>Scale-out: {@link #start(AcpBroker, ShardManager)} serves every shard of one process. To run several processes,
 * give each a disjoint shard range of the same total (Discord sends a guild's messages, threads and interactions to
 * one shard only, so each conversation is served by exactly one process) and one shared {@link
 * io.github.acppool.broker.SessionStore} over a database, so that a conversation resumes wherever its guild's shard
 * runs after a rebalance; DMs arrive on shard 0. Registering the global commands from one process is enough ({@link
 * DiscordConfig#registerCommands()}); guild commands ({@link DiscordConfig#commandGuilds()}) are registered by the
 * process whose shards serve the guild.
 *
 * <p>Ownership: {@link #close()} detaches the front end from JDA and stops the work it started; it never shuts down
 * the broker or JDA. An executor given to {@link #create(DiscordConfig, Executor)} is not shut down either.
 *
 * <p>Thread-safe: every method may be called from any thread; JDA event threads are never blocked.
 */
public final class DiscordFrontEnd implements AutoCloseable {

    /*
     * Concurrency: `this` guards the lifecycle (started, closed, the attached JDA or shard manager and the bridge).
     * Nothing blocks under it except registering or removing a JDA listener, which only touches JDA's listener list.
     * The permission prompts exist from creation (the broker needs the policy before start) and learn where to post
     * at start.
     */
    private static final Logger LOG = LoggerFactory.getLogger(DiscordFrontEnd.class);

    /** Every conversation id of this front end starts with this, followed by the thread (or DM channel) id. */
    public static final String CONVERSATION_PREFIX = "discord:";

    /** How long {@link #close()} lets its own threads finish posting replies already handed to them. */
    static final Duration CLOSE_DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /** The threads the front end creates for itself when no executor is given. */
    static final int OWN_THREADS = 2;

    private final DiscordConfig config;
    private final Executor executor;
    private final @Nullable ExecutorService ownExecutor;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Ticker ticker;
    private final PermissionPrompts prompts;
    private final AtomicBoolean commandsRegistered = new AtomicBoolean();
    private final Set<Long> guildsRegistered = ConcurrentHashMap.newKeySet();

    @GuardedBy("this")
    private @Nullable DiscordBridge bridge;

    @GuardedBy("this")
    private @Nullable JDA jda;

    @GuardedBy("this")
    private @Nullable ShardManager shards;

    @GuardedBy("this")
    private boolean closed;

    private DiscordFrontEnd(
            DiscordConfig config,
            @Nullable Executor executor,
            @Nullable ScheduledExecutorService scheduler,
            Ticker ticker) {
        this.config = config;
        if (executor == null) {
            this.ownExecutor = Executors.newFixedThreadPool(OWN_THREADS, daemon("acp-discord-"));
            this.executor = ownExecutor;
        } else {
            this.ownExecutor = null;
            this.executor = executor;
        }
        if (scheduler == null) {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("acp-discord-timer-"));
            timer.setRemoveOnCancelPolicy(true);
            this.scheduler = timer;
            this.ownsScheduler = true;
        } else {
            this.scheduler = scheduler;
            this.ownsScheduler = false;
        }
        this.ticker = ticker;
        this.prompts = new PermissionPrompts(config.access(), config.permissionTimeout(), Mentions.of(config));
    }

    /** A front end with its own daemon threads (ended by {@link #close()}). */
    public static DiscordFrontEnd create(DiscordConfig config) {
        return new DiscordFrontEnd(requireNonNull(config, "config"), null, null, Ticker.systemTicker());
    }

    /**
     * A front end whose work (downloads, slash commands, handing messages to the broker) runs on {@code executor},
     * which the caller owns and must keep running until {@link #close()}. Timers (edit cadence, reaction debounce)
     * run on one daemon thread of the front end.
     */
    public static DiscordFrontEnd create(DiscordConfig config, Executor executor) {
        return new DiscordFrontEnd(
                requireNonNull(config, "config"), requireNonNull(executor, "executor"), null, Ticker.systemTicker());
    }

    /** For tests: timers on {@code scheduler} and time from {@code ticker} (e.g. a FakeScheduler), both not owned. */
    static DiscordFrontEnd create(
            DiscordConfig config, Executor executor, ScheduledExecutorService scheduler, Ticker ticker) {
        return new DiscordFrontEnd(config, executor, scheduler, ticker);
    }

    /** The gateway intents the front end needs: GUILD_MESSAGES, MESSAGE_CONTENT and DIRECT_MESSAGES. */
    public static Set<GatewayIntent> requiredIntents() {
        return EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT, GatewayIntent.DIRECT_MESSAGES);
    }

    /** The conversation id of a thread or DM channel. */
    public static String conversationId(long channelId) {
        return CONVERSATION_PREFIX + Long.toUnsignedString(channelId);
    }

    /** The settings this front end was created with. */
    public DiscordConfig config() {
        return config;
    }

    /**
     * "Ask in Discord": each permission request is posted in the conversation's thread as a message with Allow and
     * Deny buttons that only allowed users may press; no answer within {@link DiscordConfig#permissionTimeout()}
     * means deny, and the buttons are disabled once decided. A request whose session the front end cannot map to a
     * thread (another front end's conversation, or one before {@link #start}) is rejected. Give it to the broker's
     * {@code AcpClientOptions}; for the other modes give the broker a policy of {@link PermissionPolicy} instead.
     */
    public PermissionPolicy permissionPolicy() {
        return prompts.policy();
    }

    /**
     * Attaches to {@code jda} (connected already, or still logging in): checks its intents (throws {@link IllegalStateException} naming a missing one and how
     * to enable it), registers the listener and, if configured, registers the commands (in one bulk call, which replaces the
     * application's other commands). Threads are never
     * archived at start; conversations continue from the broker's session store.
     *
     * @throws IllegalStateException if started already, closed, or an intent is missing
     */
    public synchronized void start(AcpBroker broker, JDA jda) {
        requireNonNull(broker, "broker");
        requireNonNull(jda, "jda");
        checkStartable();
        checkIntents(jda.getGatewayIntents());
        DiscordBridge started = attach(broker, id -> {
            MessageChannel channel = jda.getChannelById(MessageChannel.class, id);
            return channel != null ? channel : jda.getPrivateChannelById(id);
        });
        jda.addEventListener(started);
        this.jda = jda;
        if (jda.getStatus() == JDA.Status.CONNECTED) {
            registerCommandsOnce(jda);
        } // else on READY, through the bridge
        LOG.info("Discord front end started on JDA ({})", jda.getStatus());
    }

    /**
     * Like {@link #start(AcpBroker, JDA)}, for every shard of {@code shards} (present and future). Global slash
     * commands are registered once, through the first shard.
     */
    public synchronized void start(AcpBroker broker, ShardManager shards) {
        requireNonNull(broker, "broker");
        requireNonNull(shards, "shards");
        checkStartable();
        checkIntents(shards.getGatewayIntents());
        DiscordBridge started = attach(broker, id -> {
            MessageChannel channel = shards.getChannelById(MessageChannel.class, id);
            return channel != null ? channel : shards.getPrivateChannelById(id);
        });
        shards.addEventListener(started);
        this.shards = shards;
        for (JDA shard : shards.getShards()) {
            if (shard.getStatus() == JDA.Status.CONNECTED) {
                registerCommandsOnce(shard);
            }
        } // the others on their READY, through the bridge
        LOG.info("Discord front end started on {} shard(s)", shards.getShardsTotal());
    }

    @GuardedBy("this")
    private DiscordBridge attach(AcpBroker broker, LongFunction<@Nullable MessageChannel> channels) {
        prompts.fallback(sessionId -> {
            for (ConversationStatus status : broker.status()) {
                if (sessionId.equals(status.sessionId())
                        && status.conversationId().startsWith(CONVERSATION_PREFIX)) {
                    try {
                        return channels.apply(Long.parseUnsignedLong(
                                status.conversationId().substring(CONVERSATION_PREFIX.length())));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            return null;
        });
        DiscordBridge created =
                new DiscordBridge(config, broker, executor, scheduler, ticker, prompts, this::registerCommandsOnce);
        bridge = created;
        return created;
    }

    @GuardedBy("this")
    private void checkStartable() {
        if (closed) {
            throw new IllegalStateException("this Discord front end is closed");
        }
        if (bridge != null) {
            throw new IllegalStateException("this Discord front end was started already");
        }
    }

    private void checkIntents(Set<GatewayIntent> intents) {
        List<GatewayIntent> missing = new ArrayList<>();
        for (GatewayIntent needed : List.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT)) {
            if (!intents.contains(needed)) {
                missing.add(needed);
            }
        }
        if (config.access().allowDirectMessages() && !intents.contains(GatewayIntent.DIRECT_MESSAGES)) {
            missing.add(GatewayIntent.DIRECT_MESSAGES);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missingIntents(missing));
        }
    }

    static String missingIntents(List<GatewayIntent> missing) {
        StringBuilder text = new StringBuilder("JDA was built without the gateway intent(s) ")
                .append(missing)
                .append(" that the Discord front end needs: build it with JDABuilder.create(token, "
                        + "DiscordFrontEnd.requiredIntents()) or enableIntents(...)");
        if (missing.contains(GatewayIntent.MESSAGE_CONTENT)) {
            text.append(", and switch on \"Message Content Intent\" under Bot > Privileged Gateway Intents in the"
                    + " Discord developer portal (https://discord.com/developers/applications)");
        }
        return text.append('.').toString();
    }

    /** The slash commands and the message action of the front end. */
    static List<CommandData> commands() {
        List<CommandData> commands = new ArrayList<>(List.of(
                Commands.slash(DiscordBridge.ASK, "Start a conversation with the agent (a thread, in a channel)")
                        .addOption(OptionType.STRING, DiscordBridge.ASK_OPTION, "What the agent should do", true)
                        .addOption(
                                OptionType.STRING,
                                DiscordBridge.ASK_AGENT_OPTION,
                                "Which agent (when a conversation starts; the usual one if left out)",
                                false,
                                true),
                Commands.slash(DiscordBridge.CANCEL, "Cancel the agent's running turn in this conversation"),
                Commands.slash(DiscordBridge.RESET, "Start this conversation afresh (the agent forgets it)"),
                Commands.slash(DiscordBridge.STATUS, "Show what the agent of this conversation is doing"),
                Commands.slash(DiscordBridge.MODE, "Choose the agent's mode in this conversation")
                        .addOption(
                                OptionType.STRING, DiscordBridge.MODE, "One of the modes the agent offers", true, true),
                Commands.slash(DiscordBridge.MODEL, "Choose the agent's model in this conversation")
                        .addOption(
                                OptionType.STRING,
                                DiscordBridge.MODEL,
                                "One of the models the agent offers",
                                true,
                                true),
                Commands.message(DiscordBridge.ASK_MESSAGE)));
        commands.addAll(OperatorCommands.commands());
        return commands;
    }

    /**
     * Registers the commands in one bulk call (which replaces the application's others): globally once per front
     * end, or in each configured guild this client serves (called per shard, as each becomes ready).
     */
    private void registerCommandsOnce(JDA client) {
        if (!config.registerCommands()) {
            return;
        }
        if (config.commandGuilds().isEmpty()) {
            if (commandsRegistered.compareAndSet(false, true)) {
                client.updateCommands()
                        .addCommands(commands())
                        .queue(null, e -> LOG.warn("Could not register the global commands: {}", e.toString()));
            }
            return;
        }
        for (long guildId : config.commandGuilds()) {
            Guild guild = client.getGuildById(guildId);
            if (guild != null && guildsRegistered.add(guildId)) {
                guild.updateCommands()
                        .addCommands(commands())
                        .queue(
                                null,
                                e -> LOG.warn(
                                        "Could not register the commands in guild {}: {}",
                                        Long.toUnsignedString(guildId),
                                        e.toString()));
            }
        }
    }

    /**
     * Detaches from JDA, withdraws open permission questions (they are denied) and stops the front end's own
     * threads, after they posted the replies already handed to them (for up to 5 seconds). Running turns are not
     * cancelled (the broker owns them); their replies are still posted, from the thread that ends the turn, while
     * JDA runs. To let running turns finish before stopping, shut the broker down first. The broker and JDA keep
     * running. Idempotent.
     */
    @Override
    public void close() {
        DiscordBridge detached;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            detached = bridge;
            if (detached != null) {
                detached.close();
                if (jda != null) {
                    jda.removeEventListener(detached);
                }
                if (shards != null) {
                    shards.removeEventListener(detached);
                }
            }
        }
        prompts.closeAll();
        if (ownExecutor != null) {
            // Replies of turns that ended just before (e.g. during the broker's shutdown) are still posted.
            ownExecutor.shutdown();
            try {
                if (!ownExecutor.awaitTermination(CLOSE_DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Discord front end: replies still pending after {} are dropped", CLOSE_DRAIN_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ownExecutor.shutdownNow();
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        LOG.info("Discord front end closed");
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static <T> T requireNonNull(@Nullable T value, String name) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }
}
