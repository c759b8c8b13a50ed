package io.github.acppool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tests run on the class path, so this reads the compiled module descriptor to check the API boundary. */
@Timeout(10)
final class ModuleDescriptorTest {

    @Test
    void exportsOnlyTheApiPackages() throws IOException, URISyntaxException {
        Path classes = Path.of(AcpPoolException.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
        }

        assertThat(descriptor.name()).isEqualTo("io.github.acppool.core");
        assertThat(descriptor.exports().stream()
                        .peek(e -> assertThat(e.isQualified())
                                .as("qualified export %s", e)
                                .isFalse())
                        .map(ModuleDescriptor.Exports::source)
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "io.github.acppool",
                        "io.github.acppool.acp",
                        "io.github.acppool.acp.schema",
                        "io.github.acppool.broker",
                        "io.github.acppool.metrics",
                        "io.github.acppool.pool",
                        "io.github.acppool.turn");
        assertThat(classes.resolve("io/github/acppool/internal")).isDirectory();
    }
}
