package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The sessions file: every conversation of every demo agent process that uses the same file, so that a
 * restarted agent can replay a conversation on {@code session/load}.
 *
 * <p>Format (version 1), pretty-printed so that people can read it:
 *
 * <pre>{@code
 * {
 *   "format" : 1,
 *   "sessions" : {
 *     "<sessionId>" : {
 *       "cwd" : "/home/me/project",
 *       "createdAt" : "2026-11-23T10:15:30Z",
 *       "updatedAt" : "2026-11-23T10:16:02Z",
 *       "messages" : [
 *         { "id" : "<messageId>", "role" : "user", "text" : "hello" },
 *         { "id" : "<messageId>", "role" : "agent", "text" : "You said ..." }
 *       ]
 *     }
 *   }
 * }
 * }</pre>
 *
 * Only the newest {@link #MAX_SESSIONS} sessions and the last {@link #MAX_MESSAGES} messages of each are kept.
 */
final class SessionStore {
    /*
     * Concurrency: a console demo runs one agent process per conversation, all on the same file, so every
     * access is a read-modify-write of the whole file under an OS lock on a sibling ".lock" file. FileLock is
     * per process (a second lock from the same JVM throws OverlappingFileLockException instead of waiting), so
     * one static monitor first serialises every store of this JVM. Each save replaces only its own
     * session's entry in what it just read, so processes never overwrite each other's conversations. The new
     * content goes to a temporary file in the same directory that is then renamed over the old one, so a crash
     * never leaves a half-written file. May block on disk I/O and on other processes holding the lock.
     */

    static final int FORMAT = 1;
    static final int MAX_SESSIONS = 200;
    static final int MAX_MESSAGES = 200;

    /** One message of a conversation. */
    record StoredMessage(String id, Role role, String text) {}

    /** Who wrote a message. */
    enum Role {
        USER("user"),
        AGENT("agent");

        final String wireName;

        Role(String wireName) {
            this.wireName = wireName;
        }

        static Role of(String wireName) {
            for (Role role : values()) {
                if (role.wireName.equals(wireName)) {
                    return role;
                }
            }
            throw new IllegalArgumentException("unknown role: " + wireName);
        }
    }

    /** A conversation as it is saved. */
    record StoredSession(
            String sessionId, String cwd, Instant createdAt, Instant updatedAt, List<StoredMessage> messages) {
        StoredSession {
            messages = List.copyOf(messages);
        }
    }

    private final Path file;
    private final Path lockFile;
    private final ObjectMapper mapper;
    private final StderrLog log;
    /** One for the whole JVM, because a FileLock is held per process, not per thread or per store. */
    private static final Object JVM_LOCK = new Object();

    private final AtomicBoolean warnedAboutWrites = new AtomicBoolean();

    SessionStore(Path file, ObjectMapper mapper, StderrLog log) {
        this.file = file;
        this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
        this.mapper = mapper.copy().enable(SerializationFeature.INDENT_OUTPUT);
        this.log = log;
    }

    Path file() {
        return file;
    }

    /**
     * Reads one session.
     *
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    Optional<StoredSession> load(String sessionId) {
        return locked(() -> {
            JsonNode session = read().path("sessions").path(sessionId);
            return session.isObject() ? Optional.of(fromJson(sessionId, session)) : Optional.empty();
        });
    }

    /**
     * Adds or replaces one session and trims the file to its limits. A failure is logged, not thrown: the demo
     * goes on, it just will not remember this conversation after a restart.
     */
    void save(StoredSession session) {
        try {
            locked(() -> {
                ObjectNode root = read();
                ObjectNode sessions = root.withObjectProperty("sessions");
                sessions.set(session.sessionId(), toJson(session));
                trim(sessions);
                write(root);
                return null;
            });
        } catch (UncheckedIOException e) {
            if (!warnedAboutWrites.getAndSet(true)) {
                log.warn(
                        "cannot save conversations to %s, so they will not survive a restart"
                                + " (use --sessions-file to choose another file): %s",
                        file, e.getCause());
            }
        }
    }

    /** Runs {@code action} holding both the monitor and the file lock; read, write and moveAside need both. */
    private <T> T locked(Supplier<T> action) {
        synchronized (JVM_LOCK) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                try (FileChannel channel =
                        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    FileLock held = channel.lock();
                    try {
                        return action.get();
                    } finally {
                        held.release();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private ObjectNode read() {
        assert Thread.holdsLock(JVM_LOCK);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return emptyRoot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            JsonNode root = mapper.readTree(bytes);
            if (root != null
                    && root.isObject()
                    && root.path("format").asInt() == FORMAT
                    && root.path("sessions").isObject()) {
                return (ObjectNode) root;
            }
            moveAside("it is not a version " + FORMAT + " sessions file");
        } catch (IOException e) {
            moveAside("it is not valid JSON (" + e.getMessage() + ")");
        }
        return emptyRoot();
    }

    /** Keeps an unreadable file for the user to inspect instead of overwriting it. */
    private void moveAside(String why) {
        assert Thread.holdsLock(JVM_LOCK);
        Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + System.currentTimeMillis());
        try {
            Files.move(file, aside);
            log.warn("starting with no saved conversations: %s; %s, so I moved it to %s", file, why, aside);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(ObjectNode root) {
        assert Thread.holdsLock(JVM_LOCK);
        Path temp = null;
        try {
            temp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(mapper.writeValueAsBytes(root)));
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException(e);
        }
    }

    private static void trim(ObjectNode sessions) {
        if (sessions.size() <= MAX_SESSIONS) {
            return;
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(sessions.properties());
        entries.sort(
                Comparator.comparing(entry -> entry.getValue().path("updatedAt").asText("")));
        for (Map.Entry<String, JsonNode> oldest : entries.subList(0, entries.size() - MAX_SESSIONS)) {
            sessions.remove(oldest.getKey());
        }
    }

    private ObjectNode emptyRoot() {
        ObjectNode root = mapper.createObjectNode().put("format", FORMAT);
        root.putObject("sessions");
        return root;
    }

    private ObjectNode toJson(StoredSession session) {
        ObjectNode json = mapper.createObjectNode()
                .put("cwd", session.cwd())
                .put("createdAt", session.createdAt().toString())
                .put("updatedAt", session.updatedAt().toString());
        ArrayNode messages = json.putArray("messages");
        List<StoredMessage> all = session.messages();
        for (StoredMessage message : all.subList(Math.max(0, all.size() - MAX_MESSAGES), all.size())) {
            messages.addObject()
                    .put("id", message.id())
                    .put("role", message.role().wireName)
                    .put("text", message.text());
        }
        return json;
    }

    private static StoredSession fromJson(String sessionId, JsonNode json) {
        try {
            List<StoredMessage> messages = new ArrayList<>();
            for (JsonNode message : json.path("messages")) {
                messages.add(new StoredMessage(
                        message.path("id").asText(),
                        Role.of(message.path("role").asText()),
                        message.path("text").asText()));
            }
            return new StoredSession(
                    sessionId,
                    json.path("cwd").asText(),
                    Instant.parse(json.path("createdAt").asText()),
                    Instant.parse(json.path("updatedAt").asText()),
                    messages);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new UncheckedIOException(
                    new IOException("session " + sessionId + " in the sessions file is damaged: " + e.getMessage(), e));
        }
    }
}
