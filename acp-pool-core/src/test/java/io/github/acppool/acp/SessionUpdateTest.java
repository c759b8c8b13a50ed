package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionState;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading the protocol model leniently: unknown kinds and fields are kept, nothing is fatal. */
@Timeout(10)
final class SessionUpdateTest {

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void agentMessageChunkKeepsUnknownFieldsInRaw() {
        SessionUpdate update = SessionUpdate.fromJson(
                json(
                        "{\"sessionUpdate\":\"agent_message_chunk\",\"messageId\":\"m1\","
                                + "\"content\":{\"type\":\"text\",\"text\":\"hi\",\"annotations\":{\"priority\":1}},\"future\":[1]}"));
        assertThat(update).isInstanceOfSatisfying(SessionUpdate.AgentMessageChunk.class, chunk -> {
            assertThat(chunk.content()).isEqualTo(new ContentBlock.Text("hi"));
            assertThat(chunk.messageId()).isEqualTo("m1");
            assertThat(chunk.raw().get("future").get(0).asInt()).isEqualTo(1);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"currentModeId", "modeId"})
    void currentModeUpdateAcceptsBothFieldNames(String field) {
        SessionUpdate update =
                SessionUpdate.fromJson(json("{\"sessionUpdate\":\"current_mode_update\",\"" + field + "\":\"plan\"}"));
        assertThat(update).isEqualTo(new SessionUpdate.CurrentModeUpdate("plan", update.raw()));
    }

    @Test
    void unknownKindsAndMalformedKnownKindsBecomeUnknown() {
        assertThat(SessionUpdate.fromJson(json("{\"sessionUpdate\":\"plan_removed\",\"x\":1}")))
                .isInstanceOfSatisfying(SessionUpdate.Unknown.class, u -> {
                    assertThat(u.kind()).isEqualTo("plan_removed");
                    assertThat(u.raw().get("x").asInt()).isEqualTo(1);
                });
        assertThat(SessionUpdate.fromJson(json("{\"sessionUpdate\":\"tool_call\",\"title\":\"no id\"}")))
                .isInstanceOf(SessionUpdate.Unknown.class);
        assertThat(SessionUpdate.fromJson(json("{\"sessionUpdate\":\"usage_update\",\"used\":\"many\"}")))
                .isInstanceOf(SessionUpdate.Unknown.class);
        assertThat(SessionUpdate.fromJson(json("{}"))).isInstanceOf(SessionUpdate.Unknown.class);
        assertThat(SessionUpdate.fromJson(json("{\"sessionUpdate\":\"agent_message_chunk\"}")))
                .isInstanceOf(SessionUpdate.Unknown.class);
    }

    @Test
    void everyStableKindIsRead() {
        assertThat(SessionUpdate.fromJson(
                        json("{\"sessionUpdate\":\"tool_call\",\"toolCallId\":\"c1\",\"title\":\"Read\","
                                + "\"kind\":\"read\",\"status\":\"pending\",\"locations\":[{\"path\":\"/p\"}]}")))
                .isInstanceOfSatisfying(SessionUpdate.ToolCall.class, t -> {
                    assertThat(t.toolCallId()).isEqualTo("c1");
                    assertThat(t.toolKind()).isEqualTo("read");
                    assertThat(t.status()).isEqualTo("pending");
                });
        assertThat(SessionUpdate.fromJson(json(
                        "{\"sessionUpdate\":\"tool_call_update\",\"toolCallId\":\"c1\",\"status\":\"completed\"}")))
                .isInstanceOfSatisfying(SessionUpdate.ToolCallUpdate.class, t -> {
                    assertThat(t.title()).isNull();
                    assertThat(t.status()).isEqualTo("completed");
                });
        assertThat(
                        SessionUpdate.fromJson(
                                json(
                                        "{\"sessionUpdate\":\"plan\",\"entries\":[{\"content\":\"a\",\"priority\":\"high\",\"status\":\"pending\"}]}")))
                .isInstanceOfSatisfying(SessionUpdate.Plan.class, p -> assertThat(p.entries())
                        .containsExactly(new SessionUpdate.PlanEntry("a", "high", "pending")));
        assertThat(SessionUpdate.fromJson(json("{\"sessionUpdate\":\"usage_update\",\"used\":5,\"size\":100}")))
                .isInstanceOfSatisfying(SessionUpdate.UsageUpdate.class, u -> assertThat(u.size())
                        .isEqualTo(100));
        assertThat(SessionUpdate.fromJson(json("{\"sessionUpdate\":\"session_info_update\",\"title\":\"T\"}")))
                .isInstanceOfSatisfying(SessionUpdate.SessionInfoUpdate.class, u -> assertThat(u.title())
                        .isEqualTo("T"));
        assertThat(SessionUpdate.fromJson(
                        json("{\"sessionUpdate\":\"config_option_update\",\"configOptions\":[{\"id\":\"m\"}]}")))
                .isInstanceOfSatisfying(SessionUpdate.ConfigOptionUpdate.class, u -> assertThat(u.configOptions())
                        .hasSize(1));
        assertThat(
                        SessionUpdate.fromJson(
                                json(
                                        "{\"sessionUpdate\":\"user_message_chunk\",\"content\":{\"type\":\"image\",\"data\":\"AA==\",\"mimeType\":\"image/png\"}}")))
                .isInstanceOfSatisfying(SessionUpdate.UserMessageChunk.class, u -> assertThat(u.content())
                        .isEqualTo(new ContentBlock.Image("AA==", "image/png", null)));
        assertThat(
                        SessionUpdate.fromJson(
                                json(
                                        "{\"sessionUpdate\":\"agent_thought_chunk\",\"content\":{\"type\":\"resource\",\"resource\":{}}}")))
                .isInstanceOfSatisfying(SessionUpdate.AgentThoughtChunk.class, u -> assertThat(u.content())
                        .isInstanceOf(ContentBlock.Other.class));
    }

    @Test
    void resultsAreReadLeniently() {
        InitializeResult init = InitializeResult.fromJson(
                json(
                        "{\"protocolVersion\":1,\"agentCapabilities\":{\"loadSession\":true,"
                                + "\"promptCapabilities\":{\"image\":true,\"audio\":false},\"sessionCapabilities\":{\"resume\":{},\"close\":null}},"
                                + "\"authMethods\":[{\"id\":\"login\",\"name\":\"Login\",\"type\":\"terminal\"}],\"agentInfo\":{\"name\":\"a\",\"version\":\"1\"}}"));
        assertThat(init.agentCapabilities().loadSession()).isTrue();
        assertThat(init.agentCapabilities().resumeSession()).isTrue();
        assertThat(init.agentCapabilities().closeSession())
                .as("null marker means unsupported")
                .isFalse();
        assertThat(init.agentCapabilities().promptCapabilities().image()).isTrue();
        assertThat(init.authMethods().get(0).type()).isEqualTo("terminal");
        assertThat(init.agentInfo().name()).isEqualTo("a");

        SessionState state = SessionState.fromJson(
                json("{\"sessionId\":\"s\",\"modes\":{\"currentModeId\":\"ask\","
                        + "\"availableModes\":[{\"id\":\"ask\",\"name\":\"Ask\"}]},\"models\":{\"ignored\":true}}"),
                "x");
        assertThat(state.sessionId()).isEqualTo("s");
        assertThat(state.modes().currentModeId()).isEqualTo("ask");

        PromptResult result =
                PromptResult.fromJson(json("{\"stopReason\":\"end_turn\",\"usage\":{\"totalTokens\":3}}"));
        assertThat(result.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(PromptResult.fromJson(json("{\"stopReason\":\"paused\"}")).stopReason())
                .isEqualTo(StopReason.OTHER);
        assertThat(PromptResult.fromJson(json("null")).stopReasonValue()).isEmpty();
    }
}
