package io.github.acppool.examples.console;

import io.github.acppool.Ticker;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentSpec;
import io.github.acppool.broker.PromptComposer;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.examples.ProgramVersion;
import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import io.github.acppool.pool.PoolConfig;
import java.io.BufferedReader;
import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The console demo: chat with an ACP agent through an {@link AcpBroker} in a terminal. With no options it runs the
 * bundled demo agent, so it works on a fresh machine with no API key:
 *
 * <pre>{@code
 * mvn -B -q -DskipTests package && java -jar examples/target/acp-pool-demo.jar
 * }</pre>
 *
 * <p>It keeps several conversations ({@code /use NAME}), streams each reply with its tool calls and a progress
 * indicator, queues what is typed while a turn runs, and offers {@code /cancel}, {@code /reset}, {@code /status}.
 * Conversations resume after a restart: the broker's session store and the demo agent's sessions live in one state
 * directory ({@code --state-dir}, default {@code ~/.acp-pool/console}). {@code --agent "<command line>"} (or a
 * config file) runs a real ACP agent instead. When stdin is not a terminal it runs the lines one after the other
 * and prints plain text, so it can be scripted; see {@link ConsoleOptions#USAGE} for every option.
 *
 * <p>This class is a program: only {@link #main} is public.
 */
public final class ConsoleDemo {
    // No logger here: logging is configured in main, before the first logger exists.

    private ConsoleDemo() {}

    /** Exit status: done. */
    static final int EXIT_OK = 0;
    /** Exit status: the state directory, the session store or the input could not be used. */
    static final int EXIT_ERROR = 1;
    /** Exit status: a bad command line or config file, including a {@code --workdir} that does not exist. */
    static final int EXIT_USAGE = 2;
    /** Exit status: a message's agent could not be started (or authenticated). */
    static final int EXIT_AGENT_START = 3;

    /** Runs the console and exits with its status: see {@link ConsoleOptions#USAGE} (and the constants here). */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Console terminal = terminal();
        Charset charset = terminal != null ? terminal.charset() : StandardCharsets.UTF_8;
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, charset);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, charset);
        ConsoleOptions options;
        try {
            options = ConsoleOptions.parse(
                    List.of(args), System.getProperty("user.home"), Path.of("").toAbsolutePath());
        } catch (ConsoleOptions.UsageException e) {
            err.println("acp-pool console: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.print(ConsoleOptions.USAGE);
            out.flush();
            return EXIT_OK;
        }
        if (options.version()) {
            out.println(ProgramVersion.line("console"));
            out.flush();
            return EXIT_OK;
        }
        Path workDir = options.workDir() != null
                ? options.workDir()
                : options.demoAgent()
                        ? options.stateDir().resolve("workspace")
                        : Path.of("").toAbsolutePath();
        if (options.workDir() != null && !Files.isDirectory(workDir)) {
            // A typo must not become a fresh, empty project directory the agent then works in.
            err.println("acp-pool console: --workdir " + workDir
                    + (Files.exists(workDir) ? " is not a directory" : " does not exist"));
            return EXIT_USAGE;
        }
        try {
            Files.createDirectories(options.stateDir());
            Files.createDirectories(workDir);
        } catch (IOException | RuntimeException e) {
            err.println("acp-pool console: cannot create " + options.stateDir() + " or " + workDir + ": " + e);
            return EXIT_ERROR;
        }
        AgentsFile agents = null;
        if (options.agentsFile() != null) {
            try {
                agents = AgentsFile.read(options.agentsFile(), System.getProperty("user.home"));
            } catch (ConsoleOptions.UsageException e) {
                err.println("acp-pool console: " + e.getMessage());
                return EXIT_USAGE;
            }
        }
        configureLogging(options);
        LineEditor editor = null;
        if (styled(terminal != null, options)) {
            try {
                editor = LineEditor.open(options.stateDir().resolve("history"));
            } catch (IOException | RuntimeException e) {
                // The console works without line editing: prompt and spinner on the plain streams. (No static
                // logger here: the log's destination is configured above, before the first logger exists.)
                LoggerFactory.getLogger(ConsoleDemo.class)
                        .warn("console - no line editor on this terminal, continuing without one", e);
            }
        }
        try {
            return start(
                    options,
                    agents,
                    workDir,
                    terminal != null,
                    new BufferedReader(new InputStreamReader(System.in, charset)),
                    out,
                    err,
                    editor);
        } finally {
            if (editor != null) {
                try {
                    editor.close();
                } catch (IOException | RuntimeException e) {
                    LoggerFactory.getLogger(ConsoleDemo.class)
                            .warn("console - restoring the terminal or saving the input history failed", e);
                }
            }
        }
    }

    /** Colours, a prompt and progress on the screen: a terminal, unless --plain, NO_COLOR or TERM=dumb say no. */
    private static boolean styled(boolean terminal, ConsoleOptions options) {
        Map<String, String> env = System.getenv();
        return terminal && !options.plain() && env.get("NO_COLOR") == null && !"dumb".equals(env.get("TERM"));
    }

    private static int start(
            ConsoleOptions options,
            @Nullable AgentsFile agents,
            Path workDir,
            boolean terminal,
            BufferedReader in,
            PrintStream out,
            PrintStream err,
            @Nullable LineEditor editor) {
        SessionStore store;
        try {
            store = SessionStore.file(options.stateDir().resolve("sessions.json"));
        } catch (RuntimeException e) {
            err.println("acp-pool console: " + ConsoleSession.describe(e));
            return EXIT_ERROR;
        }
        boolean styled = styled(terminal, options);
        boolean sequential = !terminal && !options.interactive();
        Renderer renderer = editor != null
                ? new Renderer(editor.output(), editor, options.verbose(), Ticker.systemTicker())
                : new Renderer(out, styled, !terminal, options.verbose(), Ticker.systemTicker());

        Map<String, String> conversationsBySession = new ConcurrentHashMap<>();
        AtomicReference<@Nullable ConsoleSession> session = new AtomicReference<>();
        Permissions permissions = new Permissions(
                renderer, sessionId -> conversationsBySession.getOrDefault(sessionId, "session " + sessionId), () -> {
                    ConsoleSession waiting = session.get();
                    if (waiting != null) {
                        waiting.signal();
                    }
                });
        Permissions.Mode mode = options.permissions() != null
                ? options.permissions()
                : terminal || options.interactive() ? Permissions.Mode.ASK : Permissions.Mode.REJECT;

        AcpBroker broker;
        try {
            AcpBroker.Builder builder = AcpBroker.builder();
            if (agents == null) {
                // One directory for every conversation, in the launch spec: warm agents start there at once.
                builder.agent(agent(options).withWorkingDirectory(workDir));
            } else {
                agents.agents().forEach((id, entry) -> builder.agent(agentSpec(options, id, entry)));
                builder.defaultAgent(agents.defaultId()).workingDirectory(conversationId -> workDir);
            }
            broker = builder.clientOptions(AcpClientOptions.builder()
                            .permissionPolicy(permissions.policy(mode))
                            .build())
                    .sessionStore(store)
                    // One person per conversation, and the agent sees exactly what was typed (the demo agent's
                    // /commands must come first in the prompt).
                    .promptComposer(PromptComposer.plain())
                    .poolConfig(PoolConfig.builder().name("console").build())
                    .warmAgents(options.warmAgents())
                    // Agents a killed console left behind are stopped by the next one.
                    .stateDirectory(options.stateDir())
                    .build();
        } catch (RuntimeException e) {
            err.println("acp-pool console: " + ConsoleSession.describe(e));
            return EXIT_ERROR;
        }
        ConsoleSession console = new ConsoleSession(
                broker,
                store,
                renderer,
                permissions,
                conversationsBySession,
                sequential,
                describeAgent(options, agents),
                options.demoAgent(),
                options.conversation());
        session.set(console);

        AtomicBoolean done = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    if (!done.get()) {
                        err.println();
                        err.println("(stopping the agents)");
                    }
                    console.cancelAll();
                    broker.shutdown();
                },
                "acp-pool-console-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "acp-pool-console-ticker");
            thread.setDaemon(true);
            return thread;
        });
        long tickMillis = editor != null ? 250 : styled ? 100 : 1000;
        var unused = ticker.scheduleWithFixedDelay(
                () -> {
                    try {
                        renderer.tick();
                    } catch (RuntimeException e) {
                        // The indicator is cosmetic; never let it stop.
                    }
                },
                tickMillis,
                tickMillis,
                TimeUnit.MILLISECONDS);
        int status;
        try {
            if (editor != null) {
                editor.prompt(renderer.promptText());
            }
            status = console.run(editor != null ? InputLines.start(editor.lines()) : InputLines.start(in));
            if (status == EXIT_OK && console.agentStartFailed()) {
                status = EXIT_AGENT_START;
            }
        } finally {
            done.set(true);
            ticker.shutdownNow();
            broker.shutdown();
            out.flush();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down (Ctrl-C): the hook runs, and finds the broker shut down.
        }
        return status;
    }

    /** The agent to run: the command line given, or the bundled demo agent keeping its sessions in the state dir. */
    static AgentLaunchSpec agent(ConsoleOptions options) {
        List<String> command;
        if (options.agentCommand() != null) {
            command = options.agentCommand();
        } else {
            List<String> demoArgs = new ArrayList<>(List.of(
                    "--sessions-file",
                    options.stateDir().resolve("demo-agent-sessions.json").toString()));
            if (options.noDelay()) {
                demoArgs.add("--no-delay");
            }
            command = DemoAgentLauncher.command(demoArgs);
        }
        AgentLaunchSpec.Builder spec = AgentLaunchSpec.builder(command.get(0)).args(command.subList(1, command.size()));
        options.env().forEach(spec::env);
        spec.inheritEnv(options.inheritEnv().toArray(new String[0]));
        spec.authPolicy(options.auth());
        return spec.build();
    }

    /** One agent of an {@code --agents} file; an entry without a command is the demo agent, with its own sessions. */
    static AgentSpec agentSpec(ConsoleOptions options, String id, AgentsFile.Entry entry) {
        List<String> command;
        if (entry.demo()) {
            List<String> demoArgs = new ArrayList<>(List.of(
                    "--sessions-file",
                    options.stateDir()
                            .resolve("demo-agent-sessions-" + id + ".json")
                            .toString()));
            if (options.noDelay()) {
                demoArgs.add("--no-delay");
            }
            command = DemoAgentLauncher.command(demoArgs);
        } else {
            command = entry.commandLine();
        }
        AgentLaunchSpec.Builder launch =
                AgentLaunchSpec.builder(command.get(0)).args(command.subList(1, command.size()));
        options.env().forEach(launch::env);
        entry.env().forEach((name, value) -> {
            if (!options.env().containsKey(name)) {
                launch.env(name, value);
            }
        });
        launch.inheritEnv(options.inheritEnv().toArray(new String[0]));
        launch.inheritEnv(entry.inheritEnv().toArray(new String[0]));
        AgentSpec.Builder spec = AgentSpec.builder(id, launch.build()).authPolicy(entry.authPolicy());
        if (entry.description() != null) {
            spec.description(entry.description());
        }
        Path directory = entry.workingDirectory();
        if (directory != null) {
            spec.workingDirectory(conversationId -> directory);
        }
        return spec.build();
    }

    private static String describeAgent(ConsoleOptions options, @Nullable AgentsFile agents) {
        if (agents != null) {
            StringBuilder text = new StringBuilder();
            agents.agents().forEach((id, entry) -> text.append(text.length() == 0 ? "" : ", ")
                    .append(id)
                    .append(id.equals(agents.defaultId()) ? " (default)" : ""));
            return text.toString();
        }
        return options.agentCommand() == null
                ? "the bundled demo agent (run a real one with --agent \"<command line>\")"
                : String.join(" ", options.agentCommand());
    }

    /** Logs go to {@code <state dir>/console.log} (or stderr with --verbose), unless set with -D already. */
    private static void configureLogging(ConsoleOptions options) {
        setDefault(
                "org.slf4j.simpleLogger.logFile",
                options.verbose()
                        ? "System.err"
                        : options.stateDir().resolve("console.log").toString());
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", options.verbose() ? "debug" : "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /**
     * The console if stdin and stdout are a terminal, else null. From Java 22 on {@link System#console()} may return
     * a console for redirected streams too, so its {@code isTerminal()} is asked when it exists.
     */
    @SuppressWarnings("SystemConsoleNull") // handled: isTerminal() is asked where it exists
    static @Nullable Console terminal() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object isTerminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(isTerminal) ? console : null;
        } catch (NoSuchMethodException e) {
            return console; // Java 17 to 21: a console exists only for a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return console;
        }
    }
}
