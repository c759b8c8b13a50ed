package io.github.acppool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ProgramVersionTest {
    /** The module's own version, from its POM (the tests run in the module directory): what filtering must give. */
    private static String pomVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        Matcher parent = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
                .matcher(pom);
        assertThat(parent.find()).as("the parent's version in examples/pom.xml").isTrue();
        return parent.group(1);
    }

    @Test
    void version_isTheProjectVersion_filteredIntoTheClassPath() throws Exception {
        assertThat(ProgramVersion.get()).isEqualTo(pomVersion()).doesNotContain("${");
        assertThat(ProgramVersion.line("console")).isEqualTo("acp-pool console " + pomVersion());
    }

    @Test
    void resource_sitsBesideTheClass() throws Exception {
        try (InputStream in = ProgramVersion.class.getResourceAsStream(ProgramVersion.RESOURCE)) {
            assertThat(in).isNotNull();
        }
    }
}
