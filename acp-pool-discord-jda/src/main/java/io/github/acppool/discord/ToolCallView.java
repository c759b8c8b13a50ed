package io.github.acppool.discord;

/**
 * A tool call as a reply shows it. The turn's tool-call updates map onto this record, keyed by {@code id} so that a
 * later update replaces the earlier title and status in place.
 *
 * @param kind the ACP tool kind ("read", "edit", "execute", ...), shown when the title is empty
 */
record ToolCallView(String id, String title, String kind, Status status) {

    /** The ACP tool-call statuses. */
    enum Status {
        PENDING,
        IN_PROGRESS,
        COMPLETED,
        FAILED;

        boolean isRunning() {
            return this == PENDING || this == IN_PROGRESS;
        }
    }
}
