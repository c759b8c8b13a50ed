package io.github.acppool.discord.fake;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A REST call that {@link FakeDiscord} keeps waiting until the test releases it (see {@link
 * FakeDiscord#holdNext(String, String)}), so a test can make something happen while Discord has not answered yet.
 * The call is then handled as usual; it is let go on its own after {@link FakeDiscord#DEFAULT_AWAIT} (JDA's read
 * timeout is longer), and when the fake closes.
 *
 * <p>Thread-safe.
 */
public final class HeldCall {

    private final String method;
    private final String pathPattern;
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Guarded by the fake's lock. */
    boolean taken;

    HeldCall(String method, String pathPattern) {
        this.method = method;
        this.pathPattern = pathPattern;
    }

    /** Waits until the call has reached the server (and is held there). */
    public void awaitArrival() {
        try {
            if (!arrived.await(FakeDiscord.DEFAULT_AWAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("waited " + FakeDiscord.DEFAULT_AWAIT.toSeconds() + " s for " + method + " "
                        + pathPattern + " to arrive");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + method + " " + pathPattern, e);
        }
    }

    /** Lets the call be handled. */
    public void release() {
        released.countDown();
    }

    boolean matches(String method, String path) {
        return this.method.equals(method) && PathPattern.matches(pathPattern, path);
    }

    /** On the server's thread: signals arrival and waits for {@link #release()}. */
    void hold() {
        arrived.countDown();
        try {
            // Bounded: a forgotten release must not hang the server's thread.
            var unused = released.await(FakeDiscord.DEFAULT_AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
