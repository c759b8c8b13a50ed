package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The line editor on an in-process virtual terminal (an xterm fed by a pipe, its screen captured): output printed while
 * the user types goes above the input line and leaves the half-typed line intact, and the history recalls earlier
 * lines, also in the next run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LineEditorTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private PipedOutputStream keys;
    private LineEditor editor;

    private LineEditor open(Path history) throws IOException {
        keys = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keys, 4096);
        Terminal terminal = TerminalBuilder.builder()
                .system(false)
                .streams(in, screen)
                .type("xterm-256color")
                .encoding(StandardCharsets.UTF_8)
                .size(new Size(100, 30))
                .build();
        editor = LineEditor.on(terminal, history);
        return editor;
    }

    @AfterEach
    void close() throws IOException {
        if (editor != null) {
            editor.close();
        }
    }

    @Test
    void outputPrintedWhileTyping_goesAboveTheInputLineAndLeavesItIntact() throws IOException {
        LineEditor editor = open(dir.resolve("history"));
        InputLines input = InputLines.start(lines(editor));
        type("hel");
        await().atMost(WAIT).until(() -> visible().endsWith("main> hel"));

        editor.output().print("streamed from the agent, ");
        editor.output().print("in two chunks\n");
        editor.output().flush();
        await().atMost(WAIT).until(() -> visible().contains("in two chunks"));
        type("lo\n");

        assertThat(input.take()).isEqualTo("hello");
        String shown = visible();
        String afterOutput = shown.substring(shown.indexOf("streamed from the agent, in two chunks"));
        assertThat(afterOutput.lines().findFirst().orElseThrow())
                .as("the streamed line, alone on its line")
                .isEqualTo("streamed from the agent, in two chunks");
        assertThat(afterOutput)
                .as("the half-typed input, redrawn under the output")
                .contains("main> hel");
    }

    @Test
    void aParagraphStreamedAsOneLine_isShownRowByRow_beforeItEnds() throws IOException {
        LineEditor editor = open(dir.resolve("history"));
        InputLines input = InputLines.start(lines(editor));
        String words = "lorem ipsum dolor sit amet ".repeat(6); // 162 columns: more than one 100-column row
        editor.output().print(words);
        editor.output().flush();

        await().atMost(WAIT).until(() -> visible().contains("lorem ipsum dolor sit amet lorem"));
        assertThat(visible())
                .as("the rest waits for its row to fill or its line to end")
                .doesNotContain(words.strip());
        editor.output().print("end.\n");
        editor.output().flush();
        await().atMost(WAIT).until(() -> visible().contains("amet end."));
        type("\n");
        assertThat(input.take()).isEmpty();
    }

    @Test
    void history_recallsEarlierLines_alsoInTheNextRun() throws IOException {
        Path history = dir.resolve("history");
        LineEditor first = open(history);
        InputLines input = InputLines.start(lines(first));
        type("/status\n");
        assertThat(input.take()).isEqualTo("/status");
        type("hello\n");
        assertThat(input.take()).isEqualTo("hello");
        type("\u0010\u0010\n"); // Ctrl-P twice: two lines back
        assertThat(input.take()).isEqualTo("/status");
        first.close();
        editor = null;
        assertThat(Files.readString(history, StandardCharsets.UTF_8)).contains("/status", "hello");

        LineEditor second = open(history);
        InputLines again = InputLines.start(lines(second));
        type("\u0010\n"); // Ctrl-P: the last line of the previous run
        assertThat(again.take()).isEqualTo("/status");
    }

    @Test
    void status_standsAtTheEndOfTheInputLine_andThePromptFollowsTheConversation() throws IOException {
        LineEditor editor = open(dir.resolve("history"));
        InputLines input = InputLines.start(lines(editor));
        type("ab");
        await().atMost(WAIT).until(() -> visible().endsWith("main> ab"));

        editor.show("waiting for the agent · 3.2 s");
        await().atMost(WAIT).until(() -> visible().contains("waiting for the agent · 3.2 s"));
        editor.prompt("other> ");
        await().atMost(WAIT).until(() -> visible().contains("other> ab"));
        type("c\n");

        assertThat(input.take()).as("what was typed, without the status").isEqualTo("abc");
    }

    private static InputLines.Source lines(LineEditor editor) {
        editor.prompt("main> ");
        return editor.lines();
    }

    private void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** The screen's bytes without escape sequences and carriage returns. */
    private String visible() {
        String raw = screen.toString(StandardCharsets.UTF_8);
        return raw.replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "")
                .replaceAll("\u001B[()][0-9A-Za-z]", "")
                .replaceAll("\u001B[=>78]", "")
                .replace("\r", "");
    }
}
