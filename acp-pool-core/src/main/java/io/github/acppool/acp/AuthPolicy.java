package io.github.acppool.acp;

import io.github.acppool.internal.Checks;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which ACP {@code authenticate} method a broker sends after {@code initialize}, before it creates, loads or
 * resumes a session, when the agent advertises {@code authMethods}. Authentication belongs to the agent
 * process, so every new process authenticates again.
 *
 * <ul>
 *   <li>{@link #automatic()} (the default): the one advertised method whose key variable (the method's {@code
 *       varName} or {@code vars[].name}) is set in the agent's environment, as the launch spec computes it; if none is
 *       set, no method is sent up front, then only if the agent answers "authentication required" and its
 *       only advertised method is one it can do on its own (not interactive, its variable set if it names one);
 *   <li>{@link #method(String)}: always that method id (it must be advertised);
 *   <li>{@link #none()}: never authenticate.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class AuthPolicy {

    /** The policy's kind. */
    public enum Kind {
        NONE,
        AUTOMATIC,
        METHOD
    }

    private static final AuthPolicy NONE = new AuthPolicy(Kind.NONE, null);
    private static final AuthPolicy AUTOMATIC = new AuthPolicy(Kind.AUTOMATIC, null);

    private final Kind kind;
    private final @Nullable String methodId;

    private AuthPolicy(Kind kind, @Nullable String methodId) {
        this.kind = kind;
        this.methodId = methodId;
    }

    /** Never sends {@code authenticate}. */
    public static AuthPolicy none() {
        return NONE;
    }

    /** Picks the method by the key variable present in the agent's environment (see the class comment). */
    public static AuthPolicy automatic() {
        return AUTOMATIC;
    }

    /** Always authenticates with {@code methodId}, e.g. {@code "openai-api-key"} for codex-acp. */
    public static AuthPolicy method(String methodId) {
        Checks.notNull(methodId, "methodId");
        Checks.argument(!methodId.isBlank(), "the authentication method id must not be blank");
        return new AuthPolicy(Kind.METHOD, methodId.strip());
    }

    /**
     * Reads a setting as written in a config file or on a command line: {@code auto} (or {@code automatic}),
     * {@code none}, or a method id.
     *
     * @throws IllegalArgumentException if {@code text} is blank
     */
    public static AuthPolicy parse(String text) {
        Checks.notNull(text, "text");
        String value = text.strip();
        Checks.argument(!value.isEmpty(), "the authentication method must be 'auto', 'none' or a method id, not blank");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "auto", "automatic" -> AUTOMATIC;
            case "none" -> NONE;
            default -> method(value);
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The method id of a {@link Kind#METHOD} policy. */
    public Optional<String> methodId() {
        return Optional.ofNullable(methodId);
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof AuthPolicy that && kind == that.kind && Objects.equals(methodId, that.methodId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, methodId);
    }

    /** {@code none}, {@code auto} or the method id: the form {@link #parse(String)} reads. */
    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case AUTOMATIC -> "auto";
            case METHOD -> Objects.requireNonNull(methodId);
        };
    }
}
