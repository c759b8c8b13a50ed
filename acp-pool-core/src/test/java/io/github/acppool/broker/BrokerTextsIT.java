package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.broker.BrokerResult.Outcome;
import io.github.acppool.turn.DrainPolicy;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two texts of real turns against fake-agent processes: a reply line over {@code maxLineBytes} no longer
 * vanishes silently (issue 11), and what the agent writes to stderr reaches the operator, not the user.
 */
@Timeout(90)
final class BrokerTextsIT {
    private static final String A = "test:a";

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

    private AcpBroker broker(int maxLineBytes) {
        return fixture.start(AcpBroker.builder()
                .agent(fixture.agent())
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .maxLineBytes(maxLineBytes)
                        .build())
                .drainPolicy(DrainPolicy.none())
                .scheduler(fixture.clock, false)
                .ticker(fixture.clock));
    }

    @Test
    void aDroppedOverLongLine_tellsTheUserPartOfTheReplyWasLost_andTheOperatorItsSize() {
        AcpBroker broker = broker(4096);
        BrokerResult result = broker.prompt(A, message("m1", "ann", "say before\nhuge-line 20000\nsay after"));

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.turn()).isNotNull();
        assertThat(result.turn().text()).isEqualTo("beforeafter");
        assertThat(result.turn().droppedLines()).isEqualTo(1);
        assertThat(result.turn().droppedLineBytes()).isGreaterThan(20_000);
        assertThat(result.userText())
                .isEqualTo("beforeafter\n(Part of the reply was lost: the agent sent a message too large to read.)");
        assertThat(result.diagnostics())
                .containsPattern("protocol warning: dropped 1 stdout line of 2\\d{4} bytes, over maxLineBytes");

        // The next turn of the same agent starts clean: the warning belonged to the turn it happened in.
        BrokerResult next = broker.prompt(A, message("m2", "ann", "say fine"));
        assertThat(next.turn().droppedLines()).isZero();
        assertThat(next.userText()).isEqualTo("fine");
    }

    @Test
    void stderrAndExitCodeOfACrash_goToTheDiagnostics_notToTheUser() {
        AcpBroker broker = broker(AcpClientOptions.DEFAULT_MAX_LINE_BYTES);
        BrokerResult crashed = broker.prompt(
                A, message("m1", "ann", "stderr \u001b[31mfatal\u001b[0m in /srv/agent/state.json\ncrash 3 boom"));

        assertThat(crashed.outcome()).isEqualTo(Outcome.AGENT_DIED);
        assertThat(crashed.userText())
                .isEqualTo("No reply: the agent stopped unexpectedly; your next message starts it again.");
        assertThat(crashed.diagnostics())
                .contains("conversation " + A)
                .contains("session " + crashed.sessionId())
                .contains("exit code 3")
                .contains("fatal in /srv/agent/state.json")
                .doesNotContain("\u001b");
    }
}
