package io.github.acppool.discord.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one gateway WebSocket connection: HELLO on open, heartbeat ACKs, IDENTIFY (checked against
 * the token and the privileged intents the fake allows), then READY and GUILD_CREATE from {@link FakeDiscord}, and
 * dispatches with increasing sequence numbers, optionally zlib-stream compressed as Discord does it.
 */
final class FakeGatewaySession extends WebSocketListener {

    /*
     * Concurrency: OkHttp calls the listener on its reader thread; FakeDiscord dispatches from test and REST
     * threads. `this` guards the sequence number, the deflater and the identify state, so frames leave in
     * sequence order. FakeDiscord's lock is taken before this monitor, never after (see FakeDiscord).
     */
    private static final Logger LOG = LoggerFactory.getLogger(FakeGatewaySession.class);

    static final int OP_DISPATCH = 0;
    static final int OP_HEARTBEAT = 1;
    static final int OP_IDENTIFY = 2;
    static final int OP_RESUME = 6;
    static final int OP_HELLO = 10;
    static final int OP_HEARTBEAT_ACK = 11;

    private final FakeDiscord discord;
    private final boolean zlib;
    private final long heartbeatIntervalMillis;
    private final @Nullable Deflater deflater;

    private @Nullable WebSocket socket;
    private int sequence;
    private boolean identified;
    private boolean closed;
    private int intents;
    private int shardId;
    private int shardTotal = 1;
    private String sessionId = "";

    FakeGatewaySession(FakeDiscord discord, boolean zlib, long heartbeatIntervalMillis) {
        this.discord = discord;
        this.zlib = zlib;
        this.heartbeatIntervalMillis = heartbeatIntervalMillis;
        this.deflater = zlib ? new Deflater() : null;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        synchronized (this) {
            socket = webSocket;
        }
        discord.onConnection();
        ObjectNode hello = Payloads.JSON.objectNode();
        hello.put("op", OP_HELLO);
        hello.putNull("s");
        hello.putNull("t");
        hello.putObject("d").put("heartbeat_interval", heartbeatIntervalMillis);
        sendRaw(hello);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        JsonNode frame = Payloads.parse(text);
        int op = frame.path("op").asInt(-1);
        switch (op) {
            case OP_HEARTBEAT -> {
                discord.onHeartbeat();
                ObjectNode ack = Payloads.JSON.objectNode();
                ack.put("op", OP_HEARTBEAT_ACK);
                sendRaw(ack);
            }
            case OP_IDENTIFY -> discord.onIdentify(this, frame.path("d"));
            case OP_RESUME -> dispatch("RESUMED", Payloads.JSON.objectNode());
            default -> LOG.debug("fake gateway ignores op {}: {}", op, text);
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(code, null);
        markClosed();
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        markClosed();
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, @Nullable Response response) {
        LOG.debug("fake gateway connection failed", t);
        markClosed();
    }

    private void markClosed() {
        synchronized (this) {
            closed = true;
            if (deflater != null) {
                deflater.end();
            }
        }
        discord.onSessionClosed(this);
    }

    synchronized void identified(String sessionId, int intents, int shardId, int shardTotal) {
        this.identified = true;
        this.sessionId = sessionId;
        this.intents = intents;
        this.shardId = shardId;
        this.shardTotal = shardTotal;
    }

    synchronized boolean isIdentified() {
        return identified && !closed;
    }

    synchronized int intents() {
        return intents;
    }

    synchronized String sessionId() {
        return sessionId;
    }

    /** Whether a guild's events go to this connection: Discord routes by {@code (guild_id >> 22) % shard_count}. */
    synchronized boolean servesGuild(long guildId) {
        return (int) ((guildId >>> 22) % shardTotal) == shardId;
    }

    synchronized boolean isShardZero() {
        return shardId == 0;
    }

    synchronized int shardId() {
        return shardId;
    }

    synchronized void close(int code, String reason) {
        if (socket != null && !closed) {
            socket.close(code, reason);
        }
    }

    /** Sends a dispatch (op 0) with the next sequence number. */
    synchronized void dispatch(String type, JsonNode data) {
        ObjectNode frame = Payloads.JSON.objectNode();
        frame.put("op", OP_DISPATCH);
        frame.put("s", ++sequence);
        frame.put("t", type);
        frame.set("d", data);
        sendRaw(frame);
    }

    private synchronized void sendRaw(ObjectNode frame) {
        WebSocket ws = socket;
        if (ws == null || closed) {
            return;
        }
        String text = Payloads.write(frame);
        if (!zlib) {
            ws.send(text);
            return;
        }
        // zlib-stream: one deflate stream per connection, every payload ends with a sync flush (00 00 ff ff).
        Deflater z = java.util.Objects.requireNonNull(deflater);
        z.setInput(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        do {
            n = z.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            out.write(buffer, 0, n);
        } while (n == buffer.length);
        ws.send(ByteString.of(out.toByteArray()));
    }
}
