package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for the wire-level tests: JSON literals and the usual request sequences. */
final class Acp {
    private Acp() {}

    /** Parses a JSON literal; single quotes stand for double quotes, to keep the tests readable. */
    static JsonNode json(String text) {
        try {
            return AgentProcess.MAPPER.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON as it is, for text from the agent or its files. */
    static JsonNode parse(String text) {
        try {
            return AgentProcess.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode object(String text) {
        return (ObjectNode) json(text);
    }

    static JsonNode initialize(AgentProcess agent) {
        agent.request(0, "initialize", json("{'protocolVersion':1,'clientInfo':{'name':'test','version':'0'}}"));
        List<JsonNode> messages = agent.untilResponse(0);
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    /** Opens a session and reads past the command list that follows it; returns the session id. */
    static String newSession(AgentProcess agent, long id, String cwd) {
        ObjectNode params = object("{'mcpServers':[]}").put("cwd", cwd);
        agent.request(id, "session/new", params);
        JsonNode response = agent.next();
        assertThat(response.path("id").asLong()).isEqualTo(id);
        String sessionId = response.path("result").path("sessionId").asText();
        assertThat(sessionId).isNotBlank();
        JsonNode commands = agent.next();
        assertThat(commands.path("params").path("update").path("sessionUpdate").asText())
                .isEqualTo("available_commands_update");
        return sessionId;
    }

    static void prompt(AgentProcess agent, long id, String sessionId, String text) {
        ObjectNode params = object("{'prompt':[{'type':'text'}]}").put("sessionId", sessionId);
        ((ObjectNode) params.path("prompt").get(0)).put("text", text);
        agent.request(id, "session/prompt", params);
    }

    static void cancel(AgentProcess agent, String sessionId) {
        agent.notify("session/cancel", object("{}").put("sessionId", sessionId));
    }

    /** The {@code update} objects of the session/update notifications among {@code messages}. */
    static List<JsonNode> updates(List<JsonNode> messages) {
        List<JsonNode> updates = new ArrayList<>();
        for (JsonNode message : messages) {
            if (message.path("method").asText().equals("session/update")) {
                updates.add(message.path("params").path("update"));
            }
        }
        return updates;
    }

    static List<String> kinds(List<JsonNode> messages) {
        return updates(messages).stream()
                .map(update -> update.path("sessionUpdate").asText())
                .toList();
    }

    /** The concatenated text of the agent_message_chunk updates among {@code messages}. */
    static String agentText(List<JsonNode> messages) {
        StringBuilder text = new StringBuilder();
        for (JsonNode update : updates(messages)) {
            if (update.path("sessionUpdate").asText().equals("agent_message_chunk")) {
                text.append(update.path("content").path("text").asText());
            }
        }
        return text.toString();
    }

    /** The update objects that are not agent_message_chunk: tool calls and the like. */
    static List<JsonNode> nonChunkUpdates(List<JsonNode> messages) {
        return updates(messages).stream()
                .filter(update -> !update.path("sessionUpdate").asText().equals("agent_message_chunk"))
                .toList();
    }

    static JsonNode last(List<JsonNode> messages) {
        return messages.get(messages.size() - 1);
    }

    /** {@code {"jsonrpc":"2.0","id":id,"result":{"stopReason":stopReason}}}. */
    static JsonNode stopResponse(long id, String stopReason) {
        ObjectNode response = object("{'jsonrpc':'2.0'}").put("id", id);
        response.putObject("result").put("stopReason", stopReason);
        return response;
    }
}
