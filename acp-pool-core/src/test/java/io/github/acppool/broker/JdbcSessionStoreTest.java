package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.testing.Postgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SessionStore#jdbc} against a real PostgreSQL server ({@link Postgres}), a fresh database per test. */
@Timeout(120)
final class JdbcSessionStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:15:30.123456Z");

    private final Postgres.Database db = Postgres.freshDatabase();

    private static StoredSession session(String id) {
        return new StoredSession(id, Path.of("/srv/threads/" + id), T0);
    }

    @Test
    void roundTripKeepsEveryField() {
        SessionStore store = SessionStore.jdbc(db.dataSource());
        StoredSession full = new StoredSession(
                "sess-1", Path.of("/srv/a b/ü"), T0, Map.of("mode", "code", "model", "m\"1"), "claude");
        store.put("discord:1", full);
        store.put("discord:2", session("s2"));

        assertThat(store.get("discord:1")).contains(full);
        assertThat(store.get("discord:2")).contains(session("s2"));
        assertThat(store.get("discord:3")).isEmpty();
        assertThat(SessionStore.jdbc(db.dataSource()).snapshot())
                .isEqualTo(Map.of("discord:1", full, "discord:2", session("s2")));
    }

    @Test
    void putUpsertsAndRemoveDeletes() {
        SessionStore store = SessionStore.jdbc(db.dataSource());
        store.put("c", session("s1"));
        StoredSession second = new StoredSession("s2", Path.of("/srv/other"), T0.plusSeconds(5), Map.of("m", "x"));
        store.put("c", second);

        assertThat(store.get("c")).contains(second);
        assertThat(count("acp_pool_sessions")).isEqualTo(1);
        store.remove("c");
        store.remove("never-stored");
        assertThat(store.get("c")).isEmpty();
        assertThat(count("acp_pool_sessions")).isZero();
    }

    @Test
    void createsTheSchemaOnAnEmptyDatabaseAndReusesAnExistingOne() throws SQLException {
        SessionStore first = SessionStore.jdbc(db.dataSource());
        first.put("c", session("s1"));
        assertThat(query("SELECT component, version FROM acp_pool_schema")).containsExactly("sessions=1");

        SessionStore second = SessionStore.jdbc(db.dataSource());
        assertThat(second.get("c")).contains(session("s1"));
        assertThat(query("SELECT component, version FROM acp_pool_schema")).containsExactly("sessions=1");
    }

    @Test
    void theReadmeDdlMakesATableTheStoreAccepts() throws SQLException {
        execute(JdbcSessionStore.ddl("acp_pool_").toArray(String[]::new));
        SessionStore store = SessionStore.jdbc(db.dataSource());
        store.put("c", session("s1"));
        assertThat(store.get("c")).contains(session("s1"));
    }

    @Test
    void tablePrefixSeparatesStoresInOneDatabase() {
        SessionStore a =
                SessionStore.jdbcBuilder(db.dataSource()).tablePrefix("bot_a_").build();
        SessionStore b =
                SessionStore.jdbcBuilder(db.dataSource()).tablePrefix("bot_b_").build();
        a.put("c", session("sa"));
        b.put("c", session("sb"));
        assertThat(a.get("c")).contains(session("sa"));
        assertThat(b.get("c")).contains(session("sb"));
        assertThatThrownBy(() -> SessionStore.jdbcBuilder(db.dataSource()).tablePrefix("Bad-Prefix"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix")
                .hasMessageContaining("Bad-Prefix");
    }

    @Test
    void aNewerOrOlderSchemaVersionIsRefusedWithAClearMessage() throws SQLException {
        SessionStore.jdbc(db.dataSource());
        execute("UPDATE acp_pool_schema SET version = 7 WHERE component = 'sessions'");
        assertThatThrownBy(() -> SessionStore.jdbc(db.dataSource()))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining("acp_pool_sessions")
                .hasMessageContaining("schema version 7")
                .hasMessageContaining("newer acp-pool");

        execute("UPDATE acp_pool_schema SET version = 0 WHERE component = 'sessions'");
        assertThatThrownBy(() -> SessionStore.jdbc(db.dataSource()))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining("schema version 0")
                .hasMessageContaining("migrate");
    }

    @Test
    void failuresNameTheConversationAndTheTable() throws SQLException {
        SessionStore store = SessionStore.jdbc(db.dataSource());
        execute("DROP TABLE acp_pool_sessions");
        assertThatThrownBy(() -> store.put("discord:42", session("s1")))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining("discord:42")
                .hasMessageContaining("acp_pool_sessions");
        assertThatThrownBy(() -> store.get("discord:43"))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining("discord:43");
    }

    @Test
    void messagesNeverCarryCredentials() {
        assertThat(
                        JdbcSessionStore.redact(
                                "cannot connect to jdbc:postgresql://bob:s3cret@db:5432/acp?user=bob&password=hunter2&ssl=true"))
                .doesNotContain("s3cret")
                .doesNotContain("hunter2")
                .contains("password=***")
                .contains("ssl=true");
    }

    @Test
    void concurrentPutsAllLand() throws Exception {
        SessionStore store = SessionStore.jdbc(db.dataSource());
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        store.put("own-" + thread + "-" + i, session("s" + thread + "-" + i));
                        // Every thread also overwrites one shared row: the upsert must never fail on the conflict.
                        store.put("shared", session("shared-" + thread + "-" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, StoredSession> all = store.snapshot();
        assertThat(all).hasSize(threads * perThread + 1);
        assertThat(all.get("own-3-49")).isEqualTo(session("s3-49"));
        assertThat(all.get("shared").sessionId()).startsWith("shared-");
    }

    @Test
    void twoInstancesCreatingTheSchemaAtOnceBothSucceed() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<SessionStore>> stores = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                stores.add(pool.submit(() -> {
                    start.await();
                    return SessionStore.jdbc(db.dataSource());
                }));
            }
            start.countDown();
            for (Future<SessionStore> f : stores) {
                f.get(90, TimeUnit.SECONDS).put("c", session("s"));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(query("SELECT component, version FROM acp_pool_schema")).containsExactly("sessions=1");
    }

    @Test
    void retentionHidesAndPrunesSessionsNotWrittenForLongerThanIt() throws SQLException {
        AtomicReference<Instant> now = new AtomicReference<>(T0);
        Clock clock = new MovableClock(now);
        SessionStore store = SessionStore.jdbcBuilder(db.dataSource())
                .retention(Duration.ofDays(2))
                .clock(clock)
                .build();
        store.put("old", session("s-old"));
        store.put("new", new StoredSession("s-new", Path.of("/srv/n"), T0.plus(Duration.ofDays(1))));

        now.set(T0.plus(Duration.ofDays(2)).plusSeconds(1));
        assertThat(store.get("old")).isEmpty();
        assertThat(store.get("new")).isPresent();
        assertThat(store.snapshot()).containsOnlyKeys("new");

        // The row itself goes on the next put once the prune interval has passed (or on the next start).
        assertThat(count("acp_pool_sessions")).isEqualTo(2);
        now.set(now.get().plus(Duration.ofHours(2)));
        store.put("fresh", new StoredSession("s-fresh", Path.of("/srv/f"), now.get()));
        assertThat(query("SELECT conversation_id FROM acp_pool_sessions ORDER BY 1"))
                .containsExactly("fresh", "new");
    }

    @Test
    void aRowThatIsNotASessionIsIgnoredNotFatal() throws SQLException {
        SessionStore store = SessionStore.jdbc(db.dataSource());
        store.put("good", session("s1"));
        execute("INSERT INTO acp_pool_sessions VALUES ('bad', 's', 'relative/dir', NULL, '{}', now())");
        assertThat(store.get("bad")).isEmpty();
        assertThat(store.snapshot()).containsOnlyKeys("good");
    }

    private int count(String table) {
        try {
            return Integer.parseInt(query("SELECT count(*) FROM " + table).get(0));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> query(String sql) throws SQLException {
        DataSource ds = db.dataSource();
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                rows.add(columns == 1 ? r.getString(1) : r.getString(1) + "=" + r.getString(2));
            }
        }
        return rows;
    }

    private void execute(String... sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            for (String one : sql) {
                s.execute(one);
            }
        }
    }

    /** A clock a test moves by hand. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now;

        MovableClock(AtomicReference<Instant> now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
