package io.github.acppool.discord.fake;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A file a user attaches to a message; the fake serves its bytes on loopback at the attachment's {@code url}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FakeAttachment {
    private final String fileName;
    private final @Nullable String contentType;
    private final byte[] bytes;

    /** @param contentType the type Discord reports, or null for none */
    public FakeAttachment(String fileName, @Nullable String contentType, byte[] bytes) {
        this.fileName = fileName;
        this.contentType = contentType;
        this.bytes = bytes.clone();
    }

    public static FakeAttachment text(String fileName, String content) {
        return new FakeAttachment(fileName, "text/plain; charset=utf-8", content.getBytes(StandardCharsets.UTF_8));
    }

    public String fileName() {
        return fileName;
    }

    public @Nullable String contentType() {
        return contentType;
    }

    public byte[] bytes() {
        return bytes.clone();
    }
}
