package io.github.acppool.turn;

import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.internal.Json;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.FakeScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real fake-agent process, its initialized client, and streamers whose timers run on a fake clock (the agent
 * runs in real time, the turn's timers only when the test advances the clock).
 */
final class AgentFixture implements AutoCloseable {
    final FakeScheduler clock = new FakeScheduler();
    final AcpClient client;
    private final Path cwd;
    private final List<PromptStreamer> streamers = new ArrayList<>();

    AgentFixture(Path cwd, String... flags) {
        this.cwd = cwd;
        this.client = AcpClient.launch(FakeAgent.launchSpec(flags), AcpClientOptions.defaults());
        get(client.initialize());
    }

    String newSession() {
        return get(client.newSession(SessionSetup.of(cwd))).sessionId();
    }

    PromptStreamer streamer(DrainPolicy drain, LivenessPolicy liveness) {
        PromptStreamer streamer = PromptStreamer.builder()
                .drainPolicy(drain)
                .livenessPolicy(liveness)
                .scheduler(clock, false)
                .ticker(clock)
                .build();
        streamers.add(streamer);
        return streamer;
    }

    PromptStreamer streamer(DrainPolicy drain) {
        return streamer(drain, LivenessPolicy.defaults());
    }

    static List<ContentBlock> script(String commands) {
        return List.of(ContentBlock.text(commands));
    }

    /** Makes the agent send a chunk now; when this returns, the client has delivered it. */
    void agentSays(String sessionId, String text) {
        get(client.request(
                        "_fake/say", Json.object().put("sessionId", sessionId).put("text", text))
                .future());
    }

    /**
     * Makes the agent answer its stalled prompts (waiting until the turn's thread in the agent has stalled);
     * when this returns, the client has read the answers.
     */
    int answerStalled(String sessionId, boolean error) {
        return await().until(
                        () -> get(client.request(
                                                "_fake/answer-stalled",
                                                Json.object()
                                                        .put("sessionId", sessionId)
                                                        .put("error", error))
                                        .future())
                                .path("answered")
                                .asInt(),
                        answered -> answered > 0);
    }

    /** Waits until the agent's turn thread has reached {@code stall}, so that a cancel cannot end it early. */
    void awaitStalled(String sessionId) {
        await().until(() -> get(client.request("_fake/stalled", Json.object().put("sessionId", sessionId))
                                .future())
                        .path("stalled")
                        .asInt()
                > 0);
    }

    /** Releases a {@code wait-for-continue}. */
    void resume(String sessionId) {
        client.notify("_fake/continue", Json.object().put("sessionId", sessionId));
    }

    /** Waits until the prompt's answer has arrived and the drain timer (due within {@code window}) is armed. */
    void awaitDrainTimer(Duration window) {
        await().until(() -> {
            Duration next = clock.nextDueIn();
            return next != null && next.compareTo(window) <= 0;
        });
    }

    static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        streamers.forEach(PromptStreamer::close);
        client.close();
    }
}
