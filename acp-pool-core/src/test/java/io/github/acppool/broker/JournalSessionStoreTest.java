package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
final class JournalSessionStoreTest {

    private static final Instant T0 = Instant.parse("2026-11-23T10:15:30Z");

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final Clock clock = new JdbcSessionStoreTest.MovableClock(now);

    private static StoredSession session(String id) {
        return new StoredSession(id, Path.of("/srv/threads/" + id), T0);
    }

    private SessionStore open(Path file) {
        return SessionStore.fileBuilder(file).clock(clock).build();
    }

    @Test
    void survivesReopenWithEveryFieldAndCreatesParentDirectories() throws IOException {
        Path file = dir.resolve("state/nested/sessions.journal");
        SessionStore store = open(file);
        assertThat(store.snapshot()).isEmpty();
        assertThat(file).doesNotExist();

        StoredSession full = new StoredSession(
                "s1", Path.of("/srv/a b/ü"), T0, Map.of("mode", "code", "x", "line\nbreak"), "gemini");
        store.put("discord:1", full);
        store.put("discord:2", session("s2"));
        store.put("discord:3", session("s3"));
        store.remove("discord:2");
        store.remove("never-stored");

        assertThat(open(file).snapshot()).isEqualTo(Map.of("discord:1", full, "discord:3", session("s3")));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo(JournalSessionStore.HEADER);
        assertThat(lines).hasSize(5); // header, three puts and one remove: nothing rewritten
    }

    @Test
    void everyPrefixOfTheJournalRecoversExactlyWhatWasAcknowledgedBeforeIt() throws IOException {
        Path file = dir.resolve("sessions.journal");
        SessionStore store = open(file);
        store.put("warm-up", session("s0")); // creates the file: later records are appends
        List<Long> ends = new ArrayList<>();
        List<Map<String, StoredSession>> states = new ArrayList<>();
        ends.add(Files.size(file));
        states.add(store.snapshot());
        for (int i = 0; i < 6; i++) {
            if (i % 3 == 2) {
                store.remove("c" + (i - 1));
            } else {
                store.put("c" + i, new StoredSession("s" + i, Path.of("/w/" + i), T0, Map.of("m", "v" + i)));
            }
            ends.add(Files.size(file));
            states.add(store.snapshot());
        }
        byte[] full = Files.readAllBytes(file);
        // A crash may stop the journal at any byte: what was acknowledged before that byte must come back, the
        // rest (one torn record at most) must be dropped, and the repaired file must take appends again.
        // Every byte would take minutes of fsyncs on a loaded machine; the bytes around each record's end and the
        // middle of each record cover every case (whole, torn by one byte, torn in the middle, newline missing).
        SortedSet<Integer> lengths = new TreeSet<>();
        for (int r = 0; r < ends.size(); r++) {
            int end = (int) (long) ends.get(r);
            lengths.addAll(List.of(end - 1, end, end + 1));
            if (r + 1 < ends.size()) {
                lengths.add((end + (int) (long) ends.get(r + 1)) / 2);
            }
        }
        lengths.removeIf(l -> l < ends.get(0) || l > full.length);
        for (int length : lengths) {
            Path copy = dir.resolve("prefix-" + length + ".journal");
            Files.write(copy, Arrays.copyOf(full, length));
            int acknowledged = 0;
            while (acknowledged + 1 < ends.size() && ends.get(acknowledged + 1) <= length) {
                acknowledged++;
            }
            SessionStore reopened = open(copy);
            assertThat(reopened.snapshot()).as("prefix of %s bytes", length).isEqualTo(states.get(acknowledged));
            reopened.put("after", session("s-after"));
            assertThat(open(copy).get("after")).contains(session("s-after"));
        }
    }

    @Test
    void aTornLastWriteIsDroppedAndLaterWritesAreWhole() throws IOException {
        Path file = dir.resolve("sessions.journal");
        SessionStore store = open(file);
        store.put("a", session("s1"));
        Files.writeString(file, "{\"put\":\"b\",\"sessionId\":\"s2\",\"workingDi", StandardOpenOption.APPEND);

        SessionStore reopened = open(file);
        assertThat(reopened.snapshot()).isEqualTo(Map.of("a", session("s1")));
        reopened.put("c", session("s3"));
        assertThat(open(file).snapshot()).isEqualTo(Map.of("a", session("s1"), "c", session("s3")));
        assertThat(Files.readString(file)).doesNotContain("workingDi\"").endsWith("\n");
    }

    @Test
    void aCorruptLineInTheMiddleIsDroppedAndTheFileIsPreserved() throws IOException {
        Path file = dir.resolve("sessions.journal");
        SessionStore store = open(file);
        store.put("a", session("s1"));
        Files.writeString(file, "not json\n{\"put\":\"x\",\"sessionId\":\"\"}\n", StandardOpenOption.APPEND);
        store.put("b", session("s2"));

        assertThat(open(file).snapshot()).isEqualTo(Map.of("a", session("s1"), "b", session("s2")));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("sessions.journal.corrupt-"));
        }
    }

    @Test
    void compactionKeepsTheFileNearTheLiveSessionsAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("sessions.journal");
        int slack = 20;
        SessionStore store = JournalSessionStore.open(file, SessionStore.DEFAULT_RETENTION, clock, slack);
        int puts = 10 * slack;
        for (int i = 0; i < puts; i++) {
            store.put("c" + (i % 10), session("s" + i));
            // Header plus at most twice the live sessions plus the slack, and one more record before a compaction.
            assertThat(Files.readAllLines(file).size()).isLessThanOrEqualTo(1 + 2 * 10 + slack + 1);
        }
        Map<String, StoredSession> expected = new HashMap<>();
        for (int i = puts - 10; i < puts; i++) {
            expected.put("c" + (i % 10), session("s" + i));
        }
        assertThat(open(file).snapshot()).isEqualTo(expected);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aTemporaryFileOfAnInterruptedCompactionIsDeletedAndTheJournalIsKept() throws IOException {
        Path file = dir.resolve("sessions.journal");
        open(file).put("a", session("s1"));
        Path temp = dir.resolve(".sessions.journal-12345.tmp");
        Files.writeString(temp, JournalSessionStore.HEADER + "\n{\"put\":\"half");

        assertThat(open(file).snapshot()).isEqualTo(Map.of("a", session("s1")));
        assertThat(temp).doesNotExist();
    }

    @Test
    void retentionForgetsSessionsNotWrittenForLongerThanIt() throws IOException {
        Path file = dir.resolve("sessions.journal");
        SessionStore store = SessionStore.fileBuilder(file)
                .retention(Duration.ofDays(2))
                .clock(clock)
                .build();
        store.put("old", session("s-old"));
        store.put("new", new StoredSession("s-new", Path.of("/w/n"), T0.plus(Duration.ofDays(1))));

        now.set(T0.plus(Duration.ofDays(2)).plusSeconds(1));
        assertThat(store.get("old")).isEmpty();
        assertThat(store.get("new")).isPresent();
        assertThat(store.snapshot()).containsOnlyKeys("new");

        SessionStore reopened = SessionStore.fileBuilder(file)
                .retention(Duration.ofDays(2))
                .clock(clock)
                .build();
        assertThat(reopened.snapshot()).containsOnlyKeys("new");
        reopened.put("x", new StoredSession("s-x", Path.of("/w/x"), now.get()));
        // The default of 30 days still has it: retention decides what is returned, the file keeps it until compacted.
        assertThat(SessionStore.fileBuilder(file).clock(clock).build().get("new"))
                .isPresent();
        assertThat(SessionStore.DEFAULT_RETENTION).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> SessionStore.fileBuilder(file).retention(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retention");
    }

    @Test
    void aJsonFileOfTheOldFormatIsMigratedAndKeptAsABackup() throws IOException {
        Path file = dir.resolve("sessions.json");
        SessionStore legacy = SessionStore.jsonFile(file);
        StoredSession withSettings = new StoredSession("s1", Path.of("/w/1"), T0, Map.of("mode", "architect"));
        legacy.put("discord:1", withSettings);
        legacy.put("discord:2", session("s2"));
        String original = Files.readString(file);

        SessionStore migrated = open(file);
        assertThat(migrated.snapshot()).isEqualTo(Map.of("discord:1", withSettings, "discord:2", session("s2")));
        assertThat(Files.readString(dir.resolve("sessions.json.json-backup"))).isEqualTo(original);
        assertThat(Files.readAllLines(file).get(0)).isEqualTo(JournalSessionStore.HEADER);

        migrated.put("discord:3", session("s3"));
        assertThat(open(file).snapshot()).containsOnlyKeys("discord:1", "discord:2", "discord:3");
    }

    @Test
    void aJournalOfANewerFormatIsRefusedAndLeftAlone() throws IOException {
        Path file = dir.resolve("sessions.journal");
        Files.writeString(file, "{\"acpPoolJournal\":2}\n{\"whatever\":1}\n");
        assertThatThrownBy(() -> open(file))
                .isInstanceOf(SessionStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("newer acp-pool");
        assertThat(Files.readString(file)).isEqualTo("{\"acpPoolJournal\":2}\n{\"whatever\":1}\n");
    }

    @Test
    void aFileThatIsNeitherIsMovedAsideNotLost() throws IOException {
        Path file = dir.resolve("sessions.journal");
        Files.writeString(file, "garbage\n");
        assertThat(open(file).snapshot()).isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("sessions.journal.corrupt-"));
        }
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        Path file = dir.resolve("sessions.journal");
        SessionStore store = open(file);
        int threads = 4;
        int perThread = 150;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        store.put("t" + thread + "-" + i, session("s" + thread + "-" + i));
                        if (i % 3 == 0) {
                            store.remove("t" + thread + "-" + i);
                        }
                        assertThat(store.get("t" + thread + "-0")).isEmpty();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, StoredSession> all = store.snapshot();
        assertThat(all).hasSize(threads * (perThread - perThread / 3));
        assertThat(open(file).snapshot()).isEqualTo(all);
    }
}
