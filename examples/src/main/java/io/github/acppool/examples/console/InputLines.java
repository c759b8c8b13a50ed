package io.github.acppool.examples.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * The lines of the console's input, read ahead by a daemon thread, so that the input loop can wait for a turn and
 * still see a {@code /cancel} typed meanwhile, and so that a blocked read never keeps the JVM from exiting.
 *
 * <p>Thread-safe: one reader thread fills the queue; {@link #take()} is meant for one consumer.
 */
final class InputLines {

    /* Concurrency: the reader thread is the only producer of `lines`; it ends after putting the end marker. */

    /** A line, or the end of input ({@code line == null}); an error ends the input too. */
    private record Item(@Nullable String line, @Nullable IOException error) {}

    private final BlockingQueue<Item> lines = new LinkedBlockingQueue<>();
    private volatile @Nullable IOException error;

    private InputLines() {}

    /** Where lines come from: a reader (plain input) or the line editor (a terminal). */
    @FunctionalInterface
    interface Source {
        /** The next line, waiting for it; null at the end of input. */
        @Nullable
        String readLine() throws IOException;
    }

    /** Starts reading {@code reader} on a daemon thread. */
    static InputLines start(BufferedReader reader) {
        return start(reader::readLine);
    }

    /** Starts reading {@code source} on a daemon thread. */
    static InputLines start(Source source) {
        InputLines input = new InputLines();
        Thread thread = new Thread(() -> input.read(source), "acp-pool-console-input");
        thread.setDaemon(true);
        thread.start();
        return input;
    }

    private void read(Source source) {
        try {
            String line;
            while ((line = source.readLine()) != null) {
                lines.add(new Item(line, null));
            }
            lines.add(new Item(null, null));
        } catch (IOException e) {
            lines.add(new Item(null, e));
        }
    }

    /**
     * The next line, waiting for it; null at the end of input (also after a read error, see {@link #error()}, or if
     * the waiting thread is interrupted, whose flag is then set again).
     */
    @Nullable
    String take() {
        try {
            Item item = lines.take();
            if (item.line() == null) {
                error = item.error();
                // Later calls see the end again.
                lines.add(item);
            }
            return item.line();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Why the input ended early, if a read failed. */
    @Nullable
    IOException error() {
        return error;
    }
}
