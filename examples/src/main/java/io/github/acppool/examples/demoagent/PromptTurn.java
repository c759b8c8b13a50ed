package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.examples.demoagent.SessionStore.Role;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Plays one prompt turn on its own thread: reads the prompt, streams the reply, runs the pretend tool calls,
 * and answers the {@code session/prompt} request. Every update of the turn is sent from this thread before
 * the response, which is what the protocol requires (except for {@code /late}, which breaks it on purpose).
 * Not thread-safe: one instance runs once, on one thread; other threads reach it only through its
 * {@link Turn}.
 */
final class PromptTurn implements Runnable {
    static final String END_TURN = "end_turn";
    static final String CANCELLED = "cancelled";

    /** How fast the agent types. */
    record Pacing(boolean enabled) {
        /** The pause between two pieces of a streamed reply. */
        long betweenPieces() {
            return enabled ? ThreadLocalRandom.current().nextLong(25, 75) : 0;
        }

        /** A pause that makes a pretend tool look busy; none without delays. */
        long step(long millis) {
            return enabled ? millis : 0;
        }
    }

    private final Wire wire;
    private final SessionStore store;
    private final DemoSession session;
    private final Turn turn;
    private final PromptInput input;
    private final Pacing pacing;
    private final AtomicLong toolCallIds;
    private final StderrLog log;
    private final IntConsumer exit;
    private final String agentMessageId = UUID.randomUUID().toString();
    private final StringBuilder agentText = new StringBuilder();
    private boolean answered;

    PromptTurn(
            Wire wire,
            SessionStore store,
            DemoSession session,
            Turn turn,
            PromptInput input,
            Pacing pacing,
            AtomicLong toolCallIds,
            StderrLog log,
            IntConsumer exit) {
        this.wire = wire;
        this.store = store;
        this.session = session;
        this.turn = turn;
        this.input = input;
        this.pacing = pacing;
        this.toolCallIds = toolCallIds;
        this.log = log;
        this.exit = exit;
    }

    @Override
    public void run() {
        try {
            // Saved before anything else, so that even a crash mid-turn keeps what the user said.
            session.append(UUID.randomUUID().toString(), Role.USER, input.historyText());
            store.save(session.snapshot());
            String stopReason = play();
            if (stopReason != null && !answered) {
                finish(stopReason);
            }
        } catch (RuntimeException e) {
            log.warn("session %s: the turn failed: %s", session.id(), e);
            if (!answered) {
                answered = true;
                session.end(turn);
                wire.error(
                        turn.requestId(),
                        RpcException.INTERNAL_ERROR,
                        "Internal error",
                        Wire.JSON.objectNode().put("details", String.valueOf(e)));
            }
        } finally {
            session.end(turn);
            turn.markFinished();
        }
    }

    /** Runs the script the prompt asks for; returns the stop reason, or null if the turn was answered already. */
    private @Nullable String play() {
        Command.Parsed parsed = Command.parse(input.text());
        if (!parsed.isCommand()) {
            return chat();
        }
        Command command = parsed.command();
        if (command == null) {
            return say(Replies.unknownCommand(parsed.name()));
        }
        return switch (command) {
            case HELP -> say(Replies.help());
            case TOOL -> tool();
            case SLOW -> slow(parsed.argument());
            case PERMISSION -> permission();
            case LONG -> say(Replies.longReply());
            case LATE -> late(parsed.argument());
            case CRASH -> crash();
            case HANG -> hang();
        };
    }

    private String chat() {
        String id = toolCall("Reading your message", "read", "pending", null);
        if (turn.pause(pacing.step(200))) {
            return cancelledTool(id);
        }
        toolUpdate(id, "in_progress", null);
        if (turn.pause(pacing.step(400))) {
            return cancelledTool(id);
        }
        toolUpdate(id, "completed", Replies.readSummary(input.text()));
        if (turn.pause(pacing.step(200))) {
            return CANCELLED;
        }
        return say(Replies.analysis(input, session.userMessageCount(), session.previousUserText()));
    }

    private String tool() {
        if (!stream("Let me run the test suite.")) {
            return CANCELLED;
        }
        String id = toolCall("Running the test suite", "execute", "pending", null);
        List<String> steps = List.of(
                "Compiling 12 source files",
                "Running 42 unit tests",
                "Running 7 integration tests",
                "Writing the report");
        for (int i = 0; i < steps.size(); i++) {
            if (turn.pause(pacing.step(500))) {
                return cancelledTool(id);
            }
            toolUpdate(id, "in_progress", "Step " + (i + 1) + " of " + steps.size() + ": " + steps.get(i) + "\u2026");
        }
        if (turn.pause(pacing.step(500))) {
            return cancelledTool(id);
        }
        toolUpdate(id, "completed", "42 unit tests and 7 integration tests passed.");
        return say("All green: 42 unit tests and 7 integration tests passed. Nothing really ran, but the progress"
                + " you saw came in real ACP `tool_call_update` messages.");
    }

    private String slow(String argument) {
        Integer seconds = wholeNumber(argument, Command.DEFAULT_SLOW_SECONDS, Command.MAX_SLOW_SECONDS);
        if (seconds == null) {
            return say("`/slow` takes a whole number of seconds from 0 to " + Command.MAX_SLOW_SECONDS
                    + ", for example `/slow 30`.");
        }
        if (!stream("Starting a job that stays silent for " + seconds + " s. A broker must not take this silence"
                + " for a hang.")) {
            return CANCELLED;
        }
        String id = toolCall("Slow job: " + seconds + " s without progress updates", "execute", "in_progress", null);
        // The silence is the point of the command, so it lasts even with --no-delay.
        if (turn.pause(seconds * 1000L)) {
            return cancelledTool(id);
        }
        toolUpdate(id, "completed", "Finished after " + seconds + " s.");
        return say("Done: the job ran for " + seconds + " s without sending a thing, and the turn is still alive.");
    }

    private String permission() {
        String file = "demo-notes.txt";
        if (!stream("I would like to delete `" + file + "`. Do not worry, it is pretend: nothing on your disk is"
                + " touched.")) {
            return CANCELLED;
        }
        ArrayNode locations = Wire.JSON.arrayNode();
        locations.addObject().put("path", pathInWorkingDirectory(file));
        String id = toolCall("Delete " + file, "delete", "pending", locations);
        ObjectNode params = Wire.JSON.objectNode().put("sessionId", session.id());
        params.putObject("toolCall")
                .put("toolCallId", id)
                .put("title", "Delete " + file)
                .put("kind", "delete")
                .put("status", "pending")
                .set("locations", locations.deepCopy());
        ArrayNode options = params.putArray("options");
        options.addObject().put("optionId", "allow").put("name", "Allow once").put("kind", "allow_once");
        options.addObject().put("optionId", "reject").put("name", "Reject").put("kind", "reject_once");
        CompletableFuture<JsonNode> answer = wire.request("session/request_permission", params);
        CompletableFuture.anyOf(answer, turn.cancelSignal()).join();
        if (turn.isCancelled()) {
            // The client still owes an answer ("cancelled"); the wire takes it and nobody waits for it.
            return cancelledTool(id);
        }
        JsonNode response = answer.join();
        JsonNode error = response.path("error");
        if (!error.isMissingNode()) {
            toolUpdate(id, "failed", "The client answered the permission request with an error.");
            return say("Your client answered the permission request with an error ("
                    + error.path("code").asText() + ": " + error.path("message").asText()
                    + "), so I did not delete anything.");
        }
        JsonNode outcome = response.path("result").path("outcome");
        String kind = outcome.path("outcome").asText();
        if (kind.equals("cancelled")) {
            return cancelledTool(id);
        }
        String optionId = outcome.path("optionId").asText();
        if (kind.equals("selected") && optionId.equals("allow")) {
            toolUpdate(id, "completed", "Deleted " + file + " (pretend).");
            return say("You allowed it, so I deleted `" + file + "`. (Pretend: nothing was touched.)");
        }
        if (kind.equals("selected") && optionId.equals("reject")) {
            toolUpdate(id, "failed", "Rejected: " + file + " was left alone.");
            return say("You said no, so I left `" + file + "` alone.");
        }
        toolUpdate(id, "failed", "The answer made no sense, so nothing was done.");
        return say("Your client answered the permission request with " + response.path("result")
                + ", which is not one of the options I offered, so I did nothing.");
    }

    private @Nullable String late(String argument) {
        Integer millis = argument.isEmpty()
                ? Integer.valueOf((int) pacing.step(Command.DEFAULT_LATE_MILLIS))
                : wholeNumber(argument, Command.DEFAULT_LATE_MILLIS, Command.MAX_LATE_MILLIS);
        if (millis == null) {
            return say("`/late` takes a whole number of milliseconds from 0 to " + Command.MAX_LATE_MILLIS
                    + ", for example `/late 500`.");
        }
        if (!stream("This part of my reply arrives before the end of the turn,")) {
            return CANCELLED;
        }
        String afterTheEnd = " and this part arrives " + millis + " ms after it. A broker that stops reading at"
                + " the end of the turn loses this sentence; one with a drain window shows it.";
        // The history gets the whole reply now: the next turn may start before the late part is sent.
        agentText.append(afterTheEnd);
        finish(END_TURN);
        turn.pause(millis);
        List<String> pieces = Chunker.split(afterTheEnd);
        for (int i = 0; i < pieces.size(); i++) {
            if (i > 0) {
                turn.pause(pacing.betweenPieces());
            }
            sendChunk(pieces.get(i));
        }
        return null;
    }

    private @Nullable String crash() {
        if (!stream("Crashing on purpose in the middle of this sentence, in 3, 2,")) {
            return CANCELLED;
        }
        log.warn("session %s: crashing on purpose (/crash), exit code %d", session.id(), Command.CRASH_EXIT_CODE);
        exit.accept(Command.CRASH_EXIT_CODE);
        return null;
    }

    private @Nullable String hang() {
        // A stuck agent ignores session/cancel from the start: a cancel that arrives while (or just after) this
        // paragraph streams must not turn the hang into a "cancelled" answer.
        stream("I am going to stop answering now, like a stuck agent. I will ignore `session/cancel` too:"
                + " only your broker's timeouts can end this turn.");
        saveAgentText();
        log.info("session %s: hanging on purpose (/hang)", session.id());
        turn.hang();
        return null;
    }

    /** Streams a paragraph and ends the turn. */
    private String say(String text) {
        return stream(text) ? END_TURN : CANCELLED;
    }

    /**
     * Streams a paragraph in pieces, separated from the previous one by a blank line.
     *
     * @return false if the turn was cancelled (the rest of the paragraph is not sent)
     */
    private boolean stream(String text) {
        String paragraph = agentText.length() == 0 ? text : "\n\n" + text;
        List<String> pieces = Chunker.split(paragraph);
        for (int i = 0; i < pieces.size(); i++) {
            if ((i > 0 && turn.pause(pacing.betweenPieces())) || turn.isCancelled()) {
                return false;
            }
            sendChunk(pieces.get(i));
            agentText.append(pieces.get(i));
        }
        return !turn.isCancelled();
    }

    private void sendChunk(String text) {
        ObjectNode update = Wire.JSON.objectNode().put("sessionUpdate", "agent_message_chunk");
        update.putObject("content").put("type", "text").put("text", text);
        update.put("messageId", agentMessageId);
        sendUpdate(update);
    }

    private String toolCall(String title, String kind, String status, @Nullable ArrayNode locations) {
        String id = "call_" + toolCallIds.incrementAndGet();
        ObjectNode update = Wire.JSON
                .objectNode()
                .put("sessionUpdate", "tool_call")
                .put("toolCallId", id)
                .put("title", title)
                .put("kind", kind)
                .put("status", status);
        if (locations != null) {
            update.set("locations", locations);
        }
        sendUpdate(update);
        return id;
    }

    private void toolUpdate(String id, String status, @Nullable String text) {
        ObjectNode update = Wire.JSON
                .objectNode()
                .put("sessionUpdate", "tool_call_update")
                .put("toolCallId", id)
                .put("status", status);
        if (text != null) {
            update.putArray("content")
                    .addObject()
                    .put("type", "content")
                    .putObject("content")
                    .put("type", "text")
                    .put("text", text);
        }
        sendUpdate(update);
    }

    /** Marks an unfinished tool call as failed, as the protocol asks of a cancelled turn. */
    private String cancelledTool(String id) {
        toolUpdate(id, "failed", "Cancelled.");
        return CANCELLED;
    }

    private void sendUpdate(ObjectNode update) {
        ObjectNode params = Wire.JSON.objectNode().put("sessionId", session.id());
        params.set("update", update);
        wire.notify("session/update", params);
    }

    /** Saves the reply, frees the session for the next prompt, then answers; the order keeps replays exact. */
    private void finish(String stopReason) {
        String reason = turn.isCancelled() ? CANCELLED : stopReason;
        saveAgentText();
        answered = true;
        session.end(turn);
        wire.respond(turn.requestId(), Wire.JSON.objectNode().put("stopReason", reason));
    }

    private void saveAgentText() {
        if (agentText.length() > 0) {
            session.append(agentMessageId, Role.AGENT, agentText.toString());
        }
        store.save(session.snapshot());
    }

    private String pathInWorkingDirectory(String file) {
        try {
            return Path.of(session.cwd()).resolve(file).toString();
        } catch (InvalidPathException e) {
            return file;
        }
    }

    private static @Nullable Integer wholeNumber(String argument, int byDefault, int max) {
        if (argument.isEmpty()) {
            return byDefault;
        }
        try {
            int value = Integer.parseInt(argument);
            return value >= 0 && value <= max ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
