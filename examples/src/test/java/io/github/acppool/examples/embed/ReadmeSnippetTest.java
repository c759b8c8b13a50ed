package io.github.acppool.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README quotes {@link EmbeddingExample} verbatim: the fenced {@code java} block between {@value #README_BEGIN}
 * and {@value #README_END} in {@code README.md} must equal the lines between {@value #SOURCE_BEGIN} and {@value
 * #SOURCE_END} in the source file. Change one, change the other.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ReadmeSnippetTest {
    static final String README_BEGIN = "<!-- embedding-example:begin -->";
    static final String README_END = "<!-- embedding-example:end -->";
    static final String SOURCE_BEGIN = "// README:embedding-example:begin";
    static final String SOURCE_END = "// README:embedding-example:end";

    private static final Path SOURCE = Path.of("src/main/java/io/github/acppool/examples/embed/EmbeddingExample.java");
    private static final Path README = Path.of("../README.md");
    private static final Path BOM = Path.of("../acp-pool-bom/pom.xml");

    @Test
    void readmeQuotesTheEmbeddingExampleVerbatim() throws IOException {
        List<String> source = between(Files.readAllLines(SOURCE, StandardCharsets.UTF_8), SOURCE_BEGIN, SOURCE_END);
        assertThat(source).as("the marked region of " + SOURCE).isNotEmpty();
        List<String> readme = Files.readAllLines(README, StandardCharsets.UTF_8);
        if (!readme.contains(README_BEGIN) || !readme.contains(README_END)) {
            fail("README.md has no embedding example. Put this block between its markers:\n" + README_BEGIN
                    + "\n```java\n" + String.join("\n", source) + "\n```\n" + README_END);
        }
        List<String> block = between(readme, README_BEGIN, README_END);
        assertThat(block).as("the block starts and ends with a java fence").hasSizeGreaterThan(2);
        assertThat(block.get(0)).isEqualTo("```java");
        assertThat(block.get(block.size() - 1)).isEqualTo("```");
        assertThat(block.subList(1, block.size() - 1))
                .as("README.md's embedding example, compared with " + SOURCE)
                .containsExactlyElementsOf(source);
    }

    @Test
    void theExampleStaysShort() throws IOException {
        List<String> source = between(Files.readAllLines(SOURCE, StandardCharsets.UTF_8), SOURCE_BEGIN, SOURCE_END);
        assertThat(source).hasSizeLessThanOrEqualTo(35);
    }

    @Test
    void readmeSlf4jBinding_isAtTheSlf4jVersionTheLibraryIsBuiltWith() throws IOException {
        List<String> block = between(
                Files.readAllLines(README, StandardCharsets.UTF_8),
                "<!-- slf4j-binding:begin -->",
                "<!-- slf4j-binding:end -->");
        Matcher built = Pattern.compile("<slf4j\\.version>([^<]+)</slf4j\\.version>")
                .matcher(Files.readString(BOM, StandardCharsets.UTF_8));
        assertThat(built.find()).as("slf4j.version in " + BOM).isTrue();
        assertThat(block)
                .as("README.md's SLF4J binding")
                .contains("  <artifactId>slf4j-simple</artifactId>", "  <version>" + built.group(1) + "</version>");
    }

    /**
     * Every Java block of the README is a whole source file that compiles as written (here against the test class
     * path; {@link ConsumerProjectIT} compiles them against only what the README tells a reader to add).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyJavaBlockOfTheReadme_compilesAsWritten(@TempDir Path dir) throws IOException {
        List<String> blocks = ReadmeJava.blocks(README);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(3);
        List<Path> files = new ArrayList<>();
        for (String block : blocks) {
            Matcher name = Pattern.compile("^public (?:abstract |final )*class (\\w+)", Pattern.MULTILINE)
                    .matcher(block);
            assertThat(name.find())
                    .as("a README Java block is a whole file with a public class:\n%s", block)
                    .isTrue();
            Path file = Files.createDirectories(dir.resolve("src/readme")).resolve(name.group(1) + ".java");
            Files.writeString(file, "package readme;\n\n" + block, StandardCharsets.UTF_8);
            files.add(file);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            boolean compiled = javac.getTask(
                            diagnostics,
                            fileManager,
                            null,
                            List.of(
                                    "-d",
                                    dir.resolve("classes").toString(),
                                    "-cp",
                                    System.getProperty("java.class.path"),
                                    "-proc:none",
                                    "-Xlint:none"),
                            null,
                            fileManager.getJavaFileObjectsFromPaths(files))
                    .call();
            assertThat(compiled)
                    .as("javac on the README's Java blocks:\n%s", diagnostics)
                    .isTrue();
        }
    }

    /** The lines strictly between the marker lines, trailing blanks removed. */
    private static List<String> between(List<String> lines, String begin, String end) {
        int from = lines.indexOf(begin);
        int to = lines.indexOf(end);
        if (from < 0 || to < from) {
            return List.of();
        }
        return lines.subList(from + 1, to).stream().map(String::stripTrailing).toList();
    }
}
