package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.acppool.AcpPoolException;
import io.github.acppool.acp.AcpProtocolException;
import io.github.acppool.acp.AcpRequestTimeoutException;
import io.github.acppool.acp.AgentProcessException;
import io.github.acppool.acp.MissingCapabilityException;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.internal.Json;
import io.github.acppool.turn.ToolCall;
import io.github.acppool.turn.TurnResult;
import io.github.acppool.turn.TurnTimeoutException;
import io.github.acppool.turn.UnsupportedContentException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;

/**
 * The user text of every outcome, with random errors and stderr full of operator internals (paths, session and
 * conversation ids, ANSI sequences, ISO durations, exception names), holds none of them; the diagnostics hold
 * no escape byte. The agent's reply text itself is the agent's and shown as is, so it is generated clean.
 *
 * <p>No {@code @Timeout} here: jqwik does not process Jupiter's annotation, so each try is bounded with {@code
 * assertTimeoutPreemptively} instead.
 */
final class UserTextPropertyTest {

    private static final String SESSION = "sess-1-10620";
    private static final String CONVERSATION = "c:huc:4711";
    private static final String STDERR_MARK = "Traceback-in-stderr";
    private static final String ESC = "\u001b";

    /** Anything that would betray the operator's side in a user text. */
    private static final Pattern INTERNALS = Pattern.compile("/srv/|/home/|C:\\\\|PT\\d|Exception|java\\.|io\\.github"
            + "|" + Pattern.quote(SESSION) + "|" + Pattern.quote(CONVERSATION) + "|" + STDERR_MARK
            + "|\u001b|\u009b|\\[31m|\\[0m|code -32");

    @Property(tries = 400)
    void userTextHoldsNoInternals_diagnosticsNoEscapes(
            @ForAll BrokerResult.Outcome outcome,
            @ForAll("errors") Throwable error,
            @ForAll("noise") String stderr,
            @ForAll("replies") String reply,
            @ForAll("tools") List<ToolCall> tools,
            @ForAll boolean withTurn,
            @ForAll boolean withError,
            @ForAll boolean reset,
            @ForAll("droppedLines") long dropped,
            @ForAll("stopReasons") @Nullable String stopReason) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            TurnResult turn = null;
            // HUNG and OWNED_ELSEWHERE are the broker's own: no turn ran to an end.
            if (withTurn && outcome != BrokerResult.Outcome.HUNG && outcome != BrokerResult.Outcome.OWNED_ELSEWHERE) {
                turn = new TurnResult(
                                SESSION,
                                TurnResult.Outcome.valueOf(outcome.name()),
                                stopReason == null
                                        ? null
                                        : PromptResult.fromJson(Json.object().put("stopReason", stopReason)),
                                reply,
                                tools,
                                null,
                                null,
                                Duration.ofMillis(3001),
                                withError ? error : null,
                                List.of(),
                                stderr)
                        .withDroppedLines(dropped, dropped * 40_000_000);
            }
            ChatMessage message = ChatMessage.text("m-" + SESSION, new Sender("u1", "Ann"), "hi");
            BrokerResult result = new BrokerResult(
                    CONVERSATION,
                    message,
                    outcome,
                    turn,
                    List.of(message),
                    reset,
                    reset ? "session/load of session " + SESSION + " failed in /srv/agents/" + CONVERSATION : null,
                    SESSION,
                    withError || turn == null ? error : null);

            String user = result.userText();
            assertThat(user).isNotBlank();
            String beyondReply = turn != null && !reply.isBlank() ? user.substring(reply.length()) : user;
            assertThat(INTERNALS.matcher(beyondReply).find())
                    .as("internals in the user text %s", user)
                    .isFalse();
            if (turn != null && !reply.isBlank()) {
                assertThat(user).startsWith(reply);
            }
            assertThat(AcpPoolException.userMessageOf(error)).doesNotContainPattern(INTERNALS);

            String diagnostics = result.diagnostics();
            assertThat(diagnostics)
                    .doesNotContain(ESC)
                    .doesNotContain("\u009b")
                    .doesNotContain("[31m")
                    .contains(CONVERSATION)
                    .contains(SESSION);
            if (turn != null && stderr.contains(STDERR_MARK)) {
                assertThat(diagnostics).contains(STDERR_MARK);
            }
            if (turn != null && dropped > 0) {
                assertThat(user).contains("Part of the reply was lost");
                assertThat(diagnostics).contains("dropped " + dropped + " stdout line");
            }
        });
    }

    @Provide
    Arbitrary<String> replies() {
        return Arbitraries.strings().withChars("abcdefghij klmnop.,!").ofMaxLength(40);
    }

    @Provide
    Arbitrary<Long> droppedLines() {
        return Arbitraries.longs().between(0, 3);
    }

    @Provide
    Arbitrary<String> stopReasons() {
        return Arbitraries.of(
                        "end_turn",
                        "max_tokens",
                        "max_turn_requests",
                        "refusal",
                        "cancelled",
                        "",
                        "PT3S",
                        "\u001b[31mx")
                .injectNull(0.2);
    }

    @Provide
    Arbitrary<String> noise() {
        Arbitrary<String> piece = Arbitraries.of(
                "/srv/agents/" + CONVERSATION + "/work",
                "/home/bot/.config/agent/settings.json",
                "C:\\Users\\bot\\agent.log",
                SESSION,
                CONVERSATION,
                STDERR_MARK,
                "PT3.001411714S",
                "java.lang.IllegalStateException: boom",
                "io.github.acppool.turn.TurnTimeoutException",
                "\u001b[31mred\u001b[0m",
                "[31mresidue[0m",
                "\u001b]0;title\u0007",
                "\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\",
                "\u001b",
                "\u009b2K",
                "\u001b(B",
                "\u001bP+q\u001b\\",
                "\r\n",
                "\n",
                "plain words");
        return piece.list().ofMaxSize(8).map(parts -> String.join(" ", parts));
    }

    @Provide
    Arbitrary<List<ToolCall>> tools() {
        return Arbitraries.of("Read /home/bot/secret.txt", "Run " + SESSION, "", "\u001b[1mEdit\u001b[0m")
                .map(title -> new ToolCall(
                        "t1", title, "execute", ToolCall.Status.COMPLETED, List.of(), List.of(), null, null))
                .list()
                .ofMaxSize(3);
    }

    @Provide
    Arbitrary<Throwable> errors() {
        Arbitrary<String> text = noise();
        Arbitrary<Duration> durations =
                Arbitraries.longs().between(0, 10_000_000).map(Duration::ofMillis);
        Arbitrary<Throwable> leaves = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of(TurnTimeoutException.Kind.class), durations, durations)
                        .as((kind, limit, elapsed) -> new TurnTimeoutException(kind, SESSION, limit, elapsed)),
                Combinators.combine(
                                text, Arbitraries.integers().between(-1, 255).injectNull(0.3), text)
                        .as((message, code, tail) -> new AgentProcessException(message, code, tail)),
                Combinators.combine(
                                text,
                                Arbitraries.of(
                                        AcpProtocolException.AUTH_REQUIRED,
                                        AcpProtocolException.INTERNAL_ERROR,
                                        AcpProtocolException.RESOURCE_NOT_FOUND),
                                text)
                        .as((method, code, message) -> new AcpProtocolException(method, code, message, null)),
                durations.map(timeout -> new AcpRequestTimeoutException("session/prompt", 7, timeout, SESSION)),
                Combinators.combine(Arbitraries.of("image", "audio", "resource", "/srv/x", SESSION), text)
                        .as((type, capability) -> new UnsupportedContentException(type, capability, true)),
                text.map(method -> new MissingCapabilityException(method, SESSION, true)),
                text.map(message -> new BrokerException(CONVERSATION, message, null)),
                Arbitraries.just(new BrokerClosedException(CONVERSATION, "bot")),
                Arbitraries.just(new QueueFullException(CONVERSATION, 3)),
                text.map(message -> new SessionStoreException(message, new IOException(message))),
                text.map(IllegalStateException::new),
                text.map(message -> new RuntimeException(message, new IOException("/home/bot: denied"))));
        return Arbitraries.oneOf(
                leaves,
                Combinators.combine(Arbitraries.of(AgentStartException.Stage.class), text, leaves)
                        .as((stage, message, cause) -> new AgentStartException(CONVERSATION, stage, message, cause)));
    }
}
