package io.github.acppool.discord;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders tool calls as status lines above the reply text: 🔧 running, ✅ completed, ❌ failed.
 *
 * <p>While a reply streams, the preview must leave room for the text (openab's #242: tool lines filled the preview
 * and hid the agent's question), so in {@link ToolDisplay#FULL} more than {@value #COLLAPSE_THRESHOLD} finished calls
 * collapse into one count line and more than {@value #COLLAPSE_THRESHOLD} running calls show as "N more running"
 * followed by the last {@value #COLLAPSE_THRESHOLD}. The final reply lists every call.
 *
 * <p>Stateless and thread-safe.
 */
final class ToolLines {

    static final int COLLAPSE_THRESHOLD = 3;

    /** Titles are commands or file paths; one longer than this is cut so that it cannot crowd out the reply. */
    static final int MAX_TITLE_CODE_POINTS = 120;

    static final String RUNNING = "🔧";
    static final String COMPLETED = "✅";
    static final String FAILED = "❌";

    private ToolLines() {}

    /** The status lines, joined by newlines; "" when there is nothing to show. */
    static String render(List<ToolCallView> calls, ToolDisplay display, boolean streaming) {
        if (calls.isEmpty() || display == ToolDisplay.HIDDEN) {
            return "";
        }
        if (display == ToolDisplay.COMPACT) {
            return compact(calls);
        }
        List<String> lines = new ArrayList<>();
        if (!streaming) {
            calls.forEach(call -> lines.add(line(call)));
            return String.join("\n", lines);
        }
        List<ToolCallView> finished =
                calls.stream().filter(c -> !c.status().isRunning()).toList();
        List<ToolCallView> running =
                calls.stream().filter(c -> c.status().isRunning()).toList();
        if (finished.size() > COLLAPSE_THRESHOLD) {
            lines.add(counts(finished));
        } else {
            finished.forEach(call -> lines.add(line(call)));
        }
        if (running.size() > COLLAPSE_THRESHOLD) {
            lines.add(RUNNING + " " + (running.size() - COLLAPSE_THRESHOLD) + " more running");
            running.subList(running.size() - COLLAPSE_THRESHOLD, running.size()).forEach(call -> lines.add(line(call)));
        } else {
            running.forEach(call -> lines.add(line(call)));
        }
        return String.join("\n", lines);
    }

    static String line(ToolCallView call) {
        String title = "`" + displayTitle(call) + "`";
        return switch (call.status()) {
            case PENDING, IN_PROGRESS -> RUNNING + " " + title + "…";
            case COMPLETED -> COMPLETED + " " + title;
            case FAILED -> FAILED + " " + title;
        };
    }

    /**
     * A title that renders on one line inside inline code: CR removed, LF as " ; ", backticks as ', cut to {@value
     * #MAX_TITLE_CODE_POINTS} code points between grapheme clusters; the kind (or "tool") when it is blank.
     */
    static String sanitizeTitle(String title) {
        String clean =
                title.replace("\r", "").replace("\n", " ; ").replace('`', '\'').strip();
        if (Text.codePoints(clean) > MAX_TITLE_CODE_POINTS) {
            int cut = Text.fitForward(clean, 0, clean.length(), MAX_TITLE_CODE_POINTS - 1);
            clean = clean.substring(0, cut) + MessageSplitter.ELLIPSIS;
        }
        return clean;
    }

    private static String displayTitle(ToolCallView call) {
        String title = sanitizeTitle(call.title());
        if (!title.isEmpty()) {
            return title;
        }
        String kind = sanitizeTitle(call.kind());
        return kind.isEmpty() ? "tool" : kind;
    }

    private static String compact(List<ToolCallView> calls) {
        long completed = calls.stream()
                .filter(c -> c.status() == ToolCallView.Status.COMPLETED)
                .count();
        long failed = calls.stream()
                .filter(c -> c.status() == ToolCallView.Status.FAILED)
                .count();
        long running = calls.stream().filter(c -> c.status().isRunning()).count();
        List<String> parts = new ArrayList<>();
        if (completed > 0) {
            parts.add(COMPLETED + " " + completed);
        }
        if (failed > 0) {
            parts.add(FAILED + " " + failed);
        }
        if (running > 0) {
            parts.add(RUNNING + " " + running);
        }
        return String.join(" · ", parts) + (calls.size() == 1 ? " tool" : " tools");
    }

    private static String counts(List<ToolCallView> finished) {
        long failed = finished.stream()
                .filter(c -> c.status() == ToolCallView.Status.FAILED)
                .count();
        long completed = finished.size() - failed;
        List<String> parts = new ArrayList<>();
        if (completed > 0) {
            parts.add(COMPLETED + " " + completed + " done");
        }
        if (failed > 0) {
            parts.add(FAILED + " " + failed + " failed");
        }
        return String.join(" · ", parts);
    }
}
