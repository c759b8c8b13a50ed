package io.github.acppool.examples.discord;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.discord.DiscordFrontEnd;
import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import io.github.acppool.pool.PoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.events.session.ShutdownEvent;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.CloseCode;
import net.dv8tion.jda.api.requests.RestConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started bot: the Discord front end, the broker with its agents, the JDA client and the session store. {@link
 * #close()} stops the broker first (running turns get its shutdown timeout to finish, and their replies are still
 * posted; new messages are told the bot is stopping; every session is stored and every agent process stopped), then
 * the front end, then JDA, then the store's database pool if it has one.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread (a shutdown hook), any number of times.
 */
final class RunningBot implements AutoCloseable {

    /*
     * Concurrency: `closed` makes close() run once; later callers return at once, and awaitStop() waits on
     * `stopped`, which close() counts down at its end and JDA's ShutdownEvent counts down when Discord ended the
     * session itself (then the waiting thread closes the rest). The components are immutable references.
     */
    private static final Logger LOG = LoggerFactory.getLogger(RunningBot.class);

    /** How long close() waits for JDA to shut down before it cuts the connections. */
    private static final Duration JDA_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final DiscordFrontEnd frontEnd;
    private final AcpBroker broker;
    private final JDA jda;
    private final BotStore store;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable CloseCode discordClosed;

    private RunningBot(DiscordFrontEnd frontEnd, AcpBroker broker, JDA jda, BotStore store) {
        this.frontEnd = frontEnd;
        this.broker = broker;
        this.jda = jda;
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
            AcpBroker broker = broker(config, store, frontEnd);
            started.add(broker);
            JDA jda = login(config, token);
            started.add(() -> shutdown(jda));
            frontEnd.start(broker, jda);
            RunningBot bot = new RunningBot(frontEnd, broker, jda, botStore);
            jda.addEventListener((EventListener) event -> {
                if (event instanceof ShutdownEvent shutdown) {
                    bot.onJdaShutdown(shutdown);
                }
            });
            if (jda.getStatus() == JDA.Status.SHUTDOWN) {
                bot.stopped.countDown();
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
        return jda.getSelfUser().getName();
    }

    /** The JDA client (for tests). */
    JDA jda() {
        return jda;
    }

    AcpBroker broker() {
        return broker;
    }

    /** Names the bot and what runs; never the token. */
    @Override
    public String toString() {
        return "RunningBot[" + botName() + ", status " + jda.getStatus() + ", "
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
        shutdown(jda);
        // Last: the broker's shutdown stored every session through it.
        store.close();
        stopped.countDown();
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
            current = config.agent().workingDirectory();
            Files.createDirectories(current);
        } catch (IOException | RuntimeException e) {
            throw new StartException("cannot create the directory " + current + ": " + describe(e), e);
        }
    }

    static AcpBroker broker(BotConfig config, SessionStore store, DiscordFrontEnd frontEnd) {
        BotConfig.Permissions permissions = config.permissions();
        PermissionPolicy policy =
                switch (permissions.mode()) {
                    case ASK -> frontEnd.permissionPolicy();
                    case REJECT -> PermissionPolicy.rejectAll();
                    case ALLOW_ONCE -> PermissionPolicy.allowOnce();
                    case ALLOW_KINDS -> PermissionPolicy.allowToolKinds(permissions.allowKinds());
                };
        return AcpBroker.builder()
                .agent(agent(config))
                .workingDirectory(workingDirectory(config.agent()))
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
                .drainPolicy(config.drain())
                .livenessPolicy(config.liveness())
                .build();
    }

    /** The agent to run: the configured command line, or the demo agent keeping its sessions in the state dir. */
    static AgentLaunchSpec agent(BotConfig config) {
        BotConfig.Agent agent = config.agent();
        List<String> command = agent.demo()
                ? DemoAgentLauncher.command(
                        "--sessions-file",
                        config.state()
                                .directory()
                                .resolve(BotConfig.DEMO_AGENT_SESSIONS)
                                .toString())
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
        Path base = agent.workingDirectory();
        if (!agent.workingDirectoryPerThread()) {
            return conversationId -> base;
        }
        return conversationId -> base.resolve(conversationId.replaceAll("[^A-Za-z0-9._-]", "-"));
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
        } catch (InvalidTokenException e) {
            throw new StartException(
                    "Discord refused the bot token in " + discord.tokenEnv()
                            + " (copy it again from the Discord developer portal: your application, Bot, Reset Token)",
                    e);
        } catch (RuntimeException e) {
            // JDA checks the token with a REST call while building; a network failure surfaces here, wrapped.
            throw new StartException(
                    "cannot reach Discord at "
                            + (discord.restBaseUrl() == null ? "discord.com" : discord.restBaseUrl()) + ": "
                            + rootCause(e),
                    e);
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
