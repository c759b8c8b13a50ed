package io.github.acppool.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The settings a conversation's agent advertised for its session on {@code session/new}, {@code session/load} or
 * {@code session/resume}, in whichever form the agent uses: session modes ({@code modes}, chosen with {@code
 * session/set_mode}), session models ({@code models}, {@code session/set_model}, still unstable in ACP) and select
 * config options ({@code configOptions} with a {@code category} such as {@code mode}, {@code model} or {@code
 * thought_level}, {@code session/set_config_option}). Boolean config options are not listed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param settings every setting, config options first (ACP asks clients to prefer them over modes and models)
 */
public record SessionSettings(List<Setting> settings) {

    /** The id of the setting that stands for the session modes. */
    public static final String MODE = "mode";

    /** The id of the setting that stands for the session models. */
    public static final String MODEL = "model";

    public SessionSettings {
        Checks.notNull(settings, "settings");
        settings = List.copyOf(settings);
    }

    /** How a setting is chosen. */
    public enum Kind {
        /** {@code session/set_mode}. */
        MODE,
        /** {@code session/set_model}. */
        MODEL,
        /** {@code session/set_config_option}. */
        CONFIG_OPTION
    }

    /**
     * One value a setting can take. Immutable and thread-safe.
     *
     * @param description empty when the agent gave none
     */
    public record Choice(String value, String name, String description) {
        public Choice {
            Checks.notNull(value, "value");
            Checks.notNull(name, "name");
            Checks.notNull(description, "description");
        }
    }

    /**
     * One setting. Immutable and thread-safe.
     *
     * @param id {@link #MODE} or {@link #MODEL} for the session's modes or models, else the config option's id
     * @param category what the setting is about: the config option's category (empty if it has none), {@code
     *     mode} for the modes and {@code model} for the models
     * @param current the current value, if the agent said
     */
    public record Setting(
            Kind kind,
            String id,
            String name,
            String category,
            @Nullable String current,
            List<Choice> choices) {
        public Setting {
            Checks.notNull(kind, "kind");
            Checks.notNull(id, "id");
            Checks.notNull(name, "name");
            Checks.notNull(category, "category");
            choices = List.copyOf(choices);
        }

        /** The choice with this value, if the agent offers it. */
        public Optional<Choice> choice(String value) {
            return choices.stream().filter(c -> c.value().equals(value)).findFirst();
        }

        Setting withCurrent(String value) {
            return new Setting(kind, id, name, category, value, choices);
        }
    }

    /** No settings. */
    public static SessionSettings none() {
        return new SessionSettings(List.of());
    }

    /** The setting with this id. */
    public Optional<Setting> setting(String id) {
        return settings.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /**
     * The setting for {@code category} ({@code mode}, {@code model}, {@code thought_level}, ...): a config option of
     * that category if there is one, else the modes or models.
     */
    public Optional<Setting> forCategory(String category) {
        return settings.stream().filter(s -> s.category().equals(category)).findFirst();
    }

    /** Reads the answer to {@code session/new}, {@code session/load} or {@code session/resume}. */
    static SessionSettings fromJson(@Nullable JsonNode result) {
        List<Setting> settings = new ArrayList<>();
        for (JsonNode option : Json.list(result, "configOptions", n -> n)) {
            Setting setting = configOption(option);
            if (setting != null) {
                settings.add(setting);
            }
        }
        JsonNode modes = Json.obj(result, "modes");
        if (modes != null) {
            settings.add(new Setting(
                    Kind.MODE,
                    MODE,
                    "Mode",
                    MODE,
                    Json.text(modes, "currentModeId"),
                    Json.list(modes, "availableModes", SessionSettings::choice)));
        }
        JsonNode models = Json.obj(result, "models");
        if (models != null) {
            settings.add(new Setting(
                    Kind.MODEL,
                    MODEL,
                    "Model",
                    MODEL,
                    Json.text(models, "currentModelId"),
                    Json.list(
                            models,
                            "availableModels",
                            m -> new Choice(
                                    Json.text(m, "modelId", Json.text(m, "id", "")),
                                    Json.text(m, "name", Json.text(m, "modelId", "")),
                                    Json.text(m, "description", "")))));
        }
        return new SessionSettings(settings);
    }

    /** After {@code session/set_config_option}: the complete list of config options replaces the old one. */
    SessionSettings withConfigOptions(List<JsonNode> options) {
        List<Setting> next = new ArrayList<>();
        for (JsonNode option : options) {
            Setting setting = configOption(option);
            if (setting != null) {
                next.add(setting);
            }
        }
        settings.stream().filter(s -> s.kind() != Kind.CONFIG_OPTION).forEach(next::add);
        return new SessionSettings(next);
    }

    /** The same settings with {@code id} at {@code value}. */
    SessionSettings withCurrent(String id, String value) {
        return new SessionSettings(settings.stream()
                .map(s -> s.id().equals(id) ? s.withCurrent(value) : s)
                .toList());
    }

    private static @Nullable Setting configOption(JsonNode option) {
        if (!"select".equals(Json.text(option, "type"))) {
            return null;
        }
        String id = Json.text(option, "id");
        if (id == null || id.isBlank()) {
            return null;
        }
        List<Choice> choices = new ArrayList<>();
        for (JsonNode entry : Json.list(option, "options", n -> n)) {
            if (entry.has("options")) { // a group of options
                choices.addAll(Json.list(entry, "options", SessionSettings::valueChoice));
            } else {
                choices.add(valueChoice(entry));
            }
        }
        return new Setting(
                Kind.CONFIG_OPTION,
                id,
                Json.text(option, "name", id),
                Json.text(option, "category", ""),
                Json.text(option, "currentValue"),
                choices);
    }

    private static Choice choice(JsonNode mode) {
        return new Choice(
                Json.text(mode, "id", ""),
                Json.text(mode, "name", Json.text(mode, "id", "")),
                Json.text(mode, "description", ""));
    }

    private static Choice valueChoice(JsonNode entry) {
        return new Choice(
                Json.text(entry, "value", ""),
                Json.text(entry, "name", Json.text(entry, "value", "")),
                Json.text(entry, "description", ""));
    }
}
