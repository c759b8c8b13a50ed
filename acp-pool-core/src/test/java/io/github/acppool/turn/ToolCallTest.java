package io.github.acppool.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.internal.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The merge of tool_call and tool_call_update by id (patch semantics). */
@Timeout(10)
final class ToolCallTest {

    private static JsonNode json(String text) throws IOException {
        return Json.MAPPER.readTree(text);
    }

    /** The call as a turn records a {@code tool_call} (as the first sighting of its id). */
    private static ToolCall started(String text) throws IOException {
        SessionUpdate.ToolCall update = (SessionUpdate.ToolCall) SessionUpdate.fromJson(json(text));
        return ToolCall.empty(update.toolCallId()).merge(update.raw());
    }

    @Test
    void aToolCallSetsEveryField() throws IOException {
        ToolCall call = started(
                "{\"sessionUpdate\":\"tool_call\",\"toolCallId\":\"c1\",\"title\":\"Reading\",\"kind\":\"read\","
                        + "\"status\":\"in_progress\",\"locations\":[{\"path\":\"/p/README.md\",\"line\":3},{\"path\":\"/p/b\"}],"
                        + "\"rawInput\":{\"path\":\"/p/README.md\"}}");
        assertThat(call.id()).isEqualTo("c1");
        assertThat(call.title()).isEqualTo("Reading");
        assertThat(call.kind()).isEqualTo("read");
        assertThat(call.status()).isEqualTo(ToolCall.Status.IN_PROGRESS);
        assertThat(call.locations())
                .containsExactly(new ToolCall.Location("/p/README.md", 3), new ToolCall.Location("/p/b", null));
        assertThat(call.content()).isEmpty();
        assertThat(call.rawInput()).isEqualTo(json("{\"path\":\"/p/README.md\"}"));
        assertThat(call.rawOutput()).isNull();
    }

    @Test
    void statusDefaultsToPending() throws IOException {
        ToolCall call = started("{\"sessionUpdate\":\"tool_call\",\"toolCallId\":\"c1\",\"title\":\"T\"}");
        assertThat(call.status()).isEqualTo(ToolCall.Status.PENDING);
        assertThat(call.kind()).isNull();
    }

    @Test
    void anUpdateChangesOnlyTheFieldsItCarries() throws IOException {
        ToolCall call = started("{\"sessionUpdate\":\"tool_call\",\"toolCallId\":\"c1\",\"title\":\"Running\","
                + "\"kind\":\"execute\",\"locations\":[{\"path\":\"/a\"}]}");
        ToolCall refined = call.merge(json("{\"toolCallId\":\"c1\",\"title\":\"Running mvn verify\"}"));
        assertThat(refined.title()).isEqualTo("Running mvn verify");
        assertThat(refined.kind()).isEqualTo("execute");
        assertThat(refined.status()).isEqualTo(ToolCall.Status.PENDING);
        assertThat(refined.locations()).containsExactly(new ToolCall.Location("/a", null));

        ToolCall done = refined.merge(json("{\"toolCallId\":\"c1\",\"status\":\"completed\",\"title\":null,"
                + "\"content\":[{\"type\":\"content\",\"content\":{\"type\":\"text\",\"text\":\"BUILD SUCCESS\"}}],"
                + "\"locations\":[],\"rawOutput\":{\"exit\":0}}"));
        assertThat(done.title()).as("null means unchanged").isEqualTo("Running mvn verify");
        assertThat(done.status()).isEqualTo(ToolCall.Status.COMPLETED);
        assertThat(done.status().isFinished()).isTrue();
        assertThat(done.locations()).as("a new list replaces the old one").isEmpty();
        assertThat(done.content()).hasSize(1);
        assertThat(done.content().get(0).path("content").path("text").asText()).isEqualTo("BUILD SUCCESS");
        assertThat(done.rawOutput()).isEqualTo(json("{\"exit\":0}"));

        ToolCall replaced = done.merge(
                json("{\"toolCallId\":\"c1\",\"content\":[{\"type\":\"diff\",\"path\":\"/a\",\"newText\":\"x\"}]}"));
        assertThat(replaced.content()).hasSize(1);
        assertThat(replaced.content().get(0).path("type").asText()).isEqualTo("diff");
        assertThat(replaced.rawOutput()).as("kept").isEqualTo(json("{\"exit\":0}"));
    }

    @Test
    void unknownStatusesAndWrongTypesLeaveTheCallAsItWas() throws IOException {
        ToolCall call = ToolCall.empty("c9")
                .merge(json("{\"status\":\"in_progress\",\"title\":\"T\",\"locations\":[{\"path\":\"/x\"}]}"));
        ToolCall same = call.merge(json("{\"status\":\"teleporting\",\"title\":42,\"locations\":\"nope\","
                + "\"content\":{},\"rawInput\":null}"));
        assertThat(same).isEqualTo(call);
        assertThat(ToolCall.Status.fromWire("teleporting")).isNull();
        assertThat(ToolCall.Status.fromWire("failed")).isEqualTo(ToolCall.Status.FAILED);
    }

    @Test
    void anUpdateForAnUnknownIdStartsFromNothing() throws IOException {
        ToolCall call = ToolCall.empty("c2").merge(json("{\"toolCallId\":\"c2\",\"status\":\"failed\"}"));
        assertThat(call)
                .isEqualTo(new ToolCall("c2", "", null, ToolCall.Status.FAILED, List.of(), List.of(), null, null));
    }
}
