package io.github.acppool.discord;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import org.jspecify.annotations.Nullable;

/**
 * The reactions that show a conversation's status on the message that started a turn.
 *
 * <p>Defaults (openab's): {@value #DEFAULT_QUEUED} queued, {@value #DEFAULT_THINKING} thinking, {@value
 * #DEFAULT_TOOL} running a tool, {@value #DEFAULT_DONE} done, {@value #DEFAULT_CANCELLED} cancelled, {@value
 * #DEFAULT_ERROR} failed. Defaults may change
 * between releases.
 *
 * <p>Immutable and thread-safe.
 */
public record StatusEmoji(String queued, String thinking, String tool, String done, String cancelled, String error) {

    public static final String DEFAULT_QUEUED = "👀";
    public static final String DEFAULT_THINKING = "🤔";
    public static final String DEFAULT_TOOL = "🔥";
    public static final String DEFAULT_DONE = "🆗";
    public static final String DEFAULT_CANCELLED = "⏹";
    public static final String DEFAULT_ERROR = "😱";

    public StatusEmoji {
        check(queued, "queued");
        check(thinking, "thinking");
        check(tool, "tool");
        check(done, "done");
        check(cancelled, "cancelled");
        check(error, "error");
    }

    public static StatusEmoji defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void check(@Nullable String emoji, String name) {
        if (emoji == null) {
            throw new NullPointerException(name + " must not be null");
        }
        if (emoji.isBlank()) {
            throw new IllegalArgumentException(name + " must be an emoji: \"" + emoji + "\"");
        }
    }

    /**
     * Builds {@link StatusEmoji}; each emoji may be given once, unset ones take their default.
     *
     * <p>Not thread-safe.
     */
    public static final class Builder {
        private @Nullable String queued;
        private @Nullable String thinking;
        private @Nullable String tool;
        private @Nullable String done;
        private @Nullable String cancelled;
        private @Nullable String error;

        private Builder() {}

        @CanIgnoreReturnValue
        public Builder queued(String emoji) {
            queued = setOnce(queued, emoji, "queued");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder thinking(String emoji) {
            thinking = setOnce(thinking, emoji, "thinking");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder tool(String emoji) {
            tool = setOnce(tool, emoji, "tool");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder done(String emoji) {
            done = setOnce(done, emoji, "done");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder cancelled(String emoji) {
            cancelled = setOnce(cancelled, emoji, "cancelled");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder error(String emoji) {
            error = setOnce(error, emoji, "error");
            return this;
        }

        public StatusEmoji build() {
            return new StatusEmoji(
                    queued == null ? DEFAULT_QUEUED : queued,
                    thinking == null ? DEFAULT_THINKING : thinking,
                    tool == null ? DEFAULT_TOOL : tool,
                    done == null ? DEFAULT_DONE : done,
                    cancelled == null ? DEFAULT_CANCELLED : cancelled,
                    error == null ? DEFAULT_ERROR : error);
        }

        private static String setOnce(@Nullable String current, @Nullable String value, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set to " + current);
            }
            if (value == null) {
                throw new NullPointerException(name + " must not be null");
            }
            return value;
        }
    }
}
