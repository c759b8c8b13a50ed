package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The agent's end of the stdio transport: one JSON-RPC message per line on stdout, and the agent's own
 * outgoing requests with their pending answers.
 */
final class Wire {
    /*
     * Concurrency: send() is called from the stdin reader thread and from every turn thread. One lock makes
     * each line (serialised before the lock is taken) reach stdout whole and in call order per thread, which
     * is what keeps every update of a turn ahead of that turn's response. The pending map is keyed by our own
     * request ids, a separate id space from the client's, and is touched without the lock.
     */

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectMapper mapper;
    private final OutputStream out;
    private final StderrLog log;
    private final Object writeLock = new Object();

    @GuardedBy("writeLock")
    private boolean broken;

    // Our requests are numbered from 0, as the TypeScript SDK's agents do, so a client that mixes up the two
    // id spaces (its own initialize is usually id 0 too) shows it at once.
    private final AtomicLong nextRequestId = new AtomicLong();
    private final ConcurrentMap<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    Wire(ObjectMapper mapper, OutputStream out, StderrLog log) {
        this.mapper = mapper;
        this.out = out;
        this.log = log;
    }

    /** Writes one message as one line. A closed stdout is logged once and then ignored. */
    void send(ObjectNode message) {
        byte[] line;
        try {
            line = mapper.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (writeLock) {
            if (broken) {
                return;
            }
            log.debug("SEND %s", message); // under the lock, so that the log shows the order on the wire
            try {
                out.write(line);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                broken = true;
                log.warn("cannot write to stdout any more, the client is gone: %s", e);
            }
        }
    }

    void respond(JsonNode id, JsonNode result) {
        ObjectNode message = envelope();
        message.set("id", id);
        message.set("result", result);
        send(message);
    }

    void error(@Nullable JsonNode id, int code, String text, @Nullable JsonNode data) {
        ObjectNode error = JSON.objectNode().put("code", code).put("message", text);
        if (data != null) {
            error.set("data", data);
        }
        ObjectNode message = envelope();
        message.set("id", id == null ? NullNode.getInstance() : id);
        message.set("error", error);
        send(message);
    }

    void notify(String method, ObjectNode params) {
        ObjectNode message = envelope().put("method", method);
        message.set("params", params);
        send(message);
    }

    /** Sends a request to the client; the future completes with the whole response message. */
    CompletableFuture<JsonNode> request(String method, ObjectNode params) {
        long id = nextRequestId.getAndIncrement();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = envelope().put("id", id).put("method", method);
        message.set("params", params);
        send(message);
        return answer;
    }

    /** Routes a response from the client to the request it answers; returns false if it answers nothing. */
    @CanIgnoreReturnValue
    boolean onResponse(JsonNode message) {
        JsonNode id = message.path("id");
        CompletableFuture<JsonNode> answer =
                id.canConvertToLong() && id.isIntegralNumber() ? pending.remove(id.longValue()) : null;
        if (answer == null) {
            log.warn("ignoring a response to a request I never sent (id %s): %s", id, message);
            return false;
        }
        answer.complete(message);
        return true;
    }

    private static ObjectNode envelope() {
        return JSON.objectNode().put("jsonrpc", "2.0");
    }
}
