package io.github.acppool.examples.discord;

import io.github.acppool.examples.ProgramVersion;
import io.github.acppool.examples.discord.BotConfig.PermissionMode;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bundled Discord bot: every Discord thread it is mentioned in becomes a conversation with its own ACP agent.
 * Build once, then run from the repository root:
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package
 * DISCORD_BOT_TOKEN=... java -cp examples/target/acp-pool-demo.jar io.github.acppool.examples.discord.DiscordBot \
 *     --config examples/config/demo-agent.yaml
 * }</pre>
 *
 * <p>Without {@code --config} every setting takes its default (the bundled demo agent). The token is read from the
 * environment variable named by {@code discord.tokenEnv} ({@value BotConfig#DEFAULT_TOKEN_ENV} by default), never
 * from the file. Exit status: 0 after SIGTERM or Ctrl-C (the bot stops cleanly), 1 when Discord or the machine
 * refused to run it (e.g. a wrong token), 2 for a bad command line or config.
 *
 * <p>This class is a program: only {@link #main} is public. Stateless; {@link #main} is meant to run once per JVM.
 */
public final class DiscordBot {
    // No logger here: logging is configured in main, before the first logger exists.

    static final String USAGE = """
            Usage: java -cp examples/target/acp-pool-demo.jar io.github.acppool.examples.discord.DiscordBot \\
                       [--config <file.yaml>]

            Runs a Discord bot that answers with an ACP agent, one agent session per Discord thread.
            The bot token is read from the environment variable DISCORD_BOT_TOKEN (discord.tokenEnv).
            Example configs: examples/config/*.yaml (each key is documented there).

            Options:
              --config <file>  the YAML config file (default: every setting at its default,
                               which runs the bundled demo agent)
              --help           print this text and exit
              --version        print the version (acp-pool discord-bot X.Y.Z) and exit
            """;

    private DiscordBot() {}

    /** Runs the bot until SIGTERM or Ctrl-C; see the class comment for the exit status. */
    public static void main(String[] args) {
        configureLogging();
        AtomicBoolean stopping = new AtomicBoolean();
        int status = run(List.of(args), System.getenv(), Path.of(System.getProperty("user.home")), System.err, bot -> {
            Thread hook = new Thread(
                    () -> {
                        if (stopping.compareAndSet(false, true)) {
                            bot.close();
                            System.err.println("acp-pool discord bot: stopped");
                            // A JVM stopped by a signal exits with 128 + the signal's number even after a clean
                            // shutdown; a service manager should see the 0 of a clean stop.
                            Runtime.getRuntime().halt(0);
                        }
                    },
                    "acp-pool-discord-bot-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        });
        stopping.set(true);
        System.exit(status);
    }

    /** What {@link #run} does with the started bot before it waits for it: the program adds its shutdown hook. */
    @FunctionalInterface
    interface OnStart {
        void started(RunningBot bot);
    }

    /**
     * Parses the command line, loads the config, starts the bot and waits until it stops.
     *
     * @return the exit status: 0 when stopped by {@link RunningBot#close()}, 1 when it could not start or Discord
     *     shut it down, 2 for a bad command line or config (with nothing started)
     */
    static int run(List<String> args, Map<String, String> env, Path home, PrintStream err, OnStart onStart) {
        Path configFile = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String value = null;
            if (arg.equals("--help") || arg.equals("-h")) {
                err.print(USAGE);
                return 0;
            } else if (arg.equals("--version")) {
                // Beside --help on stderr: the bot keeps stdout free, as a service's output.
                err.println(ProgramVersion.line("discord-bot"));
                return 0;
            } else if (arg.startsWith("--config=")) {
                value = arg.substring("--config=".length());
            } else if (arg.equals("--config") && i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                err.println("acp-pool discord bot: "
                        + (arg.equals("--config") ? "--config needs a file" : "unknown argument: " + arg));
                err.print(USAGE);
                return 2;
            }
            try {
                configFile = Path.of(value);
            } catch (InvalidPathException e) {
                err.println("acp-pool discord bot: --config: not a valid path: " + value);
                return 2;
            }
        }
        BotConfig config;
        RunningBot bot;
        try {
            config = configFile == null
                    ? BotConfig.parse("", Path.of("").toAbsolutePath(), home)
                    : BotConfig.load(configFile, home);
            bot = RunningBot.start(config, env);
        } catch (ConfigException e) {
            err.println("acp-pool discord bot: " + (configFile == null ? "" : configFile + ": ") + e.getMessage());
            return 2;
        } catch (RunningBot.StartException e) {
            err.println("acp-pool discord bot: " + e.getMessage());
            return 1;
        }
        err.println("acp-pool discord bot: running as " + bot.botName() + " with "
                + describeAgents(config)
                + (config.permissions().mode() == PermissionMode.ASK
                        ? ""
                        : "; permissions: "
                                + config.permissions()
                                        .mode()
                                        .name()
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .replace('_', '-'))
                + " (stop with Ctrl-C)");
        onStart.started(bot);
        return bot.awaitStop();
    }

    /** "the bundled demo agent", its command line, or the agents' names with the default first. */
    static String describeAgents(BotConfig config) {
        if (config.agents().named()) {
            List<String> ids = config.agents().ids();
            return "the agents " + ids.get(0) + " (default)"
                    + (ids.size() > 1 ? ", " + String.join(", ", ids.subList(1, ids.size())) : "");
        }
        return config.agent().demo()
                ? "the bundled demo agent"
                : String.join(" ", config.agent().commandLine());
    }

    /** Logs go to stderr at INFO, unless set with -D already. */
    private static void configureLogging() {
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
