package io.github.acppool.pool.bench;

import io.github.acppool.Ticker;
import io.github.acppool.pool.ConnectionCallback;
import io.github.acppool.pool.ConnectionPool;
import io.github.acppool.pool.NaiveConnectionPool;
import io.github.acppool.pool.PoolClosedException;
import io.github.acppool.pool.PoolConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pool against the naive single-lock pool ({@link NaiveConnectionPool}, openab #58), side by side:
 *
 * <ol>
 *   <li>{@code uncontended}: the overhead of one {@code withConnection} on an existing connection, one thread,
 *       with {@code keys} connections in the pool (target: under 100 ns, flat across key counts);
 *   <li>{@code distinctKeys}: throughput of two threads, each on its own key;
 *   <li>{@code unrelatedKeyWhileEightHeld}: the latency of {@code withConnection} on a key while eight other
 *       threads hold eight other connections, each for {@code holdMicros} at a time, back to back; sampled, so
 *       the percentiles show the tail (target: as uncontended; the naive pool waits for the holds).
 * </ol>
 *
 * <p>Run: {@code mvn -B -Pbench -pl acp-pool-core -am test-compile exec:exec -Dbench.args="PoolBenchmark"}.
 */
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PoolBenchmark {

    private static final ConnectionCallback<Object, Object, RuntimeException> CALLBACK = connection -> connection;

    /** The pool under test, with {@code keys} connections already created (issue 16: flat across key counts). */
    @State(Scope.Benchmark)
    public static class Pools {
        @Param({"acp-pool", "naive"})
        public String impl;

        @Param({"10", "1000", "10000"})
        public int keys;

        ConnectionPool<String, Object> pool;

        @Setup(Level.Trial)
        public void setUp() {
            if (impl.equals("naive")) {
                pool = new NaiveConnectionPool<>(
                        key -> new Object(), connection -> {}, Ticker.systemTicker(), Duration.ofHours(4));
            } else {
                pool = ConnectionPool.<String, Object>builder()
                        .factory(key -> new Object())
                        .closer(connection -> {})
                        .config(PoolConfig.builder().maxSize(keys + 64).build())
                        .build();
            }
            pool.withConnection("solo", CALLBACK);
            pool.withConnection("unrelated", CALLBACK);
            for (int i = 0; i < keys; i++) {
                pool.withConnection("idle-" + i, CALLBACK);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
        }
    }

    /** A key of its own for each benchmark thread. */
    @State(Scope.Thread)
    public static class OwnKey {
        private static final AtomicInteger NEXT = new AtomicInteger();
        String key;

        @Setup(Level.Trial)
        public void setUp(Pools pools) {
            key = "thread-" + NEXT.getAndIncrement();
            pools.pool.withConnection(key, CALLBACK);
        }
    }

    /** Eight threads that each hold their own connection, for holdMicros at a time, back to back. */
    @State(Scope.Benchmark)
    public static class EightHeld {
        @Param({"500"})
        public long holdMicros;

        private final List<Thread> holders = new ArrayList<>();
        private volatile boolean running;

        @Setup(Level.Trial)
        public void start(Pools pools) {
            running = true;
            long holdNanos = TimeUnit.MICROSECONDS.toNanos(holdMicros);
            for (int i = 0; i < 8; i++) {
                String key = "held-" + i;
                Thread holder = new Thread(
                        () -> {
                            try {
                                while (running) {
                                    pools.pool.withConnection(key, connection -> {
                                        LockSupport.parkNanos(holdNanos);
                                        return connection;
                                    });
                                }
                            } catch (PoolClosedException closedFirst) {
                                // the trial is over
                            }
                        },
                        key);
                holder.setDaemon(true);
                holder.start();
                holders.add(holder);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            running = false;
            for (Thread holder : holders) {
                holder.join();
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object uncontended(Pools pools) {
        return pools.pool.withConnection("solo", CALLBACK);
    }

    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object distinctKeys(Pools pools, OwnKey own) {
        return pools.pool.withConnection(own.key, CALLBACK);
    }

    /** Sampled, so that the report shows the tail: the naive pool's waits are rare but as long as a hold. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object unrelatedKeyWhileEightHeld(Pools pools, EightHeld held) {
        return pools.pool.withConnection("unrelated", CALLBACK);
    }
}
