package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Maps a conversation id to the ACP session of its agent, so that a conversation survives the eviction of
 * its agent process and a restart of the broker: the next message resumes the stored session with
 * {@code session/load}.
 *
 * <p>The broker writes a session as soon as it exists (not only on eviction or shutdown), so a crash of
 * the broker loses nothing. It calls the store outside every pool lock, but possibly while it holds the
 * lock of that one conversation's connection, so a slow store delays only that conversation.
 *
 * <p><b>Multi-instance deployments.</b> The embedded file stores suit one broker process. Several brokers (for
 * example one per range of Discord shards) share their conversations through {@link #jdbc(DataSource) a database
 * table}. Each conversation must be served by one broker at a time (disjoint shard ranges give that), because an
 * ACP session belongs to one agent process.
 *
 * <p>Implementations must be thread-safe.
 */
public interface SessionStore {

    /** The stored session of {@code conversationId}, if any. */
    Optional<StoredSession> get(String conversationId);

    /**
     * Stores (inserts or replaces) the session of {@code conversationId}.
     *
     * @throws SessionStoreException if the backing storage cannot be written; a file store's view is still
     *     updated, so that a later write can persist it (a database store's is not: the broker writes again when
     *     the conversation's agent stops)
     */
    void put(String conversationId, StoredSession session);

    /**
     * Forgets the session of {@code conversationId}; does nothing if there is none.
     *
     * @throws SessionStoreException if the backing storage cannot be written
     */
    void remove(String conversationId);

    /** A point-in-time copy of every stored session, by conversation id. */
    Map<String, StoredSession> snapshot();

    /** A store that keeps sessions in memory only, for tests and for deployments that need no resume. */
    static SessionStore inMemory() {
        return new InMemorySessionStore();
    }

    /**
     * A store backed by one JSON file, rewritten atomically (a temporary file in the same directory, then a
     * rename) on every change. The file and its parent directories are created when first written.
     *
     * <p>A file that is not valid JSON, or entries that are not valid sessions, are reported at ERROR and
     * the file is preserved beside the original (as {@code <name>.corrupt-<timestamp>}) before the store
     * goes on with whatever it could read; it is never reset silently.
     *
     * @throws SessionStoreException if the file exists but cannot be read
     */
    static SessionStore jsonFile(Path file) {
        return JsonFileSessionStore.open(file);
    }

    /** How long a store keeps a session that was not written again, unless told otherwise: 30 days. */
    Duration DEFAULT_RETENTION = Duration.ofDays(30);

    /**
     * A store in a database table, for several broker processes sharing their conversations; the same as {@code
     * jdbcBuilder(dataSource).build()}. See {@link JdbcBuilder} for the schema.
     *
     * @throws SessionStoreException if the database cannot be reached or holds a schema version this acp-pool
     *     does not know
     */
    static SessionStore jdbc(DataSource dataSource) {
        return jdbcBuilder(dataSource).build();
    }

    /** A builder of a store in a database table, for a table prefix or a retention other than the defaults. */
    static JdbcBuilder jdbcBuilder(DataSource dataSource) {
        return new JdbcBuilder(dataSource);
    }

    /**
     * Builds a {@link SessionStore} over JDBC ({@code java.sql} only: the caller brings the driver and the
     * connection pool, and keeps owning them). PostgreSQL is the target; the SQL is standard except for the
     * upsert ({@code INSERT ... ON CONFLICT ... DO UPDATE}, which SQLite shares).
     *
     * <p>{@link #build()} creates the tables if they are absent: {@code <prefix>schema} (one row per acp-pool
     * component with the version of its tables) and {@code <prefix>sessions} (one row per conversation). The
     * README gives the exact DDL for a DBA who prefers to create them by hand. A database whose sessions table
     * has another version is refused with a message that says which.
     *
     * <p>Every call borrows a connection from the data source for one statement (auto-commit) and gives it back.
     * A session not written for longer than the {@link #retention(Duration) retention} is no longer returned, and
     * its row is deleted when the store is built and then at most once an hour, on a {@link SessionStore#put}.
     *
     * <p>Defaults: {@code tablePrefix} {@code "acp_pool_"}, {@code retention} {@link #DEFAULT_RETENTION}, {@code
     * clock} the system clock (UTC). Each setting may be given once.
     *
     * <p>Not thread-safe; the store it builds is.
     */
    final class JdbcBuilder {
        private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

        final DataSource dataSource;

        @Nullable
        String tablePrefix;

        @Nullable
        Duration retention;

        @Nullable
        Clock clock;

        JdbcBuilder(DataSource dataSource) {
            this.dataSource = Checks.notNull(dataSource, "dataSource");
        }

        /** The prefix of the table names (lower-case letters, digits and underscores, at most 40). */
        public JdbcBuilder tablePrefix(String value) {
            Checks.notNull(value, "tablePrefix");
            Checks.argument(
                    PREFIX.matcher(value).matches(),
                    "tablePrefix must be lower-case letters, digits and underscores (at most 40, not starting"
                            + " with a digit): \"%s\"",
                    value);
            tablePrefix = Checks.setOnce(tablePrefix, value, "tablePrefix");
            return this;
        }

        /** How long a session that is not written again is kept (positive). */
        public JdbcBuilder retention(Duration value) {
            retention = Checks.setOnce(retention, Checks.positive(value, "retention"), "retention");
            return this;
        }

        /** The clock that stamps nothing but decides what has outlived the retention (for tests). */
        public JdbcBuilder clock(Clock value) {
            clock = Checks.setOnce(clock, value, "clock");
            return this;
        }

        /**
         * Connects once to create or check the tables, and returns the store.
         *
         * @throws SessionStoreException if the database cannot be reached or holds an unknown schema version
         */
        public SessionStore build() {
            return JdbcSessionStore.open(
                    dataSource,
                    tablePrefix != null ? tablePrefix : "acp_pool_",
                    retention != null ? retention : DEFAULT_RETENTION,
                    clock != null ? clock : Clock.systemUTC());
        }
    }
}
