package io.github.acppool.examples.console;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jspecify.annotations.Nullable;

/**
 * The console's terminal on JLine: the input line is edited in place (arrows, history kept in the state directory
 * across runs), everything the console prints goes above it (JLine's {@code printAbove}, which redraws the prompt and
 * the half-typed line underneath), so streamed output never runs into what the user is typing, and the status (what is
 * being waited for, and for how long) stands at the right end of the input line. Plain mode (pipes, scripts, {@code
 * --plain}) does not use it.
 *
 * <p>Thread-safe: the input thread reads lines; any thread prints (through {@link #output()}) or sets the status.
 */
final class LineEditor implements Closeable, Renderer.StatusLine {

    /* Concurrency: `output()` is one PrintStream whose bytes are collected into whole lines under `lock`; each whole
     * line goes to printAbove. The prompt and the status are set under `lock` and drawn by the REDISPLAY widget. JLine
     * runs printAbove and widgets under its own lock, with the input thread's keystroke redraws, so nothing from
     * another thread is written into the middle of a redraw. Lock order: `lock`, then JLine's. */

    private final Terminal terminal;
    private final LineReader reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final PrintStream output;

    @GuardedBy("lock")
    private final LineBuffer pending = new LineBuffer();

    @GuardedBy("lock")
    private String prompt = "> ";

    @GuardedBy("lock")
    private String status = "";

    private LineEditor(Terminal terminal, @Nullable Path historyFile) {
        this.terminal = terminal;
        LineReaderBuilder builder =
                LineReaderBuilder.builder().terminal(terminal).appName("acp-pool");
        if (historyFile != null) {
            builder.variable(LineReader.HISTORY_FILE, historyFile);
        }
        this.reader = builder.build();
        this.output = new PrintStream(new AboveStream(), false, charset(terminal));
    }

    /** The line editor on this process's terminal, its history in {@code historyFile}. */
    static LineEditor open(Path historyFile) throws IOException {
        return new LineEditor(TerminalBuilder.builder().system(true).build(), historyFile);
    }

    /** The line editor on {@code terminal} (tests give a virtual one). */
    static LineEditor on(Terminal terminal, @Nullable Path historyFile) {
        return new LineEditor(terminal, historyFile);
    }

    /** Where the console prints: each line goes above the input line when it ends or fills a row. */
    PrintStream output() {
        return output;
    }

    /**
     * The input, one line per call, after the current prompt ({@link #prompt(String)}); null at the end (Ctrl-D, or
     * Ctrl-C, which ends the console as it does in plain mode).
     */
    InputLines.Source lines() {
        return () -> {
            String left;
            String right;
            lock.lock();
            try {
                left = prompt;
                right = status;
            } finally {
                lock.unlock();
            }
            try {
                return reader.readLine(left, right, (Character) null, null);
            } catch (EndOfFileException | UserInterruptException e) {
                return null;
            }
        };
    }

    /** Sets the prompt (it may carry ANSI styles), redrawing the input line if one is being read. */
    @Override
    public void prompt(String text) {
        lock.lock();
        try {
            if (!text.equals(prompt)) {
                prompt = text;
                redraw(impl -> impl.setPrompt(text));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Shows {@code text} at the right end of the input line, or nothing (null). */
    @Override
    public void show(@Nullable String text) {
        String shown = text == null ? "" : text;
        lock.lock();
        try {
            if (!shown.equals(status)) {
                status = shown;
                redraw(impl -> impl.setRightPrompt(shown));
            }
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void redraw(Consumer<LineReaderImpl> change) {
        if (reader instanceof LineReaderImpl impl && reader.isReading()) {
            change.accept(impl);
            try {
                reader.callWidget(LineReader.REDISPLAY);
            } catch (IllegalStateException e) {
                // The line was just accepted: the next readLine draws the new prompt and status.
            }
        }
    }

    /** Prints what is left of a partial line, clears the status line, saves the history and restores the terminal. */
    @Override
    public void close() throws IOException {
        output.flush();
        lock.lock();
        try {
            String rest = pending.drain();
            if (!rest.isEmpty()) {
                reader.printAbove(rest);
            }
        } finally {
            lock.unlock();
        }
        try {
            reader.getHistory().save();
        } finally {
            terminal.close();
        }
    }

    private static Charset charset(Terminal terminal) {
        Charset charset = terminal.encoding();
        return charset != null ? charset : StandardCharsets.UTF_8;
    }

    /** Decodes the console's output and hands each whole line to printAbove. */
    private final class AboveStream extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            lock.lock();
            try {
                pending.append(bytes, offset, length);
                for (String line = pending.nextLine(); line != null; line = pending.nextLine()) {
                    reader.printAbove(line);
                }
                // A reply often streams a whole paragraph as one line: show each screen row once it is full
                // rather than the paragraph at its end.
                for (String row = pending.fullRow(terminal.getSize().getColumns());
                        row != null;
                        row = pending.fullRow(terminal.getSize().getColumns())) {
                    reader.printAbove(row);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Bytes until a newline; then the decoded line. Not thread-safe (used under the editor's lock). */
    private final class LineBuffer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void append(byte[] data, int offset, int length) {
            bytes.write(data, offset, length);
        }

        /** The next whole line without its end, or null if none is complete. */
        @Nullable
        String nextLine() {
            byte[] data = bytes.toByteArray();
            for (int i = 0; i < data.length; i++) {
                if (data[i] == '\n') {
                    int end = i > 0 && data[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(data, 0, end, charset(terminal));
                    bytes.reset();
                    bytes.write(data, i + 1, data.length - i - 1);
                    return line;
                }
            }
            return null;
        }

        /**
         * The start of the partial line if it no longer fits on a row of {@code width} columns: up to its last space
         * that fits (or the row, cut, if there is none); null while it fits or its end may be an incomplete character.
         */
        @Nullable
        String fullRow(int width) {
            byte[] data = bytes.toByteArray();
            if (width <= 1 || data.length <= width || endsInsideACharacter(data)) {
                return null;
            }
            String text = new String(data, charset(terminal));
            if (AttributedString.fromAnsi(text).columnLength() <= width) {
                return null;
            }
            int cut = Math.min(text.length(), width);
            while (cut > 0 && AttributedString.fromAnsi(text.substring(0, cut)).columnLength() > width) {
                cut--;
            }
            int space = text.lastIndexOf(' ', cut);
            int end = space > 0 ? space : cut;
            String row = text.substring(0, end);
            bytes.reset();
            bytes.writeBytes(text.substring(space > 0 ? end + 1 : end).getBytes(charset(terminal)));
            return row;
        }

        private boolean endsInsideACharacter(byte[] data) {
            if (!StandardCharsets.UTF_8.equals(charset(terminal))) {
                return false;
            }
            // The last lead byte, and whether all of its continuation bytes are there.
            for (int i = data.length - 1, seen = 0; i >= 0 && seen < 4; i--, seen++) {
                int b = data[i] & 0xff;
                if (b < 0x80) {
                    return false;
                }
                if (b >= 0xc0) {
                    int length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
                    return data.length - i < length;
                }
            }
            return false;
        }

        String drain() {
            String rest = bytes.toString(charset(terminal));
            bytes.reset();
            return rest;
        }
    }
}
