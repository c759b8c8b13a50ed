package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class SessionSettingsTest {

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Gemini CLI and claude-code-acp: modes and models. */
    @Test
    void modesAndModels() {
        SessionSettings settings = SessionSettings.fromJson(json("""
                {"sessionId":"s","modes":{"currentModeId":"default","availableModes":[
                  {"id":"default","name":"Default"},{"id":"plan","name":"Plan","description":"Plans first"}]},
                 "models":{"currentModelId":"auto","availableModels":[
                  {"modelId":"auto","name":"Auto"},{"modelId":"pro","name":"Pro","description":"Slower"}]}}
                """));

        SessionSettings.Setting mode = settings.forCategory("mode").orElseThrow();
        assertThat(mode.kind()).isEqualTo(SessionSettings.Kind.MODE);
        assertThat(mode.current()).isEqualTo("default");
        assertThat(mode.choices())
                .containsExactly(
                        new SessionSettings.Choice("default", "Default", ""),
                        new SessionSettings.Choice("plan", "Plan", "Plans first"));
        SessionSettings.Setting model = settings.forCategory("model").orElseThrow();
        assertThat(model.kind()).isEqualTo(SessionSettings.Kind.MODEL);
        assertThat(model.id()).isEqualTo(SessionSettings.MODEL);
        assertThat(model.choice("pro")).contains(new SessionSettings.Choice("pro", "Pro", "Slower"));
    }

    /** claude-agent-acp: modes and config options; the options win for their category, groups are flattened. */
    @Test
    void configOptionsComeFirst_groupsAreFlattened_booleansAreLeftOut() {
        SessionSettings settings = SessionSettings.fromJson(json("""
                {"modes":{"currentModeId":"default","availableModes":[{"id":"default","name":"Default"}]},
                 "configOptions":[
                  {"id":"mode","name":"Mode","category":"mode","type":"select","currentValue":"default",
                   "options":[{"value":"default","name":"Default"},{"value":"plan","name":"Plan"}]},
                  {"id":"model","name":"Model","category":"model","type":"select","currentValue":"sonnet",
                   "options":[{"group":"fast","name":"Fast","options":[{"value":"haiku","name":"Haiku"}]},
                              {"group":"smart","name":"Smart","options":[{"value":"sonnet","name":"Sonnet"}]}]},
                  {"id":"web","name":"Web","type":"boolean","currentValue":true}]}
                """));

        assertThat(settings.settings())
                .extracting(SessionSettings.Setting::id)
                .containsExactly("mode", "model", SessionSettings.MODE);
        assertThat(settings.forCategory("mode").orElseThrow().kind()).isEqualTo(SessionSettings.Kind.CONFIG_OPTION);
        assertThat(settings.setting("model").orElseThrow().choices())
                .extracting(SessionSettings.Choice::value)
                .containsExactly("haiku", "sonnet");

        SessionSettings changed = settings.withConfigOptions(List.of(json("""
                {"id":"model","name":"Model","category":"model","type":"select","currentValue":"haiku",
                 "options":[{"value":"haiku","name":"Haiku"}]}
                """)));
        assertThat(changed.setting("model").orElseThrow().current()).isEqualTo("haiku");
        assertThat(changed.settings())
                .as("the complete list replaces the options")
                .extracting(SessionSettings.Setting::kind)
                .containsExactly(SessionSettings.Kind.CONFIG_OPTION, SessionSettings.Kind.MODE);
    }

    @Test
    void anAgentThatAdvertisesNothing_hasNoSettings() {
        assertThat(SessionSettings.fromJson(json("{\"sessionId\":\"s\"}")).settings())
                .isEmpty();
        assertThat(SessionSettings.fromJson(null).settings()).isEmpty();
    }
}
