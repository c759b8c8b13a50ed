package io.github.acppool.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's embedding example from the packaged jar, as a process, against the demo agent, and checks that the
 * reply streamed to stdout. ({@link ReadmeSnippetTest} checks that the README quotes this very file.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class EmbeddingExampleIT {
    @TempDir
    Path dir;

    @Test
    void streamsTheDemoAgentsReplyToStdout() throws IOException, InterruptedException {
        Path jar = Path.of("target", "acp-pool-demo.jar").toAbsolutePath();
        assertThat(jar).as("build it with mvn package first").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                jar.toString(),
                EmbeddingExample.class.getName()));
        // The agent's command line, as a user would pass a real agent's; here the demo agent at full speed, keeping
        // its sessions in the temporary directory rather than in ~/.acp-pool.
        command.addAll(DemoAgentLauncher.command(
                "--no-delay", "--sessions-file", dir.resolve("sessions.json").toString()));
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        process.getOutputStream().close();
        assertThat(process.waitFor(45, TimeUnit.SECONDS)).as("the example ends").isTrue();

        String output = Files.readString(stdout, StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("exit status; stderr:\n%s", Files.readString(stderr))
                .isZero();
        assertThat(output)
                // The default PromptComposer names the sender before the message.
                .startsWith("You said “[Ada (u-1)]\n\nHello, agent!”.")
                .contains("This is the first message of our conversation.")
                .endsWith("\n[COMPLETED]" + System.lineSeparator());
    }
}
