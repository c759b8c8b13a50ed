package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class SessionStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:15:30Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static StoredSession session(String id) {
        return new StoredSession(id, Path.of("/srv/threads/" + id), T0);
    }

    @Test
    void inMemoryStoreKeepsPutsAndRemovesAndSnapshotsAreCopies() {
        SessionStore store = SessionStore.inMemory();
        store.put("a", session("s1"));
        store.put("b", session("s2"));
        Map<String, StoredSession> snapshot = store.snapshot();
        store.remove("a");

        assertThat(store.get("a")).isEmpty();
        assertThat(store.get("b")).contains(session("s2"));
        assertThat(snapshot).containsOnlyKeys("a", "b");
        assertThatThrownBy(() -> snapshot.put("c", session("s3"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jsonFileStoreSurvivesReopenAndCreatesParentDirectories() {
        Path file = dir.resolve("state/nested/sessions.json");
        SessionStore store = SessionStore.jsonFile(file);
        assertThat(store.snapshot()).isEmpty();
        assertThat(file).doesNotExist();

        store.put("discord:1", session("s1"));
        store.put("discord:2", session("s2"));
        store.put("discord:1", session("s1b"));
        store.remove("discord:2");
        store.remove("never-stored");

        SessionStore reopened = SessionStore.jsonFile(file);
        assertThat(reopened.snapshot()).isEqualTo(Map.of("discord:1", session("s1b")));
    }

    @Test
    void jsonFileStoreKeepsTheAgentIdAndReadsEntriesWithoutOne() throws IOException {
        Path file = dir.resolve("sessions.json");
        Files.writeString(
                file,
                "{\"version\":1,\"sessions\":{\"old\":{\"sessionId\":\"s0\",\"workingDirectory\":\"/srv/a\","
                        + "\"updatedAt\":\"2026-11-23T10:15:30Z\"}}}",
                StandardCharsets.UTF_8);
        SessionStore store = SessionStore.jsonFile(file);
        assertThat(store.get("old"))
                .hasValueSatisfying(s -> assertThat(s.agentId()).isNull());

        StoredSession onCodex = new StoredSession("s1", Path.of("/srv/b"), T0, Map.of("mode", "code"), "codex");
        store.put("new", onCodex);

        SessionStore reopened = SessionStore.jsonFile(file);
        assertThat(reopened.get("new")).contains(onCodex);
        assertThat(reopened.get("old").orElseThrow().agentId()).isNull();
        assertThat(Files.readString(file)).contains("\"agentId\" : \"codex\"");
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("sessions.json");
        SessionStore store = SessionStore.jsonFile(file);
        for (int i = 0; i < 20; i++) {
            store.put("c" + i, session("s" + i));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
        assertThat(Files.readString(file))
                .contains("\"version\" : 1")
                .contains("\"sessionId\" : \"s19\"")
                .contains("\"workingDirectory\" : \"/srv/threads/s19\"")
                .contains("\"updatedAt\" : \"2026-11-23T10:15:30Z\"");
    }

    @Test
    void corruptFileIsMovedAsideWithItsContentAndTheStoreStartsEmpty() throws IOException {
        Path file = dir.resolve("sessions.json");
        Files.writeString(file, "{\"version\":1,\"sessions\":{\"a\":", StandardCharsets.UTF_8);

        SessionStore store = JsonFileSessionStore.open(file, CLOCK);

        assertThat(store.snapshot()).isEmpty();
        Path aside = dir.resolve("sessions.json.corrupt-20261123T101530Z");
        assertThat(aside).hasContent("{\"version\":1,\"sessions\":{\"a\":");
        assertThat(file).doesNotExist();

        store.put("a", session("s1"));
        assertThat(SessionStore.jsonFile(file).get("a")).contains(session("s1"));
        assertThat(aside).exists();
    }

    @Test
    void secondCorruptionOnTheSameSecondGetsItsOwnAsideFile() throws IOException {
        Path file = dir.resolve("sessions.json");
        Files.writeString(file, "not json");
        JsonFileSessionStore.open(file, CLOCK);
        Files.writeString(file, "[1, 2]");
        JsonFileSessionStore.open(file, CLOCK);

        assertThat(dir.resolve("sessions.json.corrupt-20261123T101530Z")).hasContent("not json");
        assertThat(dir.resolve("sessions.json.corrupt-20261123T101530Z-1")).hasContent("[1, 2]");
    }

    @Test
    void invalidEntriesAreDroppedButTheOriginalIsPreserved() throws IOException {
        Path file = dir.resolve("sessions.json");
        String original = "{\"version\":1,\"sessions\":{"
                + "\"good\":{\"sessionId\":\"s1\",\"workingDirectory\":\"/w\",\"updatedAt\":\"2026-11-23T10:15:30Z\"},"
                + "\"relative\":{\"sessionId\":\"s2\",\"workingDirectory\":\"w\",\"updatedAt\":\"2026-11-23T10:15:30Z\"},"
                + "\"blank\":{\"sessionId\":\" \",\"workingDirectory\":\"/w\",\"updatedAt\":\"2026-11-23T10:15:30Z\"},"
                + "\"badTime\":{\"sessionId\":\"s4\",\"workingDirectory\":\"/w\",\"updatedAt\":\"yesterday\"}}}";
        Files.writeString(file, original);

        SessionStore store = JsonFileSessionStore.open(file, CLOCK);

        assertThat(store.snapshot()).containsOnlyKeys("good");
        assertThat(dir.resolve("sessions.json.corrupt-20261123T101530Z")).hasContent(original);
        assertThat(file).hasContent(original);
    }

    @Test
    void fileFromANewerFormatIsRefusedAndLeftUntouched() throws IOException {
        Path file = dir.resolve("sessions.json");
        Files.writeString(file, "{\"version\":2,\"sessions\":{}}");

        assertThatThrownBy(() -> SessionStore.jsonFile(file))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("format version 2");
        assertThat(file).hasContent("{\"version\":2,\"sessions\":{}}");
    }

    @Test
    void unreadableFileIsAnErrorNotAnEmptyStore() throws IOException {
        Path file = Files.createDirectory(dir.resolve("sessions.json"));

        assertThatThrownBy(() -> SessionStore.jsonFile(file))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageStartingWith("cannot read session store " + file);
    }

    @Test
    void failedWriteIsReportedAndTheSessionIsStillKnown() throws IOException {
        Path blocker = dir.resolve("state");
        SessionStore store = SessionStore.jsonFile(blocker.resolve("sessions.json"));
        Files.writeString(blocker, "a file where the store's directory should be");

        assertThatThrownBy(() -> store.put("a", session("s1")))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageStartingWith("cannot write session store " + blocker.resolve("sessions.json"));
        assertThat(store.get("a")).contains(session("s1"));
    }

    @Test
    void concurrentPutsAreAllPersisted() throws Exception {
        Path file = dir.resolve("sessions.json");
        SessionStore store = SessionStore.jsonFile(file);
        int threads = 4;
        int perThread = 25;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        store.put("t" + thread + "-" + i, session("s" + thread + "-" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(SessionStore.jsonFile(file).snapshot()).hasSize(threads * perThread);
    }

    @Test
    void storedSessionRejectsInvalidValuesWithClearMessages() {
        assertThatThrownBy(() -> new StoredSession(" ", Path.of("/w"), T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sessionId must not be blank");
        assertThatThrownBy(() -> new StoredSession("s", Path.of("w"), T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workingDirectory must be absolute: w");
    }
}
