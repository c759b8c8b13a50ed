package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class DemoAgentLauncherTest {

    @Test
    void command_isJavaWithSmallFootprintOptionsTheClassPathTheMainClassAndTheArguments() {
        List<String> command = DemoAgentLauncher.command("--no-delay", "--verbose");

        int options = DemoAgentLauncher.JVM_OPTIONS.size();
        assertThat(command.get(0)).isEqualTo(DemoAgentLauncher.javaExecutable().toString());
        assertThat(command.subList(1, 1 + options)).isEqualTo(DemoAgentLauncher.JVM_OPTIONS);
        assertThat(command.subList(1 + options, command.size()))
                .containsExactly(
                        "-cp", DemoAgentLauncher.classPath(), DemoAgentLauncher.MAIN_CLASS, "--no-delay", "--verbose");
    }

    @Test
    void theJavaExecutable_exists() {
        assertThat(DemoAgentLauncher.javaExecutable()).isExecutable();
    }

    @Test
    void theClassPath_holdsTheAgentAndJacksonOnly_andEveryEntryExists() {
        String[] entries = DemoAgentLauncher.classPath().split(File.pathSeparator);

        assertThat(entries).hasSize(4).doesNotHaveDuplicates();
        assertThat(entries).allMatch(entry -> Files.exists(Path.of(entry)));
        assertThat(entries[1]).contains("jackson-databind");
        assertThat(entries[2]).contains("jackson-core");
        assertThat(entries[3]).contains("jackson-annotations");
    }

    @Test
    void theMainClass_isTheAgent() {
        assertThat(DemoAgentLauncher.MAIN_CLASS).isEqualTo(DemoAgent.class.getName());
    }
}
