package io.github.acppool.examples.discord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One mapping of the config file, read key by key. Every read names the key it wants, so that {@link #finish()} can
 * refuse the keys nobody asked for (a typo must not silently mean "default"), and every problem is reported with the
 * key's full path, e.g. {@code pool.maxAgents}. A key given as YAML {@code null} (or {@code ~}) counts as absent.
 *
 * <p>Not thread-safe: one parse, one thread.
 */
final class Section {
    private final @Nullable JsonNode node;
    private final String path;
    private final Set<String> known = new LinkedHashSet<>();

    private Section(@Nullable JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The file's top level; null for an empty file. */
    static Section root(@Nullable JsonNode node) {
        if (node != null && !node.isNull() && !node.isMissingNode() && !node.isObject()) {
            throw new ConfigException(
                    "", "the file must be a mapping of keys (such as agent:, pool:), not " + kind(node));
        }
        return new Section(node, "");
    }

    /** The path of {@code key} in this section, e.g. {@code pool.maxAgents}. */
    String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        known.add(key);
        return value(key) != null;
    }

    /** The nested mapping under {@code key}; an empty one if the key is absent. */
    Section section(String key) {
        known.add(key);
        JsonNode value = value(key);
        if (value != null && !value.isObject()) {
            throw new ConfigException(path(key), "expected a mapping (indented key: value lines), got " + kind(value));
        }
        return new Section(value, path(key));
    }

    @Nullable
    String string(String key) {
        known.add(key);
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
            throw new ConfigException(path(key), "expected a text value, got " + kind(value));
        }
        return value.asText();
    }

    String string(String key, String defaultValue) {
        String value = string(key);
        return value == null ? defaultValue : value;
    }

    /** A text value that must not be blank. */
    @Nullable
    String nonBlank(String key) {
        String value = string(key);
        if (value != null && value.isBlank()) {
            throw new ConfigException(path(key), "must not be empty");
        }
        return value;
    }

    boolean bool(String key, boolean defaultValue) {
        known.add(key);
        JsonNode value = value(key);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw new ConfigException(path(key), "expected true or false, got " + kind(value));
        }
        return value.booleanValue();
    }

    /** A whole number of at least {@code min}. */
    int integer(String key, int defaultValue, int min) {
        known.add(key);
        JsonNode value = value(key);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new ConfigException(path(key), "expected a whole number, got " + kind(value));
        }
        int number = value.intValue();
        if (number < min) {
            throw new ConfigException(path(key), tooSmall(min) + ": " + number);
        }
        return number;
    }

    /** A duration of at least {@code min}; see {@link Values#duration(String)}. */
    @Nullable
    Duration duration(String key, Duration min) {
        known.add(key);
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        Duration duration = value.isTextual() ? Values.duration(value.textValue()) : null;
        if (duration == null) {
            throw new ConfigException(path(key), "expected " + Values.DURATION_FORMS + ", got " + kind(value));
        }
        if (duration.compareTo(min) < 0) {
            throw new ConfigException(
                    path(key),
                    (min.isZero() ? "must not be negative" : "must be at least " + Values.format(min)) + ": "
                            + value.textValue());
        }
        return duration;
    }

    Duration duration(String key, Duration defaultValue, Duration min) {
        Duration value = duration(key, min);
        return value == null ? defaultValue : value;
    }

    /** A byte count of at least {@code min}; see {@link Values#size(String)}. */
    @Nullable
    Long size(String key, long min) {
        known.add(key);
        JsonNode value = value(key);
        if (value == null) {
            return null;
        }
        Long size = value.isIntegralNumber() && value.canConvertToLong()
                ? Long.valueOf(value.longValue())
                : value.isTextual() ? Values.size(value.textValue()) : null;
        if (size == null) {
            throw new ConfigException(path(key), "expected " + Values.SIZE_FORMS + ", got " + kind(value));
        }
        if (size < min) {
            throw new ConfigException(path(key), tooSmall(min) + ": " + value.asText());
        }
        return size;
    }

    /** One of {@code choices} (lower case, as written in the file). */
    <E> @Nullable E choice(String key, Map<String, E> choices) {
        String value = string(key);
        if (value == null) {
            return null;
        }
        E choice = choices.get(value.toLowerCase(Locale.ROOT));
        if (choice == null) {
            throw new ConfigException(
                    path(key), "expected one of " + String.join(", ", choices.keySet()) + ", got \"" + value + "\"");
        }
        return choice;
    }

    /** A list of text values; an absent key is an empty list. A single value counts as a list of one. */
    List<String> strings(String key) {
        return list(key, (item, itemPath) -> {
            if (!item.isTextual() && !item.isNumber()) {
                throw new ConfigException(itemPath, "expected a text value, got " + kind(item));
            }
            return item.asText();
        });
    }

    /** A list of Discord ids (snowflakes: positive 64-bit numbers, also accepted in quotes). */
    Set<Long> ids(String key) {
        return new LinkedHashSet<>(list(key, (item, itemPath) -> {
            long id = 0;
            if (item.isIntegralNumber() && item.canConvertToLong()) {
                id = item.longValue();
            } else if (item.isTextual() && item.textValue().strip().matches("\\d{1,19}")) {
                try {
                    id = Long.parseLong(item.textValue().strip());
                } catch (NumberFormatException e) {
                    id = 0;
                }
            }
            if (id <= 0) {
                throw new ConfigException(
                        itemPath,
                        "expected a Discord id (a positive number; Developer Mode, right click, Copy ID), got "
                                + kind(item));
            }
            return id;
        }));
    }

    /** A mapping of text to text; an absent key is an empty map. */
    Map<String, String> stringMap(String key) {
        Section section = section(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (section.node != null) {
            for (Iterator<String> names = section.node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String value = section.string(name);
                if (value == null) {
                    throw new ConfigException(section.path(name), "expected a text value, got nothing");
                }
                out.put(name, value);
            }
        }
        return out;
    }

    /** The keys of this section, in the file's order (each counts as read). */
    List<String> keys() {
        List<String> out = new ArrayList<>();
        if (node != null) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                known.add(name);
                out.add(name);
            }
        }
        return out;
    }

    /** A list of mappings ({@code - key: value} items); an absent key is an empty list. */
    List<Section> sections(String key) {
        return list(key, (item, itemPath) -> {
            if (!item.isObject()) {
                throw new ConfigException(itemPath, "expected a mapping (key: value lines), got " + kind(item));
            }
            return new Section(item, itemPath);
        });
    }

    /** Refuses every key of this section that no read asked for. */
    void finish() {
        if (node == null) {
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                String suggestion = closest(name);
                throw new ConfigException(
                        path(name),
                        "unknown key" + (path.isEmpty() ? "" : " in " + path)
                                + (suggestion == null ? "" : " (did you mean " + suggestion + "?)")
                                + "; the keys here are " + String.join(", ", known));
            }
        }
    }

    /** The known key nearest to a misspelt one (at most 2 edits, ignoring case), or null. */
    private @Nullable String closest(String name) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private interface Item<T> {
        T read(JsonNode item, String itemPath);
    }

    private <T> List<T> list(String key, Item<T> reader) {
        known.add(key);
        JsonNode value = value(key);
        List<T> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (value.isObject()) {
            throw new ConfigException(path(key), "expected a list ([a, b] or - lines), got " + kind(value));
        }
        if (!value.isArray()) {
            out.add(reader.read(value, path(key)));
            return out;
        }
        for (int i = 0; i < value.size(); i++) {
            out.add(reader.read(value.get(i), path(key) + "[" + i + "]"));
        }
        return out;
    }

    private @Nullable JsonNode value(String key) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(key);
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    private static String tooSmall(long min) {
        return min == 0 ? "must not be negative" : min == 1 ? "must be positive" : "must be at least " + min;
    }

    /** What a value is, for messages; the value itself for scalars. */
    static String kind(JsonNode value) {
        JsonNodeType type = value.getNodeType();
        return switch (type) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case STRING -> "\"" + value.textValue() + "\"";
            case BOOLEAN, NUMBER -> value.asText();
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    /** For parsers of one value: applies {@code parse}, and names the key when it fails. */
    <T> @Nullable T parsed(String key, Function<String, T> parse, String expected) {
        String value = string(key);
        if (value == null) {
            return null;
        }
        try {
            return parse.apply(value);
        } catch (RuntimeException e) {
            throw new ConfigException(path(key), "expected " + expected + ", got \"" + value + "\"");
        }
    }
}
