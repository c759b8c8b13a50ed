package io.github.acppool.examples.demoagent;

import com.google.errorprone.annotations.FormatMethod;
import com.google.errorprone.annotations.FormatString;
import java.io.PrintStream;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The demo agent's log: plain lines on stderr.
 *
 * <p>Not SLF4J on purpose: the agent shares its class path with the programs that start it, and a logging
 * back end configured there (logback's default console appender, for one) would write to stdout, which
 * belongs to the protocol. Thread-safe: {@link PrintStream} writes each line atomically.
 */
final class StderrLog {
    private final PrintStream err;
    private final boolean verbose;
    private final String prefix;

    StderrLog(PrintStream err, boolean verbose) {
        this.err = err;
        this.verbose = verbose;
        this.prefix = "[demo-agent " + ProcessHandle.current().pid() + "] ";
    }

    boolean verbose() {
        return verbose;
    }

    @FormatMethod
    void info(@FormatString String format, @Nullable Object... args) {
        err.println(prefix + String.format(Locale.ROOT, format, args));
    }

    @FormatMethod
    void warn(@FormatString String format, @Nullable Object... args) {
        err.println(prefix + "WARN " + String.format(Locale.ROOT, format, args));
    }

    /** Wire frames and lifecycle details, only with {@code --verbose}. */
    @FormatMethod
    void debug(@FormatString String format, @Nullable Object... args) {
        if (verbose) {
            err.println(prefix + "DEBUG " + String.format(Locale.ROOT, format, args));
        }
    }
}
