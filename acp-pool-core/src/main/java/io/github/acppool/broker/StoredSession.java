package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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
 * @param agentId the id of the agent ({@link AgentSpec#id()}) the session belongs to, so that a resumed
 *     conversation gets the same agent; null for a session stored before brokers had several agents (it belongs
 *     to the default agent)
 */
public record StoredSession(
        String sessionId,
        Path workingDirectory,
        Instant updatedAt,
        Map<String, String> settings,
        @Nullable String agentId) {
    public StoredSession {
        Checks.notNull(settings, "settings");
        settings = Map.copyOf(settings);
        Checks.notNull(sessionId, "sessionId");
        Checks.argument(!sessionId.isBlank(), "sessionId must not be blank");
        Checks.notNull(workingDirectory, "workingDirectory");
        Checks.argument(workingDirectory.isAbsolute(), "workingDirectory must be absolute: %s", workingDirectory);
        Checks.notNull(updatedAt, "updatedAt");
    }

    /** A session of the default agent. */
    public StoredSession(String sessionId, Path workingDirectory, Instant updatedAt, Map<String, String> settings) {
        this(sessionId, workingDirectory, updatedAt, settings, null);
    }

    /** A session of the default agent without chosen settings. */
    public StoredSession(String sessionId, Path workingDirectory, Instant updatedAt) {
        this(sessionId, workingDirectory, updatedAt, Map.of());
    }
}
