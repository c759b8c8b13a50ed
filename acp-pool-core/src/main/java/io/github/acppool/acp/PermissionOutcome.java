package io.github.acppool.acp;

import io.github.acppool.internal.Checks;

/**
 * The answer to a permission request: one of the offered options, or cancelled (the answer the protocol
 * requires for pending requests after {@code session/cancel}). Immutable and thread-safe.
 */
public sealed interface PermissionOutcome {

    static PermissionOutcome selected(String optionId) {
        return new Selected(optionId);
    }

    static PermissionOutcome cancelled() {
        return Cancelled.INSTANCE;
    }

    /** The user (or policy) chose the option with this id. */
    record Selected(String optionId) implements PermissionOutcome {
        public Selected {
            Checks.notNull(optionId, "optionId");
        }
    }

    /** No option was chosen. */
    enum Cancelled implements PermissionOutcome {
        INSTANCE
    }
}
