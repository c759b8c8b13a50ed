package io.github.acppool.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.internal.Checks;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in an append-only journal of JSON lines, compacted now and then. The first line is a header, then
 * one record per change:
 *
 * <pre>{@code
 * {"acpPoolJournal":1}
 * {"put":"<conversation id>","sessionId":"…","workingDirectory":"/abs","updatedAt":"…Z","settings":{…},"agentId":"…"}
 * {"remove":"<conversation id>"}
 * }</pre>
 *
 * <p>A record is acknowledged (its {@code put} or {@code remove} returned) only after its line, newline
 * included, was written and forced to the storage device. On opening, a last line without its newline is a
 * write that a crash cut short, so it was never acknowledged: it is dropped and the file compacted. Compaction
 * writes the live sessions to a temporary file in the same directory, forces it and renames it over the journal,
 * so a crash leaves either the old or the new journal whole.
 */
final class JournalSessionStore implements SessionStore {

    /*
     * Concurrency: `sessions` is a ConcurrentHashMap, so get and snapshot never wait for the disk. `lock`
     * serialises every change: the map update and the journal append happen under it, so the journal's order is
     * the map's order and a reader of the file after a crash sees a prefix of the changes. Appends open, write,
     * force and close the file under `lock` (no channel outlives a call, so the store needs no close); a put
     * therefore waits for the puts before it. No other lock is taken while `lock` is held, and the broker calls a
     * store holding at most one conversation's lock, so a slow disk delays only the writers.
     */

    private static final Logger LOG = LoggerFactory.getLogger(JournalSessionStore.class);

    static final int FORMAT_VERSION = 1;
    static final String HEADER = "{\"acpPoolJournal\":" + FORMAT_VERSION + "}";

    /** Compaction runs once the journal holds this many records more than twice the live sessions. */
    static final int COMPACTION_SLACK = 1_000;

    private static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ASIDE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final Path directory;
    private final Duration retention;
    private final Clock clock;
    private final int compactionSlack;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, StoredSession> sessions = new ConcurrentHashMap<>();

    /** Records in the journal file after its header; -1 while the file must be (re)written whole. */
    @GuardedBy("lock")
    private long records = -1;

    @GuardedBy("lock")
    private long lastPruneMillis;

    private JournalSessionStore(Path file, Duration retention, Clock clock, int compactionSlack) {
        Path parent = file.getParent();
        Checks.argument(parent != null, "file must name a file, not a root: %s", file);
        this.file = file;
        this.directory = Checks.notNull(parent, "file's directory");
        this.retention = retention;
        this.clock = clock;
        this.compactionSlack = compactionSlack;
    }

    static JournalSessionStore open(Path file, Duration retention, Clock clock) {
        return open(file, retention, clock, COMPACTION_SLACK);
    }

    /** With another compaction slack, so that tests compact after a few records. */
    static JournalSessionStore open(Path file, Duration retention, Clock clock, int compactionSlack) {
        JournalSessionStore store = new JournalSessionStore(
                Checks.notNull(file, "file").toAbsolutePath().normalize(),
                Checks.positive(retention, "retention"),
                Checks.notNull(clock, "clock"),
                Checks.positive(compactionSlack, "compactionSlack"));
        store.lock.lock();
        try {
            store.load();
        } finally {
            store.lock.unlock();
        }
        return store;
    }

    // ------------------------------------------------------------------------------------------------- opening

    @GuardedBy("lock")
    private void load() {
        lastPruneMillis = clock.millis();
        deleteStaleTemporaryFiles();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.debug("session store {} does not exist yet; starting empty", file);
            return;
        } catch (IOException e) {
            throw new SessionStoreException("cannot read session store " + file + ": " + e, e);
        }
        int headerEnd = indexOf(bytes, (byte) '\n', 0);
        String first = new String(bytes, 0, headerEnd < 0 ? bytes.length : headerEnd, StandardCharsets.UTF_8).strip();
        if (bytes.length == 0 || (headerEnd < 0 && HEADER.startsWith(first))) {
            // Empty, or a crash while the very first header was written: nothing was ever acknowledged.
            rewrite("was empty or had only a partial header");
            return;
        }
        if (first.startsWith("{\"acpPoolJournal\"")) {
            checkVersion(first);
            replay(bytes, headerEnd + 1);
        } else if (first.startsWith("{")) {
            migrateFromJsonFile();
        } else {
            Path aside = setAside(true);
            LOG.error(
                    "session store {} is neither a session journal nor a JSON session file; moved it to {} and"
                            + " starting empty: its conversations will start new agent sessions",
                    file,
                    aside);
        }
    }

    private void checkVersion(String header) {
        int version;
        try {
            version = JSON.readTree(header).path("acpPoolJournal").asInt(-1);
        } catch (IOException e) {
            version = -1;
        }
        if (version != FORMAT_VERSION) {
            throw new SessionStoreException(
                    "session store " + file + " has journal header " + header + ", but this acp-pool reads format "
                            + FORMAT_VERSION + (version > FORMAT_VERSION ? " (written by a newer acp-pool)" : "")
                            + "; refusing to overwrite it",
                    null);
        }
    }

    /** Applies every complete record from {@code start}; drops a torn last line; sets aside a corrupt file. */
    @GuardedBy("lock")
    private void replay(byte[] bytes, int start) {
        List<Integer> corrupt = new ArrayList<>();
        long count = 0;
        int line = 1;
        int from = start;
        while (from < bytes.length) {
            int end = indexOf(bytes, (byte) '\n', from);
            if (end < 0) {
                break;
            }
            line++;
            count++;
            if (!apply(new String(bytes, from, end - from, StandardCharsets.UTF_8))) {
                corrupt.add(line);
            }
            from = end + 1;
        }
        boolean torn = from < bytes.length;
        if (!corrupt.isEmpty()) {
            Path copy = setAside(false);
            LOG.error(
                    "session store {}: lines {} are not valid records and are dropped (their conversations start"
                            + " new sessions); the original file is preserved as {}",
                    file,
                    corrupt,
                    copy);
        }
        if (torn) {
            LOG.warn(
                    "session store {}: dropped an incomplete last record of {} bytes (a write cut short by a"
                            + " crash, never acknowledged)",
                    file,
                    bytes.length - from);
        }
        pruneExpired();
        if (torn || !corrupt.isEmpty() || needsCompaction(count)) {
            rewrite(torn ? "ended in an incomplete record" : "needed compaction");
        } else {
            records = count;
        }
        LOG.debug("session store {} loaded {} sessions from {} records", file, sessions.size(), count);
    }

    /** Applies one record; false if it is not a valid one. */
    @GuardedBy("lock")
    private boolean apply(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            return false;
        }
        if (node == null || !node.isObject()) {
            return false;
        }
        if (node.path("remove").isTextual()) {
            sessions.remove(node.path("remove").asText());
            return true;
        }
        if (!node.path("put").isTextual()) {
            return false;
        }
        StoredSession session = JsonFileSessionStore.parse(node);
        if (session == null) {
            return false;
        }
        sessions.put(node.path("put").asText(), session);
        return true;
    }

    /** Reads today's JSON file with its own reader, keeps it as a backup, and writes the journal in its place. */
    @GuardedBy("lock")
    private void migrateFromJsonFile() {
        Map<String, StoredSession> legacy =
                JsonFileSessionStore.open(file, clock).snapshot();
        sessions.putAll(legacy);
        Path backup = null;
        if (Files.exists(file)) { // the JSON reader moved a corrupt file aside itself
            backup = sibling(".json-backup");
            try {
                Files.copy(file, backup);
            } catch (IOException e) {
                throw new SessionStoreException(
                        "session store " + file + ": cannot keep the JSON file as " + backup
                                + " before migrating it to a journal: " + e,
                        e);
            }
        }
        pruneExpired();
        rewrite("was migrated");
        LOG.info(
                "session store {}: migrated {} sessions from the JSON file format to a journal; the JSON file is"
                        + " kept as {}",
                file,
                legacy.size(),
                backup);
    }

    private void deleteStaleTemporaryFiles() {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, "." + file.getFileName() + "-*.tmp")) {
            for (Path temp : temps) {
                // A compaction that a crash interrupted: the journal itself is whole (the rename did not happen).
                Files.deleteIfExists(temp);
                LOG.info("session store {}: deleted {} left by an interrupted compaction", file, temp);
            }
        } catch (NoSuchFileException e) {
            // No directory yet, so no temporary files.
        } catch (IOException e) {
            LOG.warn("session store {}: could not delete temporary files of an interrupted compaction", file, e);
        }
    }

    // ------------------------------------------------------------------------------------------------ the API

    @Override
    public Optional<StoredSession> get(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        StoredSession session = sessions.get(conversationId);
        return session == null || expired(session, cutoff()) ? Optional.empty() : Optional.of(session);
    }

    @Override
    public void put(String conversationId, StoredSession session) {
        Checks.notNull(conversationId, "conversationId");
        Checks.notNull(session, "session");
        String record = record(conversationId, session);
        lock.lock();
        try {
            sessions.put(conversationId, session);
            append(record);
            maybePrune();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove(String conversationId) {
        Checks.notNull(conversationId, "conversationId");
        String record = JSON.createObjectNode().put("remove", conversationId).toString();
        lock.lock();
        try {
            if (sessions.remove(conversationId) != null) {
                append(record);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, StoredSession> snapshot() {
        Instant cutoff = cutoff();
        Map<String, StoredSession> live = new HashMap<>();
        sessions.forEach((id, session) -> {
            if (!expired(session, cutoff)) {
                live.put(id, session);
            }
        });
        return Map.copyOf(live);
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Appends one record and forces it; the first write, and the first after a failed one, rewrites the file whole
     * instead, so a partly written line can never run into the next record.
     */
    @GuardedBy("lock")
    private void append(String record) {
        if (records < 0) {
            rewrite("is written for the first time or after a failed write");
            return;
        }
        ByteBuffer buffer = ByteBuffer.wrap((record + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            records = -1;
            throw new SessionStoreException("cannot append to session store " + file + ": " + e, e);
        }
        records++;
        if (needsCompaction(records)) {
            try {
                rewrite("compaction");
            } catch (SessionStoreException e) {
                // The record is already forced: this put succeeded; the next write retries the compaction.
                LOG.warn("session store {}: compaction failed; the journal stays as it is", file, e);
            }
        }
    }

    @GuardedBy("lock")
    private boolean needsCompaction(long count) {
        return count > 2L * sessions.size() + compactionSlack;
    }

    /** Writes the live sessions to a temporary file, forces it and renames it over the journal. */
    @GuardedBy("lock")
    private void rewrite(String why) {
        Instant cutoff = cutoff();
        Path temp = null;
        long count = 0;
        try {
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, "." + file.getFileName() + "-", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                out.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
                for (Map.Entry<String, StoredSession> e : new TreeMap<>(sessions).entrySet()) {
                    if (expired(e.getValue(), cutoff)) {
                        sessions.remove(e.getKey(), e.getValue());
                        continue;
                    }
                    out.write((record(e.getKey(), e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
                    count++;
                }
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
            forceDirectory();
            records = count;
            LOG.debug("session store {} rewritten with {} sessions ({})", file, count, why);
        } catch (IOException e) {
            records = -1;
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

    private static String record(String conversationId, StoredSession session) {
        return JsonFileSessionStore.write(JSON.createObjectNode().put("put", conversationId), session)
                .toString();
    }

    /** Makes the rename durable; a file system that cannot force a directory (Windows) renames durably anyway. */
    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.trace("session store {}: cannot force directory {}: {}", file, directory, e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------- retention

    /** At most once per {@link #PRUNE_INTERVAL}, drops expired sessions from memory (the next rewrite drops them). */
    @GuardedBy("lock")
    private void maybePrune() {
        long now = clock.millis();
        if (now - lastPruneMillis >= PRUNE_INTERVAL.toMillis()) {
            lastPruneMillis = now;
            pruneExpired();
        }
    }

    @GuardedBy("lock")
    private void pruneExpired() {
        Instant cutoff = cutoff();
        int before = sessions.size();
        sessions.values().removeIf(session -> expired(session, cutoff));
        int removed = before - sessions.size();
        if (removed > 0) {
            LOG.info(
                    "session store {}: forgot {} sessions not written for longer than the retention of {}",
                    file,
                    removed,
                    retention);
        }
    }

    private Instant cutoff() {
        return Retention.cutoff(clock.instant(), retention);
    }

    private static boolean expired(StoredSession session, Instant cutoff) {
        return session.updatedAt().isBefore(cutoff);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private Path sibling(String suffix) {
        Path candidate = file.resolveSibling(file.getFileName() + suffix);
        for (int i = 1; Files.exists(candidate); i++) {
            candidate = file.resolveSibling(file.getFileName() + suffix + "-" + i);
        }
        return candidate;
    }

    /** Moves (or copies) the current file to a fresh {@code <name>.corrupt-<timestamp>} sibling. */
    private Path setAside(boolean move) {
        Path aside = sibling(".corrupt-" + ASIDE_STAMP.format(clock.instant()));
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
    public String toString() {
        return "SessionStore.file(" + file + ")";
    }
}
