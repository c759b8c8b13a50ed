package io.github.acppool.examples.demoagent;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The demo agent's command-line flags and environment variables, parsed. Immutable.
 *
 * @param sessionsFile where the sessions are kept
 * @param delays whether replies are paced like a real agent's; off for tests
 * @param verbose whether every wire message is logged to stderr
 * @param help whether {@code --help} was given
 */
record AgentOptions(Path sessionsFile, boolean delays, boolean verbose, boolean help) {

    static final String SESSIONS_FILE_ENV = "ACP_POOL_DEMO_AGENT_SESSIONS_FILE";
    static final String NO_DELAY_ENV = "ACP_POOL_DEMO_AGENT_NO_DELAY";

    static final String USAGE = """
            Usage: java -cp <class path> io.github.acppool.examples.demoagent.DemoAgent [options]

            The acp-pool demo agent: an ACP v1 agent on stdin/stdout (one JSON-RPC message per line).
            Logs go to stderr. Send it the prompt /help to see what it can do.

            Options:
              --sessions-file <path>  where conversations are kept so that a restarted agent can
                                      session/load them (env %s;
                                      default ~/.acp-pool/demo-agent-sessions.json)
              --no-delay              reply at full speed instead of at a natural pace
                                      (env %s=true)
              --verbose               log every JSON-RPC message to stderr
              --help                  print this text and exit
            """.formatted(SESSIONS_FILE_ENV, NO_DELAY_ENV);

    /** A bad command line; the message says what is wrong. */
    static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses the command line. Flags win over environment variables.
     *
     * @param home the user's home directory, or null if unknown
     * @param workingDirectory used for the default sessions file when there is no home directory
     * @throws UsageException if an argument is unknown or a value is missing or invalid
     */
    static AgentOptions parse(
            List<String> args, Map<String, String> env, @Nullable String home, Path workingDirectory) {
        @Nullable String sessionsFile = null;
        @Nullable Boolean delays = null;
        boolean verbose = false;
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--sessions-file=")) {
                sessionsFile = nonEmpty("--sessions-file", arg.substring("--sessions-file=".length()));
            } else if (arg.equals("--sessions-file")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--sessions-file needs a path");
                }
                sessionsFile = nonEmpty("--sessions-file", args.get(++i));
            } else if (arg.equals("--no-delay")) {
                delays = false;
            } else if (arg.equals("--verbose")) {
                verbose = true;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else {
                throw new UsageException("unknown argument: " + arg);
            }
        }
        if (sessionsFile == null) {
            String fromEnv = env.get(SESSIONS_FILE_ENV);
            if (fromEnv != null && !fromEnv.isBlank()) {
                sessionsFile = fromEnv;
            }
        }
        if (delays == null) {
            delays = !isTrue(NO_DELAY_ENV, env.get(NO_DELAY_ENV));
        }
        Path file = sessionsFile != null ? toPath(sessionsFile) : defaultSessionsFile(home, workingDirectory);
        return new AgentOptions(file.toAbsolutePath().normalize(), delays, verbose, help);
    }

    /** {@code ~/.acp-pool/demo-agent-sessions.json}, or the same under the working directory without a home. */
    static Path defaultSessionsFile(@Nullable String home, Path workingDirectory) {
        Path base = home == null || home.isBlank() || home.equals("?") ? workingDirectory : Path.of(home);
        return base.resolve(".acp-pool").resolve("demo-agent-sessions.json");
    }

    private static String nonEmpty(String flag, String value) {
        if (value.isBlank()) {
            throw new UsageException(flag + " needs a path");
        }
        return value;
    }

    private static Path toPath(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException("not a valid path: " + value + " (" + e.getReason() + ")");
        }
    }

    private static boolean isTrue(String name, @Nullable String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> {
                return true;
            }
            case "0", "false", "no", "off" -> {
                return false;
            }
            default -> throw new UsageException(name + " must be true or false: " + value);
        }
    }
}
