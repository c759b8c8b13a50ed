package io.github.acppool.examples.demoagent;

import static io.github.acppool.examples.demoagent.Acp.initialize;
import static io.github.acppool.examples.demoagent.Acp.json;
import static io.github.acppool.examples.demoagent.Acp.newSession;
import static io.github.acppool.examples.demoagent.Acp.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** JSON-RPC and session lifecycle behaviour of the demo agent, driven as a real process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class DemoAgentProtocolIT {
    @TempDir
    Path dir;

    private AgentProcess agent;

    @BeforeEach
    void start() {
        agent = AgentProcess.start(dir.resolve("sessions.json"));
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    /** A request the agent does not know; its answer proves nothing was written before it. */
    private void assertNothingElseThenPing(long id) {
        agent.request(id, "_test/ping", object("{}"));
        assertThat(agent.next().path("id").asLong())
                .as("the next message answers the ping")
                .isEqualTo(id);
    }

    @Test
    void initialize_answersVersion1WithCapabilitiesAndAgentInfo() {
        JsonNode response = initialize(agent);

        assertThat(response).isEqualTo(json("""
                        {'jsonrpc':'2.0','id':0,'result':{
                          'protocolVersion':1,
                          'agentCapabilities':{
                            'loadSession':true,
                            'promptCapabilities':{'image':true,'audio':false,'embeddedContext':true},
                            'mcpCapabilities':{'http':false,'sse':false},
                            'sessionCapabilities':{'resume':{},'close':{}}},
                          'authMethods':[],
                          'agentInfo':{'name':'acp-pool-demo-agent','title':'acp-pool demo agent','version':'dev'}}}
                        """));
    }

    @Test
    void initialize_withAnotherVersion_answersTheOnlyOneItSpeaks() {
        agent.request(7, "initialize", json("{'protocolVersion':99}"));

        assertThat(agent.next().path("result").path("protocolVersion")).isEqualTo(json("1"));
    }

    @Test
    void sessionNew_answersAnIdThenAdvertisesTheCommands() {
        initialize(agent);
        agent.request(1, "session/new", object("{'mcpServers':[]}").put("cwd", dir.toString()));

        JsonNode response = agent.next();
        String sessionId = response.path("result").path("sessionId").asText();
        assertThat(response)
                .isEqualTo(object("{'jsonrpc':'2.0','id':1,'result':{}}")
                        .set("result", object("{}").put("sessionId", sessionId)));
        assertThat(sessionId).isNotBlank();
        JsonNode commands = agent.next();
        assertThat(commands.path("method").asText()).isEqualTo("session/update");
        assertThat(commands.path("params").path("sessionId").asText()).isEqualTo(sessionId);
        JsonNode list = commands.path("params").path("update").path("availableCommands");
        assertThat(list.findValuesAsText("name"))
                .containsExactly("help", "tool", "slow", "permission", "long", "late", "crash", "hang");
        assertThat(list.get(2).path("input").path("hint").asText()).isEqualTo("seconds of silence (default 20)");
        assertThat(list.get(0).has("input")).isFalse();
    }

    @Test
    void sessionNew_withoutMcpServers_isInvalidParams() {
        agent.request(1, "session/new", object("{}").put("cwd", dir.toString()));

        assertThat(agent.next())
                .isEqualTo(json("{'jsonrpc':'2.0','id':1,'error':{'code':-32602,"
                        + "'message':'Invalid params: mcpServers is required (an array; [] for none)'}}"));
    }

    @Test
    void sessionNew_withARelativeCwd_isInvalidParams() {
        agent.request(1, "session/new", json("{'cwd':'relative/dir','mcpServers':[]}"));

        assertThat(agent.next())
                .isEqualTo(json("{'jsonrpc':'2.0','id':1,'error':{'code':-32602,"
                        + "'message':'Invalid params: cwd must be an absolute path: relative/dir'}}"));
    }

    @Test
    void unknownMethod_isMethodNotFound_withTheMethodInData() {
        agent.request(5, "session/bogus", json("{}"));

        assertThat(agent.next())
                .isEqualTo(json("{'jsonrpc':'2.0','id':5,'error':{'code':-32601,"
                        + "'message':'Method not found: session/bogus','data':{'method':'session/bogus'}}}"));
    }

    @Test
    void stringIds_areEchoedVerbatim() {
        agent.sendLine(
                "{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":1}}");
        agent.sendLine("{\"jsonrpc\":\"2.0\",\"id\":\"42\",\"method\":\"nope\"}");

        assertThat(agent.next().get("id")).isEqualTo(json("'req-1'"));
        assertThat(agent.next().get("id")).isEqualTo(json("'42'"));
    }

    @Test
    void notifications_areNeverAnswered_evenUnknownOnes() {
        agent.notify("_test/unknown_notification", json("{}"));
        agent.notify("session/cancel", json("{'sessionId':'no-such-session'}"));

        assertNothingElseThenPing(9);
    }

    @Test
    void aLineThatIsNotJson_getsAParseError_andTheAgentCarriesOn() {
        agent.sendLine("this is not json");
        agent.sendLine("   ");

        assertThat(agent.next())
                .isEqualTo(json("{'jsonrpc':'2.0','id':null,'error':{'code':-32700,'message':'Parse error'}}"));
        assertThat(initialize(agent).path("result").path("protocolVersion").asInt())
                .isEqualTo(1);
    }

    @Test
    void aLineWithJunkAfterTheJson_getsAParseError() {
        agent.sendLine("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"} junk");

        assertThat(agent.next())
                .isEqualTo(json("{'jsonrpc':'2.0','id':null,'error':{'code':-32700,'message':'Parse error'}}"));
    }

    @Test
    void verbose_logsEveryMessageOnStderr_andNothingElseOnStdout() {
        agent.close();
        agent = AgentProcess.start(dir.resolve("sessions.json"), "--verbose");

        initialize(agent);

        await().atMost(Duration.ofSeconds(AgentProcess.WAIT_SECONDS)).untilAsserted(() -> assertThat(agent.stderr())
                .contains("DEBUG RECV {\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\"")
                .contains("DEBUG SEND {\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":1"));
        assertNothingElseThenPing(1);
    }

    @Test
    void aBatch_isAnInvalidRequest() {
        agent.sendLine("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":1}}]");

        assertThat(agent.next())
                .isEqualTo(json("{'jsonrpc':'2.0','id':null,'error':{'code':-32600,"
                        + "'message':'Invalid Request: batches are not supported'}}"));
    }

    @Test
    void aResponseToNothing_isIgnoredWithAWarningOnStderr() {
        agent.send(json("{'jsonrpc':'2.0','id':1234,'result':{}}"));

        assertNothingElseThenPing(2);
        await().atMost(Duration.ofSeconds(AgentProcess.WAIT_SECONDS)).untilAsserted(() -> assertThat(agent.stderr())
                .contains("ignoring a response to a request I never sent (id 1234)"));
    }

    @Test
    void prompt_onASessionThatIsNotOpen_isResourceNotFound() {
        initialize(agent);
        Acp.prompt(agent, 3, "no-such-session", "hello");

        JsonNode error = agent.next().path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32002);
        assertThat(error.path("message").asText())
                .isEqualTo("Resource not found: session no-such-session is not open in this agent process"
                        + " (use session/new, session/load or session/resume)");
        assertThat(error.path("data")).isEqualTo(json("{'sessionId':'no-such-session'}"));
    }

    @Test
    void prompt_withABadContentBlock_isInvalidParams() {
        initialize(agent);
        String sessionId = newSession(agent, 1, dir.toString());
        agent.request(
                2, "session/prompt", object("{'prompt':[{'text':'no type'}]}").put("sessionId", sessionId));

        JsonNode response = agent.next();
        assertThat(response.path("id").asLong()).isEqualTo(2);
        assertThat(response.path("error").path("code").asInt()).isEqualTo(-32602);
        assertThat(response.path("error").path("message").asText())
                .isEqualTo("Invalid params: prompt[0] must be a content block with a \"type\"");
    }

    @Test
    void closingStdin_exitsWithStatusZero() {
        initialize(agent);
        newSession(agent, 1, dir.toString());

        agent.closeStdin();

        assertThat(agent.awaitExit()).isZero();
        agent.assertStdoutEnds();
    }

    @Test
    void closingStdin_duringATurn_cancelsItAndStillExitsWithStatusZero() {
        initialize(agent);
        String sessionId = newSession(agent, 1, dir.toString());
        Acp.prompt(agent, 2, sessionId, "/slow 3600");
        List<JsonNode> seen = new ArrayList<>();
        while (!Acp.kinds(seen).contains("tool_call")) {
            seen.add(agent.next());
        }

        agent.closeStdin();

        assertThat(Acp.last(agent.untilResponse(2))).isEqualTo(Acp.stopResponse(2, "cancelled"));
        assertThat(agent.awaitExit()).isZero();
        agent.assertStdoutEnds();
    }

    @Test
    void helpFlag_printsTheUsageOnStdoutAndExitsZero() {
        agent.close();
        agent = AgentProcess.start(dir.resolve("sessions.json"), "--help");

        assertThat(agent.awaitExit()).isZero();
        assertThat(agent.readRawToEnd())
                .startsWith("Usage: java -cp <class path> io.github.acppool.examples.demoagent.DemoAgent [options]")
                .contains("--sessions-file <path>", "--no-delay", "ACP_POOL_DEMO_AGENT_SESSIONS_FILE");
        assertThat(agent.stderr()).isEmpty();
    }

    @Test
    void unknownFlag_isAUsageErrorWithStatusTwo() {
        agent.close();
        agent = AgentProcess.start(dir.resolve("sessions.json"), "--bogus");

        assertThat(agent.awaitExit()).isEqualTo(2);
        assertThat(agent.stderr())
                .startsWith("demo agent: unknown argument: --bogus")
                .contains("Usage:");
        agent.assertStdoutEnds();
    }

    @Test
    void sessionClose_forgetsTheSessionInThisProcess() {
        initialize(agent);
        String sessionId = newSession(agent, 1, dir.toString());
        agent.request(2, "session/close", object("{}").put("sessionId", sessionId));

        assertThat(agent.next()).isEqualTo(json("{'jsonrpc':'2.0','id':2,'result':{}}"));
        Acp.prompt(agent, 3, sessionId, "hello");
        assertThat(agent.next().path("error").path("code").asInt()).isEqualTo(-32002);
    }
}
