package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.Implementation;
import io.github.acppool.acp.schema.McpServer;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every message the client sends, compared with a golden file in {@code src/test/resources/golden}. The
 * files are the reviewed wire format: a change to one is a change to the protocol we speak. Run with {@code
 * -Dgolden.update=true} to rewrite them after an intended change, then review the diff.
 */
@Timeout(30)
final class GoldenMessagesTest {
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    private ScriptedAgent agent;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
    }

    private void initialized(AcpClientOptions options) {
        agent = new ScriptedAgent(options);
        CompletableFuture<?> init = agent.client.initialize();
        JsonNode request = agent.next();
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id")
                + ",\"result\":{\"protocolVersion\":1,\"agentCapabilities\":{\"loadSession\":true,"
                + "\"sessionCapabilities\":{\"resume\":{},\"close\":{}}}}}");
        init.join();
    }

    @Test
    void initialize_defaults() {
        agent = new ScriptedAgent();
        CompletableFuture<?> unused = agent.client.initialize();
        golden("initialize-defaults", agent.nextLine());
    }

    @Test
    void initialize_withFsExtraCapabilitiesAndClientInfo() {
        agent = new ScriptedAgent(AcpClientOptions.builder()
                .fsAccess(FsAccess.READ_WRITE)
                .clientInfo(new Implementation("discord-bot", "Discord bot", "2.0.0"))
                .extraCapabilities((com.fasterxml.jackson.databind.node.ObjectNode)
                        parse("{\"session\":{\"configOptions\":{\"boolean\":{}}}}"))
                .build());
        CompletableFuture<?> unused = agent.client.initialize();
        golden("initialize-fs-extra", agent.nextLine());
    }

    @Test
    void sessionLifecycleRequests() {
        initialized(AcpClientOptions.defaults());
        Map<String, Runnable> sends = new LinkedHashMap<>();
        sends.put("authenticate", () -> agent.client.authenticate("agent-login"));
        sends.put("session-new-minimal", () -> agent.client.newSession(SessionSetup.of(Path.of("/srv/threads/t42"))));
        SessionSetup full = new SessionSetup(
                Path.of("/srv/threads/t42"),
                List.of(
                        new McpServer.Stdio(
                                "files",
                                "/usr/bin/mcp-files",
                                List.of("--root", "/srv"),
                                Map.of("TOKEN", "t", "A", "b")),
                        new McpServer.Http("web", "https://mcp.example/api", Map.of("Authorization", "Bearer x")),
                        new McpServer.Sse("events", "https://mcp.example/sse", Map.of())),
                List.of(Path.of("/srv/shared")));
        sends.put("session-new-full", () -> agent.client.newSession(full));
        sends.put("session-load", () -> agent.client.loadSession("sess_abc123", SessionSetup.of(Path.of("/srv/t"))));
        sends.put(
                "session-resume", () -> agent.client.resumeSession("sess_abc123", SessionSetup.of(Path.of("/srv/t"))));
        sends.put("session-close", () -> agent.client.closeSession("sess_abc123"));
        sends.put("session-set-mode", () -> agent.client.setMode("sess_abc123", "code"));
        sends.put(
                "session-set-config-option-select",
                () -> agent.client.setConfigOption("sess_abc123", "model", Json.NODES.textNode("opus")));
        sends.put(
                "session-set-config-option-boolean",
                () -> agent.client.setConfigOption("sess_abc123", "web", Json.NODES.booleanNode(true)));
        sends.put(
                "session-prompt",
                () -> agent.client.prompt(
                        "sess_abc123",
                        List.of(
                                ContentBlock.text("hello\nwith a newline and \"quotes\" and ünïcödé"),
                                new ContentBlock.Image("iVBORw0KGgo=", "image/png", null),
                                new ContentBlock.Audio("UklGRg==", "audio/wav"),
                                new ContentBlock.ResourceLink("file:///srv/t/README.md", "README.md", "text/markdown"),
                                new ContentBlock.Other(
                                        "resource",
                                        parse(
                                                "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///a.txt\",\"text\":\"A\"}}")))));
        sends.put("session-cancel", () -> agent.client.cancel("sess_abc123"));
        sends.put("extension-request", () -> agent.client.request("_fake/ping", parse("{\"n\":1}")));
        sends.put(
                "extension-notification", () -> agent.client.notify("_fake/continue", parse("{\"sessionId\":\"s\"}")));
        for (Map.Entry<String, Runnable> send : sends.entrySet()) {
            send.getValue().run();
            golden(send.getKey(), agent.nextLine());
        }
    }

    @Test
    void answersToTheAgentsRequests() throws InterruptedException {
        initialized(AcpClientOptions.builder()
                .permissionPolicy(PermissionPolicy.allowOnce())
                .build());
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":\"perm-7\",\"method\":\"session/request_permission\",\"params\":"
                + "{\"sessionId\":\"s\",\"toolCall\":{\"toolCallId\":\"call_2\",\"kind\":\"edit\"},\"options\":["
                + "{\"kind\":\"allow_once\",\"name\":\"Allow\",\"optionId\":\"allow\"},"
                + "{\"kind\":\"reject_once\",\"name\":\"Skip\",\"optionId\":\"reject\"}]}}");
        golden("answer-permission-selected", agent.nextLine());

        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"terminal/create\",\"params\":"
                + "{\"sessionId\":\"s\",\"command\":\"ls\"}}");
        golden("answer-method-not-found", agent.nextLine());
    }

    @Test
    void cancelAnswersPendingPermissionRequestsWithCancelled() {
        CompletableFuture<PermissionOutcome> human = new CompletableFuture<>();
        CountDownLatch asked = new CountDownLatch(1);
        initialized(AcpClientOptions.builder()
                .permissionPolicy(request -> {
                    asked.countDown();
                    return human;
                })
                .build());
        agent.writeLine("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"session/request_permission\",\"params\":"
                + "{\"sessionId\":\"sess_abc123\",\"toolCall\":{\"toolCallId\":\"call_9\"},\"options\":["
                + "{\"kind\":\"allow_once\",\"name\":\"Allow\",\"optionId\":\"allow\"}]}}");
        try {
            assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        agent.client.cancel("sess_abc123");
        golden("session-cancel", agent.nextLine());
        golden("answer-permission-cancelled", agent.nextLine());
        // The policy may still be returning on the client's executor when cancel answers the agent; the
        // client withdraws the question as soon as it has the policy's future.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(human).as("the human question is withdrawn").isCancelled());
        human.complete(PermissionOutcome.selected("allow"));
        agent.assertNothingElseSent();
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void golden(String name, String line) {
        assertThat(line)
                .as("one line, no embedded newline")
                .doesNotContain("\n")
                .doesNotContain("\r");
        JsonNode actual = parse(line);
        String file = "golden/" + name + ".json";
        if (UPDATE) {
            try {
                Path path = Path.of("src/test/resources", file);
                Files.createDirectories(path.getParent());
                Files.writeString(
                        path,
                        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(actual) + "\n",
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return;
        }
        try (InputStream in = GoldenMessagesTest.class.getClassLoader().getResourceAsStream(file)) {
            assertThat(in)
                    .as("golden file %s (run with -Dgolden.update=true to create it)", file)
                    .isNotNull();
            JsonNode expected = Json.MAPPER.readTree(in);
            assertThat(actual).as("message %s", name).isEqualTo(expected);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
