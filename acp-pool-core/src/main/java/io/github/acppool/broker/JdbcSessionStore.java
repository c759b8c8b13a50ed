package io.github.acppool.broker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.internal.Checks;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sessions in a database table: see {@link SessionStore.JdbcBuilder} and the README for the schema. */
final class JdbcSessionStore implements SessionStore {

    /*
     * Concurrency: no lock. Every call is one auto-committed statement on a connection borrowed from the data
     * source, so the database orders concurrent writes (an upsert is atomic per row) and several brokers may share
     * the table. `lastPruneMillis` only rate-limits the retention DELETE: two threads that both prune do the same
     * idempotent DELETE. The schema check at build time runs in one transaction and is retried when another
     * instance creates the tables at the same moment.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JdbcSessionStore.class);

    /** The version of the sessions table this code reads and writes. */
    static final int SCHEMA_VERSION = 1;

    static final String COMPONENT = "sessions";

    /** Longest conversation id the table holds (its primary key is VARCHAR of this length). */
    static final int MAX_CONVERSATION_ID = 500;

    private static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CREDENTIALS =
            Pattern.compile("(?i)(password|passwd|pwd)=[^&;\\s]*|(//)[^/@\\s:]*:[^/@\\s]*@");

    private final DataSource dataSource;
    private final String prefix;
    private final String schemaTable;
    private final String table;
    private final Duration retention;
    private final Clock clock;
    private final AtomicLong lastPruneMillis = new AtomicLong(Long.MIN_VALUE);
    private final String selectOne;
    private final String selectAll;
    private final String upsert;
    private final String delete;
    private final String prune;

    private JdbcSessionStore(DataSource dataSource, String prefix, Duration retention, Clock clock) {
        this.dataSource = dataSource;
        this.prefix = prefix;
        this.schemaTable = prefix + "schema";
        this.table = prefix + "sessions";
        this.retention = retention;
        this.clock = clock;
        String columns = "conversation_id, session_id, working_directory, agent_id, settings, updated_at";
        this.selectOne = "SELECT " + columns + " FROM " + table + " WHERE conversation_id = ? AND updated_at >= ?";
        this.selectAll = "SELECT " + columns + " FROM " + table + " WHERE updated_at >= ?";
        this.upsert = "INSERT INTO " + table + " (" + columns + ") VALUES (?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (conversation_id) DO UPDATE SET session_id = EXCLUDED.session_id,"
                + " working_directory = EXCLUDED.working_directory, agent_id = EXCLUDED.agent_id,"
                + " settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at";
        this.delete = "DELETE FROM " + table + " WHERE conversation_id = ?";
        this.prune = "DELETE FROM " + table + " WHERE updated_at < ?";
    }

    static JdbcSessionStore open(DataSource dataSource, String prefix, Duration retention, Clock clock) {
        JdbcSessionStore store = new JdbcSessionStore(dataSource, prefix, retention, clock);
        store.createOrCheckSchema();
        store.maybePrune();
        return store;
    }

    /** The DDL that creates the tables of {@code prefix}, statement by statement (the README shows it). */
    static List<String> ddl(String prefix) {
        String table = prefix + "sessions";
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + prefix + "schema (\n"
                        + "    component VARCHAR(100) PRIMARY KEY,\n"
                        + "    version INTEGER NOT NULL\n"
                        + ")",
                "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + "    conversation_id VARCHAR(" + MAX_CONVERSATION_ID + ") PRIMARY KEY,\n"
                        + "    session_id VARCHAR(1000) NOT NULL,\n"
                        + "    working_directory VARCHAR(4000) NOT NULL,\n"
                        + "    agent_id VARCHAR(200),\n"
                        + "    settings VARCHAR(8000) NOT NULL,\n"
                        + "    updated_at TIMESTAMP WITH TIME ZONE NOT NULL\n"
                        + ")",
                "CREATE INDEX IF NOT EXISTS " + table + "_updated_at ON " + table + " (updated_at)",
                "INSERT INTO " + prefix + "schema (component, version) VALUES ('" + COMPONENT + "', " + SCHEMA_VERSION
                        + ")");
    }

    private void createOrCheckSchema() {
        SQLException last = null;
        // Two instances starting at once can both try to create the tables; the loser's transaction fails (a
        // unique violation on the catalog or on the version row) and its next attempt finds the tables.
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
                try {
                    Integer version = schemaVersion(connection);
                    if (version == null) {
                        try (Statement statement = connection.createStatement()) {
                            for (String sql : ddl(prefix)) {
                                statement.execute(sql);
                            }
                        }
                        connection.commit();
                        LOG.info("session store: created table {} (schema version {})", table, SCHEMA_VERSION);
                        return;
                    }
                    connection.commit();
                    if (version != SCHEMA_VERSION) {
                        throw new SessionStoreException(
                                "session store: table " + table + " has schema version " + version + ", but this"
                                        + " acp-pool reads and writes version " + SCHEMA_VERSION
                                        + (version > SCHEMA_VERSION
                                                ? " (the database was used by a newer acp-pool; upgrade this one)"
                                                : " (migrate it as the README describes)"),
                                null);
                    }
                    return;
                } catch (SQLException | RuntimeException e) {
                    rollback(connection);
                    throw e;
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
            } catch (SQLException e) {
                last = e;
                LOG.debug("session store: creating or checking table {} failed (attempt {})", table, attempt, e);
            }
        }
        throw failure("cannot create or check table " + table, Checks.notNull(last, "last failure"));
    }

    /** The version row of the sessions table, or null if there is none (the schema table is created if absent). */
    private @Nullable Integer schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(ddl(prefix).get(0));
        }
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT version FROM " + schemaTable + " WHERE component = ?")) {
            statement.setString(1, COMPONENT);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getInt(1) : null;
            }
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("session store: rollback failed", e);
        }
    }

    @Override
    public Optional<StoredSession> get(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(selectOne)) {
            statement.setString(1, conversationId);
            statement.setObject(2, timestamp(cutoff()));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.ofNullable(read(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("cannot read the session of conversation " + conversationId + " from " + table, e);
        }
    }

    @Override
    public void put(String conversationId, StoredSession session) {
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(session, "session");
        if (conversationId.length() > MAX_CONVERSATION_ID) {
            throw new IllegalArgumentException("conversation id longer than " + MAX_CONVERSATION_ID
                    + " characters cannot be stored: " + conversationId.substring(0, 40) + "…");
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(upsert)) {
            statement.setString(1, conversationId);
            statement.setString(2, session.sessionId());
            statement.setString(3, session.workingDirectory().toString());
            statement.setString(4, session.agentId());
            statement.setString(5, settingsJson(session.settings()));
            statement.setObject(6, timestamp(session.updatedAt()));
            statement.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot store the session of conversation " + conversationId + " in " + table, e);
        }
        maybePrune();
    }

    @Override
    public void remove(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(delete)) {
            statement.setString(1, conversationId);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot remove the session of conversation " + conversationId + " from " + table, e);
        }
    }

    @Override
    public Map<String, StoredSession> snapshot() {
        Map<String, StoredSession> all = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(selectAll)) {
            statement.setObject(1, timestamp(cutoff()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    StoredSession session = read(rows);
                    if (session != null) {
                        all.put(rows.getString(1), session);
                    }
                }
            }
        } catch (SQLException e) {
            throw failure("cannot read the sessions in " + table, e);
        }
        return Map.copyOf(all);
    }

    /** Deletes the rows past the retention, at most once per {@link #PRUNE_INTERVAL}; a failure is logged only. */
    private void maybePrune() {
        long now = clock.millis();
        long last = lastPruneMillis.get();
        if (last != Long.MIN_VALUE && now - last < PRUNE_INTERVAL.toMillis()) {
            return;
        }
        if (!lastPruneMillis.compareAndSet(last, now)) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(prune)) {
            statement.setObject(1, timestamp(cutoff()));
            int removed = statement.executeUpdate();
            if (removed > 0) {
                LOG.info(
                        "session store: forgot {} sessions in {} not written for longer than the retention of {}",
                        removed,
                        table,
                        retention);
            }
        } catch (SQLException e) {
            // Pruning is housekeeping: the rows it misses are filtered out on read and pruned next time.
            LOG.warn("session store: could not prune expired sessions in {}: {}", table, redact(e.toString()));
        }
    }

    private Instant cutoff() {
        return Retention.cutoff(clock.instant(), retention);
    }

    /** A row, or null (logged) if a DBA or another program wrote something that is not a session. */
    private @Nullable StoredSession read(ResultSet rows) throws SQLException {
        String conversationId = rows.getString(1);
        try {
            OffsetDateTime updatedAt = rows.getObject(6, OffsetDateTime.class);
            return new StoredSession(
                    rows.getString(2),
                    Path.of(rows.getString(3)),
                    updatedAt.toInstant(),
                    settings(rows.getString(5)),
                    rows.getString(4));
        } catch (RuntimeException e) {
            // NullPointerException from a null column, InvalidPathException, IllegalArgumentException from
            // StoredSession's checks, or bad settings JSON: the row is unusable, the conversation starts anew.
            LOG.error(
                    "session store: the row of conversation {} in {} is not a valid session and is ignored: {}",
                    conversationId,
                    table,
                    e.toString());
            return null;
        }
    }

    private static Map<String, String> settings(@Nullable String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("settings are not JSON: " + e.getOriginalMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isTextual()) {
                settings.put(e.getKey(), e.getValue().asText());
            }
        }
        return settings;
    }

    private static String settingsJson(Map<String, String> settings) {
        ObjectNode node = JSON.createObjectNode();
        new TreeMap<>(settings).forEach(node::put);
        return node.toString();
    }

    /** PostgreSQL keeps microseconds; truncating here makes what is read back equal to what was written. */
    private static OffsetDateTime timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    private SessionStoreException failure(String what, SQLException e) {
        return new SessionStoreException(
                "session store: " + what + ": " + redact(String.valueOf(e.getMessage())) + " (SQL state "
                        + e.getSQLState() + ")",
                e);
    }

    /** Drivers and pools may quote a JDBC URL; a password in it must not reach a log line through us. */
    static String redact(String message) {
        return CREDENTIALS.matcher(message).replaceAll(m -> m.group(1) != null ? m.group(1) + "=***" : "//***@");
    }

    @Override
    public String toString() {
        return "SessionStore.jdbc(" + table + ")";
    }
}
