package io.github.acppool.examples.discord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentSpec;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.discord.AccessRules;
import io.github.acppool.discord.AgentRules;
import io.github.acppool.discord.BotMessagePolicy;
import io.github.acppool.discord.ChannelBinding;
import io.github.acppool.discord.DiscordConfig;
import io.github.acppool.discord.StatusEmoji;
import io.github.acppool.discord.ToolDisplay;
import io.github.acppool.pool.PoolConfig;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import net.dv8tion.jda.api.utils.Compression;
import org.jspecify.annotations.Nullable;

/**
 * The bot's configuration, read from a YAML file: every key is optional, and unknown keys, wrong types and values
 * out of range are refused with the key's path. The bot token is never part of it: only the name of the environment
 * variable that holds it. See the commented {@code examples/config/*.yaml} for every key and its default.
 *
 * <p>Relative paths are resolved against the config file's directory; a leading {@code ~/} means the home
 * directory.
 *
 * <p>Immutable and thread-safe.
 */
record BotConfig(
        Agent agent,
        State state,
        Pool pool,
        DrainPolicy drain,
        LivenessPolicy liveness,
        Permissions permissions,
        Discord discord,
        @Nullable Database database,
        @Nullable Metrics metrics,
        @Nullable Shards shards,
        Agents agents) {

    static final String DEFAULT_TOKEN_ENV = "DISCORD_BOT_TOKEN";
    static final String DEFAULT_STATE_DIRECTORY = "~/.acp-pool/discord-bot";
    static final String DEFAULT_SESSION_STORE = "sessions.json";
    static final String DEFAULT_WORKSPACE = "workspace";
    /** The demo agent keeps its own sessions here (in the state directory), so that they survive a restart. */
    static final String DEMO_AGENT_SESSIONS = "demo-agent-sessions.json";

    /** The tool kinds of ACP v1 ({@code ToolKind}), for {@code permissions.allowKinds}. */
    static final Set<String> TOOL_KINDS = new TreeSet<>(
            List.of("read", "edit", "delete", "move", "search", "execute", "think", "fetch", "switch_mode", "other"));

    /** What {@code SessionStore.JdbcBuilder.tablePrefix} accepts. */
    private static final Pattern TABLE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Method ids as agents send them (openai-api-key, oauth-personal, claude-login): one word, no spaces. */
    private static final Pattern AUTH_METHOD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+-]*");

    /**
     * The agent process of every conversation.
     *
     * @param commandLine the command and its arguments; empty for the bundled demo agent
     * @param workingDirectory where the agent runs (absolute)
     * @param workingDirectoryPerThread whether each Discord thread gets its own subdirectory, named by the thread id
     * @param env variables set for the agent (their values are not shown by {@link #toString()})
     * @param inheritEnv variables passed through from the bot's environment when set (besides PATH, HOME, USER,
     *     LANG)
     * @param senderHeaders whether each message reaches the agent after a line naming its sender ({@code [alice
     *     (123)]}), so that it can tell the people in a thread apart; off for the demo agent by default, whose
     *     {@code /commands} must come first
     * @param authPolicy how the agent authenticates ({@code agent.authMethod}: {@code auto}, the default, picks
     *     the method whose key variable the agent gets; {@code none}; or a method id such as {@code
     *     openai-api-key})
     * @param description a few words for people choosing the agent ({@code /ask agent:} autocomplete); null for none
     */
    record Agent(
            List<String> commandLine,
            Path workingDirectory,
            boolean workingDirectoryPerThread,
            Map<String, String> env,
            List<String> inheritEnv,
            boolean senderHeaders,
            AuthPolicy authPolicy,
            @Nullable String description) {
        Agent {
            commandLine = List.copyOf(commandLine);
            env = Map.copyOf(env);
            inheritEnv = List.copyOf(inheritEnv);
        }

        boolean demo() {
            return commandLine.isEmpty();
        }

        @Override
        public String toString() {
            return "Agent[commandLine=" + (demo() ? "(the demo agent)" : commandLine) + ", workingDirectory="
                    + workingDirectory + ", workingDirectoryPerThread=" + workingDirectoryPerThread + ", env="
                    + new TreeSet<>(env.keySet()) + ", inheritEnv=" + inheritEnv + ", senderHeaders=" + senderHeaders
                    + ", authMethod=" + authPolicy + (description == null ? "" : ", description=" + description)
                    + "]";
        }
    }

    /**
     * Every agent the bot offers. A file with the single {@code agent:} section has one, with the id {@value
     * AgentSpec#DEFAULT_ID_FOR_SINGLE}; one with the {@code agents:} map has one per entry.
     *
     * @param byId the agents by id, in the file's order
     * @param defaultId the agent of a conversation that names none ({@code defaultAgent}, else the first entry)
     * @param named whether the file gave the {@code agents:} map (the broker then gets one {@link AgentSpec} each)
     * @param bindings the channels bound to one agent ({@code bindings:})
     */
    record Agents(Map<String, Agent> byId, String defaultId, boolean named, List<Binding> bindings) {
        Agents {
            byId = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byId));
            bindings = List.copyOf(bindings);
        }

        Agent defaultAgent() {
            return java.util.Objects.requireNonNull(byId.get(defaultId));
        }

        /** The default agent first, then the others in the file's order. */
        List<String> ids() {
            List<String> ids = new java.util.ArrayList<>();
            ids.add(defaultId);
            byId.keySet().stream().filter(id -> !id.equals(defaultId)).forEach(ids::add);
            return ids;
        }
    }

    /**
     * A channel bound to one agent ({@code bindings:} item).
     *
     * @param workingDirectory where the binding's conversations run (absolute); null for the agent's own
     */
    record Binding(
            long channelId,
            String agentId,
            ChannelBinding.Mode mode,
            @Nullable Path workingDirectory) {}

    /**
     * Where the bot keeps what survives a restart.
     *
     * @param directory the state directory (absolute)
     * @param sessionStore the broker's session store file: conversation (thread) id to ACP session id (unused when
     *     the config has a {@code database})
     * @param retention how long the session of a thread that is not used is kept (file or database)
     */
    record State(Path directory, Path sessionStore, Duration retention) {
        /** With the default retention. */
        State(Path directory, Path sessionStore) {
            this(directory, sessionStore, SessionStore.DEFAULT_RETENTION);
        }
    }

    /**
     * The PostgreSQL database that holds the sessions instead of {@code state.sessionStore}, so that several bot
     * processes can share them. The password is never part of the config: only the name of the environment variable
     * that holds it.
     *
     * @param url the JDBC URL ({@code jdbc:postgresql://host:5432/db}), without credentials
     * @param user the database user
     * @param passwordEnv the environment variable that holds the user's password
     * @param tablePrefix the prefix of the bot's table names
     * @param maxConnections the size of the bot's connection pool
     */
    record Database(String url, String user, String passwordEnv, String tablePrefix, int maxConnections) {
        static final String DEFAULT_PASSWORD_ENV = "ACP_POOL_DB_PASSWORD";
        static final String DEFAULT_TABLE_PREFIX = "acp_pool_";
        static final int DEFAULT_MAX_CONNECTIONS = 4;

        /**
         * The password from {@code env}; empty if the variable is set but empty (a server that trusts the user).
         *
         * @throws ConfigException if the variable is not set
         */
        String password(Map<String, String> env) {
            String password = env.get(passwordEnv);
            if (password == null) {
                throw new ConfigException(
                        "database.passwordEnv",
                        "the environment variable " + passwordEnv + " is not set; put the database password of user "
                                + user + " in it (set it empty if the server needs none)");
            }
            return password;
        }
    }

    /**
     * Pool limits.
     *
     * @param maxAgents agent processes at once (one per active thread)
     * @param idleTimeout how long an idle thread keeps its agent before it is stopped (its session is resumed later)
     * @param maxQueuedMessages messages that may wait behind a thread's running turn
     * @param warmAgents spare agents started ahead, so a new thread's first reply does not wait for the agent to
     *     start (0, the default: none); they count against {@code maxAgents}
     */
    record Pool(int maxAgents, Duration idleTimeout, int maxQueuedMessages, int warmAgents) {
        static final int DEFAULT_MAX_AGENTS = PoolConfig.DEFAULT_MAX_SIZE;
        static final Duration DEFAULT_IDLE_TIMEOUT = PoolConfig.DEFAULT_IDLE_TIMEOUT;
        static final int DEFAULT_MAX_QUEUED_MESSAGES = AcpBroker.Builder.DEFAULT_MAX_QUEUED_MESSAGES;
    }

    /** How the agent's permission requests are answered. */
    enum PermissionMode {
        /** Allow / Deny buttons in the thread (the Discord front end's policy). */
        ASK,
        REJECT,
        ALLOW_ONCE,
        /** Allow the tool kinds listed in {@code permissions.allowKinds}, reject the rest. */
        ALLOW_KINDS
    }

    record Permissions(PermissionMode mode, Set<String> allowKinds) {
        static final PermissionMode DEFAULT_MODE = PermissionMode.ASK;

        Permissions {
            allowKinds = Set.copyOf(allowKinds);
        }
    }

    /**
     * The Discord side.
     *
     * @param tokenEnv the environment variable that holds the bot token
     * @param frontEnd the front end's settings: access rules, replies, reactions, permission questions, attachments
     * @param restBaseUrl Discord's REST API base, for a proxy or a test double; null for Discord's own
     * @param gatewayUrl the gateway WebSocket, for a proxy or a test double; null for the one Discord names
     * @param gatewayCompression the gateway's transport compression
     */
    record Discord(
            String tokenEnv,
            DiscordConfig frontEnd,
            @Nullable URI restBaseUrl,
            @Nullable URI gatewayUrl,
            Compression gatewayCompression) {
        static final Compression DEFAULT_GATEWAY_COMPRESSION = Compression.ZLIB;

        /**
         * The bot token from {@code env}.
         *
         * @throws ConfigException if the variable is not set or blank
         */
        String token(Map<String, String> env) {
            String token = env.get(tokenEnv);
            if (token == null || token.isBlank()) {
                throw new ConfigException(
                        "discord.tokenEnv",
                        "the environment variable " + tokenEnv + " is not set; put the bot token in it (Discord"
                                + " developer portal, your application, Bot, Reset Token)");
            }
            return token.strip();
        }
    }

    /**
     * The monitoring endpoint ({@code /metrics} in Prometheus text, {@code /healthz}); off when the config has no
     * {@code metrics.port}.
     *
     * @param host the address to listen on: loopback unless set explicitly (the numbers are not secret, but nobody
     *     outside the machine needs them unless the operator says so)
     * @param port the TCP port; 0 picks a free one (logged at start)
     */
    record Metrics(String host, int port) {
        static final String DEFAULT_HOST = "127.0.0.1";
    }

    /**
     * The shards of the Discord application this process serves, so that several processes split one bot: Discord
     * sends each guild's events to shard {@code (guild id >> 22) % total} (direct messages to shard 0), and each
     * process connects the shards {@code from} to {@code to} (inclusive). Absent: one connection, all of it.
     *
     * @param total how many shards the application runs with, over every process
     * @param from the first shard of this process
     * @param to the last shard of this process
     */
    record Shards(int total, int from, int to) {
        /** How many shards this process connects. */
        int count() {
            return to - from + 1;
        }
    }

    /**
     * Reads and checks a config file.
     *
     * @param home the user's home directory, for {@code ~/}
     * @throws ConfigException if the file cannot be read or is not a valid config
     */
    static BotConfig load(Path file, Path home) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("", "cannot read the config file " + file + ": " + e.getMessage());
        }
        Path directory = file.toAbsolutePath().getParent();
        return parse(text, directory == null ? Path.of("").toAbsolutePath() : directory, home);
    }

    /**
     * Parses and checks a config.
     *
     * @param baseDirectory what relative paths are relative to
     * @param home the user's home directory, for {@code ~/}
     * @throws ConfigException if it is not a valid config
     */
    static BotConfig parse(String yaml, Path baseDirectory, Path home) {
        JsonNode tree;
        try {
            tree = YAMLMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build()
                    .readTree(yaml);
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            throw new ConfigException(
                    "",
                    "not valid YAML"
                            + (location == null
                                    ? ""
                                    : " at line " + location.getLineNr() + ", column " + location.getColumnNr())
                            + ": " + e.getOriginalMessage());
        }
        return new Parser(baseDirectory, home).config(Section.root(tree));
    }

    /** Reads the sections; holds only what paths are resolved against. */
    private static final class Parser {
        private final Path baseDirectory;
        private final Path home;

        Parser(Path baseDirectory, Path home) {
            this.baseDirectory = baseDirectory;
            this.home = home;
        }

        BotConfig config(Section root) {
            // The agent section needs the state and discord ones; error messages list the keys in the files' order.
            for (String key : List.of(
                    "agent",
                    "agents",
                    "defaultAgent",
                    "allowedAgents",
                    "bindings",
                    "operators",
                    "state",
                    "pool",
                    "drain",
                    "liveness",
                    "permissions",
                    "discord",
                    "database",
                    "metrics",
                    "shards")) {
                root.has(key);
            }
            State state = state(root.section("state"));
            Section discordSection = root.section("discord");
            Agents agents = agents(root, state, discordSection.string("tokenEnv", DEFAULT_TOKEN_ENV));
            AgentRules rules = agentRules(root, agents);
            Discord discord = discord(discordSection, rules, root.section("operators"));
            Agent agent = agents.defaultAgent();
            BotConfig config = new BotConfig(
                    agent,
                    state,
                    pool(root.section("pool")),
                    drain(root.section("drain")),
                    liveness(root.section("liveness")),
                    permissions(root.section("permissions")),
                    discord,
                    database(root.section("database"), discord.tokenEnv()),
                    metrics(root.section("metrics")),
                    shards(root.section("shards")),
                    agents);
            root.finish();
            return config;
        }

        private static @Nullable Metrics metrics(Section section) {
            if (!section.has("port")) {
                if (section.has("host")) {
                    throw new ConfigException(
                            section.path("host"), "needs metrics.port (the endpoint is off without a port)");
                }
                section.finish();
                return null;
            }
            int port = section.integer("port", 0, 0);
            if (port > 65535) {
                throw new ConfigException(section.path("port"), "must be at most 65535: " + port);
            }
            String host = section.nonBlank("host");
            section.finish();
            return new Metrics(host == null ? Metrics.DEFAULT_HOST : host.strip(), port);
        }

        private static @Nullable Shards shards(Section section) {
            if (!section.has("total")) {
                for (String key : List.of("from", "to")) {
                    if (section.has(key)) {
                        throw new ConfigException(
                                section.path(key), "needs shards.total (how many shards the application runs with)");
                    }
                }
                section.finish();
                return null;
            }
            int total = section.integer("total", 1, 1);
            int from = section.integer("from", 0, 0);
            int to = section.integer("to", total - 1, 0);
            for (String key : List.of("from", "to")) {
                int value = key.equals("from") ? from : to;
                if (value >= total) {
                    throw new ConfigException(
                            section.path(key),
                            "must be below shards.total (" + total + "; shards are numbered from 0): " + value);
                }
            }
            if (from > to) {
                throw new ConfigException(section.path("from"), "must not be above shards.to (" + to + "): " + from);
            }
            section.finish();
            return new Shards(total, from, to);
        }

        private State state(Section section) {
            Path directory = path(section, "directory", DEFAULT_STATE_DIRECTORY, baseDirectory);
            Path store = path(section, "sessionStore", DEFAULT_SESSION_STORE, directory);
            Duration retention = section.duration("retention", SessionStore.DEFAULT_RETENTION, Duration.ofMinutes(1));
            section.finish();
            return new State(directory, store, retention);
        }

        private static @Nullable Database database(Section section, String tokenEnv) {
            String url = section.nonBlank("url");
            if (url == null) {
                for (String key : List.of("user", "passwordEnv", "tablePrefix", "maxConnections")) {
                    if (section.has(key)) {
                        throw new ConfigException(section.path(key), "needs database.url");
                    }
                }
                section.finish();
                return null;
            }
            url = url.strip();
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException(
                        section.path("url"),
                        "expected a PostgreSQL JDBC URL such as jdbc:postgresql://db.example:5432/acp, got \""
                                + BotStore.redact(url) + "\"");
            }
            if (BotStore.hasCredentials(url)) {
                throw new ConfigException(
                        section.path("url"),
                        "must not hold a password; give the user in database.user and the name of the environment"
                                + " variable with the password in database.passwordEnv");
            }
            String user = section.nonBlank("user");
            if (user == null) {
                throw new ConfigException(section.path("user"), "needs the database user");
            }
            String passwordEnv = section.string("passwordEnv", Database.DEFAULT_PASSWORD_ENV);
            if (!ENV_NAME.matcher(passwordEnv).matches()) {
                throw new ConfigException(
                        section.path("passwordEnv"),
                        "the name of an environment variable (not the password itself) is expected");
            }
            if (passwordEnv.equals(tokenEnv)) {
                throw new ConfigException(
                        section.path("passwordEnv"), "is the bot token's variable (" + tokenEnv + ")");
            }
            String prefix = section.string("tablePrefix", Database.DEFAULT_TABLE_PREFIX);
            if (!TABLE_PREFIX.matcher(prefix).matches()) {
                throw new ConfigException(
                        section.path("tablePrefix"),
                        "expected lower-case letters, digits and underscores (at most 40, not starting with a digit),"
                                + " got \"" + prefix + "\"");
            }
            int maxConnections = section.integer("maxConnections", Database.DEFAULT_MAX_CONNECTIONS, 1);
            section.finish();
            return new Database(url, user.strip(), passwordEnv, prefix, maxConnections);
        }

        // ------------------------------------------------------------ agents, bindings, operators

        /** The single {@code agent:} section, or the {@code agents:} map with its {@code defaultAgent}. */
        private Agents agents(Section root, State state, String tokenEnv) {
            Section map = root.section("agents");
            if (!root.has("agents")) {
                if (root.has("defaultAgent")) {
                    throw new ConfigException("defaultAgent", "applies only with the agents: map");
                }
                Agent agent = agent(root.section("agent"), state, tokenEnv);
                return new Agents(
                        Map.of(AgentSpec.DEFAULT_ID_FOR_SINGLE, agent),
                        AgentSpec.DEFAULT_ID_FOR_SINGLE,
                        false,
                        bindings(root, Set.of(AgentSpec.DEFAULT_ID_FOR_SINGLE), AgentSpec.DEFAULT_ID_FOR_SINGLE));
            }
            if (root.has("agent")) {
                throw new ConfigException(
                        "agents", "give either agent: (one agent) or agents: (several by name), not both");
            }
            List<String> ids = map.keys();
            if (ids.isEmpty()) {
                throw new ConfigException("agents", "name at least one agent, e.g. agents: {codex: {command: ...}}");
            }
            Map<String, Agent> byId = new LinkedHashMap<>();
            Map<String, Boolean> explicitHeaders = new LinkedHashMap<>();
            for (String id : ids) {
                if (!AgentSpec.ID_PATTERN.matcher(id).matches()) {
                    throw new ConfigException(
                            map.path(id),
                            "an agent's name must be 1-32 letters, digits, '-' or '_', starting with a letter or"
                                    + " digit (people type it: @bot codex: ...), got \"" + id + "\"");
                }
                if (byId.keySet().stream().anyMatch(id::equalsIgnoreCase)) {
                    throw new ConfigException(map.path(id), "two agents are named " + id + " (names ignore case)");
                }
                Section entry = map.section(id);
                if (entry.has("senderHeaders")) {
                    explicitHeaders.put(id, entry.bool("senderHeaders", false));
                }
                byId.put(id, agent(entry, state, tokenEnv));
            }
            String defaultId = root.nonBlank("defaultAgent");
            if (defaultId == null) {
                defaultId = ids.get(0);
            } else if (!byId.containsKey(defaultId.strip())) {
                throw new ConfigException(
                        "defaultAgent",
                        "no agent is named \"" + defaultId + "\"; the agents are " + String.join(", ", ids));
            }
            defaultId = defaultId.strip();
            // The broker composes every prompt the same way: the default agent's choice holds for all.
            boolean headers =
                    java.util.Objects.requireNonNull(byId.get(defaultId)).senderHeaders();
            for (var explicit : explicitHeaders.entrySet()) {
                if (explicit.getValue() != headers) {
                    throw new ConfigException(
                            map.path(explicit.getKey()) + ".senderHeaders",
                            "every agent gets the same senderHeaders as the default agent (" + defaultId + ": "
                                    + headers + "); set it there");
                }
            }
            byId.replaceAll((id, agent) -> agent.senderHeaders() == headers
                    ? agent
                    : new Agent(
                            agent.commandLine(),
                            agent.workingDirectory(),
                            agent.workingDirectoryPerThread(),
                            agent.env(),
                            agent.inheritEnv(),
                            headers,
                            agent.authPolicy(),
                            agent.description()));
            map.finish();
            return new Agents(byId, defaultId, true, bindings(root, byId.keySet(), defaultId));
        }

        private List<Binding> bindings(Section root, Set<String> agentIds, String defaultId) {
            List<Binding> bindings = new java.util.ArrayList<>();
            Set<Long> bound = new java.util.HashSet<>();
            for (Section item : root.sections("bindings")) {
                Set<Long> channel = item.ids("channel");
                if (channel.size() != 1) {
                    throw new ConfigException(item.path("channel"), "needs the id of one channel to bind");
                }
                long channelId = channel.iterator().next();
                if (!bound.add(channelId)) {
                    throw new ConfigException(item.path("channel"), "this channel is bound already");
                }
                String agentId = item.nonBlank("agent");
                agentId = agentId == null ? defaultId : agentId.strip();
                if (!agentIds.contains(agentId)) {
                    throw new ConfigException(
                            item.path("agent"),
                            "no agent is named \"" + agentId + "\"; the agents are " + String.join(", ", agentIds));
                }
                ChannelBinding.Mode mode = item.choice("mode", enumChoices(ChannelBinding.Mode.values()));
                Path workingDirectory =
                        item.has("workingDirectory") ? path(item, "workingDirectory", "", baseDirectory) : null;
                item.finish();
                bindings.add(new Binding(
                        channelId, agentId, mode == null ? ChannelBinding.Mode.CHANNEL : mode, workingDirectory));
            }
            return bindings;
        }

        /** {@code allowedAgents:} (channels and roles to agent names) and the bindings, for the front end. */
        private static AgentRules agentRules(Section root, Agents agents) {
            Section allowed = root.section("allowedAgents");
            Map<Long, Set<String>> channels = idToAgents(allowed.section("channels"), agents);
            Map<Long, Set<String>> roles = idToAgents(allowed.section("roles"), agents);
            allowed.finish();
            List<ChannelBinding> bindings = agents.bindings().stream()
                    .map(b -> new ChannelBinding(b.channelId(), b.agentId(), b.mode()))
                    .toList();
            return new AgentRules(channels, roles, bindings);
        }

        private static Map<Long, Set<String>> idToAgents(Section section, Agents agents) {
            Map<Long, Set<String>> out = new LinkedHashMap<>();
            for (String key : section.keys()) {
                long id = 0;
                if (key.strip().matches("\\d{1,19}")) {
                    try {
                        id = Long.parseLong(key.strip());
                    } catch (NumberFormatException e) {
                        id = 0;
                    }
                }
                if (id <= 0) {
                    throw new ConfigException(
                            section.path(key),
                            "expected a Discord id as the key (Developer Mode, right click, Copy ID)");
                }
                List<String> names = section.strings(key);
                for (int i = 0; i < names.size(); i++) {
                    if (!agents.byId().containsKey(names.get(i))) {
                        throw new ConfigException(
                                section.path(key) + "[" + i + "]",
                                "no agent is named \"" + names.get(i) + "\"; the agents are "
                                        + String.join(", ", agents.byId().keySet()));
                    }
                }
                out.put(id, new LinkedHashSet<>(names));
            }
            section.finish();
            return out;
        }

        private Agent agent(Section section, State state, String tokenEnv) {
            List<String> commandLine;
            String commandKey = section.path("command");
            if (!section.has("command")) {
                if (!section.strings("args").isEmpty()) {
                    throw new ConfigException(section.path("args"), "needs " + commandKey);
                }
                commandLine = List.of();
            } else {
                commandLine = new java.util.ArrayList<>(section.strings("command"));
                List<String> args = section.strings("args");
                if (commandLine.size() > 1 && !args.isEmpty()) {
                    throw new ConfigException(
                            section.path("args"),
                            "give the arguments either in " + commandKey + " (a list) or in " + section.path("args")
                                    + ", not both");
                }
                commandLine.addAll(args);
                if (commandLine.isEmpty() || commandLine.get(0).isBlank()) {
                    throw new ConfigException(
                            commandKey,
                            "the agent command is empty; name an executable (e.g. [npx, -y,"
                                    + " \"@zed-industries/codex-acp\"]), or leave " + commandKey
                                    + " out for the demo agent");
                }
            }
            Path workingDirectory = path(
                    section,
                    "workingDirectory",
                    state.directory().resolve(DEFAULT_WORKSPACE).toString(),
                    baseDirectory);
            boolean perThread = section.bool("workingDirectoryPerThread", false);
            Map<String, String> env = section.stringMap("env");
            for (String name : env.keySet()) {
                envName(section.path("env") + "." + name, name, tokenEnv);
            }
            List<String> inherit = section.strings("inheritEnv");
            for (int i = 0; i < inherit.size(); i++) {
                envName(section.path("inheritEnv") + "[" + i + "]", inherit.get(i), tokenEnv);
            }
            boolean senderHeaders = section.bool("senderHeaders", !commandLine.isEmpty());
            AuthPolicy auth = authPolicy(section);
            String description = section.nonBlank("description");
            section.finish();
            return new Agent(
                    commandLine,
                    workingDirectory,
                    perThread,
                    env,
                    inherit,
                    senderHeaders,
                    auth,
                    description == null ? null : description.strip());
        }

        private static AuthPolicy authPolicy(Section section) {
            String value = section.nonBlank("authMethod");
            if (value == null) {
                return AuthPolicy.automatic();
            }
            if (!AUTH_METHOD.matcher(value.strip()).matches()) {
                throw new ConfigException(
                        section.path("authMethod"),
                        "expected auto, none or an authentication method id the agent advertises (e.g."
                                + " openai-api-key), got \"" + value + "\"");
            }
            return AuthPolicy.parse(value);
        }

        private static void envName(String key, String name, String tokenEnv) {
            if (!ENV_NAME.matcher(name).matches()) {
                throw new ConfigException(key, "not an environment variable name: \"" + name + "\"");
            }
            if (name.equals(tokenEnv)) {
                throw new ConfigException(key, "the bot token (" + tokenEnv + ") must not be given to the agent");
            }
        }

        private static Pool pool(Section section) {
            Pool pool = new Pool(
                    section.integer("maxAgents", Pool.DEFAULT_MAX_AGENTS, 1),
                    section.duration("idleTimeout", Pool.DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(1)),
                    section.integer("maxQueuedMessages", Pool.DEFAULT_MAX_QUEUED_MESSAGES, 0),
                    section.integer("warmAgents", 0, 0));
            section.finish();
            return pool;
        }

        private static DrainPolicy drain(Section section) {
            String mode = section.choice("mode", choices("fixed", "quiet", "none"));
            DrainPolicy policy;
            if (mode == null || mode.equals("fixed")) {
                policy =
                        DrainPolicy.fixed(section.duration("window", DrainPolicy.DEFAULT_WINDOW, Duration.ofMillis(1)));
                unused(section, "quiet", "cap", "mode quiet");
            } else if (mode.equals("quiet")) {
                Duration quiet = section.duration("quiet", Duration.ofSeconds(1), Duration.ofMillis(1));
                Duration cap = section.duration("cap", Duration.ofSeconds(5), Duration.ofMillis(1));
                if (quiet.compareTo(cap) > 0) {
                    throw new ConfigException(
                            section.path("quiet"),
                            "must not be longer than drain.cap (" + Values.format(cap) + "): " + Values.format(quiet));
                }
                policy = DrainPolicy.quietPeriod(quiet, cap);
                unused(section, "window", null, "mode fixed");
            } else {
                policy = DrainPolicy.none();
                unused(section, "window", "quiet", "another mode");
                unused(section, "cap", null, "mode quiet");
            }
            section.finish();
            return policy;
        }

        /** Refuses keys that the chosen mode would silently ignore. */
        private static void unused(Section section, String key, @Nullable String other, String needs) {
            for (String name : other == null ? List.of(key) : List.of(key, other)) {
                if (section.has(name)) {
                    throw new ConfigException(section.path(name), "applies only with " + needs);
                }
            }
        }

        private static LivenessPolicy liveness(Section section) {
            LivenessPolicy.Builder builder = LivenessPolicy.builder()
                    .checkInterval(section.duration(
                            "checkInterval", LivenessPolicy.DEFAULT_CHECK_INTERVAL, Duration.ofMillis(1)))
                    .hardTimeout(
                            section.duration("hardTimeout", LivenessPolicy.DEFAULT_HARD_TIMEOUT, Duration.ofMillis(1)));
            Duration inactivity = section.duration("inactivityTimeout", Duration.ofMillis(1));
            if (inactivity != null) {
                builder.inactivityTimeout(inactivity);
            }
            section.finish();
            return builder.build();
        }

        private static Permissions permissions(Section section) {
            Map<String, PermissionMode> modes = new LinkedHashMap<>();
            for (PermissionMode mode : PermissionMode.values()) {
                modes.put(mode.name().toLowerCase(Locale.ROOT).replace('_', '-'), mode);
            }
            PermissionMode mode = section.choice("mode", modes);
            if (mode == null) {
                mode = Permissions.DEFAULT_MODE;
            }
            List<String> kinds = section.strings("allowKinds");
            if (mode == PermissionMode.ALLOW_KINDS && kinds.isEmpty()) {
                throw new ConfigException(
                        section.path("allowKinds"),
                        "mode allow-kinds needs the tool kinds to allow, e.g. [read, search]");
            }
            if (mode != PermissionMode.ALLOW_KINDS && !kinds.isEmpty()) {
                throw new ConfigException(section.path("allowKinds"), "applies only with mode allow-kinds");
            }
            for (int i = 0; i < kinds.size(); i++) {
                if (!TOOL_KINDS.contains(kinds.get(i))) {
                    throw new ConfigException(
                            section.path("allowKinds") + "[" + i + "]",
                            "not an ACP tool kind: \"" + kinds.get(i) + "\"; the kinds are "
                                    + String.join(", ", TOOL_KINDS));
                }
            }
            section.finish();
            return new Permissions(mode, new LinkedHashSet<>(kinds));
        }

        private static Discord discord(Section section, AgentRules agents, Section operators) {
            String tokenEnv = section.string("tokenEnv", DEFAULT_TOKEN_ENV);
            if (!ENV_NAME.matcher(tokenEnv).matches()) {
                throw new ConfigException(
                        section.path("tokenEnv"),
                        "the name of an environment variable (not the token itself) is expected, got \"" + tokenEnv
                                + "\"");
            }
            AccessRules.Builder access = AccessRules.builder()
                    .allowedChannels(section.ids("allowedChannels"))
                    .allowedUsers(section.ids("allowedUsers"))
                    .allowedRoles(section.ids("allowedRoles"))
                    .allowDirectMessages(section.bool("allowDirectMessages", AccessRules.DEFAULT_ALLOW_DIRECT_MESSAGES))
                    .trustedBots(section.ids("trustedBots"))
                    .maxBotTurns(section.integer("maxBotTurns", AccessRules.DEFAULT_MAX_BOT_TURNS, 1));
            BotMessagePolicy bots = section.choice("botMessages", enumChoices(BotMessagePolicy.values()));
            access.botMessages(bots == null ? AccessRules.DEFAULT_BOT_MESSAGES : bots);
            DiscordConfig.Builder frontEnd = DiscordConfig.builder().access(access.build());
            frontEnd.agents(agents).operatorUsers(operators.ids("users")).operatorRoles(operators.ids("roles"));
            operators.finish();
            ToolDisplay toolDisplay = section.choice("toolDisplay", enumChoices(ToolDisplay.values()));
            if (toolDisplay != null) {
                frontEnd.toolDisplay(toolDisplay);
            }
            Section emoji = section.section("statusEmoji");
            StatusEmoji.Builder statusEmoji = StatusEmoji.builder();
            emojiIfSet(emoji, "queued", statusEmoji::queued);
            emojiIfSet(emoji, "thinking", statusEmoji::thinking);
            emojiIfSet(emoji, "tool", statusEmoji::tool);
            emojiIfSet(emoji, "done", statusEmoji::done);
            emojiIfSet(emoji, "cancelled", statusEmoji::cancelled);
            emojiIfSet(emoji, "error", statusEmoji::error);
            emoji.finish();
            frontEnd.statusEmoji(statusEmoji.build());
            ifSet(section.duration("statusDebounce", Duration.ZERO), frontEnd::statusDebounce);
            ifSet(section.duration("editInterval", Duration.ofMillis(100)), frontEnd::editInterval);
            ifSet(section.duration("permissionTimeout", Duration.ofSeconds(1)), frontEnd::permissionTimeout);
            if (section.has("registerCommands")) {
                frontEnd.registerCommands(section.bool("registerCommands", DiscordConfig.DEFAULT_REGISTER_COMMANDS));
            }
            if (section.has("commandGuilds")) {
                frontEnd.commandGuilds(section.ids("commandGuilds"));
            }
            if (section.has("allowUserMentions")) {
                frontEnd.allowUserMentions(
                        section.bool("allowUserMentions", DiscordConfig.DEFAULT_ALLOW_USER_MENTIONS));
            }
            if (section.has("showDiagnostics")) {
                frontEnd.showDiagnostics(section.bool("showDiagnostics", DiscordConfig.DEFAULT_SHOW_DIAGNOSTICS));
            }
            Section attachments = section.section("attachments");
            ifSet(attachments.size("maxTextBytes", 0), frontEnd::maxTextAttachmentBytes);
            ifSet(attachments.size("maxImageBytes", 0), frontEnd::maxImageBytes);
            ifSet(attachments.duration("downloadTimeout", Duration.ofMillis(1)), frontEnd::attachmentDownloadTimeout);
            attachments.finish();
            Compression compression = section.choice("gatewayCompression", enumChoices(Compression.values()));
            Discord discord = new Discord(
                    tokenEnv,
                    frontEnd.build(),
                    url(section, "restBaseUrl", Set.of("http", "https")),
                    url(section, "gatewayUrl", Set.of("ws", "wss")),
                    compression == null ? Discord.DEFAULT_GATEWAY_COMPRESSION : compression);
            section.finish();
            return discord;
        }

        private static <T> void ifSet(@Nullable T value, java.util.function.Consumer<T> setter) {
            if (value != null) {
                setter.accept(value);
            }
        }

        private static void emojiIfSet(Section section, String key, java.util.function.Consumer<String> setter) {
            String value = section.nonBlank(key);
            if (value != null) {
                setter.accept(value.strip());
            }
        }

        private static @Nullable URI url(Section section, String key, Set<String> schemes) {
            String text = section.nonBlank(key);
            if (text == null) {
                return null;
            }
            URI uri;
            try {
                uri = new URI(text.strip());
            } catch (URISyntaxException e) {
                uri = null;
            }
            if (uri == null
                    || uri.getScheme() == null
                    || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    || uri.getHost() == null) {
                throw new ConfigException(
                        section.path(key),
                        "expected an absolute " + String.join(" or ", new TreeSet<>(schemes)) + " URL, got \"" + text
                                + "\"");
            }
            return uri;
        }

        private Path path(Section section, String key, String defaultValue, Path relativeTo) {
            String text = section.nonBlank(key);
            String value = text == null ? defaultValue : text.strip();
            try {
                Path path = value.equals("~")
                        ? home
                        : value.startsWith("~/") ? home.resolve(value.substring(2)) : Path.of(value);
                return relativeTo.resolve(path).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new ConfigException(section.path(key), "not a valid path: \"" + value + "\"");
            }
        }

        private static Map<String, String> choices(String... names) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String name : names) {
                out.put(name, name);
            }
            return out;
        }

        private static <E extends Enum<E>> Map<String, E> enumChoices(E[] values) {
            Map<String, E> out = new LinkedHashMap<>();
            for (E value : values) {
                out.put(value.name().toLowerCase(Locale.ROOT), value);
            }
            return out;
        }
    }
}
