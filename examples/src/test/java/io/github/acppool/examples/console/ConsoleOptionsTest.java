package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.AuthPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ConsoleOptionsTest {
    private static final Path CWD = Path.of("/work/here");

    @TempDir
    Path dir;

    private static ConsoleOptions parse(String... args) {
        return ConsoleOptions.parse(List.of(args), "/home/ada", CWD);
    }

    @Test
    void defaults_demoAgentInTheHomeStateDirectory() {
        ConsoleOptions options = parse();
        assertThat(options.agentCommand()).isNull();
        assertThat(options.demoAgent()).isTrue();
        assertThat(options.stateDir()).isEqualTo(Path.of("/home/ada/.acp-pool/console"));
        assertThat(options.workDir()).isNull();
        assertThat(options.conversation()).isEqualTo("main");
        assertThat(options.permissions()).isNull();
        assertThat(options.env()).isEmpty();
        assertThat(options.inheritEnv()).isEmpty();
        assertThat(options.interactive()).isFalse();
        assertThat(options.plain()).isFalse();
        assertThat(options.noDelay()).isFalse();
        assertThat(options.verbose()).isFalse();
        assertThat(options.help()).isFalse();
        assertThat(options.version()).isFalse();
    }

    @Test
    void version_isAFlag_documentedInTheUsage() {
        assertThat(parse("--version").version()).isTrue();
        assertThat(parse("--version").help()).isFalse();
        assertThatThrownBy(() -> parse("--version=1"))
                .isInstanceOf(ConsoleOptions.UsageException.class)
                .hasMessage("--version takes no value");
        assertThat(ConsoleOptions.USAGE).contains("\n  --version ");
    }

    @Test
    void noHome_stateDirectoryUnderTheWorkingDirectory() {
        assertThat(ConsoleOptions.parse(List.of(), null, CWD).stateDir())
                .isEqualTo(Path.of("/work/here/.acp-pool/console"));
        assertThat(ConsoleOptions.parse(List.of(), "?", CWD).stateDir())
                .isEqualTo(Path.of("/work/here/.acp-pool/console"));
    }

    @Test
    void everyFlag() {
        ConsoleOptions options = parse(
                "--agent",
                "npx -y '@agentclientprotocol/claude-agent-acp'",
                "--env",
                "ANTHROPIC_API_KEY",
                "--env=DEBUG=1",
                "--state-dir",
                "state",
                "--workdir=/srv/repo",
                "--conversation",
                "bugs-42",
                "--auth",
                "openai-api-key",
                "--permissions",
                "ALLOW",
                "--interactive",
                "--plain",
                "--verbose",
                "--version",
                "-h");
        assertThat(options.agentCommand()).containsExactly("npx", "-y", "@agentclientprotocol/claude-agent-acp");
        assertThat(options.inheritEnv()).containsExactly("ANTHROPIC_API_KEY");
        assertThat(options.env()).isEqualTo(Map.of("DEBUG", "1"));
        assertThat(options.stateDir()).isEqualTo(Path.of("/work/here/state"));
        assertThat(options.workDir()).isEqualTo(Path.of("/srv/repo"));
        assertThat(options.conversation()).isEqualTo("bugs-42");
        assertThat(options.auth()).isEqualTo(AuthPolicy.method("openai-api-key"));
        assertThat(options.permissions()).isEqualTo(Permissions.Mode.ALLOW);
        assertThat(options.interactive()).isTrue();
        assertThat(options.plain()).isTrue();
        assertThat(options.verbose()).isTrue();
        assertThat(options.help()).isTrue();
        assertThat(options.version()).isTrue();
    }

    @Test
    void auth_isAutoByDefault_noneAndAutoAreWords_andReachesTheAgentSpec() {
        assertThat(parse().auth()).isEqualTo(AuthPolicy.automatic());
        assertThat(parse("--auth", "none").auth()).isEqualTo(AuthPolicy.none());
        assertThat(parse("--auth=AUTO").auth()).isEqualTo(AuthPolicy.automatic());
        assertThat(ConsoleDemo.agent(parse("--agent", "gemini --acp", "--auth", "gemini-api-key"))
                        .authPolicy())
                .isEqualTo(AuthPolicy.method("gemini-api-key"));
    }

    @Test
    void warmAgents_offByDefault_aCountOnTheCommandLine_andTheConfigKey() {
        assertThat(parse().warmAgents()).isZero();
        assertThat(parse("--warm-agents", "2").warmAgents()).isEqualTo(2);
        assertThat(parse("--warm-agents=1").warmAgents()).isEqualTo(1);
        assertThatThrownBy(() -> parse("--warm-agents", "-1"))
                .hasMessage("--warm-agents must be a whole number, 0 or more, not \"-1\"");
        assertThatThrownBy(() -> parse("--warm-agents", "two"))
                .hasMessage("--warm-agents must be a whole number, 0 or more, not \"two\"");
        assertThat(ConsoleOptions.USAGE).contains("--warm-agents <n>");
    }

    @Test
    void noDelay_onlyForTheDemoAgent() {
        assertThat(parse("--no-delay").noDelay()).isTrue();
        assertThatThrownBy(() -> parse("--no-delay", "--agent", "gemini --acp"))
                .isInstanceOf(ConsoleOptions.UsageException.class)
                .hasMessage("--no-delay is for the bundled demo agent; it cannot be used with --agent");
    }

    @Test
    void badCommandLines_sayWhatIsWrong() {
        assertUsage("unknown option: --bogus (see --help)", "--bogus");
        assertUsage("unknown option: extra (see --help)", "extra");
        assertUsage("--agent needs a value", "--agent");
        assertUsage("--agent was given twice in the command line", "--agent", "a", "--agent", "b");
        assertUsage(
                "--agent needs a command line, e.g. \"npx -y @agentclientprotocol/claude-agent-acp\"", "--agent", "  ");
        assertUsage("--agent: unclosed ' in: npx 'x", "--agent", "npx 'x");
        assertUsage("--permissions must be ask, allow or reject, not \"maybe\"", "--permissions", "maybe");
        assertUsage(
                "--conversation: not a conversation name: \"a b\" (use letters, digits, '.', '_' and '-', at most 64)",
                "--conversation",
                "a b");
        assertUsage("not an environment variable name in the command line: 1BAD", "--env", "1BAD=x");
        assertUsage("--plain takes no value", "--plain=yes");
        assertUsage(
                "--auth must be auto, none or a method id the agent offers (e.g. openai-api-key), not \"open ai\"",
                "--auth",
                "open ai");
        assertUsage("--state-dir needs a path", "--state-dir", "");
        assertUsage("--config was given twice", "--config", "a", "--config", "b");
    }

    @Test
    void configFile_givesSettings_flagsWin_envIsMerged() throws IOException {
        Path config = dir.resolve("console.properties");
        Files.writeString(config, """
                # a real agent
                agent = npx -y @zed-industries/codex-acp
                env = OPENAI_API_KEY, HTTPS_PROXY
                env.RUST_LOG = info
                state-dir = state
                workdir = /srv/repo
                conversation = review
                permissions = reject
                """, StandardCharsets.UTF_8);
        ConsoleOptions fromFile = parse("--config", config.toString());
        assertThat(fromFile.agentCommand()).containsExactly("npx", "-y", "@zed-industries/codex-acp");
        assertThat(fromFile.inheritEnv()).containsExactlyInAnyOrder("OPENAI_API_KEY", "HTTPS_PROXY");
        assertThat(fromFile.env()).isEqualTo(Map.of("RUST_LOG", "info"));
        assertThat(fromFile.stateDir()).as("relative to the file").isEqualTo(dir.resolve("state"));
        assertThat(fromFile.workDir()).isEqualTo(Path.of("/srv/repo"));
        assertThat(fromFile.conversation()).isEqualTo("review");
        assertThat(fromFile.permissions()).isEqualTo(Permissions.Mode.REJECT);

        ConsoleOptions overridden = parse(
                "--agent",
                "gemini --acp",
                "--env",
                "GEMINI_API_KEY",
                "--conversation",
                "main",
                "--config",
                config.toString());
        assertThat(overridden.agentCommand()).containsExactly("gemini", "--acp");
        assertThat(overridden.inheritEnv())
                .containsExactlyInAnyOrder("OPENAI_API_KEY", "HTTPS_PROXY", "GEMINI_API_KEY");
        assertThat(overridden.conversation()).isEqualTo("main");
        assertThat(overridden.permissions()).isEqualTo(Permissions.Mode.REJECT);
    }

    @Test
    void configFile_problemsSayWhichFileAndKey() throws IOException {
        Path missing = dir.resolve("missing.properties");
        assertUsage("config file not found: " + missing, "--config", missing.toString());
        Path typo = dir.resolve("typo.properties");
        Files.writeString(typo, "agnet = claude\n", StandardCharsets.UTF_8);
        assertUsage(
                "unknown key in config file " + typo + ": agnet (known: agent, agents, env, env.NAME, state-dir,"
                        + " workdir, conversation, auth, permissions, warm-agents)",
                "--config",
                typo.toString());
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "permissions = sometimes\n", StandardCharsets.UTF_8);
        assertUsage("permissions must be ask, allow or reject, not \"sometimes\"", "--config", bad.toString());
    }

    @Test
    void agentsFile_isAPath_andExcludesASingleAgentAndAuth() {
        ConsoleOptions options = parse("--agents", "agents.yaml");
        assertThat(options.agentsFile()).isEqualTo(CWD.resolve("agents.yaml"));
        assertThat(options.demoAgent()).isFalse();
        assertUsage(
                "give either --agent (one agent) or --agents (several by name), not both",
                "--agents",
                "a.yaml",
                "--agent",
                "gemini --acp");
        assertUsage(
                "--auth is for a single agent; with --agents set authMethod per agent in the file",
                "--agents",
                "a.yaml",
                "--auth",
                "none");
    }

    private static void assertUsage(String message, String... args) {
        assertThatThrownBy(() -> parse(args))
                .isInstanceOf(ConsoleOptions.UsageException.class)
                .hasMessage(message);
    }
}
