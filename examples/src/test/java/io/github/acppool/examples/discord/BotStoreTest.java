package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.broker.SessionStore;
import io.github.acppool.broker.StoredSession;
import io.github.acppool.testing.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bot's {@code database} and {@code state.retention} keys, and its store wiring against a real PostgreSQL. */
@Timeout(120)
final class BotStoreTest {

    private static final Path BASE = Path.of("/srv/bot");
    private static final Path HOME = Path.of("/home/alice");

    @TempDir
    Path dir;

    private static BotConfig parse(String yaml) {
        return BotConfig.parse(yaml, BASE, HOME);
    }

    private static StoredSession session(String id) {
        return new StoredSession(id, Path.of("/srv/work/" + id), Instant.parse("2026-11-23T10:15:30Z"));
    }

    @Test
    void noDatabaseByDefaultAndRetentionDefaultsToThirtyDays() {
        BotConfig config = parse("");
        assertThat(config.database()).isNull();
        assertThat(config.state().retention()).isEqualTo(SessionStore.DEFAULT_RETENTION);
        assertThat(parse("state:\n  retention: 7d\n").state().retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void theDatabaseKeysAreReadWithTheirDefaults() {
        BotConfig.Database db = parse("database:\n  url: jdbc:postgresql://db:5432/acp\n  user: acp\n")
                .database();
        assertThat(db)
                .isEqualTo(new BotConfig.Database(
                        "jdbc:postgresql://db:5432/acp",
                        "acp",
                        "ACP_POOL_DB_PASSWORD",
                        "acp_pool_",
                        BotConfig.Database.DEFAULT_MAX_CONNECTIONS));
        assertThat(parse("database:\n  url: jdbc:postgresql://db/acp\n  user: u\n  passwordEnv: PG_PASS\n"
                                + "  tablePrefix: bot_a_\n  maxConnections: 2\n")
                        .database())
                .isEqualTo(new BotConfig.Database("jdbc:postgresql://db/acp", "u", "PG_PASS", "bot_a_", 2));
    }

    @Test
    void badDatabaseKeysAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:mysql://db/acp\n  user: u\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.url: expected a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:postgresql://db/acp?password=hunter2\n  user: u\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.url: must not hold a password")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:postgresql://u:hunter2@db/acp\n  user: u\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:postgresql://db/acp\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.user: ");
        assertThatThrownBy(() -> parse("database:\n  user: u\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.user: needs database.url");
        assertThatThrownBy(
                        () -> parse("database:\n  url: jdbc:postgresql://db/acp\n  user: u\n  passwordEnv: s3cr3t!\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.passwordEnv: the name of an environment variable")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(
                        () -> parse("database:\n  url: jdbc:postgresql://db/acp\n  user: u\n  tablePrefix: Bad-One\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.tablePrefix: ");
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:postgresql://db/acp\n  user: u\n  maxConnections: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.maxConnections: ");
        assertThatThrownBy(() -> parse("database:\n  url: jdbc:postgresql://db/acp\n  user: u\n  pasword: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.pasword: ");
    }

    @Test
    void anUnsetPasswordVariableIsAClearErrorBeforeAnythingStarts() {
        BotConfig config = parse("database:\n  url: jdbc:postgresql://127.0.0.1:1/acp\n  user: acp\n");
        assertThatThrownBy(() -> BotStore.open(config, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(
                        "database.passwordEnv: the environment variable ACP_POOL_DB_PASSWORD is not set");
    }

    @Test
    void anUnreachableDatabaseIsAStartErrorWithoutThePassword() {
        BotConfig config = parse("database:\n  url: jdbc:postgresql://127.0.0.1:1/acp?connectTimeout=2\n  user: acp\n");
        assertThatThrownBy(() -> BotStore.open(config, Map.of("ACP_POOL_DB_PASSWORD", "hunter2")))
                .isInstanceOf(RunningBot.StartException.class)
                .hasMessageStartingWith("cannot connect to the database jdbc:postgresql://127.0.0.1:1/acp")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void theBotsStoreWiringKeepsSessionsInPostgresAndClosesItsPool() {
        Postgres.Database db = Postgres.freshDatabase();
        BotConfig config = BotConfig.parse(
                "state:\n  directory: " + dir + "\ndatabase:\n  url: " + db.jdbcUrl() + "\n  user: " + db.user()
                        + "\n  passwordEnv: TEST_DB_PASSWORD\n  tablePrefix: bot_\n",
                dir,
                HOME);
        Map<String, String> env = Map.of("TEST_DB_PASSWORD", "");
        BotStore store = BotStore.open(config, env);
        try {
            store.sessions().put("discord:1", session("s1"));
            assertThat(store.closed()).isFalse();
        } finally {
            store.close();
        }
        assertThat(store.closed()).isTrue();
        assertThat(Files.exists(config.state().sessionStore())).isFalse();

        // A second bot process (or a restart) on the same database sees the session.
        BotStore again = BotStore.open(config, env);
        try {
            assertThat(again.sessions().get("discord:1")).contains(session("s1"));
            assertThat(SessionStore.jdbcBuilder(db.dataSource())
                            .tablePrefix("bot_")
                            .build()
                            .get("discord:1"))
                    .contains(session("s1"));
        } finally {
            again.close();
        }
    }

    @Test
    void withoutADatabaseTheStoreIsTheJournalFile() {
        BotConfig config = BotConfig.parse("state:\n  directory: " + dir + "\n", dir, HOME);
        BotStore store = BotStore.open(config, Map.of());
        store.sessions().put("discord:1", session("s1"));
        store.close();
        assertThat(SessionStore.file(config.state().sessionStore()).get("discord:1"))
                .contains(session("s1"));
    }
}
