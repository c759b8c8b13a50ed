package io.github.acppool.turn;

import com.google.errorprone.annotations.CheckReturnValue;
import java.util.concurrent.CompletableFuture;

/**
 * A session being loaded ({@code session/load}): what the agent replays of it, before or after the load's
 * answer, is consumed as history until the session's first prompt is written, so it never shows up in a
 * reply. Get one from {@link PromptStreamer#history} before sending the load.
 *
 * <p>Thread-safe.
 */
public interface SessionHistory {

    /** How many updates were consumed as history so far. */
    int replayed();

    /**
     * Tells the history that the load was answered, and returns a future that completes with {@link
     * #replayed()} once the session has been quiet for the streamer's quiet gap since the answer and its last
     * update: then the replay is over (an agent that pauses longer in mid-replay still has the rest consumed
     * as history, until the first prompt). The future completes exceptionally only if the streamer's scheduler
     * refuses the check (the streamer was closed).
     */
    @CheckReturnValue
    CompletableFuture<Integer> loaded();

    /** Stops consuming the session's updates: the load failed and the session will not be prompted. */
    void close();
}
