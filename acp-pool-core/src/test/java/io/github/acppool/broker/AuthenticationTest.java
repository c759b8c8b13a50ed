package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.acp.schema.AuthMethod;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.internal.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which method each policy picks for what the real agents advertise, and the operator's text. */
@Timeout(10)
final class AuthenticationTest {
    /** codex-acp 0.16.0's methods, as it sends them. */
    private static final List<AuthMethod> CODEX = methods("[{\"id\":\"chatgpt\",\"name\":\"Login with ChatGPT\","
            + "\"description\":\"Use your ChatGPT login with Codex CLI (requires a paid ChatGPT subscription)\"},"
            + "{\"type\":\"env_var\",\"id\":\"codex-api-key\",\"name\":\"Use CODEX_API_KEY\","
            + "\"description\":\"Requires setting the `CODEX_API_KEY` environment variable.\","
            + "\"vars\":[{\"name\":\"CODEX_API_KEY\"}]},"
            + "{\"type\":\"env_var\",\"id\":\"openai-api-key\",\"name\":\"Use OPENAI_API_KEY\","
            + "\"description\":\"Requires setting the `OPENAI_API_KEY` environment variable.\","
            + "\"vars\":[{\"name\":\"OPENAI_API_KEY\"}]}]");

    /** claude-code-acp 0.16.2's only method. */
    private static final List<AuthMethod> CLAUDE_CODE = methods("[{\"description\":\"Run `claude /login` in the"
            + " terminal\",\"name\":\"Log in with Claude Code\",\"id\":\"claude-login\"}]");

    private static List<AuthMethod> methods(String json) {
        try {
            return InitializeResult.fromJson(
                            Json.MAPPER.readTree("{\"protocolVersion\":1,\"authMethods\":" + json + "}"))
                    .authMethods();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void automatic_picksByTheVariableTheAgentGets() {
        assertThat(new Authentication(AuthPolicy.automatic(), CODEX, Map.of("OPENAI_API_KEY", "k")).upFront())
                .map(AuthMethod::id)
                .contains("openai-api-key");
        assertThat(new Authentication(AuthPolicy.automatic(), CODEX, Map.of("OPENAI_API_KEY", "")).upFront())
                .as("an empty variable is no key")
                .isEmpty();
        assertThat(new Authentication(AuthPolicy.automatic(), CODEX, Map.of()).upFront())
                .isEmpty();
    }

    /** Several methods: nothing is guessed when the agent asks (Codex's chatgpt would wait for a browser). */
    @Test
    void automatic_whenRequired_triesOnlyAnOnlyMethod() {
        assertThat(new Authentication(AuthPolicy.automatic(), CODEX, Map.of()).whenRequired())
                .isEmpty();
        assertThat(new Authentication(AuthPolicy.automatic(), CLAUDE_CODE, Map.of()).whenRequired())
                .map(AuthMethod::id)
                .contains("claude-login");
        assertThat(new Authentication(AuthPolicy.automatic(), List.of(), Map.of()).whenRequired())
                .isEmpty();
    }

    @Test
    void none_andExplicit() {
        assertThat(new Authentication(AuthPolicy.none(), CODEX, Map.of("OPENAI_API_KEY", "k")).upFront())
                .isEmpty();
        assertThat(new Authentication(AuthPolicy.method("codex-api-key"), CODEX, Map.of()).upFront())
                .map(AuthMethod::id)
                .contains("codex-api-key");
        assertThat(new Authentication(AuthPolicy.method("x"), List.of(), Map.of()).upFront())
                .as("an agent that advertises nothing is not asked")
                .isEmpty();
        assertThatThrownBy(() -> new Authentication(AuthPolicy.method("openai"), CODEX, Map.of()).upFront())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the authentication method \"openai\" is not one the agent offers");
    }

    /** What the agent wrote cannot break the log into lines, colour it, or flood it. */
    @Test
    void explain_keepsAgentTextOnItsLine() {
        List<AuthMethod> hostile = methods("[{\"id\":\"x\\nFAKE LOG LINE\",\"name\":\"\\u001b[31mred\\u001b[0m\","
                + "\"description\":\"" + "d".repeat(1000) + "\"}]");
        String text = new Authentication(AuthPolicy.none(), hostile, Map.of()).explain("p");
        assertThat(text).doesNotContain("\nFAKE", "\u001b").contains("x FAKE LOG LINE (red): ");
        assertThat(text.lines().filter(line -> line.contains("ddd")).findFirst().orElseThrow())
                .endsWith("d...")
                .hasSizeLessThan(400);
    }

    @Test
    void explain_listsTheMethods_theSettings_andTheMissingVariables() {
        String text = new Authentication(AuthPolicy.automatic(), CODEX, Map.of("CODEX_API_KEY", "k"))
                .explain("session/new failed");
        assertThat(text)
                .startsWith("The agent needs authentication: session/new failed. Authentication policy: auto.")
                .contains("\n  - chatgpt (Login with ChatGPT): Use your ChatGPT login")
                .contains("\n  - codex-api-key (Use CODEX_API_KEY): Requires setting the `CODEX_API_KEY`"
                        + " environment variable. [reads CODEX_API_KEY, which the agent gets]")
                .contains("[reads OPENAI_API_KEY, which is not passed to the agent: add it to"
                        + " AgentLaunchSpec.Builder.inheritEnv (agent.inheritEnv in the bundled bot's YAML,"
                        + " --env NAME on the console)]")
                .contains("Pick one with the authentication policy")
                .contains("agent.authMethod")
                .endsWith("e.g. \"chatgpt\".");
        assertThat(new Authentication(AuthPolicy.none(), List.of(), Map.of()).explain("x"))
                .contains("advertises no authentication method");
    }
}
