package io.github.acppool.acp.schema;

import io.github.acppool.internal.Checks;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a session is created, loaded or resumed with: {@code session/new}, {@code session/load} and {@code
 * session/resume} take the same parameters (plus the session id for the last two). Immutable and
 * thread-safe.
 *
 * @param cwd the session's working directory; absolute (the client also confines file access to it)
 * @param mcpServers MCP servers for the session; always sent, even when empty, as agents require it
 * @param additionalDirectories extra absolute roots; sent only when non-empty (the agent must advertise
 *     {@code sessionCapabilities.additionalDirectories})
 */
public record SessionSetup(Path cwd, List<McpServer> mcpServers, List<Path> additionalDirectories) {
    public SessionSetup {
        Checks.notNull(cwd, "cwd");
        Checks.argument(cwd.isAbsolute(), "cwd must be absolute: %s", cwd);
        mcpServers = List.copyOf(mcpServers);
        additionalDirectories = List.copyOf(additionalDirectories);
        for (Path dir : additionalDirectories) {
            Checks.argument(dir.isAbsolute(), "additionalDirectories must be absolute: %s", dir);
        }
    }

    /** A session in {@code cwd} with no MCP servers. */
    public static SessionSetup of(Path cwd) {
        return new SessionSetup(cwd, List.of(), List.of());
    }

    /** A session in {@code cwd} with these MCP servers. */
    public static SessionSetup of(Path cwd, @Nullable List<McpServer> mcpServers) {
        return new SessionSetup(cwd, mcpServers == null ? List.of() : mcpServers, List.of());
    }
}
