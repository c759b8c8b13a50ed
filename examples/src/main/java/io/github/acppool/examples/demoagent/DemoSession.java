package io.github.acppool.examples.demoagent;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.examples.demoagent.SessionStore.Role;
import io.github.acppool.examples.demoagent.SessionStore.StoredMessage;
import io.github.acppool.examples.demoagent.SessionStore.StoredSession;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A conversation open in this agent process: its history and the prompt turn running in it, if any.
 * Thread-safe: every method takes the session's monitor, and none blocks while holding it.
 */
final class DemoSession {
    private final String id;
    private final String cwd;
    private final Instant createdAt;
    private final Clock clock;

    @GuardedBy("this")
    private final List<StoredMessage> messages;

    @GuardedBy("this")
    private Instant updatedAt;

    @GuardedBy("this")
    private @Nullable Turn current;

    private DemoSession(
            String id, String cwd, Instant createdAt, Instant updatedAt, List<StoredMessage> messages, Clock clock) {
        this.id = id;
        this.cwd = cwd;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.messages = new ArrayList<>(messages);
        this.clock = clock;
    }

    static DemoSession create(String cwd, Clock clock) {
        Instant now = clock.instant();
        return new DemoSession(UUID.randomUUID().toString(), cwd, now, now, List.of(), clock);
    }

    /** Reopens a saved conversation in the working directory the client gives now. */
    static DemoSession restore(StoredSession stored, String cwd, Clock clock) {
        return new DemoSession(
                stored.sessionId(), cwd, stored.createdAt(), stored.updatedAt(), stored.messages(), clock);
    }

    String id() {
        return id;
    }

    String cwd() {
        return cwd;
    }

    /** Makes {@code turn} the running turn, unless another one is running. */
    synchronized boolean begin(Turn turn) {
        if (current != null) {
            return false;
        }
        current = turn;
        return true;
    }

    synchronized void end(Turn turn) {
        if (current == turn) {
            current = null;
        }
    }

    synchronized @Nullable Turn current() {
        return current;
    }

    synchronized void append(String messageId, Role role, String text) {
        messages.add(new StoredMessage(messageId, role, text));
        updatedAt = clock.instant();
    }

    /** The number of messages the user has sent, this one included. */
    synchronized int userMessageCount() {
        return (int) messages.stream().filter(m -> m.role() == Role.USER).count();
    }

    /** What the user said before their latest message, if anything. */
    synchronized Optional<String> previousUserText() {
        List<StoredMessage> user =
                messages.stream().filter(m -> m.role() == Role.USER).toList();
        return user.size() < 2
                ? Optional.empty()
                : Optional.of(user.get(user.size() - 2).text());
    }

    synchronized StoredSession snapshot() {
        return new StoredSession(id, cwd, createdAt, updatedAt, messages);
    }
}
