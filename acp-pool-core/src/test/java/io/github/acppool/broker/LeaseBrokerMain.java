package io.github.acppool.broker;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.TurnEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A broker in its own JVM for {@link LeaseTakeoverIT}: on a PostgreSQL store and leases, owner {@code
 * crashing-instance}, lease ttl 2 s. It runs one turn ({@code say one}), prints {@code FIRST <session id>}, starts
 * a turn that pauses mid-reply, prints {@code CHUNK} at its first chunk, and then waits to be killed.
 *
 * <p>Arguments: JDBC URL, user, the work root, the fake agent's state directory, the process marker, the
 * conversation id.
 */
public final class LeaseBrokerMain {
    private LeaseBrokerMain() {}

    public static void main(String[] args) throws Exception {
        DataSource dataSource = new DriverDataSource(args[0], args[1]);
        Path work = Path.of(args[2]);
        String conversation = args[5];
        AcpBroker broker = AcpBroker.builder()
                .agent(FakeAgent.launchSpec("--state-dir=" + args[3], "--no-resume", args[4]))
                .clientOptions(AcpClientOptions.builder()
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .workingDirectory(id -> work.resolve(id.replace(':', '_')))
                .sessionStore(SessionStore.jdbc(dataSource))
                .leases(ConversationLeases.jdbc(dataSource))
                .leaseOwner("crashing-instance")
                .leaseTtl(Duration.ofSeconds(2))
                .build();
        Sender ann = new Sender("ann", "Ann");
        BrokerResult first = broker.prompt(conversation, ChatMessage.text("m1", ann, "say one"));
        System.out.println("FIRST " + first.sessionId() + " " + first.outcome());
        AtomicBoolean chunk = new AtomicBoolean();
        var unused = broker.promptAsync(
                conversation,
                ChatMessage.text("m2", ann, "say started\nwait-for-continue\nsay finished"),
                new MessageListener() {
                    @Override
                    public void onEvent(TurnEvent event) {
                        if (event instanceof TurnEvent.TextChunk && chunk.compareAndSet(false, true)) {
                            System.out.println("CHUNK");
                        }
                    }
                });
        new CountDownLatch(1).await(); // until SIGKILL
    }

    /** A connection per call from the driver manager: all a test needs (no pool). */
    private record DriverDataSource(String url, String user) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return DriverManager.getConnection(url, user, "");
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return DriverManager.getConnection(url, username, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return new PrintWriter(System.err);
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
