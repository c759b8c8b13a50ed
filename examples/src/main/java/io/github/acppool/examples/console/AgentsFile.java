package io.github.acppool.examples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.broker.AgentSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code agents:} map (and {@code defaultAgent}) of a YAML file, as the bundled Discord bot reads it, so that
 * the bot's config file works as it is: every other top-level key is ignored here. Each entry takes the keys of
 * the bot's {@code agent:} section; {@code workingDirectoryPerThread} and {@code senderHeaders} mean nothing in a
 * console and are accepted and ignored. An entry without {@code command} runs the bundled demo agent.
 *
 * <p>The bot's own parser (examples/discord/BotConfig) reads the same section with the bot's full validation;
 * this one is the console's until the two share one reader. Immutable.
 *
 * @param agents the agents by id, in the file's order
 * @param defaultId the default agent ({@code defaultAgent}, else the first)
 */
record AgentsFile(Map<String, Entry> agents, String defaultId) {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern AUTH_METHOD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]*");
    private static final Set<String> ENTRY_KEYS = Set.of(
            "description",
            "command",
            "args",
            "workingDirectory",
            "workingDirectoryPerThread",
            "env",
            "inheritEnv",
            "senderHeaders",
            "authMethod");

    AgentsFile {
        agents = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(agents));
    }

    /**
     * One agent of the file.
     *
     * @param commandLine the command and its arguments; empty for the bundled demo agent
     * @param workingDirectory its own working directory (absolute), or null for the console's
     */
    record Entry(
            List<String> commandLine,
            @Nullable Path workingDirectory,
            Map<String, String> env,
            List<String> inheritEnv,
            AuthPolicy authPolicy,
            @Nullable String description) {
        Entry {
            commandLine = List.copyOf(commandLine);
            env = Map.copyOf(env);
            inheritEnv = List.copyOf(inheritEnv);
        }

        boolean demo() {
            return commandLine.isEmpty();
        }
    }

    /**
     * Reads the file.
     *
     * @throws ConsoleOptions.UsageException naming the file and the key that is wrong
     */
    static AgentsFile read(Path file, @Nullable String home) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConsoleOptions.UsageException("agents file not found: " + file);
        } catch (IOException e) {
            throw new ConsoleOptions.UsageException("cannot read agents file " + file + ": " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(yaml, file.toString(), base != null ? base : Path.of("").toAbsolutePath(), home);
    }

    static AgentsFile parse(String yaml, String source, Path base, @Nullable String home) {
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(yaml);
        } catch (IOException e) {
            throw new ConsoleOptions.UsageException(source + " is not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("agents").isObject()) {
            throw new ConsoleOptions.UsageException(
                    source + ": needs an agents: mapping of names to agents, e.g. agents: {codex: {command: ...}}");
        }
        Map<String, Entry> agents = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.path("agents").properties()) {
            String id = field.getKey();
            String key = "agents." + id;
            if (!AgentSpec.ID_PATTERN.matcher(id).matches()) {
                throw problem(
                        source,
                        key,
                        "an agent's name must be 1-32 letters, digits, '-' or '_', starting with a letter or digit");
            }
            if (agents.keySet().stream().anyMatch(id::equalsIgnoreCase)) {
                throw problem(source, key, "two agents are named " + id + " (names ignore case)");
            }
            agents.put(id, entry(source, key, field.getValue(), base, home));
        }
        if (agents.isEmpty()) {
            throw problem(source, "agents", "name at least one agent");
        }
        JsonNode wanted = root.path("defaultAgent");
        String defaultId = agents.keySet().iterator().next();
        if (!wanted.isMissingNode() && !wanted.isNull()) {
            if (!agents.containsKey(wanted.asText().strip())) {
                throw problem(
                        source,
                        "defaultAgent",
                        "no agent is named \"" + wanted.asText() + "\"; the agents are "
                                + String.join(", ", agents.keySet()));
            }
            defaultId = wanted.asText().strip();
        }
        return new AgentsFile(agents, defaultId);
    }

    private static Entry entry(String source, String key, JsonNode node, Path base, @Nullable String home) {
        if (node.isNull()) {
            return new Entry(List.of(), null, Map.of(), List.of(), AuthPolicy.automatic(), null);
        }
        if (!node.isObject()) {
            throw problem(source, key, "expected a mapping of the agent's keys (command, env, ...)");
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!ENTRY_KEYS.contains(field.getKey())) {
                throw problem(
                        source,
                        key + "." + field.getKey(),
                        "unknown key (known: " + String.join(", ", new java.util.TreeSet<>(ENTRY_KEYS)) + ")");
            }
        }
        List<String> command = strings(source, key + ".command", node.path("command"));
        List<String> args = strings(source, key + ".args", node.path("args"));
        if (command.isEmpty() && !args.isEmpty()) {
            throw problem(source, key + ".args", "needs " + key + ".command");
        }
        if (command.size() > 1 && !args.isEmpty()) {
            throw problem(
                    source,
                    key + ".args",
                    "give the arguments either in " + key + ".command (a list) or in " + key + ".args, not both");
        }
        if (!command.isEmpty() && command.get(0).isBlank()) {
            throw problem(source, key + ".command", "the agent command is empty");
        }
        List<String> commandLine = new ArrayList<>(command);
        commandLine.addAll(args);
        Path directory = null;
        JsonNode dir = node.path("workingDirectory");
        if (!dir.isMissingNode() && !dir.isNull()) {
            directory = path(source, key + ".workingDirectory", dir.asText(), base, home);
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = node.path("env");
        if (!envNode.isMissingNode() && !envNode.isNull()) {
            if (!envNode.isObject()) {
                throw problem(source, key + ".env", "expected a mapping of variable names to values");
            }
            for (Map.Entry<String, JsonNode> variable : envNode.properties()) {
                envName(source, key + ".env." + variable.getKey(), variable.getKey());
                env.put(variable.getKey(), variable.getValue().asText());
            }
        }
        List<String> inherit = strings(source, key + ".inheritEnv", node.path("inheritEnv"));
        for (int i = 0; i < inherit.size(); i++) {
            envName(source, key + ".inheritEnv[" + i + "]", inherit.get(i));
        }
        AuthPolicy auth = AuthPolicy.automatic();
        JsonNode method = node.path("authMethod");
        if (!method.isMissingNode() && !method.isNull()) {
            if (!AUTH_METHOD.matcher(method.asText().strip()).matches()) {
                throw problem(
                        source,
                        key + ".authMethod",
                        "expected auto, none or an authentication method id the agent advertises, got \""
                                + method.asText() + "\"");
            }
            auth = AuthPolicy.parse(method.asText());
        }
        JsonNode description = node.path("description");
        return new Entry(
                commandLine,
                directory,
                env,
                inherit,
                auth,
                description.isTextual() && !description.asText().isBlank() ? description.asText() : null);
    }

    private static List<String> strings(String source, String key, JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            throw problem(source, key, "expected a list of texts");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isValueNode() || item.isNull()) {
                throw problem(source, key, "expected a list of texts");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static void envName(String source, String key, String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw problem(source, key, "not an environment variable name: \"" + name + "\"");
        }
    }

    private static Path path(String source, String key, String value, Path base, @Nullable String home) {
        String expanded = value.strip();
        if ((expanded.equals("~") || expanded.startsWith("~/")) && home != null) {
            expanded = home + expanded.substring(1);
        }
        try {
            return base.resolve(expanded).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw problem(source, key, "not a valid path: " + value);
        }
    }

    private static ConsoleOptions.UsageException problem(String source, String key, String message) {
        return new ConsoleOptions.UsageException(source + ": " + key + ": " + message);
    }
}
