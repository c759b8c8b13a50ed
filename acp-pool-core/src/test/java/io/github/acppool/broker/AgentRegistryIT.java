package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.turn.DrainPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several named agents in one broker, over real fake-agent processes: each agent's processes say their name
 * ({@code env AGENT_NAME}), so every test sees which agent answered a conversation.
 */
@Timeout(120)
final class AgentRegistryIT {
    private static final String A = "test:a";
    private static final String B = "test:b";

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

    /** A fake agent that says its name; each agent keeps its sessions in its own state directory. */
    private AgentSpec spec(String id) {
        AgentLaunchSpec fake =
                fixture.agent("--state-dir=" + root.resolve("agent-state-" + id), "--no-resume", "--marker=" + id);
        return AgentSpec.builder(
                        id, new AgentLaunchSpec(fake.command(), fake.args(), null, Map.of("AGENT_NAME", id), Set.of()))
                .description("the " + id + " agent")
                .build();
    }

    private AcpBroker.Builder builder() {
        return AcpBroker.builder()
                .agent(spec("alpha"))
                .agent(spec("beta"))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .scheduler(fixture.clock, false)
                .ticker(fixture.clock);
    }

    private static String who(AcpBroker broker, String conversationId, String messageId) {
        return broker.prompt(conversationId, message(messageId, "ann", "env AGENT_NAME"))
                .replyText();
    }

    @Test
    void twoAgents_conversationsRunOnTheirOwnAgent() {
        AcpBroker broker = fixture.start(builder());
        assertThat(broker.agents()).extracting(AgentSpec::id).containsExactly("alpha", "beta");
        assertThat(broker.agentOf(A)).isEqualTo("alpha");

        assertThat(broker.useAgent(B, "beta"))
                .as("no session yet: nothing is lost")
                .isFalse();
        assertThat(broker.agentOf(B)).isEqualTo("beta");

        assertThat(who(broker, A, "a1")).isEqualTo("env AGENT_NAME=alpha");
        assertThat(who(broker, B, "b1")).isEqualTo("env AGENT_NAME=beta");
        assertThat(broker.status())
                .extracting(ConversationStatus::conversationId, ConversationStatus::agentId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(A, "alpha"),
                        org.assertj.core.groups.Tuple.tuple(B, "beta"));
        assertThat(fixture.agentProcesses()).hasSize(2);
    }

    @Test
    void defaultAgent_isTheNamedOne() {
        AcpBroker broker = fixture.start(builder().defaultAgent("beta"));
        assertThat(broker.agents()).extracting(AgentSpec::id).containsExactly("beta", "alpha");
        assertThat(who(broker, A, "a1")).isEqualTo("env AGENT_NAME=beta");
    }

    @Test
    void restartedBroker_resumesEachConversationOnItsOwnAgent() {
        Path file = root.resolve("sessions.json");
        AcpBroker first = fixture.start(builder().sessionStore(SessionStore.jsonFile(file)));
        first.useAgent(B, "beta");
        String sessionA = first.prompt(A, message("a1", "ann", "say on alpha")).sessionId();
        String sessionB = first.prompt(B, message("b1", "bob", "say on beta")).sessionId();
        first.shutdown();

        AcpBroker second = fixture.start(builder().sessionStore(SessionStore.jsonFile(file)));
        assertThat(second.agentOf(B)).as("read from the stored session").isEqualTo("beta");
        BrokerResult resumedA = second.prompt(A, message("a2", "ann", "history"));
        BrokerResult resumedB = second.prompt(B, message("b2", "bob", "history"));

        assertThat(resumedA.sessionId()).isEqualTo(sessionA);
        assertThat(resumedA.sessionReset()).isFalse();
        assertThat(resumedA.replyText()).isEqualTo("history: say on alpha");
        assertThat(resumedB.sessionId()).isEqualTo(sessionB);
        assertThat(resumedB.sessionReset()).isFalse();
        assertThat(resumedB.replyText()).isEqualTo("history: say on beta");
        assertThat(who(second, B, "b3")).isEqualTo("env AGENT_NAME=beta");
    }

    @Test
    void switchingAgent_isAReset_andResetKeepsTheAgent() {
        SessionStore store = SessionStore.inMemory();
        AcpBroker broker = fixture.start(builder().sessionStore(store));
        String onAlpha =
                broker.prompt(A, message("a1", "ann", "say remember me")).sessionId();

        assertThat(broker.useAgent(A, "alpha")).as("already there").isFalse();
        assertThat(broker.useAgent(A, "beta")).as("context lost").isTrue();
        assertThat(store.get(A)).as("the old session is forgotten").isEmpty();

        BrokerResult onBeta = broker.prompt(A, message("a2", "ann", "history"));
        assertThat(onBeta.sessionId()).isNotEqualTo(onAlpha);
        assertThat(onBeta.sessionReset()).as("the user asked for it").isFalse();
        assertThat(onBeta.replyText()).isEqualTo("history: ");
        assertThat(who(broker, A, "a3")).isEqualTo("env AGENT_NAME=beta");
        assertThat(store.get(A).orElseThrow().agentId()).isEqualTo("beta");

        broker.reset(A);
        assertThat(broker.agentOf(A)).isEqualTo("beta");
        assertThat(who(broker, A, "a4")).isEqualTo("env AGENT_NAME=beta");

        broker.close(A);
        assertThat(broker.agentOf(A))
                .as("a closed conversation starts over on the default")
                .isEqualTo("alpha");
    }

    @Test
    void unknownAgent_isAClearError() {
        AcpBroker broker = fixture.start(builder());
        assertThatThrownBy(() -> broker.useAgent(A, "gamma")).isInstanceOfSatisfying(UnknownAgentException.class, e -> {
            assertThat(e.agentId()).isEqualTo("gamma");
            assertThat(e.knownAgents()).containsExactly("alpha", "beta");
            assertThat(e.userMessage()).isEqualTo("There is no agent called gamma. Available: alpha, beta.");
        });
        assertThat(broker.checkAgent("gamma"))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(UnknownAgentException.class);
        assertThat(broker.status()).isEmpty();
        assertThat(who(broker, A, "a1")).isEqualTo("env AGENT_NAME=alpha");
    }

    @Test
    void storedSessionOfAnAgentNoLongerConfigured_continuesOnTheDefault_andSaysSo() {
        SessionStore store = SessionStore.inMemory();
        store.put(
                A,
                new StoredSession(
                        "s-gone", root.resolve("work").resolve("test_a"), Instant.now(), Map.of(), "retired"));
        AcpBroker broker = fixture.start(builder().sessionStore(store));
        assertThat(broker.agentOf(A)).isEqualTo("alpha");

        BrokerResult result = broker.prompt(A, message("a1", "ann", "env AGENT_NAME"));
        assertThat(result.turn().text()).isEqualTo("env AGENT_NAME=alpha");
        assertThat(result.sessionReset()).isTrue();
        assertThat(result.userText()).startsWith("(The agent could not pick up the earlier conversation");
        assertThat(result.sessionResetReason()).contains("agent retired is no longer configured");
        assertThat(store.get(A).orElseThrow().agentId()).isEqualTo("alpha");
    }

    @Test
    void singleAgentBroker_hasTheDefaultId() {
        AcpBroker broker = fixture.start();
        assertThat(broker.agents()).extracting(AgentSpec::id).containsExactly(AgentSpec.DEFAULT_ID_FOR_SINGLE);
        assertThat(broker.agentOf(A)).isEqualTo(AgentSpec.DEFAULT_ID_FOR_SINGLE);
        assertThat(broker.prompt(A, message("a1", "ann", "say hi")).replyText()).isEqualTo("hi");
        assertThat(broker.status(A).orElseThrow().agentId()).isEqualTo(AgentSpec.DEFAULT_ID_FOR_SINGLE);
    }

    @Test
    void builderErrors_nameTheProblem() {
        assertThatThrownBy(() -> AcpBroker.builder().agent(spec("alpha")).agent(spec("alpha")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("two agents have the id 'alpha'");
        assertThatThrownBy(() -> AcpBroker.builder().agent(spec("alpha")).agent(fixture.agent()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be mixed");
        assertThatThrownBy(() -> AcpBroker.builder().agent(fixture.agent()).agent(spec("alpha")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be mixed");
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(spec("alpha"))
                        .defaultAgent("gamma")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("defaultAgent 'gamma' is not one of the agents: alpha");
        assertThatThrownBy(() -> AgentSpec.builder("no spaces", fixture.agent()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no spaces'");
    }
}
