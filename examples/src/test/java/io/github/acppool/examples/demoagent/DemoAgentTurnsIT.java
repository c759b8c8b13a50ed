package io.github.acppool.examples.demoagent;

import static io.github.acppool.examples.demoagent.Acp.agentText;
import static io.github.acppool.examples.demoagent.Acp.cancel;
import static io.github.acppool.examples.demoagent.Acp.initialize;
import static io.github.acppool.examples.demoagent.Acp.json;
import static io.github.acppool.examples.demoagent.Acp.kinds;
import static io.github.acppool.examples.demoagent.Acp.last;
import static io.github.acppool.examples.demoagent.Acp.newSession;
import static io.github.acppool.examples.demoagent.Acp.nonChunkUpdates;
import static io.github.acppool.examples.demoagent.Acp.object;
import static io.github.acppool.examples.demoagent.Acp.prompt;
import static io.github.acppool.examples.demoagent.Acp.stopResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancellation, permission requests and overlapping requests. Cancels are sent while the agent is known to be
 * waiting (inside {@code /slow 3600} or on a permission answer), so no test depends on timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class DemoAgentTurnsIT {
    @TempDir
    Path dir;

    private AgentProcess agent;
    private String sessionId;

    @BeforeEach
    void start() {
        agent = AgentProcess.start(dir.resolve("sessions.json"));
        initialize(agent);
        sessionId = newSession(agent, 1, dir.toString());
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    /** Reads up to the silent tool call of {@code /slow}, where the agent waits. */
    private void awaitSilentToolCall() {
        List<JsonNode> seen = new ArrayList<>();
        while (!kinds(seen).contains("tool_call")) {
            seen.add(agent.next());
        }
    }

    private static JsonNode toolUpdate(String id, String status, String text) {
        ObjectNode update = object("{'sessionUpdate':'tool_call_update'}")
                .put("toolCallId", id)
                .put("status", status);
        update.putArray("content")
                .addObject()
                .put("type", "content")
                .putObject("content")
                .put("type", "text")
                .put("text", text);
        return update;
    }

    private void answerPermission(JsonNode request, String outcomeJson) {
        ObjectNode answer = object("{'jsonrpc':'2.0'}");
        answer.set("id", request.get("id"));
        answer.putObject("result").set("outcome", json(outcomeJson));
        agent.send(answer);
    }

    @Test
    void cancel_duringASilentToolCall_failsTheToolCallAndAnswersCancelled() {
        prompt(agent, 2, sessionId, "/slow 3600");
        awaitSilentToolCall();

        cancel(agent, sessionId);
        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages)).containsExactly(toolUpdate("call_1", "failed", "Cancelled."));
        assertThat(kinds(messages)).containsExactly("tool_call_update");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "cancelled"));
    }

    @Test
    void afterACancel_theSessionTakesTheNextPrompt() {
        prompt(agent, 2, sessionId, "/slow 3600");
        awaitSilentToolCall();
        cancel(agent, sessionId);
        agent.untilResponse(2);

        prompt(agent, 3, sessionId, "/help");

        assertThat(last(agent.untilResponse(3))).isEqualTo(stopResponse(3, "end_turn"));
    }

    @Test
    void aSecondPromptWhileOneRuns_isRejected_andTheFirstOneGoesOn() {
        prompt(agent, 2, sessionId, "/slow 3600");
        awaitSilentToolCall();

        prompt(agent, 3, sessionId, "hello");

        JsonNode error = agent.next();
        assertThat(error.path("id").asLong()).isEqualTo(3);
        assertThat(error.path("error").path("code").asInt()).isEqualTo(-32600);
        assertThat(error.path("error").path("message").asText())
                .isEqualTo("Invalid Request: session " + sessionId + " already has a prompt turn in progress");
        cancel(agent, sessionId);
        assertThat(last(agent.untilResponse(2))).isEqualTo(stopResponse(2, "cancelled"));
    }

    @Test
    void twoSessions_runTheirTurnsIndependently() {
        String other = newSession(agent, 2, dir.toString());
        prompt(agent, 3, sessionId, "/slow 3600");
        awaitSilentToolCall();

        prompt(agent, 4, other, "/help");

        List<JsonNode> messages = agent.untilResponse(4);
        assertThat(messages)
                .allMatch(message -> !message.has("method")
                        || message.path("params").path("sessionId").asText().equals(other));
        assertThat(last(messages)).isEqualTo(stopResponse(4, "end_turn"));
        cancel(agent, sessionId);
        assertThat(last(agent.untilResponse(3))).isEqualTo(stopResponse(3, "cancelled"));
    }

    @Test
    void permission_asksWithAllowOnceAndReject() {
        prompt(agent, 2, sessionId, "/permission");

        List<JsonNode> messages = agent.untilRequest("session/request_permission");

        String path = dir.resolve("demo-notes.txt").toString();
        ObjectNode expectedToolCall = object("{'sessionUpdate':'tool_call','toolCallId':'call_1',"
                + "'title':'Delete demo-notes.txt','kind':'delete','status':'pending'}");
        expectedToolCall.putArray("locations").addObject().put("path", path);
        assertThat(nonChunkUpdates(messages)).containsExactly(expectedToolCall);
        ObjectNode expectedRequest = object("{'jsonrpc':'2.0','id':0,'method':'session/request_permission'}");
        ObjectNode params = expectedRequest.putObject("params").put("sessionId", sessionId);
        ObjectNode toolCall = params.putObject("toolCall")
                .put("toolCallId", "call_1")
                .put("title", "Delete demo-notes.txt")
                .put("kind", "delete")
                .put("status", "pending");
        toolCall.putArray("locations").addObject().put("path", path);
        params.set(
                "options",
                json("[{'optionId':'allow','name':'Allow once','kind':'allow_once'},"
                        + "{'optionId':'reject','name':'Reject','kind':'reject_once'}]"));
        assertThat(last(messages)).isEqualTo(expectedRequest);
        assertThat(agentText(messages))
                .isEqualTo("I would like to delete `demo-notes.txt`. Do not worry, it is pretend: nothing on your"
                        + " disk is touched.");
    }

    @Test
    void permission_allowed_completesTheToolCall() {
        prompt(agent, 2, sessionId, "/permission");
        JsonNode request = last(agent.untilRequest("session/request_permission"));

        answerPermission(request, "{'outcome':'selected','optionId':'allow'}");
        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages))
                .containsExactly(toolUpdate("call_1", "completed", "Deleted demo-notes.txt (pretend)."));
        assertThat(agentText(messages))
                .isEqualTo("\n\nYou allowed it, so I deleted `demo-notes.txt`. (Pretend: nothing was touched.)");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void permission_rejected_failsTheToolCall_andTheNextRequestHasTheNextId() {
        prompt(agent, 2, sessionId, "/permission");
        JsonNode request = last(agent.untilRequest("session/request_permission"));

        answerPermission(request, "{'outcome':'selected','optionId':'reject'}");
        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages))
                .containsExactly(toolUpdate("call_1", "failed", "Rejected: demo-notes.txt was left alone."));
        assertThat(agentText(messages)).isEqualTo("\n\nYou said no, so I left `demo-notes.txt` alone.");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
        prompt(agent, 3, sessionId, "/permission");
        assertThat(last(agent.untilRequest("session/request_permission")).get("id"))
                .isEqualTo(json("1"));
    }

    @Test
    void permission_answeredWithAnError_doesNothingAndSaysWhy() {
        prompt(agent, 2, sessionId, "/permission");
        JsonNode request = last(agent.untilRequest("session/request_permission"));

        ObjectNode error = object("{'jsonrpc':'2.0','error':{'code':-32601,'message':'Method not found'}}");
        error.set("id", request.get("id"));
        agent.send(error);
        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages))
                .containsExactly(
                        toolUpdate("call_1", "failed", "The client answered the permission request with an error."));
        assertThat(agentText(messages))
                .isEqualTo("\n\nYour client answered the permission request with an error (-32601: Method not"
                        + " found), so I did not delete anything.");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void cancel_whileAPermissionRequestIsPending_answersCancelled_andTakesTheLateCancelledOutcome() {
        prompt(agent, 2, sessionId, "/permission");
        JsonNode request = last(agent.untilRequest("session/request_permission"));

        cancel(agent, sessionId);
        List<JsonNode> messages = agent.untilResponse(2);
        answerPermission(request, "{'outcome':'cancelled'}");

        assertThat(nonChunkUpdates(messages)).containsExactly(toolUpdate("call_1", "failed", "Cancelled."));
        assertThat(last(messages)).isEqualTo(stopResponse(2, "cancelled"));
        prompt(agent, 3, sessionId, "/help");
        assertThat(last(agent.untilResponse(3))).isEqualTo(stopResponse(3, "end_turn"));
        assertThat(agent.stderr()).doesNotContain("ignoring a response");
    }

    @Test
    void permission_cancelledOutcomeWithoutASessionCancel_endsTheTurnCancelled() {
        prompt(agent, 2, sessionId, "/permission");
        JsonNode request = last(agent.untilRequest("session/request_permission"));

        answerPermission(request, "{'outcome':'cancelled'}");
        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages)).containsExactly(toolUpdate("call_1", "failed", "Cancelled."));
        assertThat(last(messages)).isEqualTo(stopResponse(2, "cancelled"));
    }

    @Test
    void sessionClose_duringATurn_cancelsItFirst() {
        prompt(agent, 2, sessionId, "/slow 3600");
        awaitSilentToolCall();

        agent.request(3, "session/close", object("{}").put("sessionId", sessionId));
        List<JsonNode> messages = agent.untilResponse(3);

        assertThat(messages).contains(stopResponse(2, "cancelled"));
        assertThat(messages.indexOf(stopResponse(2, "cancelled"))).isLessThan(messages.size() - 1);
        assertThat(last(messages)).isEqualTo(json("{'jsonrpc':'2.0','id':3,'result':{}}"));
    }
}
