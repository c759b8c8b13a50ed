package io.github.acppool.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A thread that holds one key's connection inside {@link ConnectionPool#withConnection} until the test
 * releases it: a prompt turn that takes as long as the test wants.
 */
final class Holder<C> {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<C> result = new CompletableFuture<>();
    final Thread thread;

    private Holder(ConnectionPool<String, C> pool, String key) {
        thread = new Thread(
                () -> {
                    try {
                        result.complete(pool.withConnection(key, connection -> {
                            entered.countDown();
                            release.await();
                            return connection;
                        }));
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                },
                "holder-" + key);
        thread.setDaemon(true);
    }

    /** Starts a holder for {@code key} and returns once its callback runs. */
    static <C> Holder<C> hold(ConnectionPool<String, C> pool, String key) throws InterruptedException {
        Holder<C> holder = new Holder<>(pool, key);
        holder.thread.start();
        assertThat(holder.entered.await(10, TimeUnit.SECONDS))
                .as("holder of %s entered its callback", key)
                .isTrue();
        return holder;
    }

    /** Lets the callback return, and returns the connection it held. */
    C release() throws Exception {
        release.countDown();
        return result.get(10, TimeUnit.SECONDS);
    }

    boolean isDone() {
        return result.isDone();
    }
}
