package io.github.acppool.examples.discord;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.acppool.broker.ConversationLeases;
import io.github.acppool.broker.SessionStore;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's session store: the journal file in the state directory, or, when the config has a {@code database}
 * section, a table in PostgreSQL reached through a HikariCP pool that {@link #close()} closes.
 *
 * <p>Thread-safe: the store is; {@link #close()} may be called more than once.
 */
final class BotStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BotStore.class);
    private static final Pattern CREDENTIALS =
            Pattern.compile("(?i)(password|passwd|pwd)=[^&;\\s]*|(//)[^/@\\s:]*:[^/@\\s]*@");

    private final SessionStore sessions;
    private final @Nullable HikariDataSource pool;
    /** With a database: the conversation leases, so that two bot processes never run one thread's agent twice. */
    private final @Nullable ConversationLeases leases;

    private BotStore(SessionStore sessions, @Nullable HikariDataSource pool) {
        this.sessions = sessions;
        this.pool = pool;
        this.leases = pool == null ? null : ConversationLeases.jdbc(pool);
    }

    /**
     * Opens the store the config names.
     *
     * @throws ConfigException if the database password's variable is not set
     * @throws RunningBot.StartException if the database cannot be reached or its tables cannot be created
     */
    static BotStore open(BotConfig config, Map<String, String> env) {
        BotConfig.Database database = config.database();
        if (database == null) {
            return new BotStore(
                    SessionStore.fileBuilder(config.state().sessionStore())
                            .retention(config.state().retention())
                            .build(),
                    null);
        }
        String password = database.password(env);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("acp-pool-bot-db");
        hikari.setJdbcUrl(database.url());
        hikari.setUsername(database.user());
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(database.maxConnections());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new RunningBot.StartException(
                    "cannot connect to the database " + redact(database.url()) + " as " + database.user() + ": "
                            + redact(String.valueOf(rootMessage(e))),
                    null);
        }
        try {
            SessionStore sessions = SessionStore.jdbcBuilder(pool)
                    .tablePrefix(database.tablePrefix())
                    .retention(config.state().retention())
                    .build();
            LOG.info(
                    "sessions are kept in the database {} (tables {}*), not in {}",
                    redact(database.url()),
                    database.tablePrefix(),
                    config.state().sessionStore());
            return new BotStore(sessions, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw new RunningBot.StartException(
                    "cannot use the database " + redact(database.url()) + ": " + e.getMessage(), null);
        }
    }

    SessionStore sessions() {
        return sessions;
    }

    /** The conversation leases in the database, or null for the file store (one process). */
    @Nullable
    ConversationLeases leases() {
        return leases;
    }

    /** Whether the database pool is closed (true for the file store, which has none). */
    boolean closed() {
        return pool == null || pool.isClosed();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    /** Whether a JDBC URL holds a password (as a parameter or in {@code //user:password@host}). */
    static boolean hasCredentials(String url) {
        return CREDENTIALS.matcher(url).find();
    }

    /** The text with any password in a JDBC URL replaced by {@code ***}. */
    static String redact(String text) {
        return CREDENTIALS.matcher(text).replaceAll(m -> m.group(1) != null ? m.group(1) + "=***" : "//***@");
    }

    private static @Nullable String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
