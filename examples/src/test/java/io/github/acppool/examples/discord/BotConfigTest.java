package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.broker.AgentSpec;
import io.github.acppool.discord.AgentRules;
import io.github.acppool.discord.BotMessagePolicy;
import io.github.acppool.discord.ChannelBinding;
import io.github.acppool.discord.DiscordConfig;
import io.github.acppool.discord.StatusEmoji;
import io.github.acppool.discord.ToolDisplay;
import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import io.github.acppool.examples.discord.BotConfig.PermissionMode;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.dv8tion.jda.api.utils.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class BotConfigTest {
    private static final Path BASE = Path.of("/srv/bot");
    private static final Path HOME = Path.of("/home/alice");

    @TempDir
    Path dir;

    private static BotConfig parse(String yaml) {
        return BotConfig.parse(yaml, BASE, HOME);
    }

    @Test
    void anEmptyFile_isEveryDefault() {
        BotConfig config = parse("");

        assertThat(config.agent().demo()).isTrue();
        assertThat(config.agent().workingDirectory()).isEqualTo(HOME.resolve(".acp-pool/discord-bot/workspace"));
        assertThat(config.agent().workingDirectoryPerThread()).isFalse();
        assertThat(config.agent().env()).isEmpty();
        assertThat(config.agent().inheritEnv()).isEmpty();
        assertThat(config.agent().senderHeaders()).isFalse();
        assertThat(config.state().directory()).isEqualTo(HOME.resolve(".acp-pool/discord-bot"));
        assertThat(config.state().sessionStore()).isEqualTo(HOME.resolve(".acp-pool/discord-bot/sessions.json"));
        assertThat(config.pool()).isEqualTo(new BotConfig.Pool(10, Duration.ofHours(4), 10, 0));
        assertThat(config.drain()).isEqualTo(DrainPolicy.defaultPolicy());
        assertThat(config.liveness()).isEqualTo(LivenessPolicy.defaults());
        assertThat(config.permissions().mode()).isEqualTo(PermissionMode.ASK);
        assertThat(config.permissions().allowKinds()).isEmpty();
        assertThat(config.discord().tokenEnv()).isEqualTo("DISCORD_BOT_TOKEN");
        assertThat(config.discord().frontEnd()).isEqualTo(DiscordConfig.defaults());
        assertThat(config.discord().restBaseUrl()).isNull();
        assertThat(config.discord().gatewayUrl()).isNull();
        assertThat(config.discord().gatewayCompression()).isEqualTo(Compression.ZLIB);
    }

    @Test
    void metricsAndShards_areOffByDefault_andLoopbackUnlessAHostIsGiven() {
        assertThat(parse("").metrics()).isNull();
        assertThat(parse("").shards()).isNull();
        assertThat(parse("metrics: {port: 9464}").metrics()).isEqualTo(new BotConfig.Metrics("127.0.0.1", 9464));
        assertThat(parse("metrics: {port: 0, host: 0.0.0.0}").metrics()).isEqualTo(new BotConfig.Metrics("0.0.0.0", 0));
        assertThat(parse("shards: {total: 4, from: 2, to: 3}").shards()).isEqualTo(new BotConfig.Shards(4, 2, 3));
        assertThat(parse("shards: {total: 4}").shards())
                .as("every shard by default")
                .isEqualTo(new BotConfig.Shards(4, 0, 3));
        assertThat(parse("shards: {total: 4, from: 1}").shards().count()).isEqualTo(3);
    }

    @Test
    void theSingleAgentForm_isOneAgentNamedDefault_withoutRules() {
        BotConfig config = parse("agent: {command: [/opt/agent]}\n");

        assertThat(config.agents().named()).isFalse();
        assertThat(config.agents().defaultId()).isEqualTo(AgentSpec.DEFAULT_ID_FOR_SINGLE);
        assertThat(config.agents().byId()).containsOnlyKeys(AgentSpec.DEFAULT_ID_FOR_SINGLE);
        assertThat(config.agents().defaultAgent()).isSameAs(config.agent());
        assertThat(config.discord().frontEnd().agents()).isEqualTo(AgentRules.none());
        assertThat(config.discord().frontEnd().operatorRoles()).isEmpty();
    }

    @Test
    void theAgentsMap_givesEveryEntryTheKeysOfAgent_andTheRulesGoToTheFrontEnd() {
        BotConfig config = parse("""
                agents:
                  claude:
                    description: Claude Code
                    command: [npx, -y, "@agentclientprotocol/claude-agent-acp"]
                    inheritEnv: [ANTHROPIC_API_KEY]
                  codex:
                    command: npx
                    args: [-y, "@zed-industries/codex-acp"]
                    workingDirectory: codex-work
                    authMethod: openai-api-key
                defaultAgent: codex
                allowedAgents:
                  channels:
                    "100": [codex]
                  roles:
                    "200": [claude, codex]
                bindings:
                  - channel: 300
                    agent: claude
                    workingDirectory: ~/bound
                  - channel: "400"
                    mode: thread
                operators:
                  roles: [500]
                  users: ["600"]
                """);

        BotConfig.Agents agents = config.agents();
        assertThat(agents.named()).isTrue();
        assertThat(agents.byId()).containsOnlyKeys("claude", "codex");
        assertThat(agents.defaultId()).isEqualTo("codex");
        assertThat(agents.ids()).containsExactly("codex", "claude");
        assertThat(config.agent()).isSameAs(agents.byId().get("codex"));
        BotConfig.Agent claude = agents.byId().get("claude");
        assertThat(claude.description()).isEqualTo("Claude Code");
        assertThat(claude.commandLine()).containsExactly("npx", "-y", "@agentclientprotocol/claude-agent-acp");
        assertThat(claude.inheritEnv()).containsExactly("ANTHROPIC_API_KEY");
        assertThat(claude.workingDirectory()).isEqualTo(HOME.resolve(".acp-pool/discord-bot/workspace"));
        BotConfig.Agent codex = agents.byId().get("codex");
        assertThat(codex.description()).isNull();
        assertThat(codex.workingDirectory()).isEqualTo(BASE.resolve("codex-work"));
        assertThat(codex.authPolicy()).isEqualTo(AuthPolicy.method("openai-api-key"));
        assertThat(agents.bindings())
                .containsExactly(
                        new BotConfig.Binding(300, "claude", ChannelBinding.Mode.CHANNEL, HOME.resolve("bound")),
                        new BotConfig.Binding(400, "codex", ChannelBinding.Mode.THREAD, null));

        DiscordConfig frontEnd = config.discord().frontEnd();
        assertThat(frontEnd.agents())
                .isEqualTo(new AgentRules(
                        Map.of(100L, Set.of("codex")),
                        Map.of(200L, Set.of("claude", "codex")),
                        List.of(
                                new ChannelBinding(300, "claude", ChannelBinding.Mode.CHANNEL),
                                new ChannelBinding(400, "codex", ChannelBinding.Mode.THREAD))));
        assertThat(frontEnd.operatorRoles()).containsExactly(500L);
        assertThat(frontEnd.operatorUsers()).containsExactly(600L);
        assertThat(frontEnd.isOperator(600, Set.of())).isTrue();
        assertThat(frontEnd.isOperator(7, Set.of(500L))).isTrue();
        assertThat(frontEnd.isOperator(7, Set.of(8L))).isFalse();
    }

    @Test
    void theAgentsMap_defaultsToItsFirstEntry_andAnEntryWithoutCommandIsTheDemoAgent() {
        BotConfig config = parse("agents:\n  demo: {}\n  other: {command: /opt/other}\n");

        assertThat(config.agents().defaultId()).isEqualTo("demo");
        assertThat(config.agent().demo()).isTrue();
        assertThat(config.agents().byId().get("other").senderHeaders())
                .as("the default agent's choice holds for every agent")
                .isFalse();
    }

    @Test
    void theMultiAgentExample_isValid() throws Exception {
        BotConfig config = BotConfig.load(exampleConfig("multi-agent.yaml"), HOME);

        assertThat(config.agents().named()).isTrue();
        assertThat(config.agents().byId()).containsOnlyKeys("claude", "codex", "demo");
        assertThat(config.agents().defaultId()).isEqualTo("claude");
        assertThat(config.agents().byId().get("demo").demo()).isTrue();
    }

    @Test
    void nullSectionsAndKeys_countAsAbsent() {
        assertThat(parse("agent:\npool: ~\ndiscord:\n  tokenEnv:\n")).isEqualTo(parse(""));
    }

    @Test
    void theDemoAgentConfig_spellsOutTheDefaults() throws Exception {
        BotConfig shipped = BotConfig.load(exampleConfig("demo-agent.yaml"), HOME);
        BotConfig defaults =
                BotConfig.parse("", exampleConfig("demo-agent.yaml").getParent(), HOME);

        assertThat(shipped.agent().env()).containsExactly(Map.entry("ACP_POOL_DEMO_AGENT_NO_DELAY", "false"));
        assertThat(new BotConfig(
                        defaults.agent(),
                        shipped.state(),
                        shipped.pool(),
                        shipped.drain(),
                        shipped.liveness(),
                        shipped.permissions(),
                        shipped.discord(),
                        shipped.database(),
                        shipped.metrics(),
                        shipped.shards(),
                        defaults.agents()))
                .isEqualTo(defaults);
    }

    @Test
    void theClaudeCodeConfig() throws Exception {
        BotConfig config = BotConfig.load(exampleConfig("claude-code.yaml"), HOME);

        assertThat(config.agent().commandLine()).containsExactly("npx", "-y", "@agentclientprotocol/claude-agent-acp");
        assertThat(config.agent().inheritEnv()).containsExactly("ANTHROPIC_API_KEY");
        assertThat(config.agent().authPolicy()).isEqualTo(AuthPolicy.automatic());
        assertThat(config.agent().workingDirectory()).isEqualTo(HOME.resolve("code/my-project"));
        assertThat(config.agent().senderHeaders()).isTrue();
        assertThat(config.pool().maxAgents()).isEqualTo(5);
        assertThat(config.liveness().inactivityTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.permissions().mode()).isEqualTo(PermissionMode.ASK);
        AgentLaunchSpec spec = RunningBot.agent(config);
        assertThat(spec.environment(Map.of("ANTHROPIC_API_KEY", "k", "DISCORD_BOT_TOKEN", "t", "PATH", "/bin")))
                .containsOnlyKeys("ANTHROPIC_API_KEY", "PATH");
    }

    @Test
    void theCodexConfig() throws Exception {
        BotConfig config = BotConfig.load(exampleConfig("codex.yaml"), HOME);

        assertThat(config.agent().commandLine()).containsExactly("npx", "-y", "@zed-industries/codex-acp");
        assertThat(config.agent().inheritEnv()).containsExactly("OPENAI_API_KEY");
        assertThat(config.agent().authPolicy()).isEqualTo(AuthPolicy.method("openai-api-key"));
        assertThat(RunningBot.agent(config).authPolicy()).isEqualTo(AuthPolicy.method("openai-api-key"));
        assertThat(config.agent().workingDirectoryPerThread()).isTrue();
        assertThat(config.permissions().mode()).isEqualTo(PermissionMode.ALLOW_KINDS);
        assertThat(config.permissions().allowKinds()).containsExactlyInAnyOrder("read", "search");
        assertThat(config.discord().frontEnd().toolDisplay()).isEqualTo(ToolDisplay.COMPACT);
        assertThat(RunningBot.workingDirectory(config.agent()).apply("discord:123"))
                .isEqualTo(HOME.resolve("code/my-project/discord-123"));
    }

    @Test
    void theGeminiConfig() throws Exception {
        BotConfig config = BotConfig.load(exampleConfig("gemini.yaml"), HOME);

        assertThat(config.agent().commandLine()).containsExactly("gemini", "--acp");
        assertThat(config.agent().inheritEnv()).contains("GEMINI_API_KEY");
        assertThat(config.agent().authPolicy()).isEqualTo(AuthPolicy.method("gemini-api-key"));
        assertThat(config.drain()).isEqualTo(DrainPolicy.quietPeriod(Duration.ofSeconds(1), Duration.ofSeconds(5)));
        assertThat(config.discord().frontEnd().access().allowDirectMessages()).isTrue();
    }

    @Test
    void everyShippedConfig_parses() throws Exception {
        List<Path> files;
        try (Stream<Path> listing = Files.list(exampleConfig("demo-agent.yaml").getParent())) {
            files = listing.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        for (Path file : files) {
            assertThat(BotConfig.load(file, HOME)).as(file.toString()).isNotNull();
        }
    }

    @Test
    void everyKey_isRead() {
        BotConfig config = parse("""
                agent:
                  command: [/opt/agent, --stdio]
                  workingDirectory: work
                  workingDirectoryPerThread: true
                  env: {MODE: fast, LEVEL: 3}
                  inheritEnv: [API_KEY]
                  senderHeaders: false
                  authMethod: openai-api-key
                state:
                  directory: state
                  sessionStore: /var/lib/bot/store.json
                pool:
                  maxAgents: 3
                  idleTimeout: 1h30m
                  maxQueuedMessages: 0
                  warmAgents: 2
                drain:
                  mode: none
                liveness:
                  checkInterval: 5s
                  inactivityTimeout: PT10M
                  hardTimeout: 1d
                permissions:
                  mode: allow-once
                discord:
                  tokenEnv: MY_TOKEN
                  allowedChannels: [111, "222"]
                  allowedUsers: [333]
                  allowedRoles: [444]
                  allowDirectMessages: true
                  botMessages: mentions
                  trustedBots: [555]
                  maxBotTurns: 7
                  toolDisplay: hidden
                  statusEmoji: {queued: "⏳", thinking: "💭", tool: "🛠️", done: "✅", cancelled: "✋", error: "❌"}
                  statusDebounce: 0s
                  editInterval: 2s
                  permissionTimeout: 90s
                  registerCommands: false
                  commandGuilds: [666]
                  allowUserMentions: true
                  showDiagnostics: true
                  attachments: {maxTextBytes: 1MB, maxImageBytes: 0, downloadTimeout: 10s}
                  restBaseUrl: http://127.0.0.1:9000/api/v10
                  gatewayUrl: ws://127.0.0.1:9000/gateway
                  gatewayCompression: none
                metrics:
                  port: 9464
                  host: 10.0.0.5
                shards:
                  total: 8
                  from: 4
                  to: 7
                """);

        assertThat(config.agent())
                .isEqualTo(new BotConfig.Agent(
                        List.of("/opt/agent", "--stdio"),
                        BASE.resolve("work"),
                        true,
                        Map.of("MODE", "fast", "LEVEL", "3"),
                        List.of("API_KEY"),
                        false,
                        AuthPolicy.method("openai-api-key"),
                        null));
        assertThat(config.state())
                .isEqualTo(new BotConfig.State(BASE.resolve("state"), Path.of("/var/lib/bot/store.json")));
        assertThat(config.metrics()).isEqualTo(new BotConfig.Metrics("10.0.0.5", 9464));
        assertThat(config.shards()).isEqualTo(new BotConfig.Shards(8, 4, 7));
        assertThat(config.pool()).isEqualTo(new BotConfig.Pool(3, Duration.ofMinutes(90), 0, 2));
        assertThat(config.drain()).isEqualTo(DrainPolicy.none());
        assertThat(config.liveness())
                .isEqualTo(new LivenessPolicy(Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofDays(1)));
        assertThat(config.permissions().mode()).isEqualTo(PermissionMode.ALLOW_ONCE);
        DiscordConfig frontEnd = config.discord().frontEnd();
        assertThat(frontEnd.access().allowedChannels()).containsExactlyInAnyOrder(111L, 222L);
        assertThat(frontEnd.access().allowedUsers()).containsExactly(333L);
        assertThat(frontEnd.access().allowedRoles()).containsExactly(444L);
        assertThat(frontEnd.access().allowDirectMessages()).isTrue();
        assertThat(frontEnd.access().botMessages()).isEqualTo(BotMessagePolicy.MENTIONS);
        assertThat(frontEnd.access().trustedBots()).containsExactly(555L);
        assertThat(frontEnd.access().maxBotTurns()).isEqualTo(7);
        assertThat(frontEnd.toolDisplay()).isEqualTo(ToolDisplay.HIDDEN);
        assertThat(frontEnd.statusEmoji()).isEqualTo(new StatusEmoji("⏳", "💭", "🛠️", "✅", "✋", "❌"));
        assertThat(frontEnd.statusDebounce()).isZero();
        assertThat(frontEnd.editInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(frontEnd.permissionTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(frontEnd.registerCommands()).isFalse();
        assertThat(frontEnd.commandGuilds()).containsExactly(666L);
        assertThat(frontEnd.allowUserMentions()).isTrue();
        assertThat(frontEnd.showDiagnostics()).isTrue();
        assertThat(frontEnd.maxTextAttachmentBytes()).isEqualTo(1_000_000);
        assertThat(frontEnd.maxImageBytes()).isZero();
        assertThat(frontEnd.attachmentDownloadTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.discord().tokenEnv()).isEqualTo("MY_TOKEN");
        assertThat(config.discord().restBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:9000/api/v10"));
        assertThat(config.discord().gatewayUrl()).isEqualTo(URI.create("ws://127.0.0.1:9000/gateway"));
        assertThat(config.discord().gatewayCompression()).isEqualTo(Compression.NONE);
    }

    @Test
    void authMethod_isAutoByDefault_andReachesTheAgentSpec() {
        assertThat(parse("agent: {command: x}").agent().authPolicy()).isEqualTo(AuthPolicy.automatic());
        assertThat(parse("agent: {command: x, authMethod: none}").agent().authPolicy())
                .isEqualTo(AuthPolicy.none());
        assertThat(parse("agent: {command: x, authMethod: auto}").agent().authPolicy())
                .isEqualTo(AuthPolicy.automatic());
        assertThat(RunningBot.agent(parse("agent: {command: x, authMethod: gemini-api-key}"))
                        .authPolicy())
                .isEqualTo(AuthPolicy.method("gemini-api-key"));
    }

    @Test
    void commandAndArgs_makeOneCommandLine() {
        assertThat(parse("agent: {command: npx, args: [-y, pkg]}").agent().commandLine())
                .containsExactly("npx", "-y", "pkg");
    }

    @Test
    void theDemoAgent_keepsItsSessionsInTheStateDirectory() {
        AgentLaunchSpec spec = RunningBot.agent(parse("state: {directory: /data}"));

        assertThat(spec.commandLine())
                .isEqualTo(DemoAgentLauncher.command("--sessions-file", "/data/demo-agent-sessions.json"));
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of("[1, 2]", "the file must be a mapping of keys (such as agent:, pool:), not a list"),
                Arguments.of("pool: {maxAgents: 1\n", "not valid YAML at line"),
                Arguments.of("pool: {maxAgents: 1, maxAgents: 2}", "not valid YAML at line 1"),
                Arguments.of(
                        "agen: {}",
                        "agen: unknown key (did you mean agent?); the keys here are agent, agents, defaultAgent,"
                                + " allowedAgents, bindings, operators, state, pool, drain, liveness, permissions,"
                                + " discord, database, metrics, shards"),
                // The agents map: each entry is checked as agent: is, naming the entry's key.
                Arguments.of("agents: {}", "agents: name at least one agent"),
                Arguments.of(
                        "agent: {command: a}\nagents: {b: {command: b}}",
                        "agents: give either agent: (one agent) or agents: (several by name), not both"),
                Arguments.of("agents: {codex: {command: []}}", "agents.codex.command: the agent command is empty"),
                Arguments.of("agents: {codex: {args: [x]}}", "agents.codex.args: needs agents.codex.command"),
                Arguments.of("agents: {codex: {comand: x}}", "agents.codex.comand: unknown key in agents.codex"),
                Arguments.of(
                        "agents: {codex: {command: x, inheritEnv: [DISCORD_BOT_TOKEN]}}",
                        "agents.codex.inheritEnv[0]: the bot token (DISCORD_BOT_TOKEN) must not be given"),
                Arguments.of("agents: {codex: 3}", "agents.codex: expected a mapping"),
                Arguments.of("agents: {\"co dex\": {command: x}}", "agents.co dex: an agent's name must be"),
                Arguments.of(
                        "agents: {a: {command: x}, A: {command: y}}",
                        "agents.A: two agents are named A (names ignore case)"),
                Arguments.of(
                        "agents: {a: {command: x}}\ndefaultAgent: b",
                        "defaultAgent: no agent is named \"b\"; the agents are a"),
                Arguments.of("defaultAgent: b", "defaultAgent: applies only with the agents: map"),
                Arguments.of(
                        "agents: {a: {command: x}, b: {command: y, senderHeaders: false}}",
                        "agents.b.senderHeaders: every agent gets the same senderHeaders as the default agent"),
                Arguments.of(
                        "agents: {a: {command: x}}\nallowedAgents: {channels: {\"12\": [b]}}",
                        "allowedAgents.channels.12[0]: no agent is named \"b\"; the agents are a"),
                Arguments.of(
                        "agents: {a: {command: x}}\nallowedAgents: {roles: {general: [a]}}",
                        "allowedAgents.roles.general: expected a Discord id as the key"),
                Arguments.of("allowedAgents: {users: {}}", "allowedAgents.users: unknown key in allowedAgents"),
                Arguments.of("bindings: [{agent: default}]", "bindings[0].channel: needs the id of one channel"),
                Arguments.of(
                        "bindings: [{channel: 5, agent: codex}]", "bindings[0].agent: no agent is named \"codex\""),
                Arguments.of(
                        "bindings: [{channel: 5, mode: room}]", "bindings[0].mode: expected one of channel, thread"),
                Arguments.of(
                        "bindings: [{channel: 5}, {channel: 5, mode: thread}]",
                        "bindings[1].channel: this channel is bound already"),
                Arguments.of("bindings: [5]", "bindings[0]: expected a mapping"),
                Arguments.of("operators: {roles: [x]}", "operators.roles[0]: expected a Discord id"),
                Arguments.of(
                        "pool: {maxAgent: 3}",
                        "pool.maxAgent: unknown key in pool (did you mean maxAgents?); the keys here are maxAgents,"),
                Arguments.of(
                        "discord: {alowedusers: [1]}",
                        "discord.alowedusers: unknown key in discord (did you mean allowedUsers?)"),
                Arguments.of(
                        "pool: {size: 3}",
                        "pool.size: unknown key in pool; the keys here are maxAgents, idleTimeout, maxQueuedMessages,"
                                + " warmAgents"),
                Arguments.of(
                        "discord: {attachments: {maxTextByte: 1}}", "discord.attachments.maxTextByte: unknown key"),
                Arguments.of("pool: 3", "pool: expected a mapping (indented key: value lines), got 3"),
                Arguments.of("pool: {maxAgents: ten}", "pool.maxAgents: expected a whole number, got \"ten\""),
                Arguments.of("pool: {maxAgents: 2.5}", "pool.maxAgents: expected a whole number, got 2.5"),
                Arguments.of("pool: {maxAgents: -1}", "pool.maxAgents: must be positive: -1"),
                Arguments.of("pool: {maxAgents: 0}", "pool.maxAgents: must be positive: 0"),
                Arguments.of("pool: {maxQueuedMessages: -5}", "pool.maxQueuedMessages: must not be negative: -5"),
                Arguments.of("pool: {warmAgents: -1}", "pool.warmAgents: must not be negative: -1"),
                Arguments.of("pool: {idleTimeout: 30}", "pool.idleTimeout: expected a duration such as 500ms, 30s,"),
                Arguments.of("pool: {idleTimeout: 30 s}", "pool.idleTimeout: expected a duration"),
                Arguments.of("pool: {idleTimeout: 5y}", "pool.idleTimeout: expected a duration"),
                Arguments.of("pool: {idleTimeout: PT-5S}", "pool.idleTimeout: must be at least 1s: PT-5S"),
                Arguments.of("liveness: {hardTimeout: 0s}", "liveness.hardTimeout: must be at least 1ms: 0s"),
                Arguments.of("liveness: {checkInterval: [1s]}", "liveness.checkInterval: expected a duration"),
                Arguments.of("drain: {mode: lazy}", "drain.mode: expected one of fixed, quiet, none, got \"lazy\""),
                Arguments.of("drain: {mode: quiet, window: 1s}", "drain.window: applies only with mode fixed"),
                Arguments.of("drain: {quiet: 1s}", "drain.quiet: applies only with mode quiet"),
                Arguments.of(
                        "drain: {mode: quiet, quiet: 9s, cap: 5s}",
                        "drain.quiet: must not be longer than drain.cap (5s): 9s"),
                Arguments.of("agent: {command: []}", "agent.command: the agent command is empty"),
                Arguments.of("agent: {command: \"  \"}", "agent.command: the agent command is empty"),
                Arguments.of("agent: {args: [-y]}", "agent.args: needs agent.command"),
                Arguments.of("agent: {command: [a, b], args: [c]}", "agent.args: give the arguments either in"),
                Arguments.of(
                        "agent: {command: {a: b}}",
                        "agent.command: expected a list ([a, b] or - lines), got a mapping"),
                Arguments.of(
                        "agent: {workingDirectoryPerThread: yes please}",
                        "agent.workingDirectoryPerThread: expected true or false, got \"yes please\""),
                Arguments.of(
                        "agent: {inheritEnv: [DISCORD_BOT_TOKEN]}",
                        "agent.inheritEnv[0]: the bot token (DISCORD_BOT_TOKEN) must not be given to the agent"),
                Arguments.of("agent: {env: {DISCORD_BOT_TOKEN: x}}", "agent.env.DISCORD_BOT_TOKEN: the bot token"),
                Arguments.of(
                        "agent: {inheritEnv: [\"MY KEY\"]}",
                        "agent.inheritEnv[0]: not an environment variable name: \"MY KEY\""),
                Arguments.of("agent: {env: {A: [1]}}", "agent.env.A: expected a text value, got a list"),
                Arguments.of("agent: {authMethod: \"\"}", "agent.authMethod: must not be empty"),
                Arguments.of(
                        "agent: {authMethod: \"open ai\"}",
                        "agent.authMethod: expected auto, none or an authentication method id the agent advertises"),
                Arguments.of("state: {directory: \"\"}", "state.directory: must not be empty"),
                Arguments.of(
                        "permissions: {mode: maybe}",
                        "permissions.mode: expected one of ask, reject, allow-once, allow-kinds, got \"maybe\""),
                Arguments.of(
                        "permissions: {mode: allow-kinds}",
                        "permissions.allowKinds: mode allow-kinds needs the tool kinds"),
                Arguments.of(
                        "permissions: {allowKinds: [read]}",
                        "permissions.allowKinds: applies only with mode allow-kinds"),
                Arguments.of(
                        "permissions: {mode: allow-kinds, allowKinds: [read, write]}",
                        "permissions.allowKinds[1]: not an ACP tool kind: \"write\""),
                Arguments.of(
                        "discord: {tokenEnv: \"MTIz.abc.def\"}",
                        "discord.tokenEnv: the name of an environment variable (not the token itself)"),
                Arguments.of("discord: {allowedUsers: [alice]}", "discord.allowedUsers[0]: expected a Discord id"),
                Arguments.of("discord: {allowedChannels: [-3]}", "discord.allowedChannels[0]: expected a Discord id"),
                Arguments.of("discord: {maxBotTurns: 0}", "discord.maxBotTurns: must be positive: 0"),
                Arguments.of(
                        "discord: {botMessages: some}", "discord.botMessages: expected one of ignore, mentions, all"),
                Arguments.of(
                        "discord: {toolDisplay: none}", "discord.toolDisplay: expected one of full, compact, hidden"),
                Arguments.of("discord: {statusEmoji: {done: \" \"}}", "discord.statusEmoji.done: must not be empty"),
                Arguments.of("discord: {editInterval: 10ms}", "discord.editInterval: must be at least 100ms: 10ms"),
                Arguments.of("discord: {permissionTimeout: 0s}", "discord.permissionTimeout: must be at least 1s: 0s"),
                Arguments.of(
                        "discord: {attachments: {maxImageBytes: -1}}",
                        "discord.attachments.maxImageBytes: must not be negative: -1"),
                Arguments.of(
                        "discord: {attachments: {maxImageBytes: 10 megs}}",
                        "discord.attachments.maxImageBytes: expected a size in bytes"),
                Arguments.of(
                        "discord: {restBaseUrl: \"discord.example\"}",
                        "discord.restBaseUrl: expected an absolute http or https URL"),
                Arguments.of(
                        "discord: {gatewayUrl: \"http://127.0.0.1/gw\"}",
                        "discord.gatewayUrl: expected an absolute ws or wss URL"),
                Arguments.of(
                        "discord: {gatewayCompression: zstd}",
                        "discord.gatewayCompression: expected one of none, zlib"),
                Arguments.of("metrics: {host: 0.0.0.0}", "metrics.host: needs metrics.port"),
                Arguments.of("metrics: {port: -1}", "metrics.port: must not be negative: -1"),
                Arguments.of("metrics: {port: 70000}", "metrics.port: must be at most 65535: 70000"),
                Arguments.of("metrics: {port: 9464, host: \"\"}", "metrics.host: must not be empty"),
                Arguments.of("metrics: {port: 9464, path: /m}", "metrics.path: unknown key in metrics"),
                Arguments.of("shards: {from: 0}", "shards.from: needs shards.total"),
                Arguments.of("shards: {total: 0}", "shards.total: must be positive: 0"),
                Arguments.of("shards: {total: 2, from: 2}", "shards.from: must be below shards.total (2;"),
                Arguments.of("shards: {total: 2, to: 5}", "shards.to: must be below shards.total (2;"),
                Arguments.of("shards: {total: 4, from: 3, to: 1}", "shards.from: must not be above shards.to (1): 3"),
                Arguments.of("shards: {total: 4, count: 2}", "shards.count: unknown key in shards"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void anInvalidConfig_isRefusedNamingTheKey(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .message()
                .startsWith(message);
    }

    @Test
    void aMissingFile_isAConfigError() {
        assertThatThrownBy(() -> BotConfig.load(dir.resolve("nope.yaml"), HOME))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cannot read the config file " + dir.resolve("nope.yaml"));
    }

    @Test
    void theToken_comesFromTheNamedVariable() {
        BotConfig.Discord discord = parse("discord: {tokenEnv: BOT_TOKEN}").discord();

        assertThat(discord.token(Map.of("BOT_TOKEN", " secret-token\n"))).isEqualTo("secret-token");
        assertThatThrownBy(() -> discord.token(Map.of("DISCORD_BOT_TOKEN", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("discord.tokenEnv: the environment variable BOT_TOKEN is not set");
        assertThatThrownBy(() -> discord.token(Map.of("BOT_TOKEN", "  ")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BOT_TOKEN is not set");
    }

    @Test
    void toString_showsNoSecrets() {
        BotConfig config = parse("agent: {command: [a], env: {API_KEY: sk-very-secret}}");

        assertThat(config.toString()).contains("API_KEY").doesNotContain("sk-very-secret");
    }

    @Test
    void allowKinds_areTheOnesGiven() {
        assertThat(parse("permissions: {mode: allow-kinds, allowKinds: read}")
                        .permissions()
                        .allowKinds())
                .isEqualTo(Set.of("read"));
    }

    /** The shipped configs, from the module directory (Surefire's working directory). */
    static Path exampleConfig(String name) {
        Path file = Path.of("config", name).toAbsolutePath();
        assertThat(file).exists();
        return file;
    }
}
