package io.github.acppool.acp;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.internal.Checks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How to start an agent process: command, arguments, working directory and environment.
 *
 * <p>The environment is minimal by default: only {@link #BASELINE_ENV} (PATH, HOME, USER, LANG) is taken
 * from this JVM's environment, plus the variables named in {@link #inheritEnv()}, plus {@link #env()} (which
 * wins). Secrets of the embedding application, such as a chat bot token, never reach the agent unless asked
 * for.
 *
 * <p>Immutable and thread-safe.
 *
 * @param command the executable, e.g. {@code npx} or an absolute path
 * @param args its arguments
 * @param workingDirectory the process's working directory, or null for this JVM's
 * @param env variables set explicitly
 * @param inheritEnv names of variables copied from this JVM's environment when set there
 * @param authPolicy how this agent authenticates, or null for the broker's policy
 */
public record AgentLaunchSpec(
        String command,
        List<String> args,
        @Nullable Path workingDirectory,
        Map<String, String> env,
        Set<String> inheritEnv,
        @Nullable AuthPolicy authPolicy) {

    /** Variables always inherited when set. */
    public static final List<String> BASELINE_ENV = List.of("PATH", "HOME", "USER", "LANG");

    public AgentLaunchSpec {
        Checks.notNull(command, "command");
        Checks.argument(!command.isBlank(), "command must not be blank");
        args = List.copyOf(args);
        env = Map.copyOf(env);
        inheritEnv = Set.copyOf(inheritEnv);
    }

    /** A spec that leaves authentication to the broker's policy. */
    public AgentLaunchSpec(
            String command,
            List<String> args,
            @Nullable Path workingDirectory,
            Map<String, String> env,
            Set<String> inheritEnv) {
        this(command, args, workingDirectory, env, inheritEnv, null);
    }

    /** This spec with another working directory (null for this JVM's). */
    public AgentLaunchSpec withWorkingDirectory(@Nullable Path value) {
        return new AgentLaunchSpec(command, args, value, env, inheritEnv, authPolicy);
    }

    /** The full command line. */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>(1 + args.size());
        line.add(command);
        line.addAll(args);
        return line;
    }

    /** The environment the process gets, computed from {@code parentEnv} (normally {@link System#getenv()}). */
    public Map<String, String> environment(Map<String, String> parentEnv) {
        Map<String, String> out = new TreeMap<>();
        for (String name : BASELINE_ENV) {
            String value = parentEnv.get(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        for (String name : inheritEnv) {
            String value = parentEnv.get(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        out.putAll(env);
        return out;
    }

    public static Builder builder(String command) {
        return new Builder(command);
    }

    /** Set-once builder; not thread-safe. */
    public static final class Builder {
        private final String command;
        private final List<String> args = new ArrayList<>();
        private @Nullable Path workingDirectory;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Set<String> inheritEnv = new LinkedHashSet<>();
        private @Nullable AuthPolicy authPolicy;

        private Builder(String command) {
            this.command = Checks.notNull(command, "command");
        }

        @CanIgnoreReturnValue
        public Builder args(String... values) {
            for (String value : values) {
                args.add(Checks.notNull(value, "arg"));
            }
            return this;
        }

        @CanIgnoreReturnValue
        public Builder args(List<String> values) {
            return args(values.toArray(new String[0]));
        }

        @CanIgnoreReturnValue
        public Builder workingDirectory(Path value) {
            workingDirectory = Checks.setOnce(workingDirectory, value, "workingDirectory");
            return this;
        }

        /** Sets a variable; setting the same name twice is an error. */
        @CanIgnoreReturnValue
        public Builder env(String name, String value) {
            Checks.notNull(name, "env name");
            Checks.notNull(value, "env value");
            Checks.state(!env.containsKey(name), "env %s was already set", name);
            env.put(name, value);
            return this;
        }

        /** Copies these variables from this JVM's environment when they are set there. */
        @CanIgnoreReturnValue
        public Builder inheritEnv(String... names) {
            for (String name : names) {
                inheritEnv.add(Checks.notNull(name, "inheritEnv name"));
            }
            return this;
        }

        /** How this agent authenticates; overrides the broker's {@code authPolicy}. */
        @CanIgnoreReturnValue
        public Builder authPolicy(AuthPolicy value) {
            authPolicy = Checks.setOnce(authPolicy, value, "authPolicy");
            return this;
        }

        public AgentLaunchSpec build() {
            return new AgentLaunchSpec(command, args, workingDirectory, env, inheritEnv, authPolicy);
        }
    }
}
