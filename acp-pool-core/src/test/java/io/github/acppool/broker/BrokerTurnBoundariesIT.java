package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.awaitChunk;
import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Turn boundaries under real timing, against real fake-agent processes and the real clock (the default 200 ms
 * drain): a tail the agent sends after the drain window goes to the message it belongs to as a late event and
 * never into the next reply, and a loaded session's replay, before or after the load's answer, is history.
 */
@Timeout(90)
final class BrokerTurnBoundariesIT {
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

    /** Real clock and timers, the default drain and quiet gap unless configured. */
    private AcpBroker.Builder realTime(String... flags) {
        return AcpBroker.builder()
                .agent(fixture.agent(flags))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build());
    }

    /** The scenario, with a quiet gap longer than the agent's 300 ms tail: turn 2 is clean. */
    @Test
    void aTailAfterTheDrain_withAQueuedMessage_goesToItsOwnMessage() {
        AcpBroker broker = fixture.start(realTime().quietGap(Duration.ofMillis(1500)));
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        CompletableFuture<BrokerResult> one =
                broker.promptAsync(A, message("m1", "ann", "say LATEMARKER\nlate-after 300 -xyz"), first);
        awaitChunk(first); // queued behind the running turn, not merged into it
        CompletableFuture<BrokerResult> two =
                broker.promptAsync(A, message("m2", "bob", "say echo: next message"), second);

        assertThat(get(one).replyText()).isEqualTo("LATEMARKER");
        assertThat(get(two).replyText()).isEqualTo("echo: next message");
        assertThat(second.late).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> first.late.toString().equals("-xyz"));
        assertThat(first.text).hasToString("LATEMARKER");
    }

    /** With the default gap, message ids attribute a tail that comes after the next prompt went out. */
    @Test
    void aTailTaggedWithItsMessageId_goesToItsOwnMessage_evenAfterTheNextPrompt() {
        AcpBroker broker = fixture.start(realTime());
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        CompletableFuture<BrokerResult> one = broker.promptAsync(
                A, message("m1", "ann", "message-id one\nsay LATEMARKER\nlate-after 300 -xyz"), first);
        awaitChunk(first);
        CompletableFuture<BrokerResult> two = broker.promptAsync(
                A, message("m2", "bob", "message-id two\nsay echo: next message\nlate-after 600 !"), second);

        assertThat(get(one).replyText()).isEqualTo("LATEMARKER");
        BrokerResult next = get(two);
        await().atMost(Duration.ofSeconds(20)).until(() -> first.late.toString().equals("-xyz"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> second.late.toString().equals("!"));
        assertThat(next.replyText()).isEqualTo("echo: next message");
    }

    /** Nothing queued: the tail still reaches the message's listener, after its result. */
    @Test
    void aTailWithNoQueuedMessage_isDeliveredLate() {
        AcpBroker broker = fixture.start(realTime());
        Recorder recorder = new Recorder();
        BrokerResult result =
                broker.prompt(A, message("m1", "ann", "say reply\nlate-after 400  and its tail"), recorder);
        assertThat(result.replyText()).isEqualTo("reply");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> recorder.late.toString().equals(" and its tail"));
        assertThat(broker.prompt(A, message("m2", "ann", "say clean")).replyText())
                .isEqualTo("clean");
    }

    @Test
    void aLoadReplayingBeforeItsAnswer_isHistory() {
        loadReplaysHistory();
    }

    @Test
    void aLoadReplayingAfterItsAnswer_isHistory() {
        loadReplaysHistory("--replay-after-load");
    }

    private void loadReplaysHistory(String... flags) {
        Path file = root.resolve("sessions.json");
        String stateDir = "--state-dir=" + root.resolve("agent-state");
        AcpBroker first = fixture.start(realTime(stateDir, "--no-resume").sessionStore(SessionStore.jsonFile(file)));
        first.prompt(A, message("a1", "ann", "say REMEMBER-ME first words"));
        first.prompt(A, message("a2", "ann", "say second words"));
        first.shutdown();

        EventLog log = new EventLog();
        String[] all = new String[flags.length + 2];
        all[0] = stateDir;
        all[1] = "--no-resume";
        System.arraycopy(flags, 0, all, 2, flags.length);
        AcpBroker second = fixture.start(
                realTime(all).sessionStore(SessionStore.jsonFile(file)).listener(log));
        Recorder recorder = new Recorder();
        BrokerResult resumed = second.prompt(A, message("a3", "ann", "say clean"), recorder);

        assertThat(resumed.sessionReset()).isFalse();
        assertThat(resumed.replyText()).isEqualTo("clean");
        assertThat(recorder.late).isEmpty();
        assertThat(log.matching("resumed ")).singleElement().asString().endsWith("session/load replayed 6");
    }
}
