package io.github.acppool.discord;

/**
 * How tool calls appear in a reply.
 *
 * <p>Immutable and thread-safe.
 */
public enum ToolDisplay {
    /** One status line per tool call; while streaming, many finished or running calls collapse into counts. */
    FULL,
    /** One line of counts, e.g. {@code ✅ 3 · ❌ 1 · 🔧 2 tools}. */
    COMPACT,
    /** No tool lines. */
    HIDDEN
}
