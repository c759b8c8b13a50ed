package io.github.acppool.broker;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.acp.schema.AuthMethod;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.broker.AgentReport.Finding;
import io.github.acppool.broker.AgentReport.Verdict;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's check of one agent ({@link AcpBroker#checkAgent}): runs on one thread, starts at most one
 * process and always stops it. Not thread-safe; one instance per check.
 */
final class AgentDoctor {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDoctor.class);

    /** The longest wait for {@code initialize}: an agent that needs longer would make a chat user wait too. */
    static final Duration INITIALIZE_LIMIT = Duration.ofSeconds(30);

    private final AgentRegistry.Agent agent;
    private final String broker;
    private final BiFunction<AgentRegistry.Agent, AgentLaunchSpec, AcpClient> launcher;
    private final Consumer<AcpClient> closer;
    private final List<Finding> findings = new ArrayList<>();

    /**
     * @param launcher starts a process as the broker does (owner marker, orphan record)
     * @param closer stops it as the broker does
     */
    AgentDoctor(
            AgentRegistry.Agent agent,
            String broker,
            BiFunction<AgentRegistry.Agent, AgentLaunchSpec, AcpClient> launcher,
            Consumer<AcpClient> closer) {
        this.agent = agent;
        this.broker = broker;
        this.launcher = launcher;
        this.closer = closer;
    }

    AgentReport check() {
        AgentLaunchSpec launch = agent.launch();
        Path own = launch.workingDirectory();
        Path cwd = (own != null ? own : Path.of("")).toAbsolutePath().normalize();
        Map<String, String> env = launch.environment(System.getenv());
        if (command(launch.command(), env, cwd)) {
            AcpClient client = null;
            try {
                client = launcher.apply(agent, launch.withWorkingDirectory(cwd));
                InitializeResult init = initialize(client);
                if (init != null) {
                    authentication(init.authMethods(), env);
                }
            } catch (RuntimeException e) {
                add("starts", Verdict.FAILED, "could not be started: " + Authentication.clean(String.valueOf(e)));
            } finally {
                if (client != null) {
                    closer.accept(client);
                }
            }
        }
        AgentReport report = new AgentReport(agent.id(), findings);
        LOG.info(
                "{} - agent {}: checked, {}: {}",
                broker,
                agent.id(),
                report.verdict(),
                findings.stream()
                        .map(f -> f.check() + " " + f.verdict() + " (" + f.detail() + ")")
                        .toList());
        return report;
    }

    private void add(String check, Verdict verdict, String detail) {
        findings.add(new Finding(check, verdict, detail));
    }

    /** Resolves the command as the process would: a path as it is, a bare name on the agent's PATH. */
    private boolean command(String command, Map<String, String> env, Path cwd) {
        try {
            if (command.contains(File.separator)) {
                Path path = cwd.resolve(command);
                return executable(command, path);
            }
            String searchPath = env.getOrDefault("PATH", "");
            for (String dir : searchPath.split(File.pathSeparator, -1)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir).resolve(command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    add("command", Verdict.OK, command + " is " + candidate);
                    return true;
                }
            }
        } catch (InvalidPathException e) {
            add("command", Verdict.FAILED, "'" + command + "' is not a valid path: " + e.getReason());
            return false;
        }
        add("command", Verdict.FAILED, command + " is not on the agent's PATH; install it or give its absolute path");
        return false;
    }

    private boolean executable(String command, Path path) {
        if (!Files.isRegularFile(path)) {
            add("command", Verdict.FAILED, command + " does not exist");
            return false;
        }
        if (!Files.isExecutable(path)) {
            add("command", Verdict.FAILED, command + " is not executable");
            return false;
        }
        add("command", Verdict.OK, command + " is executable");
        return true;
    }

    private @Nullable InitializeResult initialize(AcpClient client) {
        Duration limit = agent.clientOptions().requestTimeout().compareTo(INITIALIZE_LIMIT) < 0
                ? agent.clientOptions().requestTimeout()
                : INITIALIZE_LIMIT;
        long start = System.nanoTime();
        String pid = client.pid().isPresent() ? "pid " + client.pid().getAsInt() : "no pid";
        try {
            InitializeResult init = client.initialize().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (!client.isAlive()) {
                add("starts", Verdict.FAILED, "the process exited right after initialize" + exit(client));
                return null;
            }
            add("starts", Verdict.OK, "the process started (" + pid + ") and stays up");
            add("initialize", Verdict.OK, "answered in " + millis + " ms");
            add("protocol", Verdict.OK, "protocol version " + init.protocolVersion());
            return init;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            add("initialize", Verdict.FAILED, "the check was interrupted");
        } catch (TimeoutException e) {
            add("starts", Verdict.OK, "the process started (" + pid + ") and stays up");
            add("initialize", Verdict.FAILED, "no answer to initialize within " + limit.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AgentProcessException || !client.isAlive()) {
                add(
                        "starts",
                        Verdict.FAILED,
                        "the process exited at start" + exit(client) + "; its stderr is in the log");
                LOG.warn(
                        "{} - agent {}: exited at start; stderr: {}",
                        broker,
                        agent.id(),
                        Authentication.clean(client.stderrTail()));
            } else {
                add("starts", Verdict.OK, "the process started (" + pid + ") and stays up");
                add(
                        "initialize",
                        Verdict.FAILED,
                        "unusable answer: " + Authentication.clean(String.valueOf(Authentication.describe(cause))));
                if (cause instanceof AcpProtocolException protocol
                        && protocol.code() == AcpProtocolException.UNUSABLE_RESPONSE
                        && String.valueOf(protocol.getMessage()).contains("protocolVersion")) {
                    add("protocol", Verdict.FAILED, "the agent speaks another ACP version than 1");
                }
            }
        }
        return null;
    }

    private static String exit(AcpClient client) {
        try {
            int code = client.onExit().get(2, TimeUnit.SECONDS);
            return " with exit code " + code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }

    private void authentication(List<AuthMethod> methods, Map<String, String> env) {
        AuthPolicy policy = agent.authPolicy();
        if (methods.isEmpty()) {
            add("authentication", Verdict.OK, "the agent advertises no authentication method (policy " + policy + ")");
            return;
        }
        String offered = String.join(
                ", ", methods.stream().map(m -> Authentication.clean(m.id())).toList());
        Authentication auth = new Authentication(policy, methods, env);
        Optional<AuthMethod> picked;
        try {
            picked = auth.upFront();
        } catch (IllegalArgumentException e) {
            add(
                    "authentication",
                    Verdict.FAILED,
                    "offers " + offered + ", but the configured method "
                            + policy.methodId().orElse("?") + " is not among them");
            variables(methods, env, null);
            return;
        }
        if (picked.isPresent()) {
            add(
                    "authentication",
                    Verdict.OK,
                    "offers " + offered + "; policy " + policy + " picks "
                            + Authentication.clean(picked.get().id()));
        } else {
            add(
                    "authentication",
                    Verdict.WARNING,
                    "offers " + offered + "; policy " + policy
                            + " picks none up front (the agent must be logged in already)");
        }
        variables(methods, env, picked.orElse(null));
    }

    /** The variables the methods read, and whether the agent gets them; never their values. */
    private void variables(List<AuthMethod> methods, Map<String, String> env, @Nullable AuthMethod picked) {
        List<String> passed = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (AuthMethod method : methods) {
            for (String name : method.varNames()) {
                String value = env.get(name);
                String line = Authentication.clean(name) + " (" + Authentication.clean(method.id()) + ")";
                (value != null && !value.isEmpty() ? passed : missing).add(line);
            }
        }
        if (passed.isEmpty() && missing.isEmpty()) {
            add("variables", Verdict.OK, "no method names a variable");
            return;
        }
        String detail = (passed.isEmpty() ? "" : "passed: " + String.join(", ", passed))
                + (passed.isEmpty() || missing.isEmpty() ? "" : "; ")
                + (missing.isEmpty() ? "" : "not passed: " + String.join(", ", missing));
        Verdict verdict;
        if (picked != null || !passed.isEmpty()) {
            verdict = Verdict.OK;
        } else if (methods.stream().anyMatch(AuthMethod::interactive)
                || methods.stream().anyMatch(m -> m.varNames().isEmpty())) {
            verdict = Verdict.WARNING; // a stored login may do
        } else {
            verdict = Verdict.FAILED;
            detail += " (pass one to the agent: inheritEnv or env of its launch spec)";
        }
        add("variables", verdict, detail);
    }
}
