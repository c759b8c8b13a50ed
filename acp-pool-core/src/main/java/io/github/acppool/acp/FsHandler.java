package io.github.acppool.acp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.internal.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Serves {@code fs/read_text_file} and {@code fs/write_text_file} inside a session's working directory.
 *
 * <p>A path must be absolute, contain no {@code ..} segment, lie under the session directory, and still lie
 * under it once symlinks are resolved (for a file that does not exist yet: its nearest existing ancestor).
 * There is a window between that check and the I/O in which a process of the agent could swap a directory
 * for a symlink; the check stops mistakes and prompt-injected paths, not a hostile local process.
 */
final class FsHandler {

    /** A refused or failed request, answered with this JSON-RPC error. */
    static final class FsError extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        FsError(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final long maxBytes;

    FsHandler(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    ObjectNode read(Path root, JsonNode params) throws FsError {
        Path path = confine(root, params);
        try {
            if (Files.size(path) > maxBytes) {
                throw new FsError(
                        AcpProtocolException.INVALID_PARAMS, "file is larger than " + maxBytes + " bytes: " + path);
            }
            String content = decode(Files.readAllBytes(path), path);
            JsonNode line = params.get("line");
            JsonNode limit = params.get("limit");
            if ((line != null && line.isIntegralNumber()) || (limit != null && limit.isIntegralNumber())) {
                content = slice(
                        content, line == null ? 1 : Math.max(1, line.asInt()), limit == null ? -1 : limit.asInt());
            }
            return Json.object().put("content", content);
        } catch (NoSuchFileException e) {
            throw new FsError(AcpProtocolException.RESOURCE_NOT_FOUND, "no such file: " + path);
        } catch (IOException e) {
            throw new FsError(AcpProtocolException.INTERNAL_ERROR, "cannot read " + path + ": " + e);
        }
    }

    ObjectNode write(Path root, JsonNode params) throws FsError {
        Path path = confine(root, params);
        String content = Json.text(params, "content");
        if (content == null) {
            throw new FsError(AcpProtocolException.INVALID_PARAMS, "content must be a string");
        }
        try {
            Path parent = path.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(path, content, StandardCharsets.UTF_8);
            return Json.object();
        } catch (IOException e) {
            throw new FsError(AcpProtocolException.INTERNAL_ERROR, "cannot write " + path + ": " + e);
        }
    }

    /** Returns the canonical path to use, or refuses. */
    static Path confine(Path sessionDir, JsonNode params) throws FsError {
        String requested = Json.text(params, "path");
        if (requested == null) {
            throw new FsError(AcpProtocolException.INVALID_PARAMS, "path must be a string");
        }
        Path path;
        try {
            path = Path.of(requested);
        } catch (RuntimeException e) {
            throw new FsError(AcpProtocolException.INVALID_PARAMS, "not a path: " + requested);
        }
        if (!path.isAbsolute()) {
            throw new FsError(AcpProtocolException.INVALID_PARAMS, "path must be absolute: " + requested);
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw new FsError(AcpProtocolException.INVALID_PARAMS, "path must not contain '..': " + requested);
            }
        }
        path = path.normalize();
        Path root;
        try {
            root = sessionDir.toRealPath();
        } catch (IOException e) {
            throw new FsError(AcpProtocolException.INTERNAL_ERROR, "session directory is gone: " + sessionDir);
        }
        Path lexicalRoot = sessionDir.toAbsolutePath().normalize();
        Path relative;
        if (path.startsWith(root)) {
            relative = root.relativize(path);
        } else if (path.startsWith(lexicalRoot)) {
            relative = lexicalRoot.relativize(path);
        } else {
            throw new FsError(
                    AcpProtocolException.INVALID_PARAMS, "path is outside the session directory: " + requested);
        }
        Path target = root.resolve(relative);
        Path existing = target;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        try {
            if (existing == null) {
                throw new FsError(AcpProtocolException.INVALID_PARAMS, "no existing ancestor: " + requested);
            }
            Path real = existing.toRealPath();
            if (!real.startsWith(root)) {
                throw new FsError(
                        AcpProtocolException.INVALID_PARAMS, "path leads outside the session directory: " + requested);
            }
            return existing.equals(target) ? real : real.resolve(existing.relativize(target));
        } catch (IOException e) {
            // A dangling symlink, or a file that vanished: refuse rather than follow.
            throw new FsError(
                    AcpProtocolException.INVALID_PARAMS, "cannot resolve " + requested + ": " + e.getMessage());
        }
    }

    private static String decode(byte[] bytes, Path path) throws FsError {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FsError(AcpProtocolException.INVALID_PARAMS, "not a UTF-8 text file: " + path);
        }
    }

    private static String slice(String content, int line, int limit) {
        List<String> lines = content.lines().toList();
        int from = Math.min(lines.size(), line - 1);
        int to = limit < 0 ? lines.size() : (int) Math.min(lines.size(), (long) from + limit);
        return String.join("\n", lines.subList(from, to));
    }
}
