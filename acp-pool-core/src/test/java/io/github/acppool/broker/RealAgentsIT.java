package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.acp.schema.AuthMethod;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.turn.LivenessPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real-agent conformance suite (issue 11): the four agent packages of README's "Real agents" table, pinned in
 * {@code src/test/real-agents} and installed by {@code npm ci}, driven with no real key and no network. Each agent
 * gets a temporary HOME (Gemini writes its settings there) and proxies that refuse every connection at once, so
 * that nothing can reach the network and an agent that retries fails fast; the liveness bounds are short.
 *
 * <p>What it pins down: what each agent advertises in {@code initialize} (compare {@code
 * shared/reference/real-agents.md}); Codex authenticates with {@code openai-api-key} and the key passed through,
 * then opens a session; without the key the error names the method and the variable; a second Gemini process
 * authenticates before {@code session/load}, which is then not refused for authentication (offline Gemini recorded
 * nothing, so it says there is no previous session and the conversation starts afresh with that reason); a prompt
 * with no network ends within the bounds or by {@code cancel}; no process is left after shutdown.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class RealAgentsIT {
    private static final String A = "real:a";
    /** A proxy nobody listens on: connections are refused at once instead of waiting for a network. */
    private static final String NO_NETWORK = "http://127.0.0.1:9";

    private static Path agents;

    @TempDir
    Path root;

    private Path home;
    private Path work;
    private final List<AcpBroker> brokers = new ArrayList<>();
    private final List<AcpClient> clients = new ArrayList<>();

    /** The pinned packages, as their own READMEs start them. */
    enum Agent {
        CODEX("codex-acp"),
        GEMINI("gemini", "--acp"),
        CLAUDE_CODE("claude-code-acp"),
        CLAUDE_AGENT("claude-agent-acp");

        final String bin;
        /** The one argument the agent needs, or empty. */
        final String arg;

        Agent(String bin) {
            this(bin, "");
        }

        Agent(String bin, String arg) {
            this.bin = bin;
            this.arg = arg;
        }
    }

    @BeforeAll
    static void installed() {
        agents = Path.of(System.getProperty("acp.realagents.dir", "src/test/real-agents"))
                .toAbsolutePath()
                .normalize();
        for (Agent agent : Agent.values()) {
            assertThat(agents.resolve("node_modules/.bin").resolve(agent.bin))
                    .as("the real agents (installed by `npm ci` in the pre-integration-test phase)")
                    .exists();
        }
    }

    @BeforeEach
    void directories() throws Exception {
        home = Files.createDirectories(root.resolve("home"));
        work = Files.createDirectories(root.resolve("work"));
    }

    @AfterEach
    void noProcessLeft() {
        brokers.forEach(AcpBroker::shutdown);
        clients.forEach(AcpClient::close);
        await().atMost(Duration.ofSeconds(30)).until(() -> agentProcesses().isEmpty());
    }

    private AgentLaunchSpec.Builder spec(Agent agent) {
        AgentLaunchSpec.Builder spec = AgentLaunchSpec.builder(
                        agents.resolve("node_modules/.bin").resolve(agent.bin).toString())
                .args(agent.arg.isEmpty() ? List.of() : List.of(agent.arg))
                .workingDirectory(work)
                .env("HOME", home.toString())
                .env("HTTPS_PROXY", NO_NETWORK)
                .env("HTTP_PROXY", NO_NETWORK)
                .env("ALL_PROXY", NO_NETWORK)
                .env("https_proxy", NO_NETWORK)
                .env("http_proxy", NO_NETWORK)
                .env("NO_PROXY", "")
                .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
                .env("DISABLE_TELEMETRY", "1")
                .env("GEMINI_CLI_NO_RELAUNCH", "true");
        return spec;
    }

    private static AcpClientOptions clientOptions() {
        return AcpClientOptions.builder()
                .closeGrace(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(90))
                .build();
    }

    private AcpBroker broker(AgentLaunchSpec spec, SessionStore store) {
        AcpBroker broker = AcpBroker.builder()
                .agent(spec)
                .clientOptions(clientOptions())
                .sessionStore(store)
                .livenessPolicy(LivenessPolicy.builder()
                        .checkInterval(Duration.ofSeconds(1))
                        .inactivityTimeout(Duration.ofSeconds(10))
                        .hardTimeout(Duration.ofSeconds(20))
                        .build())
                .cancelGrace(Duration.ofSeconds(5))
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        brokers.add(broker);
        return broker;
    }

    /** Every process of these packages (the agents and what they start from node_modules). */
    private static List<ProcessHandle> agentProcesses() {
        String dir = agents.toString();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p ->
                        p.info().commandLine().map(line -> line.contains(dir)).orElse(false))
                .toList();
    }

    @ParameterizedTest
    @EnumSource(Agent.class)
    void initialize_advertisesTheRecordedAuthMethods(Agent agent) throws Exception {
        AcpClient client = AcpClient.launch(spec(agent).build(), clientOptions());
        clients.add(client);
        InitializeResult init = client.initialize().get(90, TimeUnit.SECONDS);
        List<String> ids = init.authMethods().stream().map(AuthMethod::id).toList();
        switch (agent) {
            case CODEX -> {
                assertThat(ids).containsExactly("chatgpt", "codex-api-key", "openai-api-key");
                AuthMethod openai = init.authMethods().get(2);
                assertThat(openai.type()).isEqualTo("env_var");
                assertThat(openai.varNames()).containsExactly("OPENAI_API_KEY");
                assertThat(init.authMethods().get(1).varNames()).containsExactly("CODEX_API_KEY");
                assertThat(init.agentCapabilities().resumeSession()).isTrue();
            }
            case GEMINI -> {
                assertThat(ids).containsExactly("oauth-personal", "gemini-api-key", "vertex-ai", "gateway");
                AuthMethod key = init.authMethods().get(1);
                assertThat(key.varNames()).as("Gemini names no variable").isEmpty();
                assertThat(key.meta()).isNotNull();
                assertThat(key.meta().has("api-key")).isTrue();
                assertThat(init.agentCapabilities().loadSession()).isTrue();
                assertThat(init.agentCapabilities().resumeSession()).isFalse();
            }
            case CLAUDE_CODE -> {
                assertThat(ids).containsExactly("claude-login");
                assertThat(init.authMethods().get(0).description()).isEqualTo("Run `claude /login` in the terminal");
            }
            case CLAUDE_AGENT -> assertThat(ids).isEmpty();
        }
        client.close();
        assertThat(client.isAlive()).isFalse();
    }

    /** Codex: automatic picks openai-api-key because OPENAI_API_KEY reaches the agent; the session opens. */
    @Test
    void codex_authenticatesWithTheKeyPassedThrough_opensASession_andAnOfflinePromptEndsInTime() {
        AcpBroker broker =
                broker(spec(Agent.CODEX).env("OPENAI_API_KEY", "fake").build(), SessionStore.inMemory());
        long start = System.nanoTime();
        BrokerResult result = broker.prompt(A, message("m1", "ann", "Say hello."));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result.sessionId())
                .as("session/new succeeded after authenticate")
                .isNotNull();
        assertThat(result.outcome()).isIn(BrokerResult.Outcome.FAILED, BrokerResult.Outcome.TIMED_OUT);
        // Within the bounds: the hard timeout, the cancel grace and the agent's start-up (a bound, not a speed claim).
        assertThat(took).isLessThan(Duration.ofSeconds(20 + 5 + 30));
        assertPlainUserText(result);
    }

    /** Codex without the key: the operator is told the method, the variable and the setting that passes it. */
    @Test
    void codex_withoutTheKey_failsWithWhatToSet() {
        AcpBroker broker = broker(spec(Agent.CODEX).build(), SessionStore.inMemory());
        assertThatThrownBy(() -> broker.prompt(A, message("m1", "ann", "Say hello.")))
                .isInstanceOfSatisfying(AgentAuthenticationException.class, e -> {
                    assertThat(e.userMessage()).isEqualTo(AgentAuthenticationException.USER_MESSAGE);
                    assertThat(e.details())
                            .contains("session/new failed: Authentication required")
                            .contains("openai-api-key (Use OPENAI_API_KEY)")
                            .contains("reads OPENAI_API_KEY, which is not passed to the agent")
                            .contains("codex-api-key (Use CODEX_API_KEY)")
                            .contains("chatgpt (Login with ChatGPT)");
                });
    }

    /**
     * Gemini: a second process authenticates with gemini-api-key before its session/load, so the load is not
     * refused for authentication; offline Gemini recorded nothing, so the conversation starts afresh and says that
     * the agent could not find the old session.
     */
    @Test
    void gemini_secondProcessAuthenticatesBeforeSessionLoad() {
        SessionStore store = SessionStore.jsonFile(root.resolve("sessions.json"));
        AgentLaunchSpec spec = spec(Agent.GEMINI)
                .env("GEMINI_API_KEY", "fake")
                .authPolicy(AuthPolicy.method("gemini-api-key"))
                .build();
        AcpBroker first = broker(spec, store);
        BrokerResult cancelled = cancelledTurn(first, "m1");
        assertThat(cancelled.outcome()).isEqualTo(BrokerResult.Outcome.CANCELLED);
        first.shutdown();
        assertThat(store.get(A)).isPresent();

        AcpBroker second = broker(spec, store);
        BrokerResult resumed = cancelledTurn(second, "m2");
        assertThat(resumed.sessionReset()).isTrue();
        assertThat(resumed.sessionResetReason())
                .startsWith("the agent could not find the old session")
                .contains("No previous sessions found")
                .doesNotContain("authentication");
        assertPlainUserText(cancelled);
        assertPlainUserText(resumed);
    }

    /**
     * claude-code-acp without a login: session/new works, the prompt fails as authentication required, and the
     * result's error tells the operator what the agent offers.
     */
    @Test
    void claudeCode_withoutALogin_thePromptFails_withAPlainUserText() {
        AcpBroker broker = broker(spec(Agent.CLAUDE_CODE).build(), SessionStore.inMemory());
        BrokerResult result = broker.prompt(A, message("m1", "ann", "Say hello."));
        assertThat(result.sessionId()).isNotNull();
        assertThat(result.outcome()).isEqualTo(BrokerResult.Outcome.FAILED);
        // The agent's own hint reaches the operator (issue 11: it was never shown).
        assertThat(result.error())
                .isInstanceOfSatisfying(AgentAuthenticationException.class, e -> assertThat(e.details())
                        .contains("claude-login (Log in with Claude Code): Run `claude /login` in the terminal"));
        assertPlainUserText(result);
    }

    /** claude-agent-acp with a fake key and no network stays silent; cancel ends the turn within the grace. */
    @Test
    void claudeAgent_offlinePrompt_isCancelled_withAPlainUserText() {
        AcpBroker broker =
                broker(spec(Agent.CLAUDE_AGENT).env("ANTHROPIC_API_KEY", "fake").build(), SessionStore.inMemory());
        BrokerResult result = cancelledTurn(broker, "m1");
        assertThat(result.outcome()).isEqualTo(BrokerResult.Outcome.CANCELLED);
        assertPlainUserText(result);
    }

    /** Sends a prompt and cancels it as soon as its turn started. */
    private static BrokerResult cancelledTurn(AcpBroker broker, String messageId) {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<BrokerResult> result =
                broker.promptAsync(A, message(messageId, "ann", "Say hello."), new MessageListener() {
                    @Override
                    public void onTurnStarted(TurnStart turn) {
                        started.countDown();
                    }
                });
        try {
            if (started.await(120, TimeUnit.SECONDS)) {
                broker.cancel(A);
            }
            return result.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the turn did not start or end: " + result, e);
        }
    }

    private static final Pattern ISO_DURATION = Pattern.compile("\\bPT\\d");

    /** The user's text: no stderr, no path, no session or conversation id, no ISO duration. */
    private static void assertPlainUserText(BrokerResult result) {
        String text = result.userText();
        assertThat(text).isNotBlank();
        assertThat(text).doesNotContainIgnoringCase("stderr").doesNotContain("node_modules", "/tmp", A);
        if (result.sessionId() != null) {
            assertThat(text).doesNotContain(result.sessionId());
        }
        assertThat(ISO_DURATION.matcher(text).find())
                .as("ISO duration in %s", text)
                .isFalse();
    }
}
