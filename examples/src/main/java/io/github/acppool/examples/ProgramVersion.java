package io.github.acppool.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of the example programs, for their {@code --version}. It comes from a resource Maven filters at build
 * time rather than from the jar manifest, so that it is the same in the demo jar and in tests run from
 * {@code target/classes}. Stateless and thread-safe.
 */
public final class ProgramVersion {
    static final String RESOURCE = "version.properties";

    private ProgramVersion() {}

    /**
     * The project version this was built as, e.g. {@code 0.1.0-SNAPSHOT}.
     *
     * @throws IllegalStateException if the build did not put the version resource next to this class (a broken
     *     build, not a user error)
     */
    public static String get() {
        try (InputStream in = ProgramVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + RESOURCE + " beside " + ProgramVersion.class.getName()
                        + ": the build did not run the examples module's version-resource execution");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "").strip();
            if (version.isEmpty() || version.startsWith("${")) {
                throw new IllegalStateException(RESOURCE + " was not filtered by Maven: version=" + version);
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The line {@code --version} prints, e.g. {@code acp-pool console 0.1.0-SNAPSHOT}. */
    public static String line(String program) {
        return "acp-pool " + program + " " + get();
    }
}
