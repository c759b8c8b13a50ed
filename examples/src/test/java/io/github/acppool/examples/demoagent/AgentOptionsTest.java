package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.examples.demoagent.AgentOptions.UsageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class AgentOptionsTest {
    private static final Path CWD = Path.of("/work/here");

    private static AgentOptions parse(List<String> args, Map<String, String> env) {
        return AgentOptions.parse(args, env, "/home/me", CWD);
    }

    @Test
    void defaults_areUnderTheHomeDirectory_withDelays() {
        assertThat(parse(List.of(), Map.of()))
                .isEqualTo(
                        new AgentOptions(Path.of("/home/me/.acp-pool/demo-agent-sessions.json"), true, false, false));
    }

    @Test
    void withoutAHomeDirectory_theSessionsFileIsUnderTheWorkingDirectory() {
        assertThat(AgentOptions.parse(List.of(), Map.of(), null, CWD).sessionsFile())
                .isEqualTo(Path.of("/work/here/.acp-pool/demo-agent-sessions.json"));
        assertThat(AgentOptions.parse(List.of(), Map.of(), "?", CWD).sessionsFile())
                .isEqualTo(Path.of("/work/here/.acp-pool/demo-agent-sessions.json"));
    }

    @Test
    void flags() {
        assertThat(parse(List.of("--sessions-file", "/tmp/s.json", "--no-delay", "--verbose", "--help"), Map.of()))
                .isEqualTo(new AgentOptions(Path.of("/tmp/s.json"), false, true, true));
        assertThat(parse(List.of("--sessions-file=/tmp/t.json"), Map.of()).sessionsFile())
                .isEqualTo(Path.of("/tmp/t.json"));
    }

    @Test
    void aRelativeSessionsFile_isResolvedAgainstTheProcessWorkingDirectory() {
        assertThat(parse(List.of("--sessions-file", "s.json"), Map.of()).sessionsFile())
                .isEqualTo(Path.of("s.json").toAbsolutePath().normalize());
    }

    @Test
    void environmentVariables_andFlagsWinOverThem() {
        Map<String, String> env = Map.of(
                AgentOptions.SESSIONS_FILE_ENV, "/env/s.json",
                AgentOptions.NO_DELAY_ENV, "true");

        assertThat(parse(List.of(), env)).isEqualTo(new AgentOptions(Path.of("/env/s.json"), false, false, false));
        assertThat(parse(List.of("--sessions-file", "/flag/s.json"), env).sessionsFile())
                .isEqualTo(Path.of("/flag/s.json"));
        assertThat(parse(List.of(), Map.of(AgentOptions.NO_DELAY_ENV, "0")).delays())
                .isTrue();
        assertThat(parse(List.of(), Map.of(AgentOptions.NO_DELAY_ENV, "")).delays())
                .isTrue();
    }

    @Test
    void badArguments_sayWhatIsWrong() {
        assertThatThrownBy(() -> parse(List.of("--fast"), Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessage("unknown argument: --fast");
        assertThatThrownBy(() -> parse(List.of("--sessions-file"), Map.of()))
                .hasMessage("--sessions-file needs a path");
        assertThatThrownBy(() -> parse(List.of("--sessions-file="), Map.of()))
                .hasMessage("--sessions-file needs a path");
        assertThatThrownBy(() -> parse(List.of(), Map.of(AgentOptions.NO_DELAY_ENV, "maybe")))
                .hasMessage("ACP_POOL_DEMO_AGENT_NO_DELAY must be true or false: maybe");
        assertThatThrownBy(() -> parse(List.of("--sessions-file", "bad\u0000path"), Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("not a valid path: bad");
    }

    @Test
    void usage_namesEveryFlagAndVariable() {
        assertThat(AgentOptions.USAGE)
                .contains("--sessions-file", "--no-delay", "--verbose", "--help")
                .contains(AgentOptions.SESSIONS_FILE_ENV, AgentOptions.NO_DELAY_ENV);
    }
}
