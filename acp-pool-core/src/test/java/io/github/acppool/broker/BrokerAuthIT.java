package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.acp.schema.AuthMethod;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACP authentication by the broker against real fake-agent processes, one test per path of the policy:
 * explicit, automatic (by the key variable the agent will see), none, a resume retried after authentication,
 * and authentication refused, with the operator's text in the exception and one plain sentence for the user.
 */
@Timeout(90)
final class BrokerAuthIT {
    private static final String A = "test:a";

    /** Two methods shaped like codex-acp's (vars[].name) and the ACP RFD's (varName), and an interactive one. */
    private static final String METHODS = "--auth-methods=["
            + "{\"id\":\"alpha-key\",\"name\":\"Alpha key\",\"description\":\"Use ALPHA_KEY\",\"type\":\"env_var\","
            + "\"vars\":[{\"name\":\"FAKE_ALPHA_KEY\"}]},"
            + "{\"id\":\"beta-key\",\"name\":\"Beta key\",\"type\":\"env_var\",\"varName\":\"FAKE_BETA_KEY\","
            + "\"link\":\"https://example.invalid/keys\"},"
            + "{\"id\":\"terminal-login\",\"name\":\"Log in\",\"description\":\"Run `fake login` in a terminal\","
            + "\"type\":\"terminal\"}]";

    @TempDir
    Path root;

    private BrokerFixture fixture;

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    /** The fixture's fake agent with these variables set in its environment and this policy of its own. */
    private AgentLaunchSpec agent(Map<String, String> env, AuthPolicy policy, String... flags) {
        AgentLaunchSpec spec = fixture.agent(flags);
        return new AgentLaunchSpec(spec.command(), spec.args(), null, env, Set.of(), policy);
    }

    private AcpBroker broker(AgentLaunchSpec spec) {
        return fixture.start(builderFor(spec));
    }

    private AcpBroker.Builder builderFor(AgentLaunchSpec spec) {
        AcpBroker.Builder builder = AcpBroker.builder()
                .agent(spec)
                .drainPolicy(io.github.acppool.turn.DrainPolicy.none())
                .scheduler(fixture.clock, false)
                .ticker(fixture.clock);
        return builder;
    }

    @Test
    void explicitMethod_isSentBeforeSessionNew() {
        AcpBroker broker =
                fixture.start(builderFor(agent(Map.of("FAKE_BETA_KEY", "k"), null, METHODS, "--require-auth"))
                        .authPolicy(AuthPolicy.method("beta-key")));
        assertThat(broker.prompt(A, message("a1", "ann", "auth")).replyText()).isEqualTo("auth: beta-key");
    }

    @Test
    void automatic_picksTheMethodWhoseVariableTheAgentGets_andIsTheDefault() {
        AcpBroker broker = broker(agent(Map.of("FAKE_BETA_KEY", "k"), null, METHODS, "--require-auth"));
        assertThat(broker.prompt(A, message("a1", "ann", "auth")).replyText()).isEqualTo("auth: beta-key");
    }

    @Test
    void automatic_withBothVariables_takesTheAgentsFirst() {
        AcpBroker broker = broker(agent(Map.of("FAKE_ALPHA_KEY", "a", "FAKE_BETA_KEY", "b"), null, METHODS));
        assertThat(broker.prompt(A, message("a1", "ann", "auth")).replyText()).isEqualTo("auth: alpha-key");
    }

    /** No key variable set: nothing is sent, and the agent's -32000 becomes the operator's instructions. */
    @Test
    void automatic_withNoVariable_failsWithTheAdvertisedMethodsAndTheSettings() {
        AcpBroker broker = broker(agent(Map.of(), null, METHODS, "--require-auth"));
        assertThatThrownBy(() -> broker.prompt(A, message("a1", "ann", "auth")))
                .isInstanceOfSatisfying(AgentAuthenticationException.class, e -> {
                    assertThat(e.stage()).isEqualTo(AgentStartException.Stage.AUTHENTICATE);
                    assertThat(e.userMessage()).isEqualTo(AgentAuthenticationException.USER_MESSAGE);
                    assertThat(e.userMessage()).doesNotContain("alpha", "FAKE_", "test:a", "/");
                    assertThat(e.details())
                            .contains("session/new failed: Authentication required")
                            .contains("alpha-key (Alpha key): Use ALPHA_KEY")
                            .contains("reads FAKE_ALPHA_KEY, which is not passed to the agent")
                            .contains("beta-key (Beta key)")
                            .contains("reads FAKE_BETA_KEY, which is not passed to the agent")
                            .contains("key from https://example.invalid/keys")
                            .contains("terminal-login (Log in): Run `fake login` in a terminal")
                            .contains("[interactive")
                            .contains("agent.authMethod")
                            .contains("--auth")
                            .contains("inheritEnv");
                    assertThat(e.getMessage()).contains("conversation test:a").contains(e.details());
                    assertThat(e.authMethods())
                            .extracting(AuthMethod::id)
                            .containsExactly("alpha-key", "beta-key", "terminal-login");
                    assertThat(e.getCause()).isInstanceOf(AcpProtocolException.class);
                });
        assertThat(fixture.agentProcesses()).isEmpty();
    }

    @Test
    void none_neverAuthenticates() {
        AcpBroker open = broker(agent(Map.of("FAKE_BETA_KEY", "k"), AuthPolicy.none(), METHODS));
        assertThat(open.prompt(A, message("a1", "ann", "auth")).replyText()).isEqualTo("auth: none");

        AcpBroker closed = broker(agent(Map.of("FAKE_BETA_KEY", "k"), AuthPolicy.none(), METHODS, "--require-auth"));
        assertThatThrownBy(() -> closed.prompt("test:b", message("b1", "bob", "auth")))
                .isInstanceOfSatisfying(AgentAuthenticationException.class, e -> assertThat(e.details())
                        .contains("Authentication policy: none")
                        .contains("reads FAKE_BETA_KEY, which the agent gets"));
    }

    /** The spec's own policy wins over the broker's. */
    @Test
    void specPolicy_overridesTheBrokers() {
        AcpBroker broker = fixture.start(builderFor(agent(
                        Map.of("FAKE_ALPHA_KEY", "a", "FAKE_BETA_KEY", "b"), AuthPolicy.method("beta-key"), METHODS))
                .authPolicy(AuthPolicy.none()));
        assertThat(broker.prompt(A, message("a1", "ann", "auth")).replyText()).isEqualTo("auth: beta-key");
    }

    /**
     * Gemini's shape: session/new needs nothing, session/load in a new process answers -32000. The load is
     * authenticated (the only method the agent can do on its own) and tried again: the context is kept.
     */
    @Test
    void resumeRefusedForAuthentication_isAuthenticatedAndRetried() {
        SessionStore store = SessionStore.inMemory();
        String stateDir = "--state-dir=" + root.resolve("agent-state");
        AcpBroker first = fixture.start(b -> b.sessionStore(store), stateDir, "--no-resume", "--require-auth-resume");
        BrokerResult before = first.prompt(A, message("a1", "ann", "say remember me"));
        first.shutdown();

        EventLog log = new EventLog();
        AcpBroker second = fixture.start(
                b -> b.sessionStore(store).listener(log), stateDir, "--no-resume", "--require-auth-resume");
        BrokerResult after = second.prompt(A, message("a2", "ann", "history\nauth"));
        assertThat(after.sessionReset()).isFalse();
        assertThat(after.sessionId()).isEqualTo(before.sessionId());
        assertThat(after.replyText()).isEqualTo("history: say remember meauth: fake-login");
    }

    /** With the policy none, the refused load costs the context, and the reason says why. */
    @Test
    void resumeRefusedForAuthentication_withPolicyNone_startsAfreshAndSaysWhy() {
        SessionStore store = SessionStore.inMemory();
        String stateDir = "--state-dir=" + root.resolve("agent-state");
        AcpBroker first = fixture.start(
                b -> b.sessionStore(store).authPolicy(AuthPolicy.none()),
                stateDir,
                "--no-resume",
                "--require-auth-resume");
        first.prompt(A, message("a1", "ann", "say remember me"));
        first.shutdown();

        AcpBroker second = fixture.start(
                b -> b.sessionStore(store).authPolicy(AuthPolicy.none()),
                stateDir,
                "--no-resume",
                "--require-auth-resume");
        BrokerResult after = second.prompt(A, message("a2", "ann", "auth"));
        assertThat(after.sessionReset()).isTrue();
        assertThat(after.sessionResetReason()).isEqualTo("the agent requires authentication to resume the old session");
        assertThat(after.turn()).isNotNull();
        assertThat(after.turn().text()).isEqualTo("auth: none");
        assertThat(after.userText())
                .isEqualTo("auth: none\n\n(The agent could not pick up the earlier conversation; it starts afresh.)");
    }

    /** The agent refuses the method (its variable is not set): the refusal and the fix, for the operator. */
    @Test
    void refusedAuthentication_failsWithTheAgentsAnswerAndTheFix() {
        AcpBroker broker =
                fixture.start(builderFor(agent(Map.of(), null, METHODS)).authPolicy(AuthPolicy.method("alpha-key")));
        assertThatThrownBy(() -> broker.prompt(A, message("a1", "ann", "auth")))
                .isInstanceOfSatisfying(AgentAuthenticationException.class, e -> assertThat(e.details())
                        .contains("it refused authenticate \"alpha-key\"")
                        .contains("FAKE_ALPHA_KEY is not set")
                        .contains("reads FAKE_ALPHA_KEY, which is not passed to the agent: add it to"));
        assertThat(fixture.agentProcesses()).isEmpty();
    }

    /**
     * claude-code-acp's shape: sessions open, the prompt is refused as "authentication required". The result's
     * error carries the operator's instructions, with the agent's own hint.
     */
    @Test
    void promptRefusedForAuthentication_carriesTheOperatorsInstructions() {
        AcpBroker broker = broker(agent(Map.of(), AuthPolicy.none(), METHODS, "--require-auth-prompt"));
        BrokerResult result = broker.prompt(A, message("a1", "ann", "say hi"));
        assertThat(result.outcome()).isEqualTo(BrokerResult.Outcome.FAILED);
        assertThat(result.error()).isInstanceOfSatisfying(AgentAuthenticationException.class, e -> {
            assertThat(e.details())
                    .contains("session/prompt failed with \"session/prompt failed: Authentication required")
                    .contains("terminal-login (Log in): Run `fake login` in a terminal [interactive");
            assertThat(e.getCause()).isInstanceOf(AcpProtocolException.class);
            assertThat(e.userMessage()).isEqualTo(AgentAuthenticationException.USER_MESSAGE);
        });
    }

    /** A configured method the agent does not offer fails before any session call, listing what it offers. */
    @Test
    void unknownMethod_failsListingTheOffer() {
        AcpBroker broker =
                fixture.start(builderFor(agent(Map.of(), null, METHODS)).authPolicy(AuthPolicy.method("gamma")));
        assertThatThrownBy(() -> broker.prompt(A, message("a1", "ann", "auth")))
                .isInstanceOfSatisfying(AgentAuthenticationException.class, e -> assertThat(e.details())
                        .contains("the authentication method \"gamma\" is not one the agent offers")
                        .contains("alpha-key")
                        .contains("e.g. \"alpha-key\""));
    }
}
