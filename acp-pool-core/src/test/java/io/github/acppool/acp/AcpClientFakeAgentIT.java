package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionState;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Json;
import io.github.acppool.testing.FakeAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** The client against the scripted fake agent, a real process. */
@Timeout(60)
final class AcpClientFakeAgentIT {
    @TempDir
    Path cwd;

    private final List<AcpClient> clients = new ArrayList<>();

    @AfterEach
    void closeAll() {
        clients.forEach(AcpClient::close);
    }

    private AcpClient launch(AcpClientOptions options, String... flags) {
        AcpClient client = AcpClient.launch(FakeAgent.launchSpec(flags), options);
        clients.add(client);
        return client;
    }

    private AcpClient launch(String... flags) {
        return launch(AcpClientOptions.defaults(), flags);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private String session(AcpClient client, Recorder recorder) throws Exception {
        get(client.initialize());
        return get(client.newSession(SessionSetup.of(cwd), recorder)).sessionId();
    }

    private static PendingRequest<PromptResult> prompt(AcpClient client, String sessionId, String script) {
        return client.prompt(sessionId, List.of(ContentBlock.text(script)));
    }

    /**
     * Waits until a turn whose script starts with {@code say waiting} has started: the fake agent arms its
     * {@code wait-for-continue} latch when the turn starts, so a {@code _fake/continue} sent before that is lost.
     */
    private static void awaitTurnWaiting(Recorder recorder) {
        await().until(() -> recorder.messages().contains("waiting"));
    }

    @Test
    void happyPath_updatesArriveInOrderBeforeThePromptCompletes() throws Exception {
        AcpClient client = launch();
        InitializeResult init = get(client.initialize());
        assertThat(init.agentInfo().name()).isEqualTo("fake-agent");
        assertThat(init.agentCapabilities().loadSession()).isTrue();
        assertThat(client.initializeResult()).contains(init);
        Recorder recorder = new Recorder();
        String sessionId = get(client.newSession(SessionSetup.of(cwd))).sessionId();
        try (Subscription subscription = client.subscribe(sessionId, recorder)) {
            PromptResult result = get(prompt(
                            client,
                            sessionId,
                            "say Hello\nthought pondering\ntool t1 read Reading README.md\ntool-done t1\nchunks 3000 16\nsay Bye")
                    .future());
            // No waiting: everything before the answer has been delivered when the future completes.
            assertThat(result.stopReason()).isEqualTo(StopReason.END_TURN);
            List<String> messages = recorder.messages();
            assertThat(messages).hasSize(3002);
            assertThat(messages.get(0)).isEqualTo("Hello");
            assertThat(messages.get(3001)).isEqualTo("Bye");
            for (int i = 0; i < 3000; i++) {
                assertThat(messages.get(i + 1)).isEqualTo(String.valueOf(i % 10).repeat(16));
            }
            List<SessionUpdate> updates = recorder.updates();
            assertThat(updates.get(1)).isInstanceOf(SessionUpdate.AgentThoughtChunk.class);
            assertThat(updates.get(2)).isInstanceOfSatisfying(SessionUpdate.ToolCall.class, t -> {
                assertThat(t.toolCallId()).isEqualTo("t1");
                assertThat(t.toolKind()).isEqualTo("read");
                assertThat(t.title()).isEqualTo("Reading README.md");
            });
            assertThat(updates.get(3))
                    .isInstanceOfSatisfying(SessionUpdate.ToolCallUpdate.class, t -> assertThat(t.status())
                            .isEqualTo("completed"));
        }
        assertThat(client.isAlive()).isTrue();
        assertThat(client.pid()).isPresent();
    }

    @Test
    void aLateChunkAfterTheAnswerStillReachesTheListener() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "say main\nlate afterwards").future());
        assertThat(recorder.messages()).startsWith("main");
        await().until(() -> recorder.messages().size() == 2);
        assertThat(recorder.messages()).containsExactly("main", "afterwards");
    }

    @Test
    void permissionRequestsGoThroughThePolicyAndStringIdsAreEchoed() throws Exception {
        AcpClient allow = launch(
                AcpClientOptions.builder()
                        .permissionPolicy(PermissionPolicy.allowOnce())
                        .build(),
                "--string-ids");
        Recorder recorder = new Recorder();
        String sessionId = session(allow, recorder);
        get(prompt(allow, sessionId, "permission call_2").future());
        assertThat(recorder.messages())
                .containsExactly("permission call_2: {\"outcome\":{\"outcome\":\"selected\",\"optionId\":\"allow\"}}");

        AcpClient reads = launch(AcpClientOptions.builder()
                .permissionPolicy(PermissionPolicy.allowToolKinds(Set.of("read")))
                .build());
        Recorder readsRecorder = new Recorder();
        String readsSession = session(reads, readsRecorder);
        get(prompt(reads, readsSession, "permission call_3").future());
        assertThat(readsRecorder.messages())
                .containsExactly("permission call_3: {\"outcome\":{\"outcome\":\"selected\",\"optionId\":\"reject\"}}");
    }

    @Test
    void askingAHumanAndCancellingWhileTheQuestionIsOpen() throws Exception {
        List<CompletableFuture<PermissionOutcome>> questions = new java.util.concurrent.CopyOnWriteArrayList<>();
        PermissionPolicy human = PermissionPolicy.askHuman(
                request -> {
                    CompletableFuture<PermissionOutcome> question = new CompletableFuture<>();
                    questions.add(question);
                    return question;
                },
                Duration.ofMinutes(5),
                PermissionPolicy.rejectAll());
        AcpClient client =
                launch(AcpClientOptions.builder().permissionPolicy(human).build());
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);

        PendingRequest<PromptResult> answered = prompt(client, sessionId, "permission c1");
        await().until(() -> questions.size() == 1);
        questions.get(0).complete(PermissionOutcome.selected("allow"));
        assertThat(get(answered.future()).stopReason()).isEqualTo(StopReason.END_TURN);

        PendingRequest<PromptResult> cancelled = prompt(client, sessionId, "permission c2\nsay never");
        await().until(() -> questions.size() == 2);
        client.cancel(sessionId);
        assertThat(get(cancelled.future()).stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(questions.get(1)).as("the open question is withdrawn").isCancelled();
        assertThat(recorder.messages())
                .containsExactly(
                        "permission c1: {\"outcome\":{\"outcome\":\"selected\",\"optionId\":\"allow\"}}",
                        "permission c2: {\"outcome\":{\"outcome\":\"cancelled\"}}");
    }

    @Test
    void cancelEndsAWaitingTurnWithCancelled() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        PendingRequest<PromptResult> turn = prompt(client, sessionId, "say started\nwait-for-continue\nsay never");
        await().until(() -> recorder.messages().contains("started"));
        client.cancel(sessionId);
        assertThat(get(turn.future()).stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(recorder.messages()).containsExactly("started");
    }

    @Test
    void extensionNotificationsAndRequestsReachTheAgent() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        PendingRequest<PromptResult> turn = prompt(client, sessionId, "say waiting\nwait-for-continue\nsay resumed");
        awaitTurnWaiting(recorder);
        client.notify("_fake/continue", Json.object().put("sessionId", sessionId));
        assertThat(get(turn.future()).stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(recorder.messages()).containsExactly("waiting", "resumed");
        assertThatThrownBy(
                        () -> get(client.request("_fake/unknown", Json.object()).future()))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(AcpProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(-32601);
                    assertThat(e.data().get("method").asText()).isEqualTo("_fake/unknown");
                });
    }

    /** openab #292/#295 (stream hangs when the agent dies) and #854 (opaque errors without stderr). */
    @Test
    void aCrashMidTurnFailsThePromptWithExitCodeAndStderr() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        PendingRequest<PromptResult> turn =
                prompt(client, sessionId, "say before\ncrash 3 FATAL: model quota exceeded");
        assertThatThrownBy(() -> get(turn.future())).cause().isInstanceOfSatisfying(AgentProcessException.class, e -> {
            assertThat(e.exitCode()).hasValue(3);
            assertThat(e.stderrTail()).contains("FATAL: model quota exceeded");
        });
        assertThat(recorder.messages()).containsExactly("before");
        assertThat(get(client.onExit())).isEqualTo(3);
        assertThat(client.exitCode()).hasValue(3);
        assertThat(client.isAlive()).isFalse();
        assertThatThrownBy(() -> get(prompt(client, sessionId, "say again").future()))
                .cause()
                .isInstanceOf(AgentProcessException.class);
    }

    @Test
    void anAgentThatExitsBeforeInitializeFailsInitializeWithItsStderr() throws Exception {
        AcpClient client = launch("--exit-before-initialize=7");
        assertThatThrownBy(() -> get(client.initialize()))
                .cause()
                .isInstanceOfSatisfying(AgentProcessException.class, e -> {
                    assertThat(e.exitCode()).hasValue(7);
                    assertThat(e.stderrTail()).contains("fake agent refuses to start");
                });
        assertThat(client.isAlive()).isFalse();
    }

    @Test
    void aCommandThatDoesNotExistFailsAtLaunch() {
        assertThatThrownBy(() -> AcpClient.launch(
                        AgentLaunchSpec.builder("/nonexistent/agent-binary").build(), AcpClientOptions.defaults()))
                .isInstanceOf(AgentProcessException.class)
                .hasMessageContaining("cannot start agent");
    }

    @Test
    void bannerLinesGarbageAndStrayAnswersAreSkipped() throws Exception {
        AcpClient client = launch("--banner=3");
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        PromptResult result = get(prompt(
                        client,
                        sessionId,
                        "garbage Loading model...\nnull-id-error\nunknown-id-response\nsay still here")
                .future());
        assertThat(result.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(recorder.messages()).containsExactly("still here");
    }

    @Test
    void aHugeLineIsDroppedAndTheConnectionGoesOn() throws Exception {
        AcpClient client =
                launch(AcpClientOptions.builder().maxLineBytes(64 * 1024).build());
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "say before\nhuge-line 1000000\nsay after")
                .future());
        assertThat(recorder.messages()).containsExactly("before", "after");
        get(prompt(client, sessionId, "say next turn").future());
        assertThat(recorder.messages()).containsExactly("before", "after", "next turn");
    }

    @Test
    void aStderrFloodDoesNotBlockStreaming() throws Exception {
        AcpClient client = launch(AcpClientOptions.builder()
                .stderrLogLevel(Level.TRACE)
                .stderrTailBytes(4096)
                .build());
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "stderr-flood 8192\nchunks 2000 20\nstderr-flood 1024\nsay done")
                .future());
        assertThat(recorder.messages()).hasSize(2001).last().isEqualTo("done");
        assertThat(client.stderrTail()).hasSizeLessThanOrEqualTo(4096).contains("stderr flood line");
    }

    @Test
    void unknownUpdateKindsAndFieldsAreKeptAndBothModeFieldNamesWork() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "unknown-update\nmode architect\nmode-legacy code")
                .future());
        List<SessionUpdate> updates = recorder.updates();
        assertThat(updates.get(0)).isInstanceOfSatisfying(SessionUpdate.Unknown.class, u -> {
            assertThat(u.kind()).isEqualTo("fake_future_kind");
            assertThat(u.raw().at("/nested/deep").asBoolean()).isTrue();
        });
        assertThat(updates.get(1)).isInstanceOfSatisfying(SessionUpdate.AgentMessageChunk.class, u -> assertThat(
                        u.raw().get("futureField").asText())
                .isEqualTo("kept"));
        assertThat(recorder.ofType(SessionUpdate.CurrentModeUpdate.class))
                .extracting(SessionUpdate.CurrentModeUpdate::currentModeId)
                .containsExactly("architect", "code");
    }

    /** openab #997/#1300: a hung agent stays alive; only a caller's timeout or close() (HUNG eviction) ends it. */
    @Test
    void aHangIsOnlyEndedByATimeoutOrClose() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        PendingRequest<PromptResult> bounded =
                client.prompt(sessionId, List.of(ContentBlock.text("hang")), Duration.ofMillis(300));
        assertThatThrownBy(() -> get(bounded.future())).cause().isInstanceOf(AcpRequestTimeoutException.class);
        assertThat(client.isAlive()).as("a hung agent is alive").isTrue();

        // That a prompt has no timeout by default is shown on a fake clock in AcpClientProtocolTest.
        PendingRequest<PromptResult> unbounded = prompt(client, sessionId, "hang");
        assertThat(unbounded.future()).isNotDone();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(client::close);
        client.close(); // concurrently, from two threads, while the prompt is in flight
        get(closing);
        assertThatThrownBy(() -> get(unbounded.future()))
                .cause()
                .isInstanceOf(AgentProcessException.class)
                .hasMessageContaining("closed");
        assertThat(client.isAlive()).isFalse();
        assertThat(client.exitCode()).isPresent();
    }

    /** openab #732: a timed-out prompt's late answer completed the next prompt ("(no response)" cascade). */
    @Test
    void anAbandonedPromptsLateAnswerCannotCompleteTheNextPrompt() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        PendingRequest<PromptResult> first =
                prompt(client, sessionId, "say waiting\nwait-for-continue\nstop max_tokens");
        awaitTurnWaiting(recorder);
        first.abandon();
        client.notify("_fake/continue", Json.object().put("sessionId", sessionId));
        // The first turn's answer (max_tokens) arrives now and must be dropped.
        PendingRequest<PromptResult> second = prompt(client, sessionId, "say second");
        assertThat(get(second.future()).stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(first.future()).isCancelled();
        assertThat(recorder.messages()).containsExactly("waiting", "second");
    }

    /** openab #309: agents' tool processes leaked gigabytes after their agent was killed. */
    @Test
    void theGrandchildIsGoneAfterClose() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "spawn-grandchild").future());
        long pid = Long.parseLong(recorder.messages().get(0).substring("grandchild ".length()));
        ProcessHandle grandchild = ProcessHandle.of(pid).orElseThrow();
        assertThat(grandchild.isAlive()).isTrue();
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !grandchild.isAlive());
        assertThat(client.isAlive()).isFalse();
    }

    /**
     * A tool process that inherited the agent's stdout keeps it open after the agent dies: pending requests
     * must still fail (no EOF ever comes), and close() must still find and kill the orphan.
     */
    @Test
    void anOrphanHoldingStdoutNeitherHidesTheCrashNorSurvivesClose() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "spawn-orphan").future());
        ProcessHandle orphan = ProcessHandle.of(
                        Long.parseLong(recorder.messages().get(0).substring("orphan ".length())))
                .orElseThrow();
        PendingRequest<PromptResult> turn = prompt(client, sessionId, "crash 5 died with a child");
        assertThatThrownBy(() -> get(turn.future()))
                .cause()
                .isInstanceOfSatisfying(AgentProcessException.class, e -> assertThat(e.exitCode())
                        .hasValue(5));
        assertThat(client.isAlive()).isFalse();
        assertThat(orphan.isAlive()).as("re-parented, still running").isTrue();
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !orphan.isAlive());
    }

    /** The broker's secrets (e.g. a chat bot token) never reach the agent unless asked for. */
    @Test
    void theEnvironmentIsMinimalByDefault() throws Exception {
        String secret = System.getenv().keySet().stream()
                .filter(name -> !AgentLaunchSpec.BASELINE_ENV.contains(name) && name.matches("[A-Z_][A-Z0-9_]*"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the test JVM has no variable beyond the baseline"));
        AcpClient minimal = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(minimal, recorder);
        get(prompt(minimal, sessionId, "env " + secret + "\nenv PATH").future());
        assertThat(recorder.messages())
                .containsExactly("env " + secret + " unset", "env PATH=" + System.getenv("PATH"));

        AgentLaunchSpec base = FakeAgent.launchSpec();
        AcpClient configured = AcpClient.launch(
                AgentLaunchSpec.builder(base.command())
                        .args(base.args())
                        .inheritEnv(secret)
                        .env("ACP_POOL_EXPLICIT", "yes")
                        .workingDirectory(cwd)
                        .build(),
                AcpClientOptions.defaults());
        clients.add(configured);
        Recorder configuredRecorder = new Recorder();
        String configuredSession = session(configured, configuredRecorder);
        get(prompt(configured, configuredSession, "env " + secret + "\nenv ACP_POOL_EXPLICIT")
                .future());
        assertThat(configuredRecorder.messages())
                .containsExactly("env " + secret + "=" + System.getenv(secret), "env ACP_POOL_EXPLICIT=yes");
    }

    @Test
    void fileAccessIsConfinedToTheSessionDirectory() throws Exception {
        Path outside = Files.createTempDirectory("acp-outside");
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(cwd.resolve("escape"), outside);
        AcpClient client =
                launch(AcpClientOptions.builder().fsAccess(FsAccess.READ_WRITE).build());
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(
                        client,
                        sessionId,
                        String.join(
                                "\n",
                                "fs-write " + cwd.resolve("notes/today.md") + " hello from the agent",
                                "fs-read " + cwd.resolve("notes/today.md"),
                                "fs-read " + cwd + "/../" + outside.getFileName() + "/secret.txt",
                                "fs-read " + outside.resolve("secret.txt"),
                                "fs-read " + cwd.resolve("escape/secret.txt"),
                                "fs-write " + cwd.resolve("escape/planted.txt") + " x"))
                .future());
        List<String> messages = recorder.messages();
        assertThat(messages.get(0)).isEqualTo("fs-write: {}");
        assertThat(messages.get(1)).isEqualTo("fs-read: {\"content\":\"hello from the agent\"}");
        for (String refused : messages.subList(2, 6)) {
            assertThat(refused).contains("error").contains("-32602");
        }
        assertThat(outside.resolve("planted.txt")).doesNotExist();
        assertThat(Files.readString(cwd.resolve("notes/today.md"))).isEqualTo("hello from the agent");
    }

    @Test
    void unknownAgentRequestsGetMethodNotFoundAndFsIsOffByDefault() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "client-request terminal/create\nclient-request _fake/ext\nfs-read /etc/hostname")
                .future());
        assertThat(recorder.messages()).allSatisfy(m -> assertThat(m).contains("\"code\":-32601"));
        assertThat(recorder.messages()).hasSize(3);
    }

    @Test
    void loadReplaysHistoryBeforeItCompletesAndOtherSessionMethodsWork() throws Exception {
        AcpClient client = launch();
        Recorder recorder = new Recorder();
        String sessionId = session(client, recorder);
        get(prompt(client, sessionId, "say remembered").future());

        Recorder replay = new Recorder();
        try (Subscription s = client.subscribe(sessionId, replay)) {
            SessionState loaded = get(client.loadSession(sessionId, SessionSetup.of(cwd)));
            assertThat(loaded.sessionId()).isEqualTo(sessionId);
            assertThat(replay.ofType(SessionUpdate.UserMessageChunk.class)).hasSize(1);
            assertThat(replay.messages()).containsExactly("remembered");
        }
        assertThat(get(client.resumeSession(sessionId, SessionSetup.of(cwd))).sessionId())
                .isEqualTo(sessionId);
        get(client.setMode(sessionId, "code"));
        List<JsonNode> options = get(client.setConfigOption(sessionId, "web", Json.NODES.booleanNode(true)));
        assertThat(options.get(0).get("currentValue").asBoolean()).isTrue();
        get(client.authenticate("fake-login"));
        get(client.closeSession(sessionId));
        assertThatThrownBy(() -> get(client.loadSession(sessionId, SessionSetup.of(cwd))))
                .cause()
                .isInstanceOfSatisfying(
                        AcpProtocolException.class, e -> assertThat(e.code()).isEqualTo(-32002));
    }

    @Test
    void loadFailuresAndMissingCapabilitiesAreReported() throws Exception {
        AcpClient failing = launch("--fail-load");
        Recorder recorder = new Recorder();
        String sessionId = session(failing, recorder);
        assertThatThrownBy(() -> get(failing.loadSession(sessionId, SessionSetup.of(cwd))))
                .cause()
                .isInstanceOf(AcpProtocolException.class);
        AcpClient noLoad = launch("--no-load-session");
        String other = session(noLoad, new Recorder());
        assertThatThrownBy(() -> get(noLoad.loadSession(other, SessionSetup.of(cwd))))
                .cause()
                .isInstanceOf(MissingCapabilityException.class);
    }

    @Test
    void anAgentSpeakingAnotherVersionIsRejected() throws Exception {
        AcpClient client = launch("--protocol-version=2");
        assertThatThrownBy(() -> get(client.initialize()))
                .cause()
                .isInstanceOfSatisfying(AcpProtocolException.class, e -> assertThat(e.code())
                        .isEqualTo(AcpProtocolException.UNUSABLE_RESPONSE));
    }

    @Test
    void closeWithoutAnyRequestStopsAnIdleAgentQuickly() throws Exception {
        AcpClient client = launch();
        get(client.initialize());
        CountDownLatch exited = new CountDownLatch(1);
        var unused = client.onExit().thenRun(exited::countDown);
        client.close();
        assertThat(exited.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitCode()).hasValue(0);
        assertThatThrownBy(() -> get(client.newSession(SessionSetup.of(cwd))))
                .cause()
                .isInstanceOf(AgentProcessException.class);
    }
}
