package io.github.acppool.turn;

import io.github.acppool.AcpPoolException;

/**
 * A prompt was not sent because it holds content the agent did not advertise support for (an image, audio
 * or an embedded resource without the matching {@code promptCapabilities}). Text and resource links are
 * always accepted.
 *
 * <p>Immutable and thread-safe.
 */
public final class UnsupportedContentException extends AcpPoolException {
    private static final long serialVersionUID = 1L;

    private final String contentType;
    private final String capability;

    public UnsupportedContentException(String contentType, String capability, boolean initialized) {
        super("the agent does not accept " + contentType + " content in prompts: "
                + (initialized
                        ? "it did not advertise " + capability
                        : "it has not answered initialize yet, so " + capability + " is unknown"));
        this.contentType = contentType;
        this.capability = capability;
    }

    @Override
    public String userMessage() {
        String what =
                switch (contentType) {
                    case "image" -> "images";
                    case "audio" -> "audio";
                    case "resource" -> "attached files";
                    default -> "this kind of content";
                };
        return "This agent does not accept " + what + "; send your message as text instead.";
    }

    /** The content block type, e.g. {@code image}. */
    public String contentType() {
        return contentType;
    }

    /** The capability it needs, e.g. {@code promptCapabilities.image}. */
    public String capability() {
        return capability;
    }
}
