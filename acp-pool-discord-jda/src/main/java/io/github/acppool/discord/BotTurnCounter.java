package io.github.acppool.discord;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts consecutive bot messages per channel, against bot-to-bot loops. Every bot message counts, the bot's own
 * included, and is counted before any other check (openab #483: counting after the self-check let two bots loop);
 * a person's regular, non-empty message resets the count (#497: Discord's system messages must not).
 *
 * <p>Thread-safe. Remembers the {@value #DEFAULT_CAPACITY} most recently active channels.
 */
final class BotTurnCounter {

    /* Concurrency: one monitor (`counts`) guards the access-ordered map; nothing is called while holding it. */
    static final int DEFAULT_CAPACITY = 10_000;

    @GuardedBy("counts")
    private final Map<Long, Integer> counts;

    BotTurnCounter() {
        this(DEFAULT_CAPACITY);
    }

    BotTurnCounter(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.counts = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records a message and returns the channel's count of consecutive bot messages, this one included. */
    int record(long channelId, boolean authorIsBot, boolean regular, String content) {
        synchronized (counts) {
            if (authorIsBot) {
                return counts.merge(channelId, 1, Integer::sum);
            }
            if (regular && !content.isBlank()) {
                counts.remove(channelId);
                return 0;
            }
            return counts.getOrDefault(channelId, 0);
        }
    }
}
