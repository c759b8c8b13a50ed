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
final class AgentsFileTest {
    private static final Path BASE = Path.of("/srv/config");

    @TempDir
    Path dir;

    private static AgentsFile parse(String yaml) {
        return AgentsFile.parse(yaml, "agents.yaml", BASE, "/home/ada");
    }

    @Test
    void aBotConfigFile_isReadAsItIs() throws IOException {
        // The shape of the bot's examples/config/multi-agent.yaml: its other sections are the bot's business.
        Path file = Files.writeString(dir.resolve("multi-agent.yaml"), """
                    agents:
                      claude:
                        description: Claude Code
                        command: [npx, -y, "@agentclientprotocol/claude-agent-acp"]
                        workingDirectory: ~/code/my-project
                        inheritEnv: [ANTHROPIC_API_KEY]
                      codex:
                        description: OpenAI Codex
                        command: [npx, -y, "@zed-industries/codex-acp"]
                        workingDirectory: ~/code/my-project
                        inheritEnv: [OPENAI_API_KEY]
                        authMethod: openai-api-key
                      demo:
                        description: The bundled demo agent (no key needed)
                    defaultAgent: claude
                    state:
                      directory: ~/.acp-pool/discord-multi
                    """, StandardCharsets.UTF_8);
        AgentsFile agents = AgentsFile.read(file, "/home/ada");
        assertThat(agents.agents()).containsKeys("claude", "codex", "demo");
        assertThat(agents.defaultId()).isEqualTo("claude");
        AgentsFile.Entry codex = agents.agents().get("codex");
        assertThat(codex.commandLine()).containsExactly("npx", "-y", "@zed-industries/codex-acp");
        assertThat(codex.inheritEnv()).containsExactly("OPENAI_API_KEY");
        assertThat(codex.authPolicy()).isEqualTo(AuthPolicy.method("openai-api-key"));
        assertThat(codex.workingDirectory()).isEqualTo(Path.of("/home/ada/code/my-project"));
        assertThat(agents.agents().get("demo").demo()).isTrue();
    }

    @Test
    void entries_takeTheAgentSectionsKeys() {
        AgentsFile agents = parse("""
                agents:
                  gemini:
                    command: gemini
                    args: [--acp]
                    env: {RUST_LOG: info}
                    workingDirectory: work
                    senderHeaders: true
                  demo:
                """);
        assertThat(agents.defaultId()).as("the first").isEqualTo("gemini");
        AgentsFile.Entry gemini = agents.agents().get("gemini");
        assertThat(gemini.commandLine()).isEqualTo(List.of("gemini", "--acp"));
        assertThat(gemini.env()).isEqualTo(Map.of("RUST_LOG", "info"));
        assertThat(gemini.workingDirectory()).isEqualTo(BASE.resolve("work"));
        assertThat(gemini.authPolicy()).isEqualTo(AuthPolicy.automatic());
        assertThat(agents.agents().get("demo").demo()).isTrue();
    }

    @Test
    void problems_nameTheKey() {
        assertProblem(
                "agents:\n  codex:\n    comand: codex\n", "agents.yaml: agents.codex.comand: unknown key (known:");
        assertProblem("agents:\n  \"co dex\": {}\n", "agents.yaml: agents.co dex: an agent's name must be");
        assertProblem(
                "agents:\n  a: {}\ndefaultAgent: b\n",
                "agents.yaml: defaultAgent: no agent is named \"b\"; the agents are a");
        assertProblem("agents:\n  a:\n    args: [x]\n", "agents.yaml: agents.a.args: needs agents.a.command");
        assertProblem(
                "agents:\n  a:\n    command: x\n    inheritEnv: [1BAD]\n",
                "agents.yaml: agents.a.inheritEnv[0]: not an environment variable name: \"1BAD\"");
        assertProblem(
                "agents:\n  a:\n    command: x\n    authMethod: \"open ai\"\n",
                "agents.yaml: agents.a.authMethod: expected auto, none or an authentication method id");
        assertProblem("agent:\n  command: x\n", "agents.yaml: needs an agents: mapping");
        assertProblem("agents:\n  a: {}\n  A: {}\n", "agents.yaml: agents.A: two agents are named A");
    }

    private static void assertProblem(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConsoleOptions.UsageException.class)
                .hasMessageStartingWith(message);
    }
}
