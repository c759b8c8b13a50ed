package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.schema.ContentBlock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The broker's builder and argument checks; no agent is ever started here. */
@Timeout(10)
final class BrokerConfigTest {
    private static final AgentLaunchSpec AGENT =
            AgentLaunchSpec.builder("/bin/false").build();
    private static final ChatMessage HI = ChatMessage.text("m1", new Sender("u1", "Ann"), "hi");

    @Test
    void agent_isRequired() {
        assertThatThrownBy(() -> AcpBroker.builder().build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("agent must not be null");
    }

    @Test
    void settings_canBeGivenOnce() {
        AcpBroker.Builder builder = AcpBroker.builder().agent(AGENT).maxQueuedMessages(3);
        assertThatThrownBy(() -> builder.agent(AGENT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("agent was already set");
        assertThatThrownBy(() -> builder.maxQueuedMessages(4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxQueuedMessages was already set to 3");
    }

    @Test
    void values_areValidatedByBuild() {
        assertThatThrownBy(() ->
                        AcpBroker.builder().agent(AGENT).maxMessagesPerTurn(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessagesPerTurn must be positive: 0");
        assertThatThrownBy(() ->
                        AcpBroker.builder().agent(AGENT).maxQueuedMessages(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueuedMessages must not be negative: -1");
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(AGENT)
                        .hungGrace(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hungGrace must be positive: PT0S");
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(AGENT)
                        .shutdownTimeout(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shutdownTimeout must not be negative: PT-1S");
        assertThatThrownBy(() -> AcpBroker.builder()
                        .agent(AGENT)
                        .cancelGrace(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cancelGrace must be positive: PT0S");
    }

    @Test
    void conversationIds_areChecked() {
        try (AcpBroker broker = AcpBroker.builder().agent(AGENT).build()) {
            assertThatThrownBy(() -> broker.promptAsync(" ", HI))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("conversationId must not be blank");
            assertThatThrownBy(() -> broker.promptAsync("x".repeat(257), HI))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("conversationId must be at most 256 characters: xxxx");
            assertThatThrownBy(() -> broker.promptAsync("discord:1\nFAKE LOG LINE", HI))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("conversationId must not contain control characters: discord:1?FAKE LOG LINE");
            assertThat(broker.status()).isEmpty();
            assertThat(broker.cancel("unknown")).isFalse();
            assertThat(broker.status("unknown")).isEmpty();
        }
    }

    @Test
    void shutDownBroker_refusesMessages() {
        AcpBroker broker = AcpBroker.builder().agent(AGENT).build();
        broker.shutdown();
        assertThatThrownBy(() -> broker.promptAsync("test:a", HI))
                .isInstanceOf(BrokerClosedException.class)
                .hasMessageContaining("conversation test:a")
                .hasMessageContaining("is shut down");
        broker.close();
    }

    @Test
    void messagesAndSenders_areValidated() {
        Sender ann = new Sender("u1", "Ann");
        assertThatThrownBy(() -> new ChatMessage("m1", ann, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("content of message m1 must not be empty");
        assertThatThrownBy(() -> ChatMessage.text(" ", ann, "hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messageId must not be blank");
        assertThatThrownBy(() -> new Sender("u1", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("displayName must not be blank (sender u1)");
        assertThat(ChatMessage.text("m1", ann, "hi").content()).containsExactly(ContentBlock.text("hi"));
    }
}
