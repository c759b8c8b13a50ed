package io.github.acppool.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a conversation id to the ACP session of its agent, so that a conversation survives the eviction of
 * its agent process and a restart of the broker: the next message resumes the stored session with
 * {@code session/load}.
 *
 * <p>The broker writes a session as soon as it exists (not only on eviction or shutdown), so a crash of
 * the broker loses nothing. It calls the store outside every pool lock, but possibly while it holds the
 * lock of that one conversation's connection, so a slow store delays only that conversation.
 *
 * <p><b>Multi-instance deployments.</b> The embedded {@link #jsonFile(Path) JSON file} suits one broker
 * process. To run several brokers (for example one per range of Discord shards) against shared state,
 * implement this interface over a database: one row per conversation, keyed by conversation id, with the
 * session id, the working directory and the update time; {@link #put} is an upsert. Each conversation must
 * be served by one broker at a time (disjoint shard ranges give that), because an ACP session belongs to one
 * agent process.
 *
 * <p>Implementations must be thread-safe.
 */
public interface SessionStore {

    /** The stored session of {@code conversationId}, if any. */
    Optional<StoredSession> get(String conversationId);

    /**
     * Stores (inserts or replaces) the session of {@code conversationId}.
     *
     * @throws SessionStoreException if the backing storage cannot be written; the store's view is still
     *     updated, so that a later write can persist it
     */
    void put(String conversationId, StoredSession session);

    /**
     * Forgets the session of {@code conversationId}; does nothing if there is none.
     *
     * @throws SessionStoreException if the backing storage cannot be written
     */
    void remove(String conversationId);

    /** A point-in-time copy of every stored session, by conversation id. */
    Map<String, StoredSession> snapshot();

    /** A store that keeps sessions in memory only, for tests and for deployments that need no resume. */
    static SessionStore inMemory() {
        return new InMemorySessionStore();
    }

    /**
     * A store backed by one JSON file, rewritten atomically (a temporary file in the same directory, then a
     * rename) on every change. The file and its parent directories are created when first written.
     *
     * <p>A file that is not valid JSON, or entries that are not valid sessions, are reported at ERROR and
     * the file is preserved beside the original (as {@code <name>.corrupt-<timestamp>}) before the store
     * goes on with whatever it could read; it is never reset silently.
     *
     * @throws SessionStoreException if the file exists but cannot be read
     */
    static SessionStore jsonFile(Path file) {
        return JsonFileSessionStore.open(file);
    }
}
