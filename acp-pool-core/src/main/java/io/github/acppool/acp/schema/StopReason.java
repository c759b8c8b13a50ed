package io.github.acppool.acp.schema;

/**
 * Why a prompt turn ended (ACP v1 {@code stopReason}); {@link #OTHER} for values this version does not know.
 * Immutable and thread-safe.
 */
public enum StopReason {
    END_TURN("end_turn"),
    MAX_TOKENS("max_tokens"),
    MAX_TURN_REQUESTS("max_turn_requests"),
    REFUSAL("refusal"),
    CANCELLED("cancelled"),
    OTHER("");

    private final String wire;

    StopReason(String wire) {
        this.wire = wire;
    }

    /** The wire value; empty for {@link #OTHER}. */
    public String wire() {
        return wire;
    }

    public static StopReason fromWire(String value) {
        for (StopReason reason : values()) {
            if (reason != OTHER && reason.wire.equals(value)) {
                return reason;
            }
        }
        return OTHER;
    }
}
