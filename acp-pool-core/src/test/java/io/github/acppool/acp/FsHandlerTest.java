package io.github.acppool.acp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.acppool.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** File access is confined to the session directory, canonically. */
@Timeout(10)
final class FsHandlerTest {
    @TempDir
    Path temp;

    private Path session;
    private Path outside;
    private final FsHandler fs = new FsHandler(1024 * 1024);

    @BeforeEach
    void setUp() throws IOException {
        session = Files.createDirectories(temp.resolve("session"));
        outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.writeString(session.resolve("notes.txt"), "one\ntwo\nthree\nfour");
    }

    private com.fasterxml.jackson.databind.node.ObjectNode params(String path) {
        return Json.object().put("sessionId", "s").put("path", path);
    }

    @Test
    void readsAndWritesInsideTheSessionDirectory() throws Exception {
        assertThat(fs.read(session, params(session.resolve("notes.txt").toString()))
                        .get("content")
                        .asText())
                .isEqualTo("one\ntwo\nthree\nfour");
        assertThat(fs.read(
                                session,
                                params(session.resolve("notes.txt").toString())
                                        .put("line", 2)
                                        .put("limit", 2))
                        .get("content")
                        .asText())
                .isEqualTo("two\nthree");
        fs.write(session, params(session.resolve("new/dir/file.txt").toString()).put("content", "héllo"));
        assertThat(Files.readString(session.resolve("new/dir/file.txt"), StandardCharsets.UTF_8))
                .isEqualTo("héllo");
    }

    @Test
    void refusesDotDotRelativeAndOutsidePaths() {
        for (String path : new String[] {
            session + "/../outside/secret.txt",
            "notes.txt",
            outside.resolve("secret.txt").toString(),
            "/etc/passwd",
            session + "/a/../notes.txt"
        }) {
            assertThatThrownBy(() -> fs.read(session, params(path)))
                    .as(path)
                    .isInstanceOfSatisfying(
                            FsHandler.FsError.class, e -> assertThat(e.code).isEqualTo(-32602));
        }
        assertThatThrownBy(() -> fs.write(
                        session, params(outside.resolve("x.txt").toString()).put("content", "x")))
                .isInstanceOf(FsHandler.FsError.class);
        assertThat(outside.resolve("x.txt")).doesNotExist();
    }

    @Test
    void refusesSymlinksThatLeadOutside() throws Exception {
        Files.createSymbolicLink(session.resolve("escape"), outside);
        Files.createSymbolicLink(session.resolve("secret-link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(session.resolve("inside-link.txt"), session.resolve("notes.txt"));
        assertThatThrownBy(() -> fs.read(session, params(session + "/escape/secret.txt")))
                .isInstanceOf(FsHandler.FsError.class)
                .hasMessageContaining("outside");
        assertThatThrownBy(() -> fs.read(session, params(session + "/secret-link.txt")))
                .isInstanceOf(FsHandler.FsError.class);
        assertThatThrownBy(() ->
                        fs.write(session, params(session + "/escape/new.txt").put("content", "x")))
                .isInstanceOf(FsHandler.FsError.class);
        assertThat(outside.resolve("new.txt")).doesNotExist();
        assertThat(fs.read(session, params(session + "/inside-link.txt"))
                        .get("content")
                        .asText())
                .startsWith("one");
    }

    @Test
    void aSymlinkedSessionDirectoryItselfIsFine() throws Exception {
        Path link = Files.createSymbolicLink(temp.resolve("session-link"), session);
        assertThat(fs.read(link, params(link + "/notes.txt")).get("content").asText())
                .startsWith("one");
        assertThat(fs.read(link, params(session + "/notes.txt")).get("content").asText())
                .startsWith("one");
    }

    @Test
    void missingFilesAndNonUtf8AreClearErrors() throws IOException {
        assertThatThrownBy(() -> fs.read(session, params(session + "/missing.txt")))
                .isInstanceOfSatisfying(
                        FsHandler.FsError.class, e -> assertThat(e.code).isEqualTo(-32002));
        Files.write(session.resolve("bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertThatThrownBy(() -> fs.read(session, params(session + "/bin")))
                .isInstanceOf(FsHandler.FsError.class)
                .hasMessageContaining("UTF-8");
    }
}
