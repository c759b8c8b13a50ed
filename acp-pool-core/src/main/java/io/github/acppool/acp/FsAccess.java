package io.github.acppool.acp;

/**
 * Whether the client serves the agent's {@code fs/read_text_file} and {@code fs/write_text_file} requests.
 * When enabled, access is confined to the session's working directory: paths are canonicalised and {@code
 * ..}, absolute paths outside it and symlinks leading out of it are refused with a JSON-RPC error.
 *
 * <p>Immutable and thread-safe.
 */
public enum FsAccess {
    /** Not advertised; the agent uses its own file access. The default. */
    NONE,
    /** {@code fs/read_text_file} only. */
    READ,
    /** {@code fs/read_text_file} and {@code fs/write_text_file}. */
    READ_WRITE;

    boolean canRead() {
        return this != NONE;
    }

    boolean canWrite() {
        return this == READ_WRITE;
    }
}
