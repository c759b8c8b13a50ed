package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.acppool.examples.demoagent.SessionStore.Role;
import io.github.acppool.examples.demoagent.SessionStore.StoredMessage;
import io.github.acppool.examples.demoagent.SessionStore.StoredSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class SessionStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private SessionStore store(Path file) {
        return new SessionStore(
                file, new ObjectMapper(), new StderrLog(new PrintStream(stderr, true, StandardCharsets.UTF_8), false));
    }

    private static StoredSession session(String id, Instant updatedAt, String... texts) {
        List<StoredMessage> messages = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            messages.add(new StoredMessage(id + "-m" + i, i % 2 == 0 ? Role.USER : Role.AGENT, texts[i]));
        }
        return new StoredSession(id, "/cwd/" + id, T0, updatedAt, messages);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSavedSession_loadsBackEqual() {
        SessionStore store = store(dir.resolve("s.json"));
        StoredSession saved = session("a", T0.plusSeconds(5), "hi \u201cthere\u201d \uD83D\uDE00", "hello\nworld");

        store.save(saved);

        assertThat(store.load("a")).contains(saved);
        assertThat(store.load("b")).isEmpty();
    }

    @Test
    void missingDirectories_areCreated_andNoTemporaryFileIsLeft() throws IOException {
        Path file = dir.resolve("deep/er/s.json");

        store(file).save(session("a", T0));

        assertThat(file).exists();
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("s.json", "s.json.lock");
        }
    }

    @Test
    void twoStoresOnOneFile_keepEachOthersSessions() {
        Path file = dir.resolve("s.json");
        SessionStore one = store(file);
        SessionStore two = store(file);

        one.save(session("a", T0, "from one"));
        two.save(session("b", T0, "from two"));
        one.save(session("a", T0.plusSeconds(1), "from one", "again"));

        assertThat(two.load("a")).contains(session("a", T0.plusSeconds(1), "from one", "again"));
        assertThat(one.load("b")).contains(session("b", T0, "from two"));
    }

    @Test
    void concurrentSaves_fromTwoThreads_loseNothing() throws InterruptedException {
        Path file = dir.resolve("s.json");
        SessionStore one = store(file);
        SessionStore two = store(file);
        Thread first = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                one.save(session("one-" + i, T0));
            }
        });
        Thread second = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                two.save(session("two-" + i, T0));
            }
        });

        first.start();
        second.start();
        first.join();
        second.join();

        for (int i = 0; i < 20; i++) {
            assertThat(one.load("two-" + i)).isPresent();
            assertThat(two.load("one-" + i)).isPresent();
        }
    }

    @Test
    void onlyTheNewestSessions_andTheLastMessages_areKept() {
        SessionStore store = store(dir.resolve("s.json"));
        for (int i = 0; i <= SessionStore.MAX_SESSIONS; i++) {
            store.save(session("s" + i, T0.plusSeconds(i)));
        }
        String[] many = new String[SessionStore.MAX_MESSAGES + 10];
        for (int i = 0; i < many.length; i++) {
            many[i] = "m" + i;
        }

        store.save(session("long", T0.plusSeconds(10_000), many));

        assertThat(store.load("s0")).isEmpty();
        assertThat(store.load("s1")).isEmpty();
        assertThat(store.load("s2")).isPresent();
        List<StoredMessage> kept = store.load("long").orElseThrow().messages();
        assertThat(kept).hasSize(SessionStore.MAX_MESSAGES);
        assertThat(kept.get(0).text()).isEqualTo("m10");
    }

    @Test
    void anUnreadableFile_isMovedAsideWithAWarning_notOverwritten() throws IOException {
        Path file = dir.resolve("s.json");
        Files.writeString(file, "[1, 2", StandardCharsets.UTF_8);
        SessionStore store = store(file);

        assertThat(store.load("a")).isEmpty();
        store.save(session("a", T0));

        assertThat(files()).hasSize(3).contains("s.json", "s.json.lock");
        Path aside = dir.resolve(files().stream()
                .filter(name -> name.startsWith("s.json.unreadable-"))
                .findFirst()
                .orElseThrow());
        assertThat(aside).hasContent("[1, 2");
        assertThat(stderr.toString(StandardCharsets.UTF_8))
                .contains("WARN starting with no saved conversations: " + file + "; it is not valid JSON");
        assertThat(store.load("a")).isPresent();
    }

    @Test
    void aFileOfAnotherFormat_isMovedAsideToo() throws IOException {
        Path file = dir.resolve("s.json");
        Files.writeString(file, "{\"format\":2,\"sessions\":{}}", StandardCharsets.UTF_8);

        assertThat(store(file).load("a")).isEmpty();

        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("it is not a version 1 sessions file");
    }

    @Test
    void aFileThatCannotBeWritten_isReportedOnce_andSavingGoesOn() throws IOException {
        Path blocker = dir.resolve("not-a-directory");
        Files.writeString(blocker, "x", StandardCharsets.UTF_8);
        SessionStore store = store(blocker.resolve("s.json"));

        store.save(session("a", T0));
        store.save(session("b", T0));

        String log = stderr.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("cannot save conversations to " + blocker.resolve("s.json"));
        assertThat(log.indexOf("cannot save")).isEqualTo(log.lastIndexOf("cannot save"));
    }
}
