package io.github.acppool.pool;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Single-flight creation on the caller's thread, and what happens when the factory fails. */
@Timeout(30)
final class CreationTest {

    private final PoolFixture fixture = new PoolFixture();
    private final ConnectionPool<String, FakeConnection> pool = fixture.pool;
    private final CountDownLatch inFactory = new CountDownLatch(1);
    private final CountDownLatch finishFactory = new CountDownLatch(1);
    private final AtomicInteger factoryCalls = new AtomicInteger();

    /** Makes the next factory call for {@code key} block until {@link #finishFactory}, then run {@code then}. */
    private void blockFactory(String key, Supplier<Exception> then) {
        fixture.factoryHook = k -> {
            if (!k.equals(key)) {
                return;
            }
            factoryCalls.incrementAndGet();
            inFactory.countDown();
            finishFactory.await();
            Exception failure = then.get();
            if (failure != null) {
                throw failure;
            }
        };
    }

    private record Call(Thread thread, CompletableFuture<FakeConnection> result) {}

    private Call startCall(String key) {
        return startCall(key, c -> {
            assertThat(c.holders.incrementAndGet()).isOne();
            c.holders.decrementAndGet();
            return c;
        });
    }

    private Call startCall(String key, ConnectionCallback<FakeConnection, FakeConnection, Exception> callback) {
        CompletableFuture<FakeConnection> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(pool.withConnection(key, callback));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        thread.setDaemon(true);
        thread.start();
        return new Call(thread, result);
    }

    /** Starts a creator that blocks in the factory, then followers that are all waiting for its creation. */
    private List<Call> startCreatorAndFollowers(String key, int followers) throws InterruptedException {
        List<Call> calls = new ArrayList<>();
        calls.add(startCall(key));
        assertThat(inFactory.await(10, SECONDS)).isTrue();
        for (int i = 0; i < followers; i++) {
            calls.add(startCall(key));
        }
        await().until(() -> calls.stream().skip(1).allMatch(c -> c.thread().getState() == Thread.State.WAITING));
        return calls;
    }

    @Test
    void concurrentFirstCallsForOneKeyCreateExactlyOneConnection() throws Exception {
        blockFactory("a", () -> null);
        List<Call> calls = startCreatorAndFollowers("a", 3);
        assertThat(pool.stats().creating()).isOne();

        finishFactory.countDown();

        FakeConnection connection = calls.get(0).result().get(10, SECONDS);
        for (Call call : calls) {
            assertThat(call.result().get(10, SECONDS)).isSameAs(connection);
        }
        assertThat(factoryCalls).hasValue(1);
        assertThat(fixture.created).containsExactly(connection);
        assertThat(pool.stats().creating()).isZero();
    }

    @Test
    void aFactoryFailureReachesEveryWaiterAndDoesNotPoisonTheKey() throws Exception {
        IOException failure = new IOException("agent binary not found");
        blockFactory("a", () -> failure);
        List<Call> calls = startCreatorAndFollowers("a", 2);

        finishFactory.countDown();

        for (Call call : calls) {
            assertThatThrownBy(() -> call.result().get(10, SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ConnectionCreationException.class)
                    .hasMessage("acp-pool - could not create a connection for key 'a': " + failure)
                    .hasCause(failure);
        }
        assertThat(pool.stats().size()).isZero();
        assertThat(pool.stats().creating()).isZero();
        fixture.factoryHook = key -> {};
        assertThat(fixture.use("a").key).isEqualTo("a");
    }

    @Test
    void anErrorFromTheFactoryReachesTheCreatorUnwrappedAndFollowersWrapped() throws Exception {
        OutOfMemoryError error = new OutOfMemoryError("simulated");
        fixture.factoryHook = key -> {
            if (factoryCalls.incrementAndGet() == 1) {
                inFactory.countDown();
                finishFactory.await();
                throw error;
            }
        };
        List<Call> calls = startCreatorAndFollowers("a", 1);

        finishFactory.countDown();

        assertThatThrownBy(() -> calls.get(0).result().get(10, SECONDS)).hasCause(error);
        assertThatThrownBy(() -> calls.get(1).result().get(10, SECONDS))
                .cause()
                .isInstanceOf(ConnectionCreationException.class)
                .hasCause(error);
        assertThat(fixture.use("a").key).isEqualTo("a");
    }

    @Test
    void anInterruptedFactoryRestoresTheInterruptFlag() {
        fixture.factoryHook = key -> {
            throw new InterruptedException("spawn interrupted");
        };

        assertThatThrownBy(() -> fixture.use("a"))
                .isInstanceOf(ConnectionCreationException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted())
                .as("interrupt flag set again (and cleared here)")
                .isTrue();
    }

    @Test
    void aFactoryThatReturnsNullIsAFailure() {
        ConnectionPool<String, String> nullPool = ConnectionPool.<String, String>builder()
                .factory(key -> null)
                .closer(connection -> {})
                .scheduler(fixture.clock)
                .build();

        assertThatThrownBy(() -> nullPool.withConnection("a", c -> c))
                .isInstanceOf(ConnectionCreationException.class)
                .hasRootCauseInstanceOf(NullPointerException.class)
                .hasRootCauseMessage("the connection the factory created for key a must not be null");
        assertThat(nullPool.stats().creating()).isZero();
    }

    @Test
    void theFactoryRunsOnTheCallersThreadWithoutAnyPoolLock() throws Exception {
        Thread caller = Thread.currentThread();
        List<String> seenWhileCreating = new ArrayList<>();
        fixture.factoryHook = key -> {
            if (key.equals("a")) {
                assertThat(Thread.currentThread()).isSameAs(caller);
                // Another key, the stats, the cleanup and evict all work from inside the factory.
                CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> fixture.use("b").key);
                seenWhileCreating.add(other.get(10, SECONDS));
                seenWhileCreating.add("creating=" + pool.stats().creating());
                seenWhileCreating.add("cleaned=" + pool.cleanupIdle());
                seenWhileCreating.add("evicted=" + pool.evict("b"));
            }
        };

        fixture.use("a");

        assertThat(seenWhileCreating).containsExactly("b", "creating=1", "cleaned=0", "evicted=true");
    }

    @Test
    void theCreatorRunsItsCallbackBeforeAnyFollower() throws Exception {
        blockFactory("a", () -> null);
        List<String> order = new CopyOnWriteArrayList<>();
        Call creator = startCall("a", c -> {
            order.add("creator");
            return c;
        });
        assertThat(inFactory.await(10, SECONDS)).isTrue();
        Call follower = startCall("a", c -> {
            order.add("follower");
            return c;
        });
        await().until(() -> follower.thread().getState() == Thread.State.WAITING); // on the creation

        finishFactory.countDown();
        creator.result().get(10, SECONDS);
        follower.result().get(10, SECONDS);

        assertThat(order).containsExactly("creator", "follower");
        assertThat(factoryCalls).hasValue(1);
    }
}
