package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.testing.FakeAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A launch that fails keeps the OS's reason in its message, and one that fails after the process started (issue
 * 12, race 3: its threads cannot be created) leaves no process behind.
 */
@Timeout(60)
final class LaunchFailureIT {
    @TempDir
    Path dir;

    @Test
    void aMissingCommand_saysNoSuchFileOrDirectory() {
        assertThatThrownBy(() -> AcpClient.launch(
                        AgentLaunchSpec.builder("does-not-exist").build(), AcpClientOptions.defaults()))
                .isInstanceOf(AgentProcessException.class)
                .hasMessage("cannot start agent [does-not-exist]: No such file or directory");
    }

    @Test
    void aFileThatIsNotExecutable_saysPermissionDenied() throws Exception {
        Path script = Files.writeString(dir.resolve("agent.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AcpClient.launch(
                        AgentLaunchSpec.builder(script.toString()).build(), AcpClientOptions.defaults()))
                .isInstanceOf(AgentProcessException.class)
                .hasMessage("cannot start agent [" + script + "]: Permission denied");
    }

    /** The first (stderr) or the second (stdout) thread cannot be created: the started process is destroyed. */
    @ParameterizedTest(name = "thread {0} fails")
    @ValueSource(ints = {1, 2})
    void aThreadThatCannotBeCreated_destroysTheStartedProcess(int failing) {
        String marker = "--marker=launch-failure-" + UUID.randomUUID();
        AtomicInteger made = new AtomicInteger();
        ThreadFactory threads = task -> {
            if (made.incrementAndGet() == failing) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
            }
            return new Thread(task);
        };
        assertThatThrownBy(() ->
                        DefaultAcpClient.launch(FakeAgent.launchSpec(marker), AcpClientOptions.defaults(), threads))
                .isInstanceOf(AgentProcessException.class)
                .hasMessageContaining("the client could not start")
                .hasMessageContaining("unable to create native thread")
                .hasCauseInstanceOf(OutOfMemoryError.class);
        assertThat(made.get()).isEqualTo(failing);
        await().atMost(Duration.ofSeconds(20)).until(() -> processes(marker).isEmpty());
    }

    private static List<ProcessHandle> processes(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info()
                        .arguments()
                        .map(args -> Arrays.asList(args).contains(marker))
                        .orElse(false))
                .toList();
    }
}
