package io.github.acppool.discord.fake;

import java.time.Duration;

/**
 * A failure the fake Discord server answers one matching REST call with, instead of handling it.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface RestFailure {

    /**
     * A per-route 429 as Discord sends it: {@code Retry-After} in whole seconds (rounded up), {@code
     * retry_after} in the JSON body, and a {@code Via} header so that JDA does not take it for a Cloudflare ban.
     */
    static RestFailure rateLimited(Duration retryAfter) {
        return new RateLimited(retryAfter);
    }

    /** A server error with the given status (500 fails at once in JDA; 502, 503 and 504 are retried by JDA). */
    static RestFailure serverError(int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("status must be 5xx: " + status);
        }
        return new ServerError(status);
    }

    /** A 429; see {@link #rateLimited(Duration)}. */
    record RateLimited(Duration retryAfter) implements RestFailure {}

    /** A 5xx; see {@link #serverError(int)}. */
    record ServerError(int status) implements RestFailure {}
}
