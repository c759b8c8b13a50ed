package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.acp.schema.AuthMethod;
import io.github.acppool.acp.schema.InitializeResult;
import io.github.acppool.internal.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The auth methods of {@code initialize} as real agents send them, and the authentication policy's settings. */
@Timeout(10)
final class AuthTest {

    private static InitializeResult init(String authMethods) throws Exception {
        return InitializeResult.fromJson(
                Json.MAPPER.readTree("{\"protocolVersion\":1,\"authMethods\":" + authMethods + "}"));
    }

    @Test
    void codexAcp_varsNames() throws Exception {
        AuthMethod method = init("[{\"type\":\"env_var\",\"id\":\"openai-api-key\",\"name\":\"Use OPENAI_API_KEY\","
                        + "\"description\":\"Requires setting the `OPENAI_API_KEY` environment variable.\","
                        + "\"vars\":[{\"name\":\"OPENAI_API_KEY\"}]}]")
                .authMethods()
                .get(0);
        assertThat(method.id()).isEqualTo("openai-api-key");
        assertThat(method.name()).isEqualTo("Use OPENAI_API_KEY");
        assertThat(method.type()).isEqualTo("env_var");
        assertThat(method.varNames()).containsExactly("OPENAI_API_KEY");
        assertThat(method.interactive()).isFalse();
        assertThat(method.meta()).isNull();
    }

    @Test
    void theRfdsVarName_andLink_andBothShapesAtOnce_withoutDuplicates() throws Exception {
        AuthMethod method = init("[{\"type\":\"env_var\",\"id\":\"k\",\"name\":\"Key\",\"varName\":\"A_KEY\","
                        + "\"link\":\"https://example.invalid\",\"vars\":[{\"name\":\"A_KEY\"},{\"name\":\"B_KEY\"},{}]}]")
                .authMethods()
                .get(0);
        assertThat(method.varNames()).containsExactly("A_KEY", "B_KEY");
        assertThat(method.link()).isEqualTo("https://example.invalid");
    }

    @Test
    void geminisMeta_isKept_andATerminalMethodIsInteractive() throws Exception {
        var methods = init("[{\"id\":\"gemini-api-key\",\"name\":\"Gemini API key\","
                        + "\"_meta\":{\"api-key\":{\"provider\":\"google\"}}},"
                        + "{\"id\":\"login\",\"name\":\"Log in\",\"type\":\"terminal\",\"args\":[\"--login\"]}]")
                .authMethods();
        assertThat(methods.get(0).meta().path("api-key").path("provider").asText())
                .isEqualTo("google");
        assertThat(methods.get(0).varNames()).isEmpty();
        assertThat(methods.get(0).description()).isNull();
        assertThat(methods.get(1).interactive()).isTrue();
    }

    @Test
    void policy_parse_andToString_roundTrip() {
        assertThat(AuthPolicy.parse(" auto ")).isEqualTo(AuthPolicy.automatic());
        assertThat(AuthPolicy.parse("Automatic")).isEqualTo(AuthPolicy.automatic());
        assertThat(AuthPolicy.parse("NONE")).isEqualTo(AuthPolicy.none());
        assertThat(AuthPolicy.parse("openai-api-key")).isEqualTo(AuthPolicy.method("openai-api-key"));
        assertThat(AuthPolicy.parse("openai-api-key").methodId()).contains("openai-api-key");
        for (AuthPolicy policy :
                new AuthPolicy[] {AuthPolicy.none(), AuthPolicy.automatic(), AuthPolicy.method("gemini-api-key")}) {
            assertThat(AuthPolicy.parse(policy.toString())).isEqualTo(policy);
        }
        assertThatThrownBy(() -> AuthPolicy.parse(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'auto', 'none' or a method id");
        assertThatThrownBy(() -> AuthPolicy.method(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be blank");
    }

    @Test
    void launchSpec_carriesItsOwnPolicy_onceAndThroughWithWorkingDirectory() {
        AgentLaunchSpec spec =
                AgentLaunchSpec.builder("agent").authPolicy(AuthPolicy.none()).build();
        assertThat(spec.withWorkingDirectory(java.nio.file.Path.of("/tmp")).authPolicy())
                .isEqualTo(AuthPolicy.none());
        assertThat(AgentLaunchSpec.builder("agent").build().authPolicy()).isNull();
        assertThatThrownBy(() -> AgentLaunchSpec.builder("agent")
                        .authPolicy(AuthPolicy.none())
                        .authPolicy(AuthPolicy.automatic()))
                .isInstanceOf(IllegalStateException.class);
    }
}
