package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * What a {@link SessionStore} keeps for one conversation: the agent's ACP session id, the working
 * directory the session was created in (an ACP session is tied to its {@code cwd}), and when it was stored.
 *
 * <p>Immutable and thread-safe.
 *
 * @param sessionId the ACP session id the agent returned from {@code session/new}
 * @param workingDirectory the absolute working directory of the session
 * @param updatedAt when this record was written
 * @param settings the session settings chosen for the conversation ({@link AcpBroker#choose}), setting id to
 *     value, given again to a resumed or new session
 */
public record StoredSession(String sessionId, Path workingDirectory, Instant updatedAt, Map<String, String> settings) {
    public StoredSession {
        Checks.notNull(settings, "settings");
        settings = Map.copyOf(settings);
        Checks.notNull(sessionId, "sessionId");
        Checks.argument(!sessionId.isBlank(), "sessionId must not be blank");
        Checks.notNull(workingDirectory, "workingDirectory");
        Checks.argument(workingDirectory.isAbsolute(), "workingDirectory must be absolute: %s", workingDirectory);
        Checks.notNull(updatedAt, "updatedAt");
    }

    /** A session without chosen settings. */
    public StoredSession(String sessionId, Path workingDirectory, Instant updatedAt) {
        this(sessionId, workingDirectory, updatedAt, Map.of());
    }
}
