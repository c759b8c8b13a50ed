package io.github.acppool.turn;

import static io.github.acppool.turn.AgentFixture.get;
import static io.github.acppool.turn.AgentFixture.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Json;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.turn.TurnResult.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a turn delivers and returns, against a real agent process: text, tools, fallbacks, edge cases. */
@Timeout(60)
final class TurnContentIT {

    @TempDir
    Path cwd;

    private AgentFixture agent;
    private PromptStreamer streamer;

    @BeforeEach
    void launch() {
        agent = new AgentFixture(cwd);
        streamer = agent.streamer(DrainPolicy.none());
    }

    @AfterEach
    void close() {
        agent.close();
    }

    private TurnResult run(String session, String commands, TurnListener listener) {
        return streamer.run(agent.client, session, script(commands), listener);
    }

    @Test
    void toolsButNoText_theReplySummarisesTheToolLines() {
        TurnEvents events = new TurnEvents();
        TurnResult result = run(
                agent.newSession(),
                "tool t1 read Read README.md\ntool-done t1\ntool t2 execute Run tests\n"
                        + "tool-update t2 {\"status\":\"failed\",\"title\":\"Run tests (3 failures)\","
                        + "\"locations\":[{\"path\":\"/p/FooTest.java\",\"line\":42}],"
                        + "\"content\":[{\"type\":\"content\",\"content\":{\"type\":\"text\",\"text\":\"FAILED\"}}]}",
                events);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.userText()).isEqualTo("The agent finished without a text reply. It used 2 tools.");
        assertThat(result.diagnostics())
                .contains("tool calls:\n- Read README.md (completed)\n- Run tests (3 failures) (failed)");
        ToolCall failed = result.toolCalls().get(1);
        assertThat(failed.kind()).isEqualTo("execute");
        assertThat(failed.locations()).containsExactly(new ToolCall.Location("/p/FooTest.java", 42));
        assertThat(failed.content()).singleElement().satisfies(c -> assertThat(
                        c.path("content").path("text").asText())
                .isEqualTo("FAILED"));
        assertThat(events.ofType(TurnEvent.ToolCallStarted.class)).hasSize(2);
        assertThat(events.ofType(TurnEvent.ToolCallUpdated.class))
                .extracting(e -> e.toolCall().status())
                .containsExactly(ToolCall.Status.COMPLETED, ToolCall.Status.FAILED);
    }

    @Test
    void nothingAtAll_theReplyNamesTheStopReasonAndTheStderrTail() {
        String session = agent.newSession();
        run(session, "stderr Error: model quota exceeded", TurnListener.none());
        await().until(() -> agent.client.stderrTail().contains("quota"));
        TurnResult result = run(session, "stop refusal", TurnListener.none());
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEmpty();
        assertThat(result.userText())
                .isEqualTo("The agent finished without a text reply. The agent declined to continue.");
        assertThat(result.diagnostics())
                .contains("stop reason refusal")
                .contains("agent stderr (last lines):\n")
                .endsWith("Error: model quota exceeded");
    }

    @Test
    void unicodeSplitAcrossChunks_arrivesIntact() {
        // Surrogate pairs, a letter and its combining mark, a skin-tone modifier, a flag (two regional indicators).
        String text = "h\u00e9llo \uD83D\uDE00 e\u0301 \uD83D\uDC4D\uD83C\uDFFD \uD83C\uDDEB\uD83C\uDDF7 \u4e2d\u6587";
        String session = agent.newSession();
        for (int size : new int[] {1, 2, 3}) {
            TurnEvents events = new TurnEvents();
            TurnResult result = run(session, "split " + size + " " + text, events);
            assertThat(result.text()).as("chunks of %s", size).isEqualTo(text);
            assertThat(events.text()).isEqualTo(text);
            if (size == 1) {
                assertThat(events.chunks())
                        .as("the chunks really split the pairs")
                        .hasSize(text.length())
                        .contains("\uD83D", "\u0301");
            }
        }
    }

    @Test
    void tenThousandChunks_arriveCompleteAndInOrder() {
        TurnEvents events = new TurnEvents();
        TurnResult result = run(agent.newSession(), "chunks 10000 5\nsay end", events);
        List<String> chunks = events.chunks();
        assertThat(chunks).hasSize(10_001);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            String chunk = String.valueOf(i % 10).repeat(5);
            assertThat(chunks.get(i)).as("chunk %s", i).isEqualTo(chunk);
            expected.append(chunk);
        }
        assertThat(result.text()).isEqualTo(expected.append("end").toString());
        assertThat(result.timeToFirstChunk()).isNotNull();
    }

    @Test
    void anUnknownStopReason_isKeptAsSent() {
        TurnResult result = run(agent.newSession(), "say Done.\nstop galaxy_brain", TurnListener.none());
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.stopReason()).isEqualTo(StopReason.OTHER);
        assertThat(result.stopReasonValue()).isEqualTo("galaxy_brain");
        assertThat(result.userText()).isEqualTo("Done.\n\n(The agent stopped early.)");
        assertThat(result.diagnostics()).contains("stop reason galaxy_brain");
    }

    @Test
    void updatesOfAnotherSession_goToThatSessionsTurnOnly() {
        String mine = agent.newSession();
        String other = agent.newSession();
        TurnEvents otherEvents = new TurnEvents();
        TurnHandle otherTurn =
                streamer.start(agent.client, other, script("wait-for-continue\nsay other done"), otherEvents);

        TurnEvents events = new TurnEvents();
        TurnResult result = run(mine, "say a1\nsay-as " + other + " intruder\nsay a2", events);
        assertThat(result.text()).isEqualTo("a1a2");
        assertThat(events.chunks()).containsExactly("a1", "a2");

        await().until(() -> otherEvents.text().equals("intruder"));
        agent.resume(other);
        assertThat(get(otherTurn.result()).text()).isEqualTo("intruderother done");

        TurnResult alone = run(mine, "say-as nobody lost\nsay b", TurnListener.none());
        assertThat(alone.text()).isEqualTo("b");
    }

    @Test
    void listenerExceptions_areContainedAndReported() {
        List<TurnEvent> seen = new ArrayList<>();
        TurnResult result = run(agent.newSession(), "say a\ntool t1 read R\nsay b", event -> {
            seen.add(event);
            if (event instanceof TurnEvent.TextChunk chunk) {
                throw new IllegalStateException("cannot render " + chunk.text());
            }
        });
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("ab");
        assertThat(seen).hasSize(3);
        assertThat(result.listenerErrors())
                .extracting(Throwable::getMessage)
                .containsExactly("cannot render a", "cannot render b");
    }

    @Test
    void thePromptIsCheckedAgainstTheAgentsPromptCapabilities() {
        // The fake agent advertises image and embeddedContext, not audio.
        String session = agent.newSession();
        TurnResult audio = streamer.run(
                agent.client,
                session,
                List.of(ContentBlock.text("say should not run"), new ContentBlock.Audio("AAAA", "audio/wav")),
                TurnListener.none());
        assertThat(audio.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(audio.error()).isInstanceOfSatisfying(UnsupportedContentException.class, e -> {
            assertThat(e.contentType()).isEqualTo("audio");
            assertThat(e.capability()).isEqualTo("promptCapabilities.audio");
        });
        assertThat(audio.userText()).isEqualTo("This agent does not accept audio; send your message as text instead.");

        ContentBlock resource = new ContentBlock.Other(
                "resource",
                Json.object()
                        .put("type", "resource")
                        .set(
                                "resource",
                                Json.object().put("uri", "file:///a.txt").put("text", "a")));
        TurnResult accepted = streamer.run(
                agent.client,
                session,
                List.of(
                        ContentBlock.text("say ok"),
                        new ContentBlock.Image("AAAA", "image/png", null),
                        new ContentBlock.ResourceLink("file:///b.txt", "b.txt", null),
                        resource),
                TurnListener.none());
        assertThat(accepted.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(accepted.text()).isEqualTo("ok");

        try (AcpClient fresh = AcpClient.launch(FakeAgent.launchSpec(), AcpClientOptions.defaults())) {
            TurnResult early = streamer.run(
                    fresh, "no-session", List.of(new ContentBlock.Image("AAAA", "image/png", null)), e -> {});
            assertThat(early.outcome()).isEqualTo(Outcome.REJECTED);
            assertThat(early.error()).hasMessageContaining("has not answered initialize yet");
        }
    }
}
