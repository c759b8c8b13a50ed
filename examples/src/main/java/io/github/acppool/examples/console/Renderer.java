package io.github.acppool.examples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.AcpPoolException;
import io.github.acppool.Ticker;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.SessionUpdate;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.TurnStart;
import io.github.acppool.turn.ToolCall;
import io.github.acppool.turn.TurnEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Everything the console prints: replies as they stream, tool calls, the time waited so far, notices, errors and
 * the prompt. Styled output (on a terminal) has colours, a spinner and a prompt; plain output has no escape codes
 * and no carriage returns, only whole lines and the agent's text, so it can be piped and compared in tests. A result
 * is shown by its {@link BrokerResult#userText()}; verbose output adds its {@link BrokerResult#diagnostics()}.
 *
 * <p>Thread-safe: it is called by the input thread, by broker threads (turn starts, results), by the agents'
 * update threads (events) and by the ticker.
 */
final class Renderer {

    /* Concurrency: every public method holds `lock` for its whole output, so lines from different threads never
     * mix within a line, and the cursor bookkeeping (atLineStart, spinnerShown, promptShown, speaker) always
     * matches what was printed. Writes to `out` happen under the lock: a stalled stdout stalls every caller,
     * which is what a console wants (nothing is lost). No other lock is taken while `lock` is held. */

    /** How often plain output says that a tool is still running. */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
    private static final long SPINNER_FRAME_NANOS = Duration.ofMillis(100).toNanos();
    private static final String CLEAR_LINE = "\r\033[2K";
    private static final int MAX_SUMMARY = 200;
    private static final int MAX_PREVIEW = 40;

    private final ReentrantLock lock = new ReentrantLock();
    private final PrintStream out;
    private final boolean styled;
    private final boolean echoInput;
    private final boolean verbose;
    private final Ticker ticker;

    /** The line editor's status line, or null: the spinner and the prompt are printed to {@code out}. */
    private final @Nullable StatusLine statusLine;

    @GuardedBy("lock")
    private boolean atLineStart = true;

    @GuardedBy("lock")
    private boolean spinnerShown;

    @GuardedBy("lock")
    private boolean promptShown;

    /** The conversation whose output came last, so a switch gets a header line. */
    @GuardedBy("lock")
    private @Nullable String speaker;

    /** The conversation the next line goes to, for the prompt. */
    @GuardedBy("lock")
    private String current = ConsoleOptions.DEFAULT_CONVERSATION;

    /** Messages submitted whose results have not been shown yet; the prompt waits for them. */
    @GuardedBy("lock")
    private int outstanding;

    /** The streaming turn of each conversation. */
    @GuardedBy("lock")
    private final Map<String, TurnView> turns = new HashMap<>();

    /** When each message still waiting for its result was submitted, per conversation, oldest first. */
    @GuardedBy("lock")
    private final Map<String, ArrayDeque<Long>> waiting = new HashMap<>();

    /** The conversation whose late text ended the output mid-line, so that its next late chunk continues it. */
    @GuardedBy("lock")
    private @Nullable String lateLine;

    /**
     * @param styled colours, a spinner and a prompt (a terminal)
     * @param echoInput print each submitted line, because the input is not visible (not a terminal)
     */
    Renderer(PrintStream out, boolean styled, boolean echoInput, Ticker ticker) {
        this(out, styled, echoInput, false, ticker);
    }

    /** @param verbose show each result's diagnostics and each failure's details, for an operator */
    Renderer(PrintStream out, boolean styled, boolean echoInput, boolean verbose, Ticker ticker) {
        this(out, styled, echoInput, verbose, ticker, null);
    }

    /**
     * Styled output for a line editor ({@link LineEditor}): it shows the prompt itself ({@link #promptText()}), and
     * what is being waited for goes to its status line instead of a spinner.
     */
    Renderer(PrintStream out, StatusLine statusLine, boolean verbose, Ticker ticker) {
        this(out, true, false, verbose, ticker, statusLine);
    }

    private Renderer(
            PrintStream out,
            boolean styled,
            boolean echoInput,
            boolean verbose,
            Ticker ticker,
            @Nullable StatusLine statusLine) {
        this.out = out;
        this.styled = styled;
        this.echoInput = echoInput;
        this.verbose = verbose;
        this.ticker = ticker;
        this.statusLine = statusLine;
    }

    /** Where a line editor shows what is being waited for, and its prompt. */
    @FunctionalInterface
    interface StatusLine {
        /** Shows {@code text}, or nothing (null). */
        void show(@Nullable String text);

        /** The prompt changed (another conversation was chosen). */
        default void prompt(String text) {}
    }

    /** The prompt a line editor shows: the conversation the next line goes to. */
    String promptText() {
        lock.lock();
        try {
            return style("1", current + "> ");
        } finally {
            lock.unlock();
        }
    }

    /** Prints lines as they are (banner, help, status). */
    void lines(String text) {
        lock.lock();
        try {
            beginOutput(null, false);
            ensureLineStart();
            println(sanitize(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text));
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** A line from the console itself, e.g. {@code (main is busy: message queued, position 1)}. */
    void notice(@Nullable String conversation, String text) {
        lock.lock();
        try {
            beginOutput(null, false);
            ensureLineStart();
            println(style("36", "(" + (conversation == null ? "" : conversation + ": ") + sanitize(text) + ")"));
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** An error, in one line. */
    void error(@Nullable String conversation, String text) {
        lock.lock();
        try {
            beginOutput(null, false);
            ensureLineStart();
            String line = text.strip().replaceAll("\\s*\\R\\s*", " | ");
            println(style("31", "error: " + (conversation == null ? "" : conversation + ": ") + sanitize(line)));
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** The conversation the next line goes to, shown by the prompt. */
    void setCurrent(String conversation) {
        lock.lock();
        try {
            current = conversation;
            if (statusLine != null) {
                statusLine.prompt(style("1", current + "> "));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Shows the prompt if the input is a terminal and no reply is pending. */
    void prompt() {
        lock.lock();
        try {
            if (statusLine == null && !echoInput && outstanding == 0 && !promptShown) {
                clearSpinner();
                ensureLineStart();
                out.print(style("1", current + "> "));
                promptShown = true;
                atLineStart = false;
                out.flush();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The input thread no longer shows a prompt (e.g. at the end of input). */
    void endInput() {
        lock.lock();
        try {
            if (promptShown) {
                promptShown = false;
                if (!atLineStart) {
                    out.println();
                    atLineStart = true;
                }
            }
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** A prompt was sent to {@code conversation}; echoed when the input is not visible. */
    void submitted(String conversation, String text) {
        lock.lock();
        try {
            outstanding++;
            waiting.computeIfAbsent(conversation, c -> new ArrayDeque<>()).addLast(ticker.read());
            promptShown = false;
            if (echoInput) {
                clearSpinner();
                ensureLineStart();
                println(style("1", conversation + "> ") + sanitize(text));
            } else {
                // The user just typed it after the prompt, which ended with their Enter.
                atLineStart = true;
            }
            speaker = conversation;
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    void queued(String conversation, int position) {
        notice(conversation, "busy, so your message is queued (position " + position + ")");
    }

    /** The turn that answers a message started, and streams here. */
    void turnStarted(String conversation, TurnStart start) {
        lock.lock();
        try {
            turns.put(conversation, new TurnView());
            if (start.sessionReset() && verbose) {
                // The user learns it from the result's user text; the reason is the operator's (paths, ids).
                notice(
                        conversation,
                        "session reset: " + Objects.requireNonNullElse(start.sessionResetReason(), "reason unknown"));
            }
            if (start.merged()) {
                notice(conversation, "answering " + start.messages().size() + " queued messages together");
            }
        } finally {
            lock.unlock();
        }
    }

    /** One event of a streaming reply. */
    void event(String conversation, TurnEvent event) {
        lock.lock();
        try {
            TurnView view = turns.computeIfAbsent(conversation, c -> new TurnView());
            if (event instanceof TurnEvent.TextChunk chunk) {
                text(conversation, view, chunk.text());
            } else if (event instanceof TurnEvent.ToolCallStarted started) {
                tool(conversation, view, started.toolCall());
            } else if (event instanceof TurnEvent.ToolCallUpdated updated) {
                tool(conversation, view, updated.toolCall());
            } else if (event instanceof TurnEvent.PlanReplaced plan
                    && !plan.entries().isEmpty()) {
                plan(conversation, view, plan.entries());
            } else if (event instanceof TurnEvent.StillWorking still && !styled) {
                // Styled output's spinner shows the time already; plain output gets one line per notice.
                view.afterLines = true;
                notice(conversation, "still working, " + human(still.elapsed()));
            }
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /**
     * An event of a turn that arrived after its result (see {@link
     * io.github.acppool.broker.MessageListener#onLateEvent}): its text goes under the reply already shown.
     */
    void lateEvent(String conversation, TurnEvent event) {
        lock.lock();
        try {
            if (!(event instanceof TurnEvent.TextChunk chunk) || chunk.text().isEmpty()) {
                return;
            }
            boolean continues = conversation.equals(lateLine) && !atLineStart && !promptShown && !spinnerShown;
            beginOutput(conversation, true);
            if (!continues) {
                ensureLineStart();
            }
            print(sanitize(chunk.text()));
            lateLine = atLineStart ? null : conversation;
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** The result of a message: the rest of its reply (a note, or the whole reply if nothing streamed). */
    void finished(String conversation, BrokerResult result) {
        lock.lock();
        try {
            outstanding = Math.max(0, outstanding - 1);
            stopWaiting(conversation);
            if (!result.repliedHere()) {
                return; // merged into a later message's turn: the reply shows under that one
            }
            if (result.turn() == null && result.outcome() == BrokerResult.Outcome.CANCELLED) {
                // Dropped from the queue: another turn of this conversation may be streaming; leave it be.
                notice(conversation, "\"" + preview(result.message()) + "\" was dropped before the agent saw it");
                diagnostics(result);
                return;
            }
            TurnView view = turns.remove(conversation);
            beginOutput(conversation, true);
            String streamed = view == null ? "" : view.text.toString();
            if (view != null && view.heldBack != 0) {
                out.print(view.heldBack);
            }
            String reply = result.userText();
            String rest =
                    streamed.isEmpty() ? reply : reply.startsWith(streamed) ? reply.substring(streamed.length()) : "";
            if (view != null && view.afterLines) {
                rest = withoutLeadingNewlines(rest);
            }
            if (!rest.isEmpty()) {
                print(sanitize(rest));
            }
            ensureLineStart();
            if (result.outcome() == BrokerResult.Outcome.AGENT_DIED || result.outcome() == BrokerResult.Outcome.HUNG) {
                notice(
                        conversation,
                        "the agent stopped; your next message starts a new one, which resumes this" + " conversation");
            }
            diagnostics(result);
            println("");
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A message failed without a result (the agent could not start, the broker shut down): the error's plain
     * sentence, and with verbose output its details.
     */
    void failed(String conversation, Throwable failure) {
        lock.lock();
        try {
            outstanding = Math.max(0, outstanding - 1);
            stopWaiting(conversation);
            if (verbose) {
                error(conversation, AcpPoolException.userMessageOf(failure));
                detailLines(ConsoleSession.describe(failure));
            } else {
                // Whoever runs the console is often its operator too: say where the details are.
                error(conversation, AcpPoolException.userMessageOf(failure) + " (details: the log, or --verbose)");
            }
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void stopWaiting(String conversation) {
        ArrayDeque<Long> times = waiting.get(conversation);
        if (times != null) {
            times.pollFirst();
            if (times.isEmpty()) {
                waiting.remove(conversation);
            }
        }
    }

    @GuardedBy("lock")
    private void diagnostics(BrokerResult result) {
        if (verbose) {
            detailLines(result.diagnostics());
        }
    }

    /** Operator details, dimmed and marked, one output line per line. */
    @GuardedBy("lock")
    private void detailLines(String text) {
        ensureLineStart();
        for (String line : sanitize(text).split("\\R", -1)) {
            println(style("2", "  | " + line));
        }
    }

    /**
     * Moves the progress indicator on: styled output redraws a spinner with the running tool's title, or with how
     * long the oldest message of the conversation has waited, and the elapsed time; plain output prints a line
     * every {@link #HEARTBEAT} while a tool runs (and one per {@link TurnEvent.StillWorking} notice).
     */
    void tick() {
        lock.lock();
        try {
            long now = ticker.read();
            if (statusLine != null) {
                statusLine.show(waitingFor(now, false));
            } else if (styled) {
                spin(now);
            } else {
                heartbeat(now);
            }
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void spin(long now) {
        String what = waitingFor(now, true);
        if (what == null || promptShown || (!atLineStart && !spinnerShown)) {
            clearSpinner();
            return;
        }
        out.print(CLEAR_LINE + what);
        spinnerShown = true;
    }

    /**
     * What the last conversation to speak waits for (its running tool, or its oldest message) and for how long,
     * styled; null if it waits for nothing.
     */
    @GuardedBy("lock")
    private @Nullable String waitingFor(long now, boolean spinner) {
        String who = speaker;
        TurnView view = who == null ? null : turns.get(who);
        ToolView tool = view == null ? null : view.running();
        ArrayDeque<Long> since = who == null ? null : waiting.get(who);
        if (tool == null && since == null && !spinner && !waiting.isEmpty()) {
            // Nothing came yet (a new conversation's agent is starting): the status line still says how long.
            who = waiting.keySet().iterator().next();
            since = waiting.get(who);
        }
        if (tool == null && since == null) {
            return null;
        }
        String what = tool != null
                ? tool.title + " · " + seconds(now - tool.startNanos)
                : "waiting for the agent · "
                        + seconds(now - Objects.requireNonNull(since).getFirst());
        String frame = spinner ? SPINNER[(int) ((now / SPINNER_FRAME_NANOS) % SPINNER.length)] + " " : "";
        return style("2", frame + (spinner || who == null ? "" : who + ": ") + what);
    }

    @GuardedBy("lock")
    private void heartbeat(long now) {
        for (Map.Entry<String, TurnView> entry : turns.entrySet()) {
            for (ToolView tool : entry.getValue().tools.values()) {
                if (!tool.finished && now - tool.startNanos >= tool.nextHeartbeatNanos) {
                    beginOutput(entry.getKey(), true);
                    ensureLineStart();
                    println("  … " + tool.title + ": still running after " + seconds(now - tool.startNanos));
                    tool.nextHeartbeatNanos += HEARTBEAT.toNanos();
                    entry.getValue().afterLines = true;
                }
            }
        }
    }

    @GuardedBy("lock")
    private void text(String conversation, TurnView view, String chunk) {
        if (chunk.isEmpty()) {
            return;
        }
        beginOutput(conversation, true);
        view.text.append(chunk);
        String text = view.heldBack == 0 ? chunk : view.heldBack + chunk;
        view.heldBack = 0;
        // A chunk may end inside a surrogate pair: print the high half with the chunk that completes it.
        char last = text.charAt(text.length() - 1);
        if (Character.isHighSurrogate(last)) {
            view.heldBack = last;
            text = text.substring(0, text.length() - 1);
        }
        if (view.afterLines) {
            // Tool lines already end the line: the agent's paragraph break would leave a gap.
            text = withoutLeadingNewlines(text);
            view.afterLines = text.isEmpty();
        }
        print(sanitize(text));
    }

    @GuardedBy("lock")
    private void tool(String conversation, TurnView view, ToolCall call) {
        ToolView tool = view.tools.get(call.id());
        if (tool == null) {
            tool = new ToolView(title(call), ticker.read());
            view.tools.put(call.id(), tool);
            beginOutput(conversation, true);
            ensureLineStart();
            println(style("2", "  ⚙ " + tool.title));
            view.afterLines = true;
        }
        String summary = summary(call);
        if (call.status().isFinished()) {
            if (!tool.finished) {
                tool.finished = true;
                long took = ticker.read() - tool.startNanos;
                beginOutput(conversation, true);
                ensureLineStart();
                String mark = call.status() == ToolCall.Status.COMPLETED ? "  ✓ " : "  ✗ ";
                println(style(
                        call.status() == ToolCall.Status.COMPLETED ? "2" : "33",
                        mark
                                + tool.title
                                + (summary == null ? "" : ": " + summary)
                                + (took >= Duration.ofSeconds(1).toNanos() ? " (" + seconds(took) + ")" : "")));
                view.afterLines = true;
            }
        } else if (summary != null && !summary.equals(tool.summary)) {
            beginOutput(conversation, true);
            ensureLineStart();
            println(style("2", "    " + summary));
            view.afterLines = true;
        }
        tool.summary = summary;
    }

    @GuardedBy("lock")
    private void plan(String conversation, TurnView view, List<SessionUpdate.PlanEntry> entries) {
        beginOutput(conversation, true);
        ensureLineStart();
        println(style("2", "  plan:"));
        view.afterLines = true;
        for (SessionUpdate.PlanEntry entry : entries) {
            String box =
                    switch (entry.status() == null ? "" : entry.status()) {
                        case "completed" -> "[x]";
                        case "in_progress" -> "[~]";
                        default -> "[ ]";
                    };
            println(style("2", "    " + box + " " + sanitize(oneLine(entry.content()))));
        }
    }

    /** Clears the spinner and the prompt, and starts a header if {@code conversation} was not the last to speak. */
    @GuardedBy("lock")
    private void beginOutput(@Nullable String conversation, boolean header) {
        clearSpinner();
        if (promptShown) {
            promptShown = false;
            if (styled) {
                out.print(CLEAR_LINE);
            } else {
                out.println();
            }
            atLineStart = true;
        }
        if (header && conversation != null && !conversation.equals(speaker)) {
            ensureLineStart();
            println(style("1", "[" + conversation + "]"));
        }
        if (header && conversation != null) {
            speaker = conversation;
        }
    }

    @GuardedBy("lock")
    private void clearSpinner() {
        if (spinnerShown) {
            out.print(CLEAR_LINE);
            spinnerShown = false;
        }
    }

    @GuardedBy("lock")
    private void ensureLineStart() {
        if (!atLineStart) {
            out.println();
            atLineStart = true;
        }
    }

    @GuardedBy("lock")
    private void print(String text) {
        if (!text.isEmpty()) {
            out.print(text);
            atLineStart = text.endsWith("\n");
            lateLine = null;
        }
    }

    @GuardedBy("lock")
    private void println(String line) {
        out.println(line);
        atLineStart = true;
        lateLine = null;
    }

    private String style(String sgr, String text) {
        return styled ? "\033[" + sgr + "m" + text + "\033[0m" : text;
    }

    /** Drops control characters (escape sequences included) except newline and tab, so an agent cannot drive the terminal. */
    static String sanitize(String text) {
        StringBuilder clean = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f);
            if (control && clean == null) {
                clean = new StringBuilder(text.length()).append(text, 0, i);
            } else if (!control && clean != null) {
                clean.append(c);
            }
        }
        return clean == null ? text : clean.toString();
    }

    private static String title(ToolCall call) {
        String title = oneLine(call.title());
        if (!title.isEmpty()) {
            return sanitize(title);
        }
        return call.kind() != null ? sanitize(call.kind()) : "tool " + sanitize(call.id());
    }

    /** What the tool call's latest content says, in one line, if it says something in text. */
    static @Nullable String summary(ToolCall call) {
        if (call.content().isEmpty()) {
            return null;
        }
        JsonNode last = call.content().get(call.content().size() - 1);
        String text =
                switch (last.path("type").asText("")) {
                    case "content" ->
                        last.path("content").path("type").asText("").equals("text")
                                ? last.path("content").path("text").asText("")
                                : "";
                    case "diff" -> "edited " + last.path("path").asText("a file");
                    case "terminal" -> "terminal " + last.path("terminalId").asText("");
                    default -> "";
                };
        text = oneLine(text);
        if (text.isEmpty()) {
            return null;
        }
        return sanitize(text.length() <= MAX_SUMMARY ? text : text.substring(0, cut(text, MAX_SUMMARY)) + "…");
    }

    private static String preview(ChatMessage message) {
        String text = message.content().stream()
                .filter(block -> block instanceof ContentBlock.Text)
                .map(block -> ((ContentBlock.Text) block).text())
                .findFirst()
                .map(Renderer::oneLine)
                .orElse("");
        return text.length() <= MAX_PREVIEW ? text : text.substring(0, cut(text, MAX_PREVIEW)) + "…";
    }

    private static String withoutLeadingNewlines(String text) {
        int start = 0;
        while (start < text.length() && text.charAt(start) == '\n') {
            start++;
        }
        return text.substring(start);
    }

    private static int cut(String text, int at) {
        return Character.isHighSurrogate(text.charAt(at - 1)) ? at - 1 : at;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** A duration as a person says it: "45 s", "2 min", "1 h 5 min". */
    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        return minutes < 60
                ? minutes + " min"
                : minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }

    static String seconds(long nanos) {
        double seconds = nanos / 1e9;
        return seconds < 10
                ? String.format(Locale.ROOT, "%.1f s", seconds)
                : String.format(Locale.ROOT, "%d s", Math.round(Math.floor(seconds)));
    }

    /** A reply as it streams. Guarded by the renderer's lock. */
    private static final class TurnView {
        final StringBuilder text = new StringBuilder();
        final Map<String, ToolView> tools = new LinkedHashMap<>();
        /** A high surrogate that ended the last chunk, printed with the next one. */
        char heldBack;
        /** Whether the last thing printed for this turn was a tool or plan line. */
        boolean afterLines;

        /** The most recently started tool that still runs. */
        @Nullable
        ToolView running() {
            ToolView found = null;
            for (ToolView tool : tools.values()) {
                if (!tool.finished) {
                    found = tool;
                }
            }
            return found;
        }
    }

    /** A tool call as shown. Guarded by the renderer's lock. */
    private static final class ToolView {
        final String title;
        final long startNanos;

        @Nullable
        String summary;

        boolean finished;
        long nextHeartbeatNanos = HEARTBEAT.toNanos();

        ToolView(String title, long startNanos) {
            this.title = title;
            this.startNanos = startNanos;
        }
    }
}
