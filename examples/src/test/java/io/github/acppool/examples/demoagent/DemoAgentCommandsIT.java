package io.github.acppool.examples.demoagent;

import static io.github.acppool.examples.demoagent.Acp.agentText;
import static io.github.acppool.examples.demoagent.Acp.initialize;
import static io.github.acppool.examples.demoagent.Acp.json;
import static io.github.acppool.examples.demoagent.Acp.kinds;
import static io.github.acppool.examples.demoagent.Acp.last;
import static io.github.acppool.examples.demoagent.Acp.newSession;
import static io.github.acppool.examples.demoagent.Acp.nonChunkUpdates;
import static io.github.acppool.examples.demoagent.Acp.object;
import static io.github.acppool.examples.demoagent.Acp.prompt;
import static io.github.acppool.examples.demoagent.Acp.stopResponse;
import static io.github.acppool.examples.demoagent.Acp.updates;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every prompt command of the demo agent, driven as a real process with --no-delay. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class DemoAgentCommandsIT {
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

    private JsonNode update(String json) {
        ObjectNode message = object("{'jsonrpc':'2.0','method':'session/update'}");
        message.putObject("params").put("sessionId", sessionId).set("update", json(json));
        return message;
    }

    private static void assertOneStreamedMessage(List<JsonNode> messages) {
        List<JsonNode> chunks = updates(messages).stream()
                .filter(update -> update.path("sessionUpdate").asText().equals("agent_message_chunk"))
                .toList();
        assertThat(chunks).as("streamed in several chunks").hasSizeGreaterThan(1);
        assertThat(chunks.stream()
                        .map(chunk -> chunk.path("messageId").asText())
                        .distinct())
                .as("one message id for the whole reply")
                .singleElement()
                .asString()
                .isNotBlank();
    }

    @Test
    void plainText_readsItWithAToolCall_thenStreamsAnAnalysis() {
        prompt(agent, 2, sessionId, "Hello world");

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(messages.subList(0, 3))
                .containsExactly(
                        update("{'sessionUpdate':'tool_call','toolCallId':'call_1','title':'Reading your message',"
                                + "'kind':'read','status':'pending'}"),
                        update("{'sessionUpdate':'tool_call_update','toolCallId':'call_1','status':'in_progress'}"),
                        update("{'sessionUpdate':'tool_call_update','toolCallId':'call_1','status':'completed',"
                                + "'content':[{'type':'content','content':{'type':'text',"
                                + "'text':'2 words, 11 characters'}}]}"));
        assertThat(agentText(messages)).isEqualTo("""
                        Hello to you too! You said \u201cHello world\u201d.

                        - Words: 2 (the longest is \u201cHello\u201d)
                        - Characters: 11
                        - Backwards: \u201cdlrow olleH\u201d

                        This is the first message of our conversation. Type /help to see what else I can do.""");
        assertOneStreamedMessage(messages);
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void plainText_remembersTheConversation() {
        prompt(agent, 2, sessionId, "Hello world");
        agent.untilResponse(2);
        prompt(agent, 3, sessionId, "How are you?");

        String text = agentText(agent.untilResponse(3));

        assertThat(text)
                .contains("That is a question!")
                .endsWith("This is message 2 of our conversation; before this you said \u201cHello world\u201d."
                        + " Type /help to see what else I can do.");
    }

    @Test
    void help_listsEveryCommand() {
        prompt(agent, 2, sessionId, "/help");

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages)).isEmpty();
        assertThat(agentText(messages)).isEqualTo(Replies.help());
        assertThat(agentText(messages))
                .contains("- `/slow [seconds]`: ", "- `/late [ms]`: ", "- `/permission`: ", "- `/hang`: ");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void tool_reportsProgressThenCompletes() {
        prompt(agent, 2, sessionId, "/tool");

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages))
                .containsExactly(
                        json("{'sessionUpdate':'tool_call','toolCallId':'call_1','title':'Running the test suite',"
                                + "'kind':'execute','status':'pending'}"),
                        progress(1, "Compiling 12 source files"),
                        progress(2, "Running 42 unit tests"),
                        progress(3, "Running 7 integration tests"),
                        progress(4, "Writing the report"),
                        json("{'sessionUpdate':'tool_call_update','toolCallId':'call_1','status':'completed',"
                                + "'content':[{'type':'content','content':{'type':'text',"
                                + "'text':'42 unit tests and 7 integration tests passed.'}}]}"));
        assertThat(kinds(messages).get(0)).isEqualTo("agent_message_chunk");
        assertThat(agentText(messages)).startsWith("Let me run the test suite.\n\nAll green:");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    private static JsonNode progress(int step, String what) {
        ObjectNode update = object("{'sessionUpdate':'tool_call_update','toolCallId':'call_1','status':'in_progress'}");
        update.putArray("content")
                .addObject()
                .put("type", "content")
                .putObject("content")
                .put("type", "text")
                .put("text", "Step " + step + " of 4: " + what + "\u2026");
        return update;
    }

    @Test
    void slow_runsASilentToolCallForTheGivenTime() {
        prompt(agent, 2, sessionId, "/slow 0");

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages))
                .containsExactly(
                        json("{'sessionUpdate':'tool_call','toolCallId':'call_1',"
                                + "'title':'Slow job: 0 s without progress updates','kind':'execute',"
                                + "'status':'in_progress'}"),
                        json("{'sessionUpdate':'tool_call_update','toolCallId':'call_1','status':'completed',"
                                + "'content':[{'type':'content','content':{'type':'text',"
                                + "'text':'Finished after 0 s.'}}]}"));
        assertThat(agentText(messages))
                .isEqualTo("Starting a job that stays silent for 0 s. A broker must not take this silence for a"
                        + " hang.\n\nDone: the job ran for 0 s without sending a thing, and the turn is still alive.");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void slow_withABadArgument_explainsItsUsage() {
        prompt(agent, 2, sessionId, "/slow forever");

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(nonChunkUpdates(messages)).isEmpty();
        assertThat(agentText(messages))
                .isEqualTo("`/slow` takes a whole number of seconds from 0 to 3600, for example `/slow 30`.");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void long_isLongerThan2000CharactersWithACodeBlockAcrossTheMark() {
        prompt(agent, 2, sessionId, "/long");

        List<JsonNode> messages = agent.untilResponse(2);

        String text = agentText(messages);
        assertThat(text).hasSizeGreaterThan(2000).isEqualTo(Replies.longReply());
        assertThat(text.indexOf("```java")).isBetween(0, 2000);
        assertThat(text.indexOf("```\n", text.indexOf("```java") + 1)).isGreaterThan(2000);
        assertOneStreamedMessage(messages);
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void late_sendsTheEndOfItsReplyAfterTheResponse() {
        prompt(agent, 2, sessionId, "/late");

        List<JsonNode> beforeResponse = agent.untilResponse(2);
        List<JsonNode> afterResponse = new ArrayList<>();
        while (!agentText(afterResponse).endsWith("shows it.")) {
            afterResponse.add(agent.next());
        }

        assertThat(agentText(beforeResponse)).isEqualTo("This part of my reply arrives before the end of the turn,");
        assertThat(last(beforeResponse)).isEqualTo(stopResponse(2, "end_turn"));
        assertThat(kinds(afterResponse)).isNotEmpty().containsOnly("agent_message_chunk");
        assertThat(agentText(afterResponse))
                .isEqualTo(" and this part arrives 0 ms after it. A broker that stops reading at the end of the"
                        + " turn loses this sentence; one with a drain window shows it.");
        List<JsonNode> whole = new ArrayList<>(beforeResponse);
        whole.addAll(afterResponse);
        assertOneStreamedMessage(whole);
        agent.request(3, "_test/ping", json("{}"));
        assertThat(agent.next().path("id").asLong())
                .as("nothing else after the late part")
                .isEqualTo(3);
    }

    @Test
    void crash_exitsWithStatus3MidTurn_withoutAnsweringThePrompt() {
        prompt(agent, 2, sessionId, "/crash");

        int status = agent.awaitExit();
        String rest = agent.readRawToEnd();

        assertThat(status).isEqualTo(3);
        List<JsonNode> messages = rest.lines().map(Acp::parse).toList();
        assertThat(kinds(messages)).isNotEmpty().containsOnly("agent_message_chunk");
        assertThat(messages).noneMatch(message -> message.has("id"));
        assertThat(agentText(messages)).isEqualTo("Crashing on purpose in the middle of this sentence, in 3, 2,");
        assertThat(agent.stderr())
                .contains("WARN session " + sessionId + ": crashing on purpose (/crash), exit code 3");
    }

    @Test
    void hang_neverAnswers_notEvenACancel_butTheAgentStillExitsWhenStdinCloses() {
        prompt(agent, 2, sessionId, "/hang");
        List<JsonNode> seen = new ArrayList<>();
        while (!agentText(seen).endsWith("only your broker's timeouts can end this turn.")) {
            seen.add(agent.next());
        }

        Acp.cancel(agent, sessionId);
        agent.request(3, "_test/ping", json("{}"));
        prompt(agent, 4, sessionId, "are you there?");

        assertThat(agent.next().path("id").asLong())
                .as("the ping, not the prompt, is answered")
                .isEqualTo(3);
        JsonNode busy = agent.next();
        assertThat(busy)
                .isEqualTo(object("{'jsonrpc':'2.0','id':4,'error':{'code':-32600}}")
                        .set(
                                "error",
                                object("{'code':-32600}")
                                        .put(
                                                "message",
                                                "Invalid Request: session " + sessionId
                                                        + " already has a prompt turn in progress")));
        agent.closeStdin();
        assertThat(agent.awaitExit()).isZero();
        agent.assertStdoutEnds();
    }

    @Test
    void unknownCommand_pointsToHelp() {
        prompt(agent, 2, sessionId, "/nope now");

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(agentText(messages))
                .isEqualTo("I do not know the command `/nope`. Type /help to see the ones I know.");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }

    @Test
    void imagesAndResources_areDescribed() throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB), "png", png);
        ObjectNode params = object("{'prompt':[{'type':'text','text':'look'}]}").put("sessionId", sessionId);
        params.withArrayProperty("prompt")
                .addObject()
                .put("type", "image")
                .put("mimeType", "image/png")
                .put("data", Base64.getEncoder().encodeToString(png.toByteArray()));
        params.withArrayProperty("prompt")
                .add(json("{'type':'resource_link','uri':'file:///tmp/a.txt','name':'a.txt'}"));
        params.withArrayProperty("prompt")
                .add(json("{'type':'resource','resource':{'uri':'file:///tmp/b.txt','text':'one\\ntwo'}}"));
        agent.request(2, "session/prompt", params);

        List<JsonNode> messages = agent.untilResponse(2);

        assertThat(agentText(messages))
                .contains("You also sent me:\n- an image (image/png, " + png.size() + " bytes, 3\u00d72 pixels)\n"
                        + "- a link to a.txt (file:///tmp/a.txt)\n"
                        + "- the file file:///tmp/b.txt (7 characters, 2 lines)\n\n");
        assertThat(last(messages)).isEqualTo(stopResponse(2, "end_turn"));
    }
}
