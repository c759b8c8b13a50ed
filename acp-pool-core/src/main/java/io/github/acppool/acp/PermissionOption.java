package io.github.acppool.acp;

import io.github.acppool.internal.Checks;

/**
 * One choice offered by a permission request. {@code kind} is {@code allow_once}, {@code allow_always},
 * {@code reject_once} or {@code reject_always} (or something newer). Immutable and thread-safe.
 */
public record PermissionOption(String optionId, String name, String kind) {
    public static final String ALLOW_ONCE = "allow_once";
    public static final String ALLOW_ALWAYS = "allow_always";
    public static final String REJECT_ONCE = "reject_once";
    public static final String REJECT_ALWAYS = "reject_always";

    public PermissionOption {
        Checks.notNull(optionId, "optionId");
        Checks.notNull(name, "name");
        Checks.notNull(kind, "kind");
    }

    public boolean isAllow() {
        return kind.startsWith("allow");
    }

    public boolean isReject() {
        return kind.startsWith("reject");
    }
}
