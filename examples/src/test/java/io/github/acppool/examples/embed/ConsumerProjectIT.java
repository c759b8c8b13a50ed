package io.github.acppool.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A new user's build: throwaway Maven projects (core only; the Discord adapter) that import {@code acp-pool-bom}, add
 * only what the README tells a reader to add, compile every Java snippet of the README as written inside a named
 * module, pass the enforcer's dependency convergence, and (core) run the README's embedding example on the demo agent.
 *
 * <p>Nothing goes into the shared local repository: this build's artifacts are laid into a private one under {@code
 * target/consumer-repo}, and everything else comes, offline, from the local repository this build uses (a {@code
 * file:} mirror), so the consumer sees exactly the POMs a user would get.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
final class ConsumerProjectIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path REPO = TARGET.resolve("consumer-repo");
    private static final Path TEMPLATE = Path.of("src/test/consumer/pom.xml");
    private static final Pattern CLASS_NAME =
            Pattern.compile("^public (?:abstract |final )*class (\\w+)", Pattern.MULTILINE);
    private static final String VERSION = property("acppool.version");

    @BeforeAll
    static void installThisBuildIntoAPrivateRepository() throws IOException {
        install("acp-pool-bom", ROOT.resolve("acp-pool-bom/pom.xml"), null);
        install("acp-pool-parent", ROOT.resolve("pom.xml"), null);
        for (String module : List.of("acp-pool-core", "acp-pool-discord-jda")) {
            Path jar = ROOT.resolve(module + "/target/" + module + "-" + VERSION + ".jar");
            assertThat(jar)
                    .as("built by this reactor (mvn verify from the root)")
                    .exists();
            install(module, ROOT.resolve(module + "/pom.xml"), jar);
        }
    }

    @Test
    void coreOnly_convergesCompilesTheSnippetsAsAModuleAndRunsTheEmbeddingExample() throws Exception {
        Path project = project("consumer-core", "consumer.core", List.of("acp-pool-core"), snippets(false));
        Path sessions = project.resolve("demo-sessions.json");
        String output = mvn(
                project,
                "-Drun.skip=false",
                "-Dagent.java=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                "-Dagent.classpath=" + TARGET.resolve("acp-pool-demo.jar"),
                "-Dagent.main=" + DemoAgentLauncher.MAIN_CLASS,
                "-Dagent.sessions=" + sessions);
        assertThat(output)
                .contains("You said “[Ada (u-1)]\n\nHello, agent!”.")
                .contains("[COMPLETED]")
                .contains("BUILD SUCCESS");
    }

    @Test
    void adapter_convergesAndCompilesEverySnippetAsAModule() throws Exception {
        Path project = project(
                "consumer-adapter",
                "consumer.adapter",
                List.of("acp-pool-core", "acp-pool-discord-jda"),
                snippets(true));
        assertThat(mvn(project, "-Drun.skip=true")).contains("BUILD SUCCESS");
    }

    /**
     * The README's Java blocks; without the adapter, those that use it are left out, and so are those on Micrometer
     * (an optional dependency the README has the reader add; ReadmeSnippetTest compiles them with it).
     */
    private static List<String> snippets(boolean adapter) throws IOException {
        List<String> all = ReadmeJava.blocks(ROOT.resolve("README.md"));
        assertThat(all).as("Java blocks in README.md").hasSizeGreaterThanOrEqualTo(3);
        return all.stream()
                .filter(block -> !block.contains("import io.micrometer."))
                .filter(block -> adapter
                        || !(block.contains("import io.github.acppool.discord.")
                                || block.contains("import net.dv8tion.")))
                .toList();
    }

    private static Path project(String artifact, String module, List<String> artifacts, List<String> snippets)
            throws IOException {
        Path project = TARGET.resolve("consumer/" + artifact);
        deleteRecursively(project);
        Path sources = Files.createDirectories(project.resolve("src/main/java/consumer"));
        StringBuilder dependencies = new StringBuilder();
        for (String name : artifacts) {
            dependencies
                    .append("    <dependency>\n      <groupId>io.github.acppool</groupId>\n      <artifactId>")
                    .append(name)
                    .append("</artifactId>\n    </dependency>\n");
        }
        Files.writeString(
                project.resolve("pom.xml"),
                Files.readString(TEMPLATE, StandardCharsets.UTF_8)
                        .replace("@ARTIFACT@", artifact)
                        .replace("@MODULE@", module)
                        .replace("@DEPENDENCIES@\n", dependencies.toString()),
                StandardCharsets.UTF_8);
        // The adapter and JDA are automatic modules: they give no implied readability of core.
        String requires = "    requires io.github.acppool.core;\n"
                + (artifacts.contains("acp-pool-discord-jda")
                        ? "    requires io.github.acppool.discord;\n    requires net.dv8tion.jda;\n"
                        : "");
        Files.writeString(
                project.resolve("src/main/java/module-info.java"),
                "module " + module + " {\n" + requires + "}\n",
                StandardCharsets.UTF_8);
        for (String snippet : snippets) {
            Matcher name = CLASS_NAME.matcher(snippet);
            assertThat(name.find())
                    .as("a README Java block is a whole file with a public class:\n%s", snippet)
                    .isTrue();
            Files.writeString(
                    sources.resolve(name.group(1) + ".java"),
                    "package consumer;\n\n" + snippet,
                    StandardCharsets.UTF_8);
        }
        return project;
    }

    /** Runs {@code mvn verify} offline on the project; returns its output, having checked that it succeeded. */
    private static String mvn(Path project, String... properties) throws IOException, InterruptedException {
        Path settings = TARGET.resolve("consumer-settings.xml");
        Files.writeString(
                settings,
                "<settings><mirrors><mirror><id>this-build</id><mirrorOf>*</mirrorOf><url>"
                        + Path.of(property("build.local.repository")).toUri()
                        + "</url></mirror></mirrors></settings>\n",
                StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(
                Path.of(property("build.maven.home"), "bin", "mvn").toString(),
                "-B",
                "-ntp",
                "-o",
                // Offline, yet the file: mirror (this build's local repository) may be read.
                "-Daether.offline.protocols=file",
                "-s",
                settings.toString(),
                "-Dmaven.repo.local=" + REPO,
                "-Dacppool.version=" + VERSION));
        for (String plugin : List.of(
                "resources-plugin", "compiler-plugin", "surefire", "jar-plugin", "enforcer-plugin", "exec-plugin")) {
            command.add("-D" + plugin + ".version=" + property("build." + plugin + ".version"));
        }
        command.addAll(List.of(properties));
        command.add("verify");
        Path log = project.resolve("build.log");
        Process process = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        process.getOutputStream().close();
        boolean ended = process.waitFor(8, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("mvn ends; its output:\n%s", output).isTrue();
        assertThat(process.exitValue())
                .as("mvn's exit status; its output:\n%s", output)
                .isZero();
        return output;
    }

    /** Lays a POM (and jar) out as `mvn install` would, without its metadata: a local repository needs none. */
    private static void install(String artifact, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(REPO.resolve("io/github/acppool/" + artifact + "/" + VERSION));
        Files.copy(pom, dir.resolve(artifact + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, dir.resolve(artifact + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String property(String name) {
        return Objects.requireNonNull(
                System.getProperty(name), () -> name + " is set by the POM's Failsafe configuration");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
