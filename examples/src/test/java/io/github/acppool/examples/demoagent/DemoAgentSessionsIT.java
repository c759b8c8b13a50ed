package io.github.acppool.examples.demoagent;

import static io.github.acppool.examples.demoagent.Acp.agentText;
import static io.github.acppool.examples.demoagent.Acp.initialize;
import static io.github.acppool.examples.demoagent.Acp.json;
import static io.github.acppool.examples.demoagent.Acp.last;
import static io.github.acppool.examples.demoagent.Acp.newSession;
import static io.github.acppool.examples.demoagent.Acp.object;
import static io.github.acppool.examples.demoagent.Acp.prompt;
import static io.github.acppool.examples.demoagent.Acp.updates;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The sessions file: a restarted agent loads and resumes conversations, and processes share the file. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class DemoAgentSessionsIT {
    @TempDir
    Path dir;

    private Path sessions() {
        return dir.resolve("sessions.json");
    }

    private ObjectNode openParams(String sessionId) {
        return object("{'mcpServers':[]}").put("sessionId", sessionId).put("cwd", dir.toString());
    }

    private static void stop(AgentProcess agent) {
        agent.closeStdin();
        assertThat(agent.awaitExit()).isZero();
    }

    private static JsonNode replayed(String kind, String messageId, String text) {
        ObjectNode update = object("{}").put("sessionUpdate", kind);
        update.putObject("content").put("type", "text").put("text", text);
        update.put("messageId", messageId);
        return update;
    }

    @Test
    void load_afterARestart_replaysTheConversationBeforeAnswering() {
        String sessionId;
        String firstReply;
        String firstReplyId;
        String secondReply;
        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            sessionId = newSession(agent, 1, dir.toString());
            prompt(agent, 2, sessionId, "Hello world");
            List<JsonNode> first = agent.untilResponse(2);
            firstReply = agentText(first);
            firstReplyId = updates(first).get(3).path("messageId").asText();
            prompt(agent, 3, sessionId, "/help");
            secondReply = agentText(agent.untilResponse(3));
            stop(agent);
        }

        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            agent.request(1, "session/load", openParams(sessionId));
            List<JsonNode> messages = agent.untilResponse(1);

            List<JsonNode> replay = updates(messages);
            assertThat(replay).hasSize(4);
            assertThat(replay.get(0).path("messageId").asText()).isNotBlank();
            assertThat(replay.get(0))
                    .isEqualTo(replayed(
                            "user_message_chunk",
                            replay.get(0).path("messageId").asText(),
                            "Hello world"));
            assertThat(replay.get(1)).isEqualTo(replayed("agent_message_chunk", firstReplyId, firstReply));
            assertThat(replay.get(2).path("content").path("text").asText()).isEqualTo("/help");
            assertThat(replay.get(3).path("content").path("text").asText()).isEqualTo(secondReply);
            assertThat(messages.subList(0, 4))
                    .allMatch(message ->
                            message.path("params").path("sessionId").asText().equals(sessionId));
            assertThat(last(messages)).isEqualTo(json("{'jsonrpc':'2.0','id':1,'result':{}}"));
            assertThat(agent.next()
                            .path("params")
                            .path("update")
                            .path("sessionUpdate")
                            .asText())
                    .isEqualTo("available_commands_update");

            prompt(agent, 2, sessionId, "still there?");
            assertThat(agentText(agent.untilResponse(2)))
                    .contains("This is message 3 of our conversation; before this you said \u201c/help\u201d.");
            stop(agent);
        }
    }

    @Test
    void resume_afterARestart_answersWithoutAReplay() {
        String sessionId;
        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            sessionId = newSession(agent, 1, dir.toString());
            prompt(agent, 2, sessionId, "Hello world");
            agent.untilResponse(2);
            stop(agent);
        }

        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            agent.request(
                    1,
                    "session/resume",
                    object("{}").put("sessionId", sessionId).put("cwd", dir.toString()));

            assertThat(agent.next()).isEqualTo(json("{'jsonrpc':'2.0','id':1,'result':{}}"));
            assertThat(agent.next()
                            .path("params")
                            .path("update")
                            .path("sessionUpdate")
                            .asText())
                    .isEqualTo("available_commands_update");
            prompt(agent, 2, sessionId, "again");
            assertThat(agentText(agent.untilResponse(2))).contains("This is message 2 of our conversation");
        }
    }

    @Test
    void load_ofAnUnknownSession_isResourceNotFound() {
        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            agent.request(1, "session/load", openParams("no-such-session"));

            JsonNode response = agent.next();
            assertThat(response.path("error").path("code").asInt()).isEqualTo(-32002);
            assertThat(response.path("error").path("message").asText())
                    .isEqualTo("Resource not found: no session no-such-session in " + sessions());
            assertThat(response.path("error").path("data")).isEqualTo(json("{'sessionId':'no-such-session'}"));
        }
    }

    @Test
    void load_needsMcpServers_resumeDoesNot() {
        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            String sessionId = newSession(agent, 1, dir.toString());
            agent.request(
                    2, "session/load", object("{}").put("sessionId", sessionId).put("cwd", dir.toString()));

            assertThat(agent.next().path("error").path("code").asInt()).isEqualTo(-32602);
        }
    }

    @Test
    void twoAgentsOnOneFile_keepEachOthersConversations() {
        try (AgentProcess first = AgentProcess.start(sessions());
                AgentProcess second = AgentProcess.start(sessions())) {
            initialize(first);
            initialize(second);
            String one = newSession(first, 1, dir.toString());
            String two = newSession(second, 1, dir.toString());
            prompt(first, 2, one, "from the first agent");
            prompt(second, 2, two, "from the second agent");
            first.untilResponse(2);
            second.untilResponse(2);
            stop(first);
            stop(second);
        }

        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            ObjectNode file = (ObjectNode) Acp.parse(read(sessions()));
            assertThat(file.path("sessions").size()).isEqualTo(2);
            long id = 1;
            for (String sessionId : List.of(file.path("sessions").fieldNames().next(), lastField(file))) {
                agent.request(id, "session/load", openParams(sessionId));
                List<JsonNode> replay = updates(agent.untilResponse(id));
                assertThat(replay.get(0).path("content").path("text").asText()).startsWith("from the ");
                agent.next();
                id++;
            }
        }
    }

    private static String lastField(ObjectNode file) {
        String last = null;
        for (var names = file.path("sessions").fieldNames(); names.hasNext(); ) {
            last = names.next();
        }
        return last;
    }

    @Test
    void theSessionsFile_isReadableJsonInTheDocumentedFormat_withNoTemporaryFilesLeft() throws IOException {
        String sessionId;
        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            sessionId = newSession(agent, 1, "/home/someone/project");
            prompt(agent, 2, sessionId, "/nope");
            agent.untilResponse(2);
            stop(agent);
        }

        JsonNode file = Acp.parse(read(sessions()));
        assertThat(file.path("format").asInt()).isEqualTo(1);
        JsonNode session = file.path("sessions").path(sessionId);
        assertThat(session.path("cwd").asText()).isEqualTo("/home/someone/project");
        assertThat(session.path("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(session.path("updatedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(session.path("messages").findValuesAsText("role")).containsExactly("user", "agent");
        assertThat(session.path("messages").findValuesAsText("text"))
                .containsExactly("/nope", "I do not know the command `/nope`. Type /help to see the ones I know.");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("sessions.json", "sessions.json.lock");
        }
    }

    @Test
    void aCrashMidTurn_keepsWhatTheUserSaid() {
        String sessionId;
        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            sessionId = newSession(agent, 1, dir.toString());
            prompt(agent, 2, sessionId, "/crash");
            assertThat(agent.awaitExit()).isEqualTo(3);
        }

        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            agent.request(1, "session/load", openParams(sessionId));
            List<JsonNode> replay = updates(agent.untilResponse(1));

            assertThat(replay).hasSize(1);
            assertThat(replay.get(0).path("sessionUpdate").asText()).isEqualTo("user_message_chunk");
            assertThat(replay.get(0).path("content").path("text").asText()).isEqualTo("/crash");
        }
    }

    @Test
    void anUnreadableSessionsFile_isMovedAsideAndTheAgentStartsAfresh() throws IOException {
        Files.writeString(sessions(), "{ this is not json", StandardCharsets.UTF_8);

        try (AgentProcess agent = AgentProcess.start(sessions())) {
            initialize(agent);
            newSession(agent, 1, dir.toString());
            stop(agent);
            assertThat(agent.stderr()).contains("starting with no saved conversations: " + sessions());
        }

        try (Stream<Path> files = Files.list(dir)) {
            List<Path> aside = files.filter(
                            path -> path.getFileName().toString().startsWith("sessions.json.unreadable-"))
                    .toList();
            assertThat(aside).hasSize(1);
            assertThat(Files.readString(aside.get(0))).isEqualTo("{ this is not json");
        }
        assertThat(Acp.parse(read(sessions())).path("sessions").size()).isEqualTo(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
