package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the command line that starts the {@link DemoAgent} as a separate process, using the Java runtime and
 * the class files of the running JVM, so a program can offer the demo agent as its default agent:
 *
 * <pre>{@code
 * List<String> command = DemoAgentLauncher.command("--no-delay");
 * Process agent = new ProcessBuilder(command).start();
 * }</pre>
 *
 * <p>The class path is made of the locations the agent's own classes and Jackson were loaded from, not of
 * {@code java.class.path}, so it also works when the caller runs under {@code mvn exec:java}, in an IDE or from
 * a single jar. Stateless and thread-safe.
 */
public final class DemoAgentLauncher {
    /** The agent's main class. */
    public static final String MAIN_CLASS = "io.github.acppool.examples.demoagent.DemoAgent";

    /**
     * JVM options for a fast start and a small footprint: the agent does little work, so the client compiler,
     * the serial collector and a small heap suit it, and many of them can run side by side.
     */
    public static final List<String> JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xss512k",
            "-Xmx128m",
            "-XX:-UsePerfData",
            "-Djava.awt.headless=true");

    private DemoAgentLauncher() {}

    /**
     * The command line that starts the demo agent.
     *
     * @param agentArgs the agent's own options, for example {@code "--no-delay"} or
     *     {@code "--sessions-file", "/tmp/sessions.json"}
     * @return the java executable, {@link #JVM_OPTIONS}, the class path, {@link #MAIN_CLASS} and the arguments
     * @throws IllegalStateException if the location of the agent's classes cannot be found
     */
    public static List<String> command(String... agentArgs) {
        return command(Arrays.asList(agentArgs));
    }

    /** Like {@link #command(String...)}. */
    public static List<String> command(List<String> agentArgs) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(classPath());
        command.add(MAIN_CLASS);
        command.addAll(agentArgs);
        return List.copyOf(command);
    }

    /** The {@code java} launcher of the running JVM. */
    static Path javaExecutable() {
        boolean windows =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
    }

    /** Where the agent's classes and its only dependency, Jackson (three jars), were loaded from. */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : List.of(DemoAgent.class, ObjectMapper.class, JsonFactory.class, JsonAutoDetect.class)) {
            entries.add(location(type));
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from, so the demo"
                    + " agent cannot be started as a process; start it with java -cp <class path> " + MAIN_CLASS);
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot turn " + source.getLocation() + " into a class path entry", e);
        }
    }
}
