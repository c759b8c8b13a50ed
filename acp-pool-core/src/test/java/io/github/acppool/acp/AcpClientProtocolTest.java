package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionState;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Json;
import io.github.acppool.testing.FakeScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** JSON-RPC and framing behaviour over an in-memory connection, with the test playing the agent. */
@Timeout(30)
final class AcpClientProtocolTest {

    private ScriptedAgent agent;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
    }

    private ScriptedAgent start(AcpClientOptions options) {
        agent = new ScriptedAgent(options);
        return agent;
    }

    private static String update(String sessionId, String text) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{\"sessionId\":\"" + sessionId
                + "\",\"update\":{\"sessionUpdate\":\"agent_message_chunk\",\"content\":{\"type\":\"text\",\"text\":\""
                + text + "\"}}}}";
    }

    private static String result(JsonNode id, String result) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}";
    }

    private void initialize(String capabilities) {
        CompletableFuture<?> init = agent.client.initialize();
        agent.writeLine(
                result(agent.next().get("id"), "{\"protocolVersion\":1,\"agentCapabilities\":" + capabilities + "}"));
        init.join();
    }

    private static List<String> texts(List<SessionUpdate> updates) {
        List<String> out = new ArrayList<>();
        for (SessionUpdate u : updates) {
            if (u instanceof SessionUpdate.AgentMessageChunk chunk && chunk.content() instanceof ContentBlock.Text t) {
                out.add(t.text());
            }
        }
        return out;
    }

    @Test
    void incomingRequestIdsAreEchoedVerbatim() {
        start(AcpClientOptions.defaults());
        for (String id : List.of("\"abc\"", "7", "\"7\"", "9007199254740993", "0", "\"\"")) {
            agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"terminal/create\",\"params\":{}}");
            JsonNode answer = agent.next();
            assertThat(answer.get("id").toString()).isEqualTo(id);
            assertThat(answer.at("/error/code").asInt()).isEqualTo(-32601);
        }
    }

    @Test
    void nullIdErrorsUnknownIdsAndNonJsonLinesAreDroppedAndTheConnectionGoesOn() {
        start(AcpClientOptions.defaults());
        CompletableFuture<?> init = agent.client.initialize();
        JsonNode id = agent.next().get("id");
        agent.write(
                "Welcome to the agent v1.2 (banner)\n\n   \n[1,2,3]\n{not json\n\"a string\"\n{\"jsonrpc\":\"2.0\"}\n");
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
        agent.writeLine(result(Json.NODES.numberNode(424242), "{}"));
        agent.writeLine(result(Json.NODES.textNode(id.asText()), "{\"protocolVersion\":2}"));
        assertThat(init).isNotDone();
        agent.writeLine(result(id, "{\"protocolVersion\":1,\"agentCapabilities\":{\"loadSession\":true}}"));
        assertThat(agent.client.initialize().isDone()).isFalse();
        assertThat(((io.github.acppool.acp.schema.InitializeResult) init.join())
                        .agentCapabilities()
                        .loadSession())
                .isTrue();
        assertThat(agent.client.isAlive()).isTrue();
    }

    @Test
    void closingAReplacedSubscriptionLeavesItsReplacementSubscribed() {
        start(AcpClientOptions.defaults());
        List<String> first = Collections.synchronizedList(new ArrayList<>());
        List<SessionUpdate> second = Collections.synchronizedList(new ArrayList<>());
        Subscription old = agent.client.subscribe("s", (sessionId, u) -> first.add("update"));
        Subscription replacement = agent.client.subscribe("s", (sessionId, u) -> second.add(u));
        old.close();

        PendingRequest<JsonNode> request = agent.client.request("_x/y", Json.object());
        JsonNode id = agent.next().get("id");
        agent.writeLine(update("s", "still heard"));
        agent.writeLine(result(id, "{}"));
        request.future().join();
        replacement.close();
        replacement.close();
        PendingRequest<JsonNode> later = agent.client.request("_x/y", Json.object());
        JsonNode laterId = agent.next().get("id");
        agent.writeLine(update("s", "nobody listens"));
        agent.writeLine(result(laterId, "{}"));
        later.future().join();

        assertThat(texts(second)).containsExactly("still heard");
        assertThat(first).isEmpty();
    }

    @Test
    void aLineLongerThanTheMaximumIsDroppedAndTheNextOneIsRead() {
        start(AcpClientOptions.builder().maxLineBytes(1024).build());
        List<SessionUpdate> seen = Collections.synchronizedList(new ArrayList<>());
        agent.client.subscribe("s", (sessionId, u) -> seen.add(u));
        PendingRequest<JsonNode> request = agent.client.request("_x/y", Json.object());
        JsonNode id = agent.next().get("id");
        String huge = update("s", "h".repeat(5000));
        // Written in pieces so the reader sees the line grow past the limit across reads.
        for (int i = 0; i < huge.length(); i += 700) {
            agent.write(huge.substring(i, Math.min(huge.length(), i + 700)));
        }
        agent.write("\n");
        String justFits = update("s", "h".repeat(869));
        assertThat(justFits).hasSize(1024);
        agent.writeLine(justFits);
        agent.writeLine(update("s", "after"));
        agent.writeLine(result(id, "{\"ok\":true}"));
        assertThat(request.future().join().get("ok").asBoolean()).isTrue();
        assertThat(texts(seen)).containsExactly("h".repeat(869), "after");
    }

    @Test
    void aLineLongerThanTheMaximumIsDroppedAlsoWhenItArrivesInOneRead() {
        start(AcpClientOptions.builder().maxLineBytes(1024).build());
        List<SessionUpdate> seen = Collections.synchronizedList(new ArrayList<>());
        agent.client.subscribe("s", (sessionId, u) -> seen.add(u));
        PendingRequest<JsonNode> request = agent.client.request("_x/y", Json.object());
        JsonNode id = agent.next().get("id");
        // One write, so the reader gets the whole long line, newline included, in one read.
        agent.write(update("s", "h".repeat(5000)) + "\n" + update("s", "after") + "\n" + result(id, "{}") + "\n");
        request.future().join();
        assertThat(texts(seen)).containsExactly("after");
    }

    @Test
    void stdoutEofFailsEveryPendingRequestWithExitInformationAndLaterRequestsFailAtOnce() {
        start(AcpClientOptions.defaults());
        CompletableFuture<?> init = agent.client.initialize();
        PendingRequest<JsonNode> other = agent.client.request("_x/y", Json.object());
        agent.writeStderr("panic: out of tokens\n");
        await().until(() -> agent.client.stderrTail().contains("panic"));
        agent.closeStdout();
        assertThatThrownBy(init::join)
                .cause()
                .isInstanceOf(AgentProcessException.class)
                .hasMessageContaining("closed its stdout")
                .hasMessageContaining("panic: out of tokens");
        assertThatThrownBy(() -> other.future().join()).cause().isInstanceOf(AgentProcessException.class);
        assertThat(agent.client.isAlive()).isFalse();
        assertThat(agent.client.onExit().join()).isEqualTo(-1);
        assertThatThrownBy(() -> agent.client
                        .newSession(SessionSetup.of(Path.of("/tmp")))
                        .join())
                .cause()
                .isInstanceOf(AgentProcessException.class);
    }

    @Test
    void aResponseCompletesOnlyAfterEverythingBeforeItWasDelivered() throws InterruptedException {
        start(AcpClientOptions.defaults());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch responseRead = new CountDownLatch(1);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        agent.client.subscribe("a", (sessionId, u) -> {
            events.add(texts(List.of(u)).get(0));
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        agent.client.subscribe("marker", (sessionId, u) -> responseRead.countDown());
        PendingRequest<PromptResult> prompt = agent.client.prompt("a", List.of(ContentBlock.text("go")));
        JsonNode id = agent.next().get("id");
        var done = prompt.future().thenRun(() -> events.add("completed"));
        agent.writeLine(update("a", "one"));
        agent.writeLine(update("a", "two"));
        agent.writeLine(result(id, "{\"stopReason\":\"end_turn\"}"));
        agent.writeLine(update("marker", "the reader is past the response"));
        assertThat(responseRead.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(prompt.future()).as("listener still busy with 'one'").isNotDone();
        release.countDown();
        done.join();
        assertThat(events).containsExactly("one", "two", "completed");
        assertThat(prompt.future().join().stopReason()).isEqualTo(StopReason.END_TURN);
    }

    /**
     * However a request ends (a result, a JSON-RPC error, or the agent dying), its future completes only after
     * the updates read before that end were delivered: a turn never ends before its last text arrived. The
     * executor runs its tasks newest first, as a thread pool may run them side by side: a completion queued
     * directly, instead of behind the delivery, would then run before the delivery of "last words".
     */
    @ParameterizedTest
    @ValueSource(strings = {"result", "error", "eof"})
    void aRequestEndsOnlyAfterEverythingReadBeforeItsEndWasDelivered(String end) {
        ManualExecutor executor = new ManualExecutor();
        start(AcpClientOptions.builder().executor(executor, false).build());
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        agent.client.subscribe(
                "a", (sessionId, u) -> events.add(texts(List.of(u)).get(0)));
        PendingRequest<PromptResult> prompt = agent.client.prompt("a", List.of(ContentBlock.text("go")));
        var unused = prompt.future().whenComplete((r, e) -> events.add(e == null ? "result" : "failure"));
        JsonNode id = agent.next().get("id");

        agent.writeLine(update("a", "last words"));
        switch (end) {
            case "result" -> agent.writeLine(result(id, "{\"stopReason\":\"end_turn\"}"));
            case "error" ->
                agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"error\":{\"code\":-32603,\"message\":\"Internal error\"}}");
            default -> {}
        }
        agent.closeStdout();
        agent.client.onExit().join(); // the reader has handled every line and queued every task
        executor.runNewestFirst();

        assertThat(events).containsExactly("last words", end.equals("result") ? "result" : "failure");
    }

    @Test
    void aBlockedListenerDoesNotStopPermissionRequestsFromBeingAnswered() throws InterruptedException {
        start(AcpClientOptions.builder()
                .permissionPolicy(PermissionPolicy.allowOnce())
                .build());
        CountDownLatch release = new CountDownLatch(1);
        agent.client.subscribe("a", (sessionId, u) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        agent.writeLine(update("a", "slow"));
        agent.writeLine(update("a", "slower"));
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"session/request_permission\",\"params\":"
                + "{\"sessionId\":\"a\",\"toolCall\":{\"toolCallId\":\"c\"},\"options\":"
                + "[{\"optionId\":\"ok\",\"name\":\"OK\",\"kind\":\"allow_once\"}]}}");
        assertThat(agent.next().at("/result/outcome/optionId").asText()).isEqualTo("ok");
        release.countDown();
    }

    @Test
    void aFullQueueMakesTheReaderWaitInsteadOfGrowing() throws InterruptedException {
        start(AcpClientOptions.builder().updateQueueCapacity(2).build());
        CountDownLatch release = new CountDownLatch(1);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch marker = new CountDownLatch(1);
        agent.client.subscribe("a", (sessionId, u) -> {
            seen.add(texts(List.of(u)).get(0));
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        agent.client.subscribe("b", (sessionId, u) -> marker.countDown());
        for (int i = 0; i < 6; i++) {
            agent.writeLine(update("a", "u" + i));
        }
        agent.writeLine(update("b", "behind the full queue"));
        await().until(() -> readerWaitsForRoom(agent.client));
        assertThat(marker.getCount())
                .as("b's update is behind the one the reader waits to queue")
                .isOne();
        release.countDown();
        assertThat(marker.await(10, TimeUnit.SECONDS)).isTrue();
        await().until(() -> seen.size() == 6);
        assertThat(seen).containsExactly("u0", "u1", "u2", "u3", "u4", "u5");
    }

    /** Whether the client's stdout reader is parked in {@link SessionChannel#offer}, waiting for room. */
    private static boolean readerWaitsForRoom(DefaultAcpClient client) {
        StackTraceElement[] stack = Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals(client + "-stdout"))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow();
        StackTraceElement ours = Arrays.stream(stack)
                .filter(frame -> frame.getClassName().startsWith("io.github.acppool."))
                .findFirst()
                .orElse(null);
        return stack.length > 0
                && stack[0].getMethodName().equals("park")
                && ours != null
                && ours.getClassName().equals(SessionChannel.class.getName())
                && ours.getMethodName().equals("offer");
    }

    @Test
    void anAbandonedRequestsLateAnswerIsDroppedAndCompletesNothingElse() {
        start(AcpClientOptions.defaults());
        PendingRequest<PromptResult> first = agent.client.prompt("s", List.of(ContentBlock.text("1")));
        JsonNode firstId = agent.next().get("id");
        assertThat(first.abandon()).isTrue();
        assertThat(first.abandon()).isFalse();
        assertThat(first.future()).isCancelled();
        PendingRequest<PromptResult> second = agent.client.prompt("s", List.of(ContentBlock.text("2")));
        JsonNode secondId = agent.next().get("id");
        agent.writeLine(result(firstId, "{\"stopReason\":\"cancelled\"}"));
        agent.writeLine(result(secondId, "{\"stopReason\":\"end_turn\"}"));
        assertThat(second.future().join().stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(second.id()).isNotEqualTo(first.id());
    }

    @Test
    void cancellingTheFutureAbandonsTheRequest() {
        start(AcpClientOptions.defaults());
        PendingRequest<PromptResult> first = agent.client.prompt("s", List.of(ContentBlock.text("1")));
        agent.next();
        first.future().cancel(false);
        assertThat(first.abandon()).as("already abandoned").isFalse();
    }

    @Test
    void aRequestTimesOutWithTheCallersTimeoutAndItsLateAnswerIsDropped() {
        FakeScheduler scheduler = new FakeScheduler();
        start(AcpClientOptions.builder().scheduler(scheduler, false).build());
        PendingRequest<PromptResult> prompt =
                agent.client.prompt("s", List.of(ContentBlock.text("1")), Duration.ofSeconds(5));
        PendingRequest<PromptResult> noTimeout = agent.client.prompt("s", List.of(ContentBlock.text("2")));
        JsonNode id = agent.next().get("id");
        JsonNode secondId = agent.next().get("id");
        scheduler.advance(Duration.ofSeconds(4));
        assertThat(prompt.future()).isNotDone();
        scheduler.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> prompt.future().join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(AcpRequestTimeoutException.class)
                .hasMessageContaining("session/prompt");
        scheduler.advance(Duration.ofHours(1));
        assertThat(noTimeout.future()).as("prompts have no timeout by default").isNotDone();
        agent.writeLine(result(id, "{\"stopReason\":\"end_turn\"}"));
        agent.writeLine(result(secondId, "{\"stopReason\":\"max_tokens\"}"));
        assertThat(noTimeout.future().join().stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    }

    @Test
    void jsonRpcErrorsCarryCodeMessageAndData() {
        start(AcpClientOptions.defaults());
        CompletableFuture<SessionState> created = agent.client.newSession(SessionSetup.of(Path.of("/tmp")));
        JsonNode id = agent.next().get("id");
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":" + id
                + ",\"error\":{\"code\":-32603,\"message\":\"Internal error\",\"data\":{\"details\":\"disk full\"}}}");
        assertThatThrownBy(created::join).cause().isInstanceOfSatisfying(AcpProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(-32603);
            assertThat(e.method()).isEqualTo("session/new");
            assertThat(e.errorMessage()).isEqualTo("Internal error");
            assertThat(e.data().get("details").asText()).isEqualTo("disk full");
        });
    }

    @Test
    void anotherProtocolVersionIsRejectedWithAClearError() {
        start(AcpClientOptions.defaults());
        CompletableFuture<?> init = agent.client.initialize();
        agent.writeLine(result(agent.next().get("id"), "{\"protocolVersion\":2,\"agentCapabilities\":{}}"));
        assertThatThrownBy(init::join).cause().isInstanceOfSatisfying(AcpProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(AcpProtocolException.UNUSABLE_RESPONSE);
            assertThat(e).hasMessageContaining("protocolVersion 2").hasMessageContaining("only 1");
        });
        assertThat(agent.client.initializeResult()).isEmpty();
    }

    @Test
    void loadNeedsTheCapabilityAndToleratesANullResult() {
        start(AcpClientOptions.defaults());
        assertThatThrownBy(() -> agent.client
                        .loadSession("s", SessionSetup.of(Path.of("/tmp")))
                        .join())
                .cause()
                .isInstanceOf(MissingCapabilityException.class)
                .hasMessageContaining("initialize first");
        initialize("{\"loadSession\":true}");
        assertThatThrownBy(() -> agent.client
                        .resumeSession("s", SessionSetup.of(Path.of("/tmp")))
                        .join())
                .cause()
                .isInstanceOf(MissingCapabilityException.class)
                .hasMessageContaining("sessionCapabilities.resume");
        assertThatThrownBy(() -> agent.client.closeSession("s").join())
                .cause()
                .isInstanceOf(MissingCapabilityException.class);
        CompletableFuture<SessionState> loaded = agent.client.loadSession("s", SessionSetup.of(Path.of("/tmp")));
        agent.writeLine(result(agent.next().get("id"), "null"));
        assertThat(loaded.join().sessionId()).isEqualTo("s");
        assertThat(loaded.join().modes()).isNull();
    }

    @Test
    void newSessionWithAListenerCatchesTheUpdateRightAfterTheAnswer() {
        start(AcpClientOptions.defaults());
        List<SessionUpdate> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<SessionState> created =
                agent.client.newSession(SessionSetup.of(Path.of("/tmp")), (sessionId, u) -> seen.add(u));
        agent.writeLine(result(agent.next().get("id"), "{\"sessionId\":\"fresh\"}"));
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{\"sessionId\":\"fresh\","
                + "\"update\":{\"sessionUpdate\":\"available_commands_update\",\"availableCommands\":"
                + "[{\"name\":\"web\",\"description\":\"Search\",\"input\":{\"hint\":\"query\"}}]}}}");
        assertThat(created.join().sessionId()).isEqualTo("fresh");
        await().until(() -> seen.size() == 1);
        assertThat(seen.get(0)).isInstanceOfSatisfying(SessionUpdate.AvailableCommandsUpdate.class, u -> assertThat(
                        u.availableCommands())
                .containsExactly(new SessionUpdate.AvailableCommand("web", "Search", "query")));
    }

    @Test
    void updatesWithoutAListenerAreDroppedAndAThrowingListenerGetsTheNextUpdate() {
        start(AcpClientOptions.defaults());
        PendingRequest<JsonNode> first = agent.client.request("_x/y", Json.object());
        agent.writeLine(update("s", "nobody listens"));
        agent.writeLine(result(agent.next().get("id"), "{}"));
        first.future().join(); // the reader is past the first update
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Subscription subscription = agent.client.subscribe("s", (sessionId, u) -> {
            String text = texts(List.of(u)).get(0);
            seen.add(text);
            if (text.equals("boom")) {
                throw new IllegalStateException("listener bug");
            }
        });
        agent.writeLine(update("s", "boom"));
        agent.writeLine(update("s", "still delivered"));
        await().until(() -> seen.size() == 2);
        subscription.close();
        subscription.close();
        PendingRequest<JsonNode> sync = agent.client.request("_x/y", Json.object());
        agent.writeLine(update("s", "after unsubscribe"));
        agent.writeLine(result(agent.next().get("id"), "{}"));
        sync.future().join();
        assertThat(seen).containsExactly("boom", "still delivered");
    }

    @Test
    void everyAgentRequestGetsExactlyOneAnswerEvenWhenThePolicyFails() throws InterruptedException {
        start(AcpClientOptions.builder()
                .permissionPolicy(request -> {
                    if (request.toolCall().toolCallId().equals("throws")) {
                        throw new IllegalStateException("policy bug");
                    }
                    return CompletableFuture.failedFuture(new IllegalStateException("human unreachable"));
                })
                .build());
        for (String call : List.of("throws", "fails")) {
            agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":\"" + call
                    + "\",\"method\":\"session/request_permission\",\"params\":{\"sessionId\":\"s\","
                    + "\"toolCall\":{\"toolCallId\":\"" + call + "\"},\"options\":["
                    + "{\"optionId\":\"yes\",\"name\":\"Yes\",\"kind\":\"allow_once\"},"
                    + "{\"optionId\":\"no\",\"name\":\"No\",\"kind\":\"reject_once\"}]}}");
            JsonNode answer = agent.next();
            assertThat(answer.get("id").asText()).isEqualTo(call);
            assertThat(answer.at("/result/outcome/optionId").asText()).isEqualTo("no");
        }
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"session/request_permission\",\"params\":{}}");
        assertThat(agent.next().at("/error/code").asInt()).isEqualTo(-32602);
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"fs/read_text_file\",\"params\":"
                + "{\"sessionId\":\"s\",\"path\":\"/etc/passwd\"}}");
        assertThat(agent.next().at("/error/code").asInt()).as("fs not enabled").isEqualTo(-32601);
        agent.client.cancel("s");
        assertThat(agent.next().get("method").asText()).isEqualTo("session/cancel");
        agent.assertNothingElseSent(); // no second answer
    }

    @Test
    void theAgentCanWithdrawItsOwnRequest() {
        CompletableFuture<PermissionOutcome> human = new CompletableFuture<>();
        start(AcpClientOptions.builder().permissionPolicy(request -> human).build());
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"session/request_permission\",\"params\":"
                + "{\"sessionId\":\"s\",\"toolCall\":{\"toolCallId\":\"c\"},\"options\":[]}}");
        await().until(() -> human.getNumberOfDependents() > 0);
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancel_request\",\"params\":{\"requestId\":41}}");
        assertThat(agent.next().at("/error/code").asInt()).isEqualTo(-32800);
        await().until(human::isCancelled);
    }

    /**
     * A request that is answered before the executor gets to it (the agent withdrew it with {@code
     * $/cancel_request}, or the session was cancelled) has no effect: no file is written, and the permission
     * policy, which may ask a human in a chat, is not asked.
     */
    @Test
    void aRequestAnsweredBeforeItIsHandledHasNoEffect(@TempDir Path cwd) throws Exception {
        ManualExecutor executor = new ManualExecutor();
        AtomicInteger asked = new AtomicInteger();
        start(AcpClientOptions.builder()
                .executor(executor, false)
                .fsAccess(FsAccess.READ_WRITE)
                .permissionPolicy(request -> {
                    asked.incrementAndGet();
                    return CompletableFuture.completedFuture(request.allowOnce());
                })
                .build());
        CompletableFuture<SessionState> created = agent.client.newSession(SessionSetup.of(cwd));
        agent.writeLine(result(agent.next().get("id"), "{\"sessionId\":\"s\"}"));
        await().until(() -> executor.queued() > 0);
        executor.runNewestFirst();
        created.join();

        Path planted = cwd.resolve("planted.txt");
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"fs/write_text_file\",\"params\":"
                + "{\"sessionId\":\"s\",\"path\":\"" + planted + "\",\"content\":\"x\"}}");
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancel_request\",\"params\":{\"requestId\":1}}");
        assertThat(agent.next().at("/error/code").asInt()).isEqualTo(-32800);
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"session/request_permission\",\"params\":"
                + "{\"sessionId\":\"s\",\"toolCall\":{\"toolCallId\":\"c\"},\"options\":"
                + "[{\"optionId\":\"ok\",\"name\":\"OK\",\"kind\":\"allow_once\"}]}}");
        await().until(() -> executor.queued() == 2); // both are waiting to be handled
        agent.client.cancel("s");
        assertThat(agent.next().get("method").asText()).isEqualTo("session/cancel");
        assertThat(agent.next().at("/result/outcome/outcome").asText()).isEqualTo("cancelled");

        executor.runNewestFirst();

        assertThat(planted).doesNotExist();
        assertThat(asked).hasValue(0);
    }

    @Test
    void closeIsIdempotentAndFailsPendingRequests() throws InterruptedException {
        start(AcpClientOptions.defaults());
        PendingRequest<PromptResult> prompt = agent.client.prompt("s", List.of(ContentBlock.text("1")));
        Thread other = new Thread(agent.client::close);
        other.start();
        agent.client.close();
        other.join(10_000);
        assertThat(other.isAlive()).isFalse();
        assertThatThrownBy(() -> prompt.future().join())
                .cause()
                .isInstanceOf(AgentProcessException.class)
                .hasMessageContaining("closed");
        assertThat(agent.client.isAlive()).isFalse();
        assertThatThrownBy(() -> prompt.future().get()).isNotInstanceOf(CancellationException.class);
    }
}
