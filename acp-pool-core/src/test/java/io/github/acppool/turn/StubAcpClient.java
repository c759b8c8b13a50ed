package io.github.acppool.turn;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.PendingRequest;
import io.github.acppool.acp.SessionUpdateListener;
import io.github.acppool.acp.Subscription;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.SessionState;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link AcpClient} without a process, for tests of the turn's state machine: the test delivers updates
 * and completes prompts by hand, and reads what the turn did to the client. Thread-safe.
 */
final class StubAcpClient implements AcpClient {

    /** A prompt the turn sent; the test completes its future. */
    static final class Prompt implements PendingRequest<PromptResult> {
        final long id;
        final CompletableFuture<PromptResult> future = new CompletableFuture<>();
        final AtomicBoolean abandoned = new AtomicBoolean();

        Prompt(long id) {
            this.id = id;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public String method() {
            return "session/prompt";
        }

        @Override
        public CompletableFuture<PromptResult> future() {
            return future;
        }

        @Override
        public boolean abandon() {
            boolean first = abandoned.compareAndSet(false, true);
            future.cancel(false);
            return first;
        }

        void answer(String stopReason) {
            future.complete(PromptResult.fromJson(Json.object().put("stopReason", stopReason)));
        }
    }

    final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    final AtomicInteger cancels = new AtomicInteger();
    final AtomicInteger subscribes = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    volatile SessionUpdateListener listener = (id, update) -> {};
    volatile boolean alive = true;
    volatile InitializeResult initializeResult;
    /** When set, {@link #stderrTail()} throws it. */
    volatile RuntimeException stderrFailure;

    static SessionUpdate update(String json) {
        try {
            return SessionUpdate.fromJson(Json.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionUpdate chunk(String text) {
        return update("{\"sessionUpdate\":\"agent_message_chunk\",\"content\":{\"type\":\"text\",\"text\":"
                + Json.NODES.textNode(text) + "}}");
    }

    static SessionUpdate chunk(String text, String messageId) {
        return update("{\"sessionUpdate\":\"agent_message_chunk\",\"messageId\":" + Json.NODES.textNode(messageId)
                + ",\"content\":{\"type\":\"text\",\"text\":" + Json.NODES.textNode(text) + "}}");
    }

    /** Delivers an update as the client's delivery thread would. */
    void deliver(String sessionId, SessionUpdate update) {
        listener.onUpdate(sessionId, update);
    }

    Prompt lastPrompt() {
        return prompts.get(prompts.size() - 1);
    }

    @Override
    public PendingRequest<PromptResult> prompt(String sessionId, List<ContentBlock> prompt) {
        Prompt sent = new Prompt(ids.incrementAndGet());
        prompts.add(sent);
        return sent;
    }

    @Override
    public PendingRequest<PromptResult> prompt(String sessionId, List<ContentBlock> prompt, Duration timeout) {
        return prompt(sessionId, prompt);
    }

    @Override
    public void cancel(String sessionId) {
        cancels.incrementAndGet();
    }

    @Override
    public Subscription subscribe(String sessionId, SessionUpdateListener newListener) {
        subscribes.incrementAndGet();
        listener = newListener;
        return new Subscription() {
            @Override
            public String sessionId() {
                return sessionId;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Optional<SessionUpdateListener> listener(String sessionId) {
        return Optional.of(listener);
    }

    @Override
    public Optional<InitializeResult> initializeResult() {
        return Optional.ofNullable(initializeResult);
    }

    @Override
    public boolean isAlive() {
        return alive;
    }

    @Override
    public OptionalInt exitCode() {
        return alive ? OptionalInt.empty() : OptionalInt.of(9);
    }

    @Override
    public String stderrTail() {
        RuntimeException failure = stderrFailure;
        if (failure != null) {
            throw failure;
        }
        return "stub stderr";
    }

    @Override
    public OptionalInt pid() {
        return OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "stub-client";
    }

    // Not used by the streamer.

    @Override
    public CompletableFuture<InitializeResult> initialize() {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> authenticate(String methodId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SessionState> newSession(SessionSetup setup) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SessionState> newSession(SessionSetup setup, SessionUpdateListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SessionState> loadSession(String sessionId, SessionSetup setup) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SessionState> resumeSession(String sessionId, SessionSetup setup) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> closeSession(String sessionId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> setMode(String sessionId, String modeId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<List<JsonNode>> setConfigOption(String sessionId, String configId, JsonNode value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public PendingRequest<JsonNode> request(String method, JsonNode params) {
        throw new UnsupportedOperationException();
    }

    @Override
    public PendingRequest<JsonNode> request(String method, JsonNode params, Duration timeout) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void notify(String method, JsonNode params) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return new CompletableFuture<>();
    }

    @Override
    public void close() {}
}
