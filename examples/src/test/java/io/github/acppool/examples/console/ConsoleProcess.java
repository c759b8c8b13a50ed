package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The console demo as a real process, started from the packaged {@code target/acp-pool-demo.jar} exactly as the
 * README starts it, with stdin a pipe (so it runs in plain, scriptable mode). Every wait is bounded by {@link #WAIT}
 * and fails the test with the output so far.
 */
final class ConsoleProcess implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Writer stdin;
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private final List<ProcessHandle> seen = new ArrayList<>();

    private ConsoleProcess(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        collect(process.getInputStream(), stdout, "console-stdout");
        collect(process.getErrorStream(), stderr, "console-stderr");
    }

    /** The runnable jar that {@code mvn package} builds; the ITs run after it. */
    static Path jar() {
        Path jar = Path.of("target", "acp-pool-demo.jar").toAbsolutePath();
        assertThat(jar).as("the console jar; build it with mvn package first").exists();
        return jar;
    }

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Starts {@code java -jar acp-pool-demo.jar args...} in {@code directory}. */
    static ConsoleProcess start(Path directory, String... args) {
        List<String> command = new ArrayList<>(List.of(java().toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return run(directory, command);
    }

    /** Starts {@code java -cp acp-pool-demo.jar mainClass args...} in {@code directory}. */
    static ConsoleProcess startClass(Path directory, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(java().toString(), "-cp", jar().toString(), mainClass));
        command.addAll(args);
        return run(directory, command);
    }

    private static ConsoleProcess run(Path directory, List<String> command) {
        try {
            Files.createDirectories(directory);
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
            builder.environment().remove("ACP_POOL_DEMO_AGENT_SESSIONS_FILE");
            builder.environment().remove("ACP_POOL_DEMO_AGENT_NO_DELAY");
            return new ConsoleProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collect(InputStream stream, StringBuilder into, String name) {
        Thread thread = new Thread(
                () -> {
                    char[] buffer = new char[8192];
                    try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
                        int n;
                        while ((n = reader.read(buffer)) > 0) {
                            synchronized (into) {
                                into.append(buffer, 0, n);
                            }
                        }
                    } catch (IOException e) {
                        synchronized (into) {
                            into.append("\n(reading failed: ").append(e).append(')');
                        }
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Types {@code lines}, each followed by Enter. */
    ConsoleProcess send(String... lines) {
        try {
            for (String line : lines) {
                stdin.write(line);
                stdin.write('\n');
            }
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the console's stdin is closed; output so far:\n" + output(), e);
        }
        return this;
    }

    /** Ends the input (Ctrl-D). */
    void closeInput() {
        rememberDescendants();
        try {
            stdin.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        synchronized (stdout) {
            return stdout.toString();
        }
    }

    String errors() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Waits until the output contains every one of {@code texts}. */
    void awaitOutput(String... texts) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> assertThat(output())
                .contains(texts));
    }

    /** The agent processes (and any other descendants) alive now, remembered so that {@link #awaitExit} checks them. */
    List<ProcessHandle> rememberDescendants() {
        List<ProcessHandle> now =
                process.descendants().filter(ProcessHandle::isAlive).toList();
        seen.addAll(now);
        return now;
    }

    /**
     * Sends SIGTERM, which runs the shutdown hooks as Ctrl-C's SIGINT does. Through the handle, because {@link
     * Process#destroy()} also closes our ends of the pipes, and the test still reads what the console says.
     */
    void terminate() {
        rememberDescendants();
        assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
    }

    /**
     * Waits for the console to exit, and checks that no process it started is left.
     *
     * @return its exit status
     */
    int awaitExit() {
        try {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                fail("the console did not exit; output:\n" + output() + "\nstderr:\n" + errors());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(seen).as("agent processes left behind").noneMatch(ProcessHandle::isAlive));
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
