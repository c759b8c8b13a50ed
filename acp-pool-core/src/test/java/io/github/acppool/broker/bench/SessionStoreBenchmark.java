package io.github.acppool.broker.bench;

import io.github.acppool.broker.SessionStore;
import io.github.acppool.broker.StoredSession;
import io.github.acppool.testing.Postgres;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code put} and {@code get} latency of the embedded journal store ({@link SessionStore#file}) and of the JDBC
 * store against a real PostgreSQL ({@link Postgres}), with 100, 10,000 and 100,000 conversations already stored
 * (target: the embedded {@code put} under 2 ms at 100,000, and flat). A {@code put} replaces the session of a
 * random stored conversation, a {@code get} reads one; the file store's {@code put} includes its fsync, the JDBC
 * store's a round trip on one open connection (as a connection pool would give it). {@code appendAndForceFloor}
 * is the floor of the file store's put on the same disk: one record-sized line appended and forced, nothing else.
 *
 * <p>The stores are filled directly (journal lines, one INSERT ... SELECT), so that setting up 100,000
 * conversations does not take 100,000 fsyncs.
 *
 * <p>Run: {@code mvn -B -Pbench -pl acp-pool-core test-compile exec:exec
 * -Dbench.args="SessionStoreBenchmark -f 1 -wi 1 -i 3 -r 2s"}.
 */
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SessionStoreBenchmark {

    private static final Instant NOW = Instant.now();

    /** One store with {@code size} conversations. */
    @State(Scope.Benchmark)
    public static class Stores {
        @Param({"file", "postgres"})
        public String store;

        @Param({"100", "10000", "100000"})
        public int size;

        SessionStore sessions;
        Path dir;
        Connection connection;
        long written;

        @Setup(Level.Trial)
        public void setUp() throws IOException, SQLException {
            if (store.equals("file")) {
                dir = Files.createTempDirectory("acp-store-bench");
                Path file = dir.resolve("sessions.journal");
                try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    out.write("{\"acpPoolJournal\":1}\n");
                    for (int i = 0; i < size; i++) {
                        out.write("{\"put\":\"discord:" + i + "\",\"sessionId\":\"s-" + i
                                + "\",\"workingDirectory\":\"/srv/work/discord_" + i + "\",\"updatedAt\":\"" + NOW
                                + "\"}\n");
                    }
                }
                sessions = SessionStore.file(file);
            } else {
                DataSource database = Postgres.freshDatabase().dataSource();
                connection = database.getConnection();
                sessions = SessionStore.jdbc(oneConnection(connection));
                try (PreparedStatement fill = connection.prepareStatement("INSERT INTO acp_pool_sessions SELECT"
                        + " 'discord:' || i, 's-' || i, '/srv/work/discord_' || i, NULL, '{}', now()"
                        + " FROM generate_series(0, ?) i")) {
                    fill.setInt(1, size - 1);
                    fill.executeUpdate();
                }
                try (PreparedStatement analyze = connection.prepareStatement("ANALYZE acp_pool_sessions")) {
                    analyze.execute();
                }
            }
            if (sessions.snapshot().size() != size) {
                throw new IllegalStateException("filled " + sessions.snapshot().size() + " of " + size);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException, SQLException {
            if (connection != null) {
                connection.close();
            }
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }

        String randomConversation() {
            return "discord:" + ThreadLocalRandom.current().nextInt(size);
        }
    }

    /** A bare file for the floor: what one append of a record-sized line and its fsync cost on this disk. */
    @State(Scope.Benchmark)
    public static class BareFile {
        Path dir;
        FileChannel channel;
        final ByteBuffer line = ByteBuffer.wrap(("{\"put\":\"discord:123456\",\"sessionId\":\"s-new-1\","
                        + "\"workingDirectory\":\"/srv/work/x\",\"updatedAt\":\"" + NOW + "\"}\n")
                .getBytes(StandardCharsets.UTF_8));

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("acp-store-bench");
            channel = FileChannel.open(
                    dir.resolve("floor"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            channel.close();
            Files.delete(dir.resolve("floor"));
            Files.delete(dir);
        }
    }

    /** The floor of the file store's put: append one line and force it, on an open channel, nothing else. */
    @Benchmark
    public void appendAndForceFloor(BareFile f) throws IOException {
        f.line.rewind();
        while (f.line.hasRemaining()) {
            f.channel.write(f.line);
        }
        f.channel.force(false);
    }

    @Benchmark
    public void put(Stores s) {
        long n = ++s.written;
        s.sessions.put(
                s.randomConversation(),
                new StoredSession("s-new-" + n, Path.of("/srv/work/x"), NOW, Map.of("mode", "code")));
    }

    @Benchmark
    public Optional<StoredSession> get(Stores s) {
        return s.sessions.get(s.randomConversation());
    }

    /** A DataSource that hands out one open connection and ignores close, as a pool of one would. */
    static DataSource oneConnection(Connection connection) {
        Connection kept = (Connection) Proxy.newProxyInstance(
                SessionStoreBenchmark.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) Proxy.newProxyInstance(
                SessionStoreBenchmark.class.getClassLoader(),
                new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return kept;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
