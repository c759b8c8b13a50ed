package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.testing.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ConversationLeases#jdbc} against a real PostgreSQL server ({@link Postgres}), a fresh database per test. */
@Timeout(120)
final class JdbcConversationLeasesTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    private final Postgres.Database db = Postgres.freshDatabase();

    @Test
    void createsItsTableOnAnEmptyDatabaseBesideTheSessionStoreAndReusesIt() throws SQLException {
        ConversationLeases first = ConversationLeases.jdbc(db.dataSource());
        SessionStore.jdbc(db.dataSource()); // the same schema table, another component
        ConversationLeases second = ConversationLeases.jdbc(db.dataSource());

        assertThat(first.acquire("c", "a", TTL)).isEqualTo("a");
        assertThat(second.owner("c")).contains("a");
        assertThat(query("SELECT component || '=' || version FROM acp_pool_schema ORDER BY component"))
                .containsExactly("leases=1", "sessions=1");
    }

    @Test
    void anUnknownSchemaVersionIsRefusedWithAClearMessage() throws SQLException {
        ConversationLeases.jdbc(db.dataSource());
        execute("UPDATE acp_pool_schema SET version = 2 WHERE component = 'leases'");

        assertThatThrownBy(() -> ConversationLeases.jdbc(db.dataSource()))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining("acp_pool_leases has schema version 2")
                .hasMessageContaining("upgrade this one");
    }

    @Test
    void acquireRenewReleaseAndOwnerFollowTheRules() {
        ConversationLeases leases = ConversationLeases.jdbc(db.dataSource());
        assertThat(leases.acquire("c1", "a", TTL)).isEqualTo("a");
        assertThat(leases.acquire("c1", "b", TTL)).isEqualTo("a");
        assertThat(leases.acquire("c1", "a", TTL)).isEqualTo("a");
        assertThat(leases.acquire("c2", "b", TTL)).isEqualTo("b");

        assertThat(leases.renew("a", List.of("c1", "c2", "c3"), TTL)).containsExactly("c1");
        assertThat(leases.renew("a", List.of(), TTL)).isEmpty();

        leases.release("c1", "b"); // not b's
        assertThat(leases.owner("c1")).contains("a");
        leases.release("c1", "a");
        assertThat(leases.owner("c1")).isEmpty();
        assertThat(leases.acquire("c1", "b", TTL)).isEqualTo("b");
    }

    /** Expiry is the database's: a lapsed lease is free for anyone and its old owner cannot renew it. */
    @Test
    void anExpiredLeaseIsTakenOverAndNeverRenewed() throws SQLException {
        ConversationLeases leases = ConversationLeases.jdbc(db.dataSource());
        assertThat(leases.acquire("c", "a", Duration.ofMillis(300))).isEqualTo("a");
        assertThat(query("SELECT (expires_at - now() BETWEEN interval '0' AND interval '300 milliseconds')::text"
                        + " FROM acp_pool_leases"))
                .containsExactly("true");

        await().atMost(Duration.ofSeconds(10)).until(() -> leases.owner("c").isEmpty());

        assertThat(leases.renew("a", List.of("c"), TTL)).isEmpty();
        assertThat(leases.acquire("c", "b", TTL)).isEqualTo("b");
        assertThat(leases.renew("b", List.of("c"), TTL)).containsExactly("c");
    }

    /** Many brokers racing for the same conversations, expired or free: exactly one wins each round. */
    @Test
    void concurrentAcquiresHaveExactlyOneWinner() throws Exception {
        long seed = System.nanoTime();
        System.out.println("JdbcConversationLeasesTest seed: " + seed);
        Random random = new Random(seed);
        ConversationLeases leases = ConversationLeases.jdbc(db.dataSource());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                String conversation = "c" + random.nextInt(3);
                if (random.nextBoolean()) {
                    execute("UPDATE acp_pool_leases SET expires_at = now() - interval '1 second'"); // all lapsed
                } else {
                    execute("DELETE FROM acp_pool_leases WHERE conversation_id = '" + conversation + "'");
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> answers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    String owner = "owner-" + t;
                    answers.add(threads.submit(() -> {
                        go.await();
                        return leases.acquire(conversation, owner, TTL);
                    }));
                }
                go.countDown();
                List<String> holders = new ArrayList<>();
                for (Future<String> answer : answers) {
                    holders.add(answer.get(30, TimeUnit.SECONDS));
                }
                assertThat(Set.copyOf(holders))
                        .as("seed %s round %s", seed, round)
                        .hasSize(1);
                assertThat(leases.owner(conversation)).as("seed %s", seed).contains(holders.get(0));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = db.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private List<String> query(String sql) throws SQLException {
        try (Connection connection = db.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
