package io.github.acppool.examples.console;

import io.github.acppool.acp.AuthPolicy;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The console's settings: command-line flags over an optional properties file over defaults. Immutable.
 *
 * @param agentCommand the agent's command line, or null for the bundled demo agent
 * @param agentsFile a YAML file with several named agents ({@code --agents}; the bot's {@code agents:} map), or null
 * @param env variables set for the agent
 * @param inheritEnv variables copied from this environment to the agent (it gets PATH, HOME, USER and LANG anyway)
 * @param stateDir where the session store, the demo agent's sessions and the log live
 * @param workDir the agents' working directory, or null for the default (see {@link #USAGE})
 * @param conversation the conversation to start in
 * @param auth how the agent authenticates ({@code --auth}: auto, none or a method id)
 * @param permissions how permission requests are decided, or null for the default (ask a person at a terminal or
 *     with {@code --interactive}, reject in a script)
 * @param interactive lines are sent as they arrive even when stdin is not a terminal
 * @param plain no colours and no spinner even on a terminal
 * @param noDelay the demo agent replies at full speed
 * @param verbose logs go to stderr instead of the log file, and results show their diagnostics
 * @param help {@code --help} was given
 * @param version {@code --version} was given
 * @param warmAgents spare agents started ahead ({@code --warm-agents}, 0 by default)
 */
record ConsoleOptions(
        @Nullable List<String> agentCommand,
        @Nullable Path agentsFile,
        Map<String, String> env,
        Set<String> inheritEnv,
        Path stateDir,
        @Nullable Path workDir,
        String conversation,
        AuthPolicy auth,
        Permissions.@Nullable Mode permissions,
        boolean interactive,
        boolean plain,
        boolean noDelay,
        boolean verbose,
        boolean help,
        boolean version,
        int warmAgents) {

    static final String DEFAULT_CONVERSATION = "main";
    static final Pattern CONVERSATION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Method ids as agents send them (openai-api-key, oauth-personal): one word, no spaces. */
    private static final Pattern AUTH_METHOD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]*");

    private static final Set<String> CONFIG_KEYS = Set.of(
            "agent", "agents", "env", "state-dir", "workdir", "conversation", "auth", "permissions", "warm-agents");

    static final String USAGE = """
            Usage: java -jar examples/target/acp-pool-demo.jar [options]

            A console chat with an ACP agent through acp-pool: several conversations, streamed replies, tool
            progress, /cancel, /reset, /status, and conversations that resume after a restart. Type /help in
            the console for its commands.

            Options:
              --agent "<command line>"  run this ACP agent instead of the bundled demo agent, e.g.
                                        --agent "npx -y @agentclientprotocol/claude-agent-acp"
              --agents <file>           offer several named agents: the agents: map (and defaultAgent)
                                        of a YAML file, as in the Discord bot's config (each entry the
                                        keys of its agent: section; no command: the demo agent); switch
                                        a conversation's agent with /agent NAME
              --env NAME                pass this environment variable on to the agent (repeatable); the
                                        agent gets only PATH, HOME, USER and LANG otherwise
              --env NAME=VALUE          set a variable for the agent (repeatable)
              --config <file>           read settings from a properties file (keys: agent, env (names,
                                        comma-separated), env.NAME, agents, state-dir, workdir, conversation,
                                        auth, permissions, warm-agents); flags win over the file
              --state-dir <dir>         where conversations are remembered (default ~/.acp-pool/console)
              --workdir <dir>           the agent's working directory, which must exist (default: the
                                        current directory for --agent, <state-dir>/workspace for the demo
                                        agent, created)
              --conversation <name>     the conversation to start in (default main)
              --auth auto|none|METHOD   how the agent authenticates (ACP authenticate): auto (default) picks
                                        the method whose key variable the agent gets (pass it with --env),
                                        none never authenticates, METHOD is a method id the agent offers,
                                        e.g. openai-api-key (Codex) or gemini-api-key (Gemini)
              --permissions ask|allow|reject
                                        how to answer the agent's permission requests (default: ask on a
                                        terminal or with --interactive, reject otherwise)
              --warm-agents <n>         keep n spare agents started ahead, so that a new conversation's
                                        first reply does not wait for the agent to start (default 0)
              --interactive             send lines as they arrive even when stdin is not a terminal
                                        (otherwise each prompt waits for the previous reply)
              --plain                   no colours and no spinner, even on a terminal
              --no-delay                the demo agent replies at full speed
              --verbose                 for operators: log to stderr instead of <state-dir>/console.log, and
                                        show each reply's diagnostics (session, exit code, stderr tail,
                                        protocol warnings) and each error's details under it
              --help                    print this text and exit
              --version                 print the version (acp-pool console X.Y.Z) and exit

            Exit status: 0 done; 1 an error (the state directory or the input could not be used);
            2 a bad command line or config file (including a --workdir that does not exist);
            3 the agent could not be started, or needs authentication nothing configured gives it.
            """;

    ConsoleOptions {
        env = Map.copyOf(env);
        inheritEnv = Set.copyOf(inheritEnv);
        if (agentCommand != null) {
            agentCommand = List.copyOf(agentCommand);
        }
    }

    /** Whether the bundled demo agent is the only agent. */
    boolean demoAgent() {
        return agentCommand == null && agentsFile == null;
    }

    /** A bad command line or config file; the message says what is wrong, in one line. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses the command line, reading the config file it names.
     *
     * @param home the user's home directory, or null if unknown
     * @param cwd what relative paths on the command line are relative to
     * @throws UsageException if a flag is unknown, given twice, misses its value, or a value or the config file is
     *     invalid
     */
    static ConsoleOptions parse(List<String> args, @Nullable String home, Path cwd) {
        Settings flags = new Settings("the command line");
        boolean interactive = false;
        boolean plain = false;
        boolean noDelay = false;
        boolean verbose = false;
        boolean help = false;
        boolean version = false;
        @Nullable String config = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            @Nullable String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            switch (name) {
                case "--interactive" -> interactive = flag(name, value);
                case "--plain" -> plain = flag(name, value);
                case "--no-delay" -> noDelay = flag(name, value);
                case "--verbose" -> verbose = flag(name, value);
                case "--help", "-h" -> help = flag(name, value);
                case "--version" -> version = flag(name, value);
                case "--agent",
                        "--agents",
                        "--env",
                        "--config",
                        "--state-dir",
                        "--workdir",
                        "--conversation",
                        "--auth",
                        "--permissions",
                        "--warm-agents" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    if (name.equals("--config")) {
                        config = once(name, config, value);
                    } else {
                        flags.put(name.substring(2), value, cwd);
                    }
                }
                default -> throw new UsageException("unknown option: " + arg + " (see --help)");
            }
        }
        Settings settings = config == null
                ? flags
                : readConfig(path("--config", config, cwd)).overriddenBy(flags);
        Path stateDir = settings.stateDir != null ? settings.stateDir : defaultStateDir(home, cwd);
        if (noDelay && settings.agent != null) {
            throw new UsageException("--no-delay is for the bundled demo agent; it cannot be used with --agent");
        }
        if (settings.agents != null && settings.agent != null) {
            throw new UsageException("give either --agent (one agent) or --agents (several by name), not both");
        }
        if (settings.agents != null && settings.auth != null) {
            throw new UsageException(
                    "--auth is for a single agent; with --agents set authMethod per agent in the file");
        }
        return new ConsoleOptions(
                settings.agent,
                settings.agents,
                settings.env,
                settings.inheritEnv,
                stateDir,
                settings.workDir,
                settings.conversation != null ? settings.conversation : DEFAULT_CONVERSATION,
                settings.auth != null ? settings.auth : AuthPolicy.automatic(),
                settings.permissions,
                interactive,
                plain,
                noDelay,
                verbose,
                help,
                version,
                settings.warmAgents != null ? settings.warmAgents : 0);
    }

    /** {@code ~/.acp-pool/console}, or the same under {@code cwd} without a home directory. */
    static Path defaultStateDir(@Nullable String home, Path cwd) {
        Path base = home == null || home.isBlank() || home.equals("?") ? cwd : Path.of(home);
        return base.resolve(".acp-pool").resolve("console").toAbsolutePath().normalize();
    }

    private static boolean flag(String name, @Nullable String value) {
        if (value != null) {
            throw new UsageException(name + " takes no value");
        }
        return true;
    }

    private static String once(String name, @Nullable String current, String value) {
        if (current != null) {
            throw new UsageException(name + " was given twice");
        }
        return value;
    }

    private static Path path(String name, String value, Path base) {
        if (value.isBlank()) {
            throw new UsageException(name + " needs a path");
        }
        try {
            return base.resolve(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException(name + ": not a valid path: " + value + " (" + e.getReason() + ")");
        }
    }

    private static Settings readConfig(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new UsageException("config file not found: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
        }
        Settings settings = new Settings("config file " + file);
        Path base = file.getParent() != null ? file.getParent() : file.toAbsolutePath();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String value = properties.getProperty(key).strip();
            if (key.startsWith("env.")) {
                settings.put("env", key.substring("env.".length()) + "=" + value, base);
            } else if (key.equals("env")) {
                for (String name : LIST_SEPARATOR.splitAsStream(value).toList()) {
                    if (!name.isEmpty()) {
                        settings.put("env", name, base);
                    }
                }
            } else if (CONFIG_KEYS.contains(key)) {
                settings.put(key, value, base);
            } else {
                throw new UsageException("unknown key in config file " + file + ": " + key + " (known: agent, agents,"
                        + " env, env.NAME, state-dir, workdir, conversation, auth, permissions, warm-agents)");
            }
        }
        return settings;
    }

    /** Settings from one source; each may be given once, except env. Not thread-safe. */
    private static final class Settings {
        private final String source;

        @Nullable
        List<String> agent;

        @Nullable
        Path agents;

        final Map<String, String> env = new LinkedHashMap<>();
        final Set<String> inheritEnv = new LinkedHashSet<>();

        @Nullable
        Path stateDir;

        @Nullable
        Path workDir;

        @Nullable
        String conversation;

        @Nullable
        AuthPolicy auth;

        Permissions.@Nullable Mode permissions;

        @Nullable
        Integer warmAgents;

        private final Set<String> given = new LinkedHashSet<>();

        Settings(String source) {
            this.source = source;
        }

        void put(String key, String value, Path base) {
            if (!key.equals("env") && !given.add(key)) {
                throw new UsageException(describe(key) + " was given twice in " + source);
            }
            switch (key) {
                case "agent" -> agent = agentCommand(value);
                case "agents" -> agents = path(describe(key), value, base);
                case "env" -> env(value);
                case "state-dir" -> stateDir = path(describe(key), value, base);
                case "workdir" -> workDir = path(describe(key), value, base);
                case "conversation" -> conversation = conversationName(describe(key), value);
                case "auth" -> auth = authPolicy(value);
                case "permissions" -> permissions = permissionMode(value);
                case "warm-agents" -> warmAgents = warmAgents(value);
                default -> throw new IllegalStateException("no such setting: " + key);
            }
        }

        private String describe(String key) {
            return source.equals("the command line") ? "--" + key : key;
        }

        private List<String> agentCommand(String value) {
            List<String> words;
            try {
                words = ShellWords.split(value);
            } catch (IllegalArgumentException e) {
                throw new UsageException(describe("agent") + ": " + e.getMessage());
            }
            if (words.isEmpty() || words.get(0).isEmpty()) {
                throw new UsageException(describe("agent") + " needs a command line, e.g. \"npx -y"
                        + " @agentclientprotocol/claude-agent-acp\"");
            }
            return words;
        }

        private void env(String value) {
            int equals = value.indexOf('=');
            String name = equals < 0 ? value : value.substring(0, equals);
            if (!ENV_NAME.matcher(name).matches()) {
                throw new UsageException("not an environment variable name in " + source + ": " + name);
            }
            if (equals < 0) {
                inheritEnv.add(name);
            } else {
                env.put(name, value.substring(equals + 1));
            }
        }

        private AuthPolicy authPolicy(String value) {
            if (!AUTH_METHOD.matcher(value.strip()).matches()) {
                throw new UsageException(describe("auth") + " must be auto, none or a method id the agent offers (e.g."
                        + " openai-api-key), not \"" + value + "\"");
            }
            return AuthPolicy.parse(value);
        }

        private int warmAgents(String value) {
            try {
                int count = Integer.parseInt(value.strip());
                if (count >= 0) {
                    return count;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(
                    describe("warm-agents") + " must be a whole number, 0 or more, not \"" + value + "\"");
        }

        private Permissions.Mode permissionMode(String value) {
            try {
                return Permissions.Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException(
                        describe("permissions") + " must be ask, allow or reject, not \"" + value + "\"");
            }
        }

        /** These settings, with every setting that {@code flags} gives replacing this one's. */
        Settings overriddenBy(Settings flags) {
            Settings merged = new Settings(flags.source);
            merged.agent = flags.agent != null ? flags.agent : agent;
            merged.agents = flags.agents != null ? flags.agents : agents;
            if (flags.agent != null || flags.agents != null) {
                // A flag naming the agents replaces the file's choice, whichever form either uses.
                merged.agent = flags.agent;
                merged.agents = flags.agents;
            }
            merged.env.putAll(env);
            merged.env.putAll(flags.env);
            merged.inheritEnv.addAll(inheritEnv);
            merged.inheritEnv.addAll(flags.inheritEnv);
            merged.stateDir = flags.stateDir != null ? flags.stateDir : stateDir;
            merged.workDir = flags.workDir != null ? flags.workDir : workDir;
            merged.conversation = flags.conversation != null ? flags.conversation : conversation;
            merged.auth = flags.auth != null ? flags.auth : auth;
            merged.permissions = flags.permissions != null ? flags.permissions : permissions;
            merged.warmAgents = flags.warmAgents != null ? flags.warmAgents : warmAgents;
            return merged;
        }
    }

    /**
     * Checks a conversation name: letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or a
     * digit, at most 64 characters.
     *
     * @throws UsageException if it is not one
     */
    static String conversationName(String what, String value) {
        String problem = conversationNameProblem(value);
        if (problem != null) {
            throw new UsageException(what + ": " + problem);
        }
        return value;
    }

    /** What is wrong with {@code value} as a conversation name, or null if nothing. */
    static @Nullable String conversationNameProblem(String value) {
        return CONVERSATION_NAME.matcher(value).matches()
                ? null
                : "not a conversation name: \"" + value + "\" (use letters, digits, '.', '_' and '-', at most 64)";
    }

    /** The options as a short list for the log. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add("agent="
                + (agentsFile != null
                        ? "agents from " + agentsFile
                        : agentCommand == null ? "demo" : String.join(" ", agentCommand)));
        out.add("stateDir=" + stateDir);
        out.add("workDir=" + workDir);
        out.add("auth=" + auth);
        out.add("permissions=" + permissions);
        out.add("inheritEnv=" + inheritEnv);
        out.add("env=" + env.keySet());
        return out;
    }
}
