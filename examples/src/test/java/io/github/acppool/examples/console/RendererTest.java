package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerException;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.Sender;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.broker.TurnStart;
import io.github.acppool.turn.ToolCall;
import io.github.acppool.turn.TurnEvent;
import io.github.acppool.turn.TurnResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class RendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Sender YOU = new Sender("console", "you");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private Renderer plain() {
        return new Renderer(new PrintStream(bytes, false, StandardCharsets.UTF_8), false, true, now::get);
    }

    private Renderer styled() {
        return new Renderer(new PrintStream(bytes, false, StandardCharsets.UTF_8), true, false, now::get);
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }

    private static ChatMessage message(String id, String text) {
        return ChatMessage.text(id, YOU, text);
    }

    private static TurnStart start(ChatMessage... messages) {
        return new TurnStart("console:main", List.of(messages), "s-1", false, null);
    }

    private static ToolCall tool(String id, String title, ToolCall.Status status, @Nullable String text) {
        List<JsonNode> content = text == null
                ? List.of()
                : List.of(JSON.createObjectNode()
                        .put("type", "content")
                        .set(
                                "content",
                                JSON.createObjectNode().put("type", "text").put("text", text)));
        return new ToolCall(id, title, "read", status, List.of(), content, null, null);
    }

    private static BrokerResult result(
            ChatMessage message,
            BrokerResult.Outcome outcome,
            TurnResult.Outcome turnOutcome,
            String text,
            @Nullable String stopReason,
            @Nullable Throwable error) {
        PromptResult answer = stopReason == null
                ? null
                : PromptResult.fromJson(JSON.createObjectNode().put("stopReason", stopReason));
        TurnResult turn = new TurnResult(
                "s-1", turnOutcome, answer, text, List.of(), null, null, Duration.ofSeconds(1), error, List.of(), "");
        return new BrokerResult("console:main", message, outcome, turn, List.of(message), false, null, "s-1", error);
    }

    private static BrokerResult completed(ChatMessage message, String text) {
        return result(message, BrokerResult.Outcome.COMPLETED, TurnResult.Outcome.COMPLETED, text, "end_turn", null);
    }

    @Test
    void plainTurn_echo_toolLines_streamedText() {
        Renderer renderer = plain();
        ChatMessage hello = message("m1", "hello");
        renderer.submitted("main", "hello");
        renderer.turnStarted("main", start(hello));
        renderer.event(
                "main",
                new TurnEvent.ToolCallStarted(tool("c1", "Reading your message", ToolCall.Status.PENDING, null)));
        renderer.event(
                "main",
                new TurnEvent.ToolCallUpdated(tool("c1", "Reading your message", ToolCall.Status.IN_PROGRESS, null)));
        renderer.event(
                "main",
                new TurnEvent.ToolCallUpdated(tool("c1", "Reading your message", ToolCall.Status.COMPLETED, "1 word")));
        renderer.event("main", new TurnEvent.TextChunk("\n\nYou said", "a1"));
        renderer.event("main", new TurnEvent.TextChunk(" “hello”.", "a1"));
        renderer.finished("main", completed(hello, "\n\nYou said “hello”."));

        assertThat(output()).isEqualTo("""
                        main> hello
                          ⚙ Reading your message
                          ✓ Reading your message: 1 word
                        You said “hello”.

                        """);
    }

    @Test
    void toolProgress_isShownWhenItChanges_andAFailedToolIsMarked() {
        Renderer renderer = plain();
        ChatMessage go = message("m1", "/tool");
        renderer.submitted("main", "/tool");
        renderer.turnStarted("main", start(go));
        renderer.event("main", new TurnEvent.TextChunk("Let me run it.", null));
        renderer.event("main", new TurnEvent.ToolCallStarted(tool("c1", "Tests", ToolCall.Status.PENDING, null)));
        renderer.event(
                "main", new TurnEvent.ToolCallUpdated(tool("c1", "Tests", ToolCall.Status.IN_PROGRESS, "Step 1")));
        renderer.event(
                "main", new TurnEvent.ToolCallUpdated(tool("c1", "Tests", ToolCall.Status.IN_PROGRESS, "Step 1")));
        renderer.event(
                "main", new TurnEvent.ToolCallUpdated(tool("c1", "Tests", ToolCall.Status.IN_PROGRESS, "Step\n2")));
        advance(Duration.ofMillis(2500));
        renderer.event(
                "main", new TurnEvent.ToolCallUpdated(tool("c1", "Tests", ToolCall.Status.FAILED, "Cancelled.")));
        renderer.finished(
                "main",
                result(
                        go,
                        BrokerResult.Outcome.CANCELLED,
                        TurnResult.Outcome.CANCELLED,
                        "Let me run it.",
                        "cancelled",
                        null));

        assertThat(output()).isEqualTo("""
                        main> /tool
                        Let me run it.
                          ⚙ Tests
                            Step 1
                            Step 2
                          ✗ Tests: Cancelled. (2.5 s)
                        (Cancelled.)

                        """);
    }

    @Test
    void nothingStreamed_theWholeReplyText_andAHintWhenTheAgentDied() {
        Renderer renderer = plain();
        ChatMessage crash = message("m1", "/crash");
        renderer.submitted("main", "/crash");
        renderer.turnStarted("main", start(crash));
        AgentProcessException died = new AgentProcessException("the agent exited", 3, "boom\n");
        renderer.finished(
                "main", result(crash, BrokerResult.Outcome.AGENT_DIED, TurnResult.Outcome.AGENT_DIED, "", null, died));

        assertThat(output()).isEqualTo("""
                        main> /crash
                        No reply: the agent stopped unexpectedly; your next message starts it again.
                        (main: the agent stopped; your next message starts a new one, which resumes this conversation)

                        """);
    }

    @Test
    void droppedMessage_isOneNotice() {
        Renderer renderer = plain();
        ChatMessage queued = message("m1", "a message that waited in the queue for far too long");
        renderer.submitted("main", "a message that waited in the queue for far too long");
        renderer.finished(
                "main",
                new BrokerResult(
                        "console:main",
                        queued,
                        BrokerResult.Outcome.CANCELLED,
                        null,
                        List.of(queued),
                        false,
                        null,
                        null,
                        new BrokerException("console:main", "dropped from the queue by cancel", null)));

        assertThat(output())
                .endsWith(
                        "(main: \"a message that waited in the queue for f…\" was dropped before the agent saw it)\n");
    }

    @Test
    void queued_merged_andReset_areNotices_andOnlyTheLatestMessageShowsTheReply() {
        Renderer renderer = plain();
        ChatMessage first = message("m1", "one");
        ChatMessage second = message("m2", "two");
        renderer.submitted("main", "one");
        renderer.queued("main", 1);
        renderer.submitted("main", "two");
        renderer.queued("main", 2);
        renderer.turnStarted(
                "main", new TurnStart("console:main", List.of(first, second), "s-2", true, "the agent forgot it"));
        renderer.event("main", new TurnEvent.TextChunk("Both.", null));
        BrokerResult shared = completed(second, "Both.");
        renderer.finished(
                "main",
                new BrokerResult(
                        "console:main",
                        first,
                        BrokerResult.Outcome.COMPLETED,
                        shared.turn(),
                        List.of(first, second),
                        true,
                        "the agent forgot it",
                        "s-2",
                        null));
        renderer.finished(
                "main",
                new BrokerResult(
                        "console:main",
                        second,
                        BrokerResult.Outcome.COMPLETED,
                        shared.turn(),
                        List.of(first, second),
                        true,
                        "the agent forgot it",
                        "s-2",
                        null));

        assertThat(output()).isEqualTo("""
                        main> one
                        (main: busy, so your message is queued (position 1))
                        main> two
                        (main: busy, so your message is queued (position 2))
                        (main: answering 2 queued messages together)
                        Both.

                        (The agent could not pick up the earlier conversation; it starts afresh.)

                        """);
    }

    @Test
    void outputOfAnotherConversation_getsAHeader() {
        Renderer renderer = plain();
        renderer.submitted("main", "/slow 30");
        renderer.event("main", new TurnEvent.TextChunk("Starting.", null));
        renderer.event("work", new TurnEvent.TextChunk("Hi from work.", null));
        renderer.event("main", new TurnEvent.TextChunk(" Still slow.", null));

        assertThat(output()).isEqualTo("""
                        main> /slow 30
                        Starting.
                        [work]
                        Hi from work.
                        [main]
                         Still slow.""");
    }

    @Test
    void plain_aLongToolSaysItIsStillRunning_everyTenSeconds_withoutEscapeCodes() {
        Renderer renderer = plain();
        renderer.submitted("main", "/slow 30");
        renderer.event(
                "main", new TurnEvent.ToolCallStarted(tool("c1", "Slow job", ToolCall.Status.IN_PROGRESS, null)));
        advance(Duration.ofSeconds(9));
        renderer.tick();
        advance(Duration.ofSeconds(1));
        renderer.tick();
        renderer.tick();
        advance(Duration.ofSeconds(10));
        renderer.tick();

        assertThat(output()).isEqualTo("""
                        main> /slow 30
                          ⚙ Slow job
                          … Slow job: still running after 10 s
                          … Slow job: still running after 20 s
                        """).doesNotContain("\033", "\r");
    }

    @Test
    void styled_spinnerShowsTheRunningTool_andIsClearedBeforeText() {
        Renderer renderer = styled();
        renderer.submitted("main", "/slow 30");
        renderer.event(
                "main", new TurnEvent.ToolCallStarted(tool("c1", "Slow job", ToolCall.Status.IN_PROGRESS, null)));
        advance(Duration.ofSeconds(12));
        renderer.tick();
        renderer.event("main", new TurnEvent.ToolCallUpdated(tool("c1", "Slow job", ToolCall.Status.COMPLETED, null)));
        renderer.tick();

        String out = output();
        assertThat(out).contains("\033[2m  ⚙ Slow job\033[0m\n");
        assertThat(out)
                .containsPattern(
                        "\r\033\\[2K\033\\[2m. Slow job · 12 s\033\\[0m\r\033\\[2K\033\\[2m  ✓ Slow job \\(12 s\\)");
        assertThat(out)
                .as("once the tool is done, the spinner shows how long the message has waited")
                .endsWith("\033[0m\n\r\033[2K\033[2m⠋ waiting for the agent · 12 s\033[0m");
    }

    @Test
    void styled_promptWaitsForOutstandingReplies_andIsReplacedByOutput() {
        Renderer renderer = styled();
        renderer.setCurrent("work");
        renderer.prompt();
        assertThat(output()).isEqualTo("\033[1mwork> \033[0m");
        renderer.submitted("work", "hi");
        renderer.prompt();
        assertThat(output()).as("no prompt while a reply is pending").isEqualTo("\033[1mwork> \033[0m");
        ChatMessage hi = message("m1", "hi");
        renderer.event("work", new TurnEvent.TextChunk("Hello.", null));
        renderer.finished("work", completed(hi, "Hello."));
        renderer.prompt();
        assertThat(output()).isEqualTo("\033[1mwork> \033[0mHello.\n\n\033[1mwork> \033[0m");
        renderer.notice(null, "now in main");
        assertThat(output()).endsWith("\033[1mwork> \033[0m\r\033[2K\033[36m(now in main)\033[0m\n");
    }

    @Test
    void agentTextCannotSendEscapeCodes() {
        Renderer renderer = styled();
        renderer.event("main", new TurnEvent.TextChunk("\033]0;pwned\007\033[31mred\r\ntab\tok", null));
        assertThat(output()).endsWith("]0;pwned[31mred\ntab\tok");
        assertThat(Renderer.sanitize("a\u009bb\u0000c")).isEqualTo("abc");
    }

    @Test
    void aSurrogatePairSplitAcrossChunks_isPrintedWhole() {
        Renderer renderer = plain();
        renderer.event("main", new TurnEvent.TextChunk("smile \uD83D", null));
        renderer.event("main", new TurnEvent.TextChunk("\uDE00!", null));
        assertThat(output()).endsWith("smile \uD83D\uDE00!");
        assertThat(bytes.toByteArray()).doesNotContain((byte) '?');
    }

    @Test
    void errors_areOneLine() {
        Renderer renderer = plain();
        renderer.error("main", "could not start the agent:\n  exit code 1\n  stderr: no key\n");
        assertThat(output()).isEqualTo("error: main: could not start the agent: | exit code 1 | stderr: no key\n");
    }

    @Test
    void plan_isShownAsAChecklist() {
        Renderer renderer = plain();
        renderer.event(
                "main",
                new TurnEvent.PlanReplaced(List.of(
                        new SessionUpdate.PlanEntry("Read the code", "high", "completed"),
                        new SessionUpdate.PlanEntry("Fix it", null, "in_progress"),
                        new SessionUpdate.PlanEntry("Test it", null, null))));
        assertThat(output()).isEqualTo("""
                        [main]
                          plan:
                            [x] Read the code
                            [~] Fix it
                            [ ] Test it
                        """);
    }

    @Test
    void seconds_format() {
        assertThat(Renderer.seconds(Duration.ofMillis(2340).toNanos())).isEqualTo("2.3 s");
        assertThat(Renderer.seconds(Duration.ofMillis(12_999).toNanos())).isEqualTo("12 s");
    }

    private Renderer verbose() {
        return new Renderer(new PrintStream(bytes, false, StandardCharsets.UTF_8), false, true, true, now::get);
    }

    @Test
    void plain_everyStillWorkingNotice_isOneLineWithTheElapsedTime() {
        Renderer renderer = plain();
        ChatMessage slow = message("m1", "think hard");
        renderer.submitted("main", "think hard");
        renderer.turnStarted("main", start(slow));
        renderer.event("main", new TurnEvent.StillWorking(Duration.ofSeconds(30), Duration.ofSeconds(31)));
        renderer.event("main", new TurnEvent.StillWorking(Duration.ofSeconds(60), Duration.ofSeconds(121)));
        renderer.event("main", new TurnEvent.TextChunk("Done.", null));
        renderer.finished("main", completed(slow, "Done."));

        assertThat(output()).isEqualTo("""
                        main> think hard
                        (main: still working, 31 s)
                        (main: still working, 2 min)
                        Done.

                        """);
    }

    @Test
    void styled_theSpinnerShowsTheTimeWaited_beforeAnythingArrives() {
        Renderer renderer = styled();
        renderer.submitted("main", "hello");
        advance(Duration.ofMillis(3200));
        renderer.tick();
        assertThat(output()).containsPattern("\r\033\\[2K\033\\[2m. waiting for the agent · 3\\.2 s\033\\[0m$");
        renderer.event("main", new TurnEvent.TextChunk("Hi.", null));
        assertThat(output()).endsWith("waiting for the agent · 3.2 s\033[0m\r\033[2KHi.");
        renderer.finished("main", completed(message("m1", "hello"), "Hi."));
        advance(Duration.ofSeconds(5));
        renderer.tick();
        assertThat(output()).as("nothing waits any more").endsWith("Hi.\n\n");
    }

    @Test
    void lineEditor_theStatusLineShowsTheTimeWaited_andTheOutputHasNoPromptNorSpinner() {
        List<String> status = new ArrayList<>();
        Renderer renderer =
                new Renderer(new PrintStream(bytes, false, StandardCharsets.UTF_8), status::add, false, now::get);
        renderer.prompt();
        renderer.submitted("main", "hello");
        advance(Duration.ofMillis(3200));
        renderer.tick();
        assertThat(status).containsExactly("\033[2mmain: waiting for the agent · 3.2 s\033[0m");
        renderer.event("main", new TurnEvent.TextChunk("Hi.", null));
        renderer.finished("main", completed(message("m1", "hello"), "Hi."));
        renderer.prompt();
        renderer.tick();
        assertThat(status).as("nothing waits any more").endsWith((String) null);
        assertThat(output()).as("the line editor shows the prompt").doesNotContain("main> ", "\r");
        assertThat(output()).contains("Hi.\n");
        assertThat(renderer.promptText()).isEqualTo("\033[1mmain> \033[0m");
    }

    @Test
    void lineEditor_isToldThePromptWhenTheConversationChanges() {
        List<String> prompts = new ArrayList<>();
        Renderer renderer = new Renderer(
                new PrintStream(bytes, false, StandardCharsets.UTF_8),
                new Renderer.StatusLine() {
                    @Override
                    public void show(@Nullable String text) {}

                    @Override
                    public void prompt(String text) {
                        prompts.add(text);
                    }
                },
                false,
                now::get);
        renderer.setCurrent("other");
        assertThat(prompts).containsExactly("\033[1mother> \033[0m");
        assertThat(renderer.promptText()).isEqualTo("\033[1mother> \033[0m");
    }

    @Test
    void lateText_isPrintedUnderThePreviousReply() {
        Renderer renderer = plain();
        ChatMessage first = message("m1", "one");
        renderer.submitted("main", "one");
        renderer.turnStarted("main", start(first));
        renderer.event("main", new TurnEvent.TextChunk("…LATEMARKER", "a1"));
        renderer.finished("main", completed(first, "…LATEMARKER"));
        renderer.lateEvent("main", new TurnEvent.TextChunk("-xy", "a1"));
        renderer.lateEvent("main", new TurnEvent.TextChunk("z", "a1"));
        renderer.lateEvent("main", new TurnEvent.ToolCallStarted(tool("c1", "ignored", ToolCall.Status.PENDING, null)));
        renderer.submitted("main", "two");

        assertThat(output()).isEqualTo("""
                        main> one
                        …LATEMARKER

                        -xyz
                        main> two
                        """);
    }

    /** The console's message listener hands late events to the renderer (a no-op until the core emits them). */
    @Test
    void lateEvents_reachTheRendererThroughTheConsolesMessageListener() {
        AcpBroker broker = AcpBroker.builder()
                .agent(AgentLaunchSpec.builder("never-started").build())
                .build();
        try {
            Renderer renderer = plain();
            ConsoleSession console = new ConsoleSession(
                    broker,
                    SessionStore.inMemory(),
                    renderer,
                    new Permissions(renderer, sessionId -> "main", () -> {}),
                    new java.util.concurrent.ConcurrentHashMap<>(),
                    true,
                    "test agent",
                    false,
                    "main");
            ChatMessage first = message("m1", "one");
            MessageListener listener = console.listener("main", first);
            renderer.submitted("main", "one");
            listener.onTurnStarted(start(first));
            listener.onEvent(new TurnEvent.TextChunk("Reply", null));
            renderer.finished("main", completed(first, "Reply"));
            listener.onLateEvent(new TurnEvent.TextChunk(" and its tail", null));

            assertThat(output()).isEqualTo("main> one\nReply\n\n and its tail");
        } finally {
            broker.shutdown();
        }
    }

    @Test
    void verbose_showsTheDiagnosticsUnderTheUserText_plainDoesNot() {
        ChatMessage crash = message("m1", "/crash");
        AgentProcessException died =
                new AgentProcessException("agent died", 3, "\033[31mpanic\033[0m at /srv/agent/main.rs");
        TurnResult turn = new TurnResult(
                "sess-7",
                TurnResult.Outcome.AGENT_DIED,
                null,
                "",
                List.of(),
                null,
                null,
                Duration.ofSeconds(1),
                died,
                List.of(),
                died.stderrTail());
        BrokerResult result = new BrokerResult(
                "console:main",
                crash,
                BrokerResult.Outcome.AGENT_DIED,
                turn,
                List.of(crash),
                false,
                null,
                "sess-7",
                died);

        Renderer quiet = plain();
        quiet.submitted("main", "/crash");
        quiet.finished("main", result);
        assertThat(output()).doesNotContain("sess-7").doesNotContain("/srv").doesNotContain("panic");

        bytes.reset();
        Renderer loud = verbose();
        loud.submitted("main", "/crash");
        loud.finished("main", result);
        assertThat(output())
                .contains("No reply: the agent stopped unexpectedly; your next message starts it again.\n")
                .contains("  | conversation console:main, message m1: AGENT_DIED, session sess-7\n")
                .contains("  | exit code 3\n")
                .contains("  | panic at /srv/agent/main.rs\n")
                .doesNotContain("\033");
    }

    @Test
    void aFailure_showsItsUserSentence_andVerboseItsDetails() {
        BrokerException closed = new io.github.acppool.broker.BrokerClosedException("console:main", "console");
        Renderer quiet = plain();
        quiet.submitted("main", "hi");
        quiet.failed("main", new java.util.concurrent.CompletionException(closed));
        assertThat(output())
                .isEqualTo("main> hi\nerror: main: The service is shutting down; send your message again after it"
                        + " restarts. (details: the log, or --verbose)\n");

        bytes.reset();
        Renderer loud = verbose();
        loud.submitted("main", "hi");
        loud.failed("main", closed);
        assertThat(output()).contains("  | broker console is shut down");
    }
}
