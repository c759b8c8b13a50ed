package io.github.acppool.turn;

import static io.github.acppool.turn.AgentFixture.get;
import static io.github.acppool.turn.AgentFixture.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.turn.TurnResult.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure modes of the seeds (openab #76, #58, #732, #997) against a real agent process, with the turn's
 * timers on a fake clock: late text after {@code end_turn}, a long silent tool call, a crash, a silent hang,
 * and cancel.
 */
@Timeout(60)
final class TurnFailureModesIT {
    private static final Duration WINDOW = Duration.ofMillis(200);
    private static final Duration QUIET = Duration.ofSeconds(1);

    @TempDir
    Path cwd;

    private AgentFixture agent;

    @BeforeEach
    void launch() {
        agent = new AgentFixture(cwd);
    }

    @AfterEach
    void close() {
        agent.close();
    }

    /** openab #76: the last chunks arrive after end_turn. The drains catch them; without a drain they are lost. */
    @Test
    void lastChunksAfterEndTurn_caughtByFixedAndQuietDrains_lostWithNone() {
        Map<String, DrainPolicy> policies = new LinkedHashMap<>();
        policies.put("fixed", DrainPolicy.fixed(WINDOW));
        policies.put("quiet", DrainPolicy.quietPeriod(QUIET, Duration.ofSeconds(5)));
        policies.put("none", DrainPolicy.none());
        Map<String, String> replies = new LinkedHashMap<>();
        Map<String, String> shown = new LinkedHashMap<>();
        String noneSession = null;
        for (Map.Entry<String, DrainPolicy> policy : policies.entrySet()) {
            String session = agent.newSession();
            TurnEvents events = new TurnEvents();
            TurnHandle turn =
                    agent.streamer(policy.getValue()).start(agent.client, session, script("say The answer is"), events);
            Duration window = policy.getKey().equals("quiet") ? QUIET : WINDOW;
            if (policy.getKey().equals("none")) {
                get(turn.result());
                noneSession = session;
            } else {
                agent.awaitDrainTimer(window);
            }
            agent.agentSays(session, " 42."); // after end_turn, as claude-agent-acp does
            if (!policy.getKey().equals("none")) {
                assertThat(turn.result()).isNotDone();
                agent.clock.advance(window);
            }
            replies.put(policy.getKey(), get(turn.result()).text());
            shown.put(policy.getKey(), events.text());
        }
        assertThat(replies)
                .containsEntry("fixed", "The answer is 42.")
                .containsEntry("quiet", "The answer is 42.")
                .containsEntry("none", "The answer is");
        assertThat(shown).isEqualTo(replies);

        // What came after the turn ended is dropped, never shown in the next turn.
        TurnEvents next = new TurnEvents();
        TurnResult nextResult =
                agent.streamer(DrainPolicy.none()).run(agent.client, noneSession, script("say Next question."), next);
        assertThat(nextResult.text()).isEqualTo("Next question.");
        assertThat(next.text()).isEqualTo("Next question.");
    }

    @Test
    void aChunkWrittenRightAfterTheAnswer_isCaughtByTheDefaultDrain() {
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = agent.streamer(DrainPolicy.defaultPolicy())
                .start(agent.client, session, script("say The answer is\nlate  42."), events);
        await().until(() -> events.text().endsWith("42."));
        agent.awaitDrainTimer(WINDOW);
        assertThat(turn.result()).isNotDone();
        agent.clock.advance(WINDOW);
        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.replyText()).isEqualTo("The answer is 42.");
        assertThat(result.total()).isEqualTo(WINDOW);
    }

    @Test
    void quietPeriodDrain_waitsForSilenceAfterEachLateChunk() {
        String session = agent.newSession();
        TurnHandle turn = agent.streamer(DrainPolicy.quietPeriod(QUIET, Duration.ofSeconds(5)))
                .start(agent.client, session, script("say one"), TurnListener.none());
        agent.awaitDrainTimer(QUIET);
        agent.clock.advance(Duration.ofMillis(900));
        agent.agentSays(session, " two");
        agent.clock.advance(Duration.ofMillis(900));
        assertThat(turn.result()).as("900 ms of quiet since 'two'").isNotDone();
        agent.agentSays(session, " three");
        agent.clock.advance(Duration.ofMillis(999));
        assertThat(turn.result()).isNotDone();
        agent.clock.advance(Duration.ofMillis(1));
        TurnResult result = get(turn.result());
        assertThat(result.text()).isEqualTo("one two three");
        assertThat(result.total()).isEqualTo(Duration.ofMillis(2800));
    }

    /** A five-minute build sends nothing: as long as the process lives, the turn waits. */
    @Test
    void aTwoMinuteSilentToolCall_withALiveProcess_completes() {
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = agent.streamer(DrainPolicy.none())
                .start(
                        agent.client,
                        session,
                        script("tool build execute mvn verify\nwait-for-continue\ntool-done build\nsay Build passed."),
                        events);
        await().until(() -> !events.ofType(TurnEvent.ToolCallStarted.class).isEmpty());
        for (int tick = 1; tick <= 5; tick++) {
            agent.clock.advance(LivenessPolicy.DEFAULT_CHECK_INTERVAL);
            assertThat(turn.result()).as("after %s liveness checks", tick).isNotDone();
        }
        agent.resume(session);
        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("Build passed.");
        assertThat(result.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.title()).isEqualTo("mvn verify");
            assertThat(call.status()).isEqualTo(ToolCall.Status.COMPLETED);
        });
        assertThat(result.total()).isEqualTo(Duration.ofSeconds(150));
    }

    /**
     * The agent dies while a descendant keeps its stdout open, so no EOF comes: the next liveness check ends
     * the turn, with the exit code and the stderr tail.
     */
    @Test
    void aCrashMidTurn_endsWithinOneLivenessInterval_withTheExitCodeAndStderrTail() {
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = agent.streamer(DrainPolicy.none())
                .start(
                        agent.client,
                        session,
                        script("say working\nspawn-orphan\ncrash 3 fatal: out of memory"),
                        events);
        long orphan = 0;
        try {
            await().until(() -> events.text().contains("orphan "));
            Matcher pid = Pattern.compile("orphan (\\d+)").matcher(events.text());
            assertThat(pid.find()).isTrue();
            orphan = Long.parseLong(pid.group(1));
            assertThat(get(agent.client.onExit())).isEqualTo(3);
            await().until(() -> agent.client.stderrTail().contains("out of memory"));

            agent.clock.advance(LivenessPolicy.DEFAULT_CHECK_INTERVAL);
            assertThat(turn.result()).as("ended by the first liveness check").isDone();
            TurnResult result = get(turn.result());
            assertThat(result.outcome()).isEqualTo(Outcome.AGENT_DIED);
            assertThat(result.exitCode()).hasValue(3);
            assertThat(result.stderrTail()).contains("fatal: out of memory");
            assertThat(result.text()).startsWith("working");
            assertThat(result.userText())
                    .endsWith("(The agent stopped before finishing; your next message starts it again.)")
                    .doesNotContain("fatal");
            assertThat(result.diagnostics()).contains("exit code 3").contains("fatal: out of memory");
        } finally {
            if (orphan != 0) {
                ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aCrashMidTurn_endsAtOnceOnStdoutEof() {
        String session = agent.newSession();
        TurnHandle turn = agent.streamer(DrainPolicy.none())
                .start(agent.client, session, script("say working\ncrash 7 fatal: disk full"), TurnListener.none());
        TurnResult result = get(turn.result()); // no clock advance: the client saw stdout close
        assertThat(result.outcome()).isEqualTo(Outcome.AGENT_DIED);
        assertThat(result.exitCode()).hasValue(7);
        assertThat(result.stderrTail()).contains("fatal: disk full");
        assertThat(result.text()).isEqualTo("working");
        assertThat(result.total()).isZero();
    }

    /** openab #997: alive but silent. The inactivity timeout ends it, and openab #732 must not follow. */
    @Test
    void aSilentHang_endsByTheInactivityTimeout_andTheNextTurnIsClean() {
        PromptStreamer streamer = agent.streamer(
                DrainPolicy.none(),
                LivenessPolicy.builder()
                        .inactivityTimeout(Duration.ofMinutes(2))
                        .build());
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = streamer.start(agent.client, session, script("say working\nstall"), events);
        await().until(() -> events.text().equals("working"));
        agent.awaitStalled(session);
        agent.clock.advance(Duration.ofSeconds(119));
        assertThat(turn.result()).isNotDone();
        agent.clock.advance(Duration.ofSeconds(1));

        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.error()).isInstanceOfSatisfying(TurnTimeoutException.class, e -> assertThat(e.kind())
                .isEqualTo(TurnTimeoutException.Kind.INACTIVITY));
        assertThat(agent.client.isAlive()).isTrue();
        nextTurnIsClean(streamer, session);
    }

    @Test
    void aSilentHang_endsByTheHardTimeout_andTheNextTurnIsClean() {
        PromptStreamer streamer = agent.streamer(
                DrainPolicy.none(),
                LivenessPolicy.builder().hardTimeout(Duration.ofMinutes(10)).build());
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = streamer.start(agent.client, session, script("say working\nstall"), events);
        await().until(() -> events.text().equals("working"));
        agent.awaitStalled(session);
        for (int tick = 1; tick < 20; tick++) {
            agent.clock.advance(Duration.ofSeconds(30));
            assertThat(turn.result()).isNotDone();
        }
        agent.clock.advance(Duration.ofSeconds(30));

        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.error()).isInstanceOfSatisfying(TurnTimeoutException.class, e -> assertThat(e.kind())
                .isEqualTo(TurnTimeoutException.Kind.HARD));
        assertThat(result.userText())
                .startsWith("working\n\n(Stopped before the end: the agent did not finish within ");
        nextTurnIsClean(streamer, session);
    }

    /**
     * After a turn that ended without its answer: the agent received session/cancel, a new turn on the same
     * session works, and the old turn's late answer (sent while the new turn runs) does not end the new one.
     */
    private void nextTurnIsClean(PromptStreamer streamer, String session) {
        TurnEvents events = new TurnEvents();
        TurnHandle next =
                streamer.start(agent.client, session, script("cancels\nwait-for-continue\nsay fresh"), events);
        await().until(() -> events.text().startsWith("cancels: "));
        assertThat(events.text()).as("session/cancel reached the agent").isEqualTo("cancels: 1");
        assertThat(agent.answerStalled(session, false))
                .as("the stale answer went out")
                .isEqualTo(1);
        assertThat(next.result()).as("and was dropped").isNotDone();
        agent.resume(session);
        TurnResult result = get(next.result());
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("cancels: 1fresh");
    }

    @Test
    void cancelMidTurn_theAgentStopsAndAnswersCancelled() {
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = agent.streamer(DrainPolicy.none())
                .start(agent.client, session, script("say started\nwait-for-continue\nsay never"), events);
        await().until(() -> events.text().equals("started"));
        assertThat(turn.cancel()).isTrue();
        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(result.stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(result.userText()).isEqualTo("started\n\n(Cancelled.)");
        assertThat(turn.cancel()).isFalse();
    }

    @Test
    void cancelMidTurn_anyAnswerAfterTheCancelCountsAsCancelled() {
        PromptStreamer streamer = agent.streamer(DrainPolicy.none());
        String session = agent.newSession();
        TurnHandle stubborn = streamer.start(agent.client, session, script("stall"), TurnListener.none());
        agent.awaitStalled(session);
        stubborn.cancel();
        assertThat(agent.answerStalled(session, false)).isEqualTo(1);
        TurnResult endTurn = get(stubborn.result());
        assertThat(endTurn.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(endTurn.stopReasonValue()).as("kept as sent").isEqualTo("end_turn");

        TurnHandle failing = streamer.start(agent.client, session, script("stall"), TurnListener.none());
        agent.awaitStalled(session);
        failing.cancel();
        assertThat(agent.answerStalled(session, true)).isEqualTo(1);
        TurnResult error = get(failing.result());
        assertThat(error.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(error.error()).isInstanceOf(AcpProtocolException.class);
    }

    @Test
    void cancelMidTurn_withoutAnAnswerTheGraceEndsTheTurn() {
        PromptStreamer streamer = agent.streamer(DrainPolicy.none());
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = streamer.start(agent.client, session, script("say started\nstall"), events);
        await().until(() -> events.text().equals("started"));
        agent.awaitStalled(session);
        turn.cancel();
        agent.clock.advance(PromptStreamer.DEFAULT_CANCEL_GRACE.minusMillis(1));
        assertThat(turn.result()).isNotDone();
        agent.clock.advance(Duration.ofMillis(1));
        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(result.answer()).isNull();
        nextTurnIsClean(streamer, session);
    }

    @Test
    void closingTheStreamerCancelsItsTurnsAtTheAgent() {
        PromptStreamer streamer = agent.streamer(DrainPolicy.none());
        String session = agent.newSession();
        TurnEvents events = new TurnEvents();
        TurnHandle turn = streamer.start(agent.client, session, script("say started\nstall"), events);
        await().until(() -> events.text().equals("started"));
        agent.awaitStalled(session);
        streamer.close();
        TurnResult result = get(turn.result());
        assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
        nextTurnIsClean(agent.streamer(DrainPolicy.none()), session);
    }
}
