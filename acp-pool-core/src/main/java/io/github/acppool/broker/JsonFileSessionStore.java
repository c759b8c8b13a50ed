package io.github.acppool.broker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.internal.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in one JSON file:
 *
 * <pre>{@code
 * {"version":1,"sessions":{"<conversation id>":{"sessionId":"…","workingDirectory":"/abs","updatedAt":"…Z"}}}
 * }</pre>
 *
 * <p>An entry also has {@code "settings":{"<setting id>":"<value>"}} once settings were chosen for it, and
 * {@code "agentId":"<agent id>"} when it was stored by a broker that names its agents (an entry without it, as
 * written before, belongs to the default agent).
 */
final class JsonFileSessionStore implements SessionStore {

    /*
     * Concurrency: `lock` guards `sessions` and every write of the file, so that writes reach the disk in the
     * order of the changes and the file always holds the state after the latest completed change. File I/O
     * runs under `lock`; no other lock is taken while it is held, and callers hold at most one connection's
     * lock (never a pool map lock), so a slow disk delays only the conversation that is writing.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JsonFileSessionStore.class);
    private static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter ASIDE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final Path directory;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final Map<String, StoredSession> sessions = new TreeMap<>();

    private JsonFileSessionStore(Path file, Clock clock) {
        Path parent = file.getParent();
        Checks.argument(parent != null, "file must name a file, not a root: %s", file);
        this.file = file;
        this.directory = Checks.notNull(parent, "file's directory");
        this.clock = clock;
    }

    static JsonFileSessionStore open(Path file) {
        return open(file, Clock.systemUTC());
    }

    static JsonFileSessionStore open(Path file, Clock clock) {
        JsonFileSessionStore store = new JsonFileSessionStore(
                Checks.notNull(file, "file").toAbsolutePath().normalize(), Checks.notNull(clock, "clock"));
        store.load();
        return store;
    }

    private void load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.debug("session store {} does not exist yet; starting empty", file);
            return;
        } catch (IOException e) {
            throw new SessionStoreException("cannot read session store " + file + ": " + e, e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.toString();
            startEmptyAfterSettingAside("is not valid JSON (" + reason + ")");
            return;
        }
        if (!root.isObject() || !root.path("sessions").isObject()) {
            startEmptyAfterSettingAside("has no \"sessions\" object");
            return;
        }
        int version = root.path("version").asInt(FORMAT_VERSION);
        if (version > FORMAT_VERSION) {
            throw new SessionStoreException(
                    "session store " + file + " has format version " + version + ", newer than this acp-pool ("
                            + FORMAT_VERSION + "); refusing to overwrite it",
                    null);
        }
        List<String> invalid = new ArrayList<>();
        int loaded;
        lock.lock();
        try {
            for (Map.Entry<String, JsonNode> entry : root.path("sessions").properties()) {
                StoredSession session = parse(entry.getValue());
                if (session == null) {
                    invalid.add(entry.getKey());
                } else {
                    sessions.put(entry.getKey(), session);
                }
            }
            loaded = sessions.size();
        } finally {
            lock.unlock();
        }
        if (!invalid.isEmpty()) {
            Path copy = setAside(false);
            LOG.error(
                    "session store {}: entries for conversations {} are not valid sessions and are dropped; the"
                            + " original file is preserved as {}",
                    file,
                    invalid,
                    copy);
        }
        LOG.debug("session store {} loaded {} sessions", file, loaded);
    }

    private void startEmptyAfterSettingAside(String problem) {
        Path aside = setAside(true);
        LOG.error(
                "session store {} {}; moved it to {} and starting empty: its conversations will start new agent"
                        + " sessions",
                file,
                problem,
                aside);
    }

    /**
     * The session in one JSON object of the file formats (this file's entries, the journal's records), or null if
     * it is not a valid one. Shared with {@link JournalSessionStore}, which writes the same fields.
     */
    static @Nullable StoredSession parse(JsonNode node) {
        String sessionId = node.path("sessionId").asText("");
        String directory = node.path("workingDirectory").asText("");
        String updatedAt = node.path("updatedAt").asText("");
        if (sessionId.isBlank() || directory.isEmpty()) {
            return null;
        }
        try {
            Path workingDirectory = Path.of(directory);
            if (!workingDirectory.isAbsolute()) {
                return null;
            }
            Map<String, String> settings = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : node.path("settings").properties()) {
                if (e.getValue().isTextual()) {
                    settings.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode agent = node.path("agentId");
            String agentId = agent.isTextual() && !agent.asText().isBlank() ? agent.asText() : null;
            return new StoredSession(sessionId, workingDirectory, Instant.parse(updatedAt), settings, agentId);
        } catch (DateTimeParseException | InvalidPathException e) {
            return null;
        }
    }

    /** Writes {@code session}'s fields into {@code target}, as {@link #parse} reads them. */
    static ObjectNode write(ObjectNode target, StoredSession session) {
        target.put("sessionId", session.sessionId())
                .put("workingDirectory", session.workingDirectory().toString())
                .put("updatedAt", session.updatedAt().toString());
        if (!session.settings().isEmpty()) {
            ObjectNode settings = target.putObject("settings");
            new TreeMap<>(session.settings()).forEach(settings::put);
        }
        if (session.agentId() != null) {
            target.put("agentId", session.agentId());
        }
        return target;
    }

    /** Moves (or copies) the current file to a fresh {@code <name>.corrupt-<timestamp>} sibling. */
    private Path setAside(boolean move) {
        String base = file.getFileName() + ".corrupt-" + ASIDE_STAMP.format(clock.instant());
        Path aside = file.resolveSibling(base);
        for (int i = 1; Files.exists(aside); i++) {
            aside = file.resolveSibling(base + "-" + i);
        }
        try {
            if (move) {
                Files.move(file, aside);
            } else {
                Files.copy(file, aside);
            }
            return aside;
        } catch (IOException e) {
            throw new SessionStoreException(
                    "session store " + file + " is corrupt and could not be preserved as " + aside + ": " + e, e);
        }
    }

    @Override
    public Optional<StoredSession> get(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        lock.lock();
        try {
            return Optional.ofNullable(sessions.get(conversationId));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(String conversationId, StoredSession session) {
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(session, "session");
        lock.lock();
        try {
            sessions.put(conversationId, session);
            write();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        lock.lock();
        try {
            if (sessions.remove(conversationId) != null) {
                write();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, StoredSession> snapshot() {
        lock.lock();
        try {
            return Map.copyOf(sessions);
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void write() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ObjectNode all = root.putObject("sessions");
        sessions.forEach((conversationId, session) -> {
            write(all.putObject(conversationId), session);
        });
        Path temp = null;
        try {
            byte[] bytes = JSON.writeValueAsBytes(root);
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, "." + file.getFileName() + "-", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise sessions", e);
        } catch (IOException e) {
            throw new SessionStoreException("cannot write session store " + file + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("session store {}: could not delete temporary file {}", file, temp, e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "SessionStore.jsonFile(" + file + ")";
    }
}
