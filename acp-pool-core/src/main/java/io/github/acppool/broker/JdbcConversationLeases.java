package io.github.acppool.broker;

import io.github.acppool.internal.Checks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases in the table {@code acp_pool_leases}, one row per conversation, expiry by the database's clock.
 *
 * <p>Thread-safe: each call borrows its own connection from the data source and runs in auto-commit.
 */
final class JdbcConversationLeases implements ConversationLeases {

    /* Concurrency: no state in this object. Every change is one statement, atomic in the database: acquire is a
     * single INSERT ... ON CONFLICT DO UPDATE whose WHERE lets it take a row over only if the row is the caller's or
     * has expired by now(), so of two brokers racing for one conversation the row lock makes exactly one win;
     * renew and release are conditional on the owner (and renew on the expiry). Expiry is compared with the
     * database's now(), never a broker's clock, so brokers with skewed clocks agree. */

    private static final Logger LOG = LoggerFactory.getLogger(JdbcConversationLeases.class);

    static final String TABLE = "acp_pool_leases";
    /** The version of the leases table, recorded in {@code acp_pool_schema} (the session store's too). */
    static final int SCHEMA_VERSION = 1;

    static final String COMPONENT = "leases";

    /** The DDL of the leases table, statement by statement (the README shows it). */
    static final List<String> DDL = List.of(
            """
            CREATE TABLE IF NOT EXISTS acp_pool_schema (
                component VARCHAR(100) PRIMARY KEY,
                version INTEGER NOT NULL
            )""",
            """
            CREATE TABLE IF NOT EXISTS acp_pool_leases (
                conversation_id VARCHAR(500) PRIMARY KEY,
                owner VARCHAR(200) NOT NULL,
                expires_at TIMESTAMP WITH TIME ZONE NOT NULL
            )""",
            "INSERT INTO acp_pool_schema (component, version) VALUES ('" + COMPONENT + "', " + SCHEMA_VERSION + ")");

    private static final String EXPIRY = "now() + make_interval(secs => ?)";

    private static final String ACQUIRE = "INSERT INTO acp_pool_leases AS l (conversation_id, owner, expires_at) "
            + "VALUES (?, ?, " + EXPIRY + ") "
            + "ON CONFLICT (conversation_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at "
            + "WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now() "
            + "RETURNING owner";
    private static final String RENEW = "UPDATE acp_pool_leases SET expires_at = " + EXPIRY
            + " WHERE conversation_id = ? AND owner = ? AND expires_at > now()";
    private static final String RELEASE = "DELETE FROM acp_pool_leases WHERE conversation_id = ? AND owner = ?";
    private static final String OWNER =
            "SELECT owner FROM acp_pool_leases WHERE conversation_id = ? AND expires_at > now()";

    private final DataSource dataSource;

    private JdbcConversationLeases(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    static JdbcConversationLeases open(DataSource dataSource) {
        JdbcConversationLeases leases = new JdbcConversationLeases(dataSource);
        leases.createSchema();
        return leases;
    }

    /**
     * Creates the table if its version row is absent (in one transaction, as the session store does), else checks
     * the version; two brokers creating it at once make one transaction fail, and its retry finds the table.
     */
    private void createSchema() {
        SQLException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                boolean autoCommit = connection.getAutoCommit();
                connection.setAutoCommit(false);
                try {
                    Integer version = schemaVersion(connection);
                    if (version == null) {
                        try (Statement statement = connection.createStatement()) {
                            for (String sql : DDL) {
                                statement.execute(sql);
                            }
                        }
                        connection.commit();
                        LOG.info("leases: created table {} (schema version {})", TABLE, SCHEMA_VERSION);
                        return;
                    }
                    connection.commit();
                    if (version != SCHEMA_VERSION) {
                        throw new SessionStoreException(
                                "leases: table " + TABLE + " has schema version " + version + ", but this acp-pool"
                                        + " uses version " + SCHEMA_VERSION
                                        + (version > SCHEMA_VERSION
                                                ? " (the database was used by a newer acp-pool; upgrade this one)"
                                                : " (migrate it as the README describes)"),
                                null);
                    }
                    return;
                } catch (SQLException | RuntimeException e) {
                    try {
                        connection.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    throw e;
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
            } catch (SQLException e) {
                last = e;
                LOG.debug("leases: creating or checking table {} failed (attempt {})", TABLE, attempt, e);
            }
        }
        throw failure("create or check the table", Checks.notNull(last, "last failure"));
    }

    private static @Nullable Integer schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(DDL.get(0));
        }
        try (PreparedStatement statement =
                connection.prepareStatement("SELECT version FROM acp_pool_schema WHERE component = ?")) {
            statement.setString(1, COMPONENT);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getInt(1) : null;
            }
        }
    }

    @Override
    public String acquire(String conversationId, String owner, Duration ttl) {
        Checks.notNull(conversationId, "conversationId");
        InMemoryConversationLeases.checkOwner(owner);
        double seconds = seconds(ttl);
        // The upsert returns nothing when a live other owner holds the row; that owner may release it before we
        // read it, so a few rounds settle on an answer.
        for (int round = 1; ; round++) {
            try (Connection connection = dataSource.getConnection()) {
                try (PreparedStatement acquire = connection.prepareStatement(ACQUIRE)) {
                    acquire.setString(1, conversationId);
                    acquire.setString(2, owner);
                    acquire.setDouble(3, seconds);
                    try (ResultSet taken = acquire.executeQuery()) {
                        if (taken.next()) {
                            return taken.getString(1);
                        }
                    }
                }
                Optional<String> holder = owner(connection, conversationId);
                if (holder.isPresent()) {
                    return holder.get();
                }
                if (round >= 3) {
                    throw new SessionStoreException(
                            "the lease of conversation " + conversationId + " changed hands " + round
                                    + " times while it was being taken; try again",
                            null);
                }
            } catch (SQLException e) {
                throw failure("take the lease of conversation " + conversationId, e);
            }
        }
    }

    @Override
    public Set<String> renew(String owner, Collection<String> conversationIds, Duration ttl) {
        InMemoryConversationLeases.checkOwner(owner);
        double seconds = seconds(ttl);
        List<String> ids = new ArrayList<>(conversationIds);
        if (ids.isEmpty()) {
            return Set.of();
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement renew = connection.prepareStatement(RENEW)) {
            for (String id : ids) {
                renew.setDouble(1, seconds);
                renew.setString(2, id);
                renew.setString(3, owner);
                renew.addBatch();
            }
            int[] counts = renew.executeBatch();
            Set<String> renewed = new HashSet<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    renewed.add(ids.get(i));
                }
            }
            return renewed;
        } catch (SQLException e) {
            throw failure("renew " + ids.size() + " leases of " + owner, e);
        }
    }

    @Override
    public void release(String conversationId, String owner) {
        Checks.notNull(conversationId, "conversationId");
        InMemoryConversationLeases.checkOwner(owner);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement release = connection.prepareStatement(RELEASE)) {
            release.setString(1, conversationId);
            release.setString(2, owner);
            release.executeUpdate();
        } catch (SQLException e) {
            throw failure("release the lease of conversation " + conversationId, e);
        }
    }

    @Override
    public Optional<String> owner(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        try (Connection connection = dataSource.getConnection()) {
            return owner(connection, conversationId);
        } catch (SQLException e) {
            throw failure("read the lease of conversation " + conversationId, e);
        }
    }

    private static Optional<String> owner(Connection connection, String conversationId) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement(OWNER)) {
            read.setString(1, conversationId);
            try (ResultSet row = read.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    private static double seconds(Duration ttl) {
        return InMemoryConversationLeases.checkTtl(ttl) / 1e9;
    }

    private static SessionStoreException failure(String what, SQLException e) {
        // The driver's message names the server and the state, never the password.
        return new SessionStoreException("leases: could not " + what + " in " + TABLE + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "ConversationLeases.jdbc(" + dataSource + ")";
    }
}
