package io.github.acppool.examples.demoagent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The content blocks of a {@code session/prompt}, read: the text the user typed, and one line describing each
 * other block (image, audio, resource link, embedded resource).
 *
 * @param text the text blocks, joined by blank lines
 * @param attachments a description of each non-text block, in order
 */
record PromptInput(String text, List<String> attachments) {

    PromptInput {
        attachments = List.copyOf(attachments);
    }

    /**
     * Reads the {@code prompt} array of a {@code session/prompt}.
     *
     * @throws RpcException with code -32602 if a block is not an object with a {@code type}
     */
    static PromptInput parse(JsonNode prompt) {
        if (!prompt.isArray()) {
            throw RpcException.invalidParams("prompt must be an array of content blocks");
        }
        List<String> texts = new ArrayList<>();
        List<String> attachments = new ArrayList<>();
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode block = prompt.get(i);
            String type = block.path("type").asText("");
            if (!block.isObject() || type.isEmpty()) {
                throw RpcException.invalidParams("prompt[" + i + "] must be a content block with a \"type\"");
            }
            if (type.equals("text")) {
                if (!block.path("text").isTextual()) {
                    throw RpcException.invalidParams("prompt[" + i + "] is a text block without \"text\"");
                }
                texts.add(block.path("text").asText());
            } else {
                attachments.add(describe(type, block));
            }
        }
        return new PromptInput(String.join("\n\n", texts), attachments);
    }

    /** The message as it is kept in the conversation history. */
    String historyText() {
        if (attachments.isEmpty()) {
            return text;
        }
        StringBuilder history = new StringBuilder(text);
        for (String attachment : attachments) {
            if (history.length() > 0) {
                history.append('\n');
            }
            history.append('[').append(attachment).append(']');
        }
        return history.toString();
    }

    private static String describe(String type, JsonNode block) {
        return switch (type) {
            case "image" -> describeImage(block);
            case "audio" ->
                "an audio clip (" + block.path("mimeType").asText("unknown type")
                        + sizeOfBase64(block.path("data").asText("")) + "); I cannot listen, sorry";
            case "resource_link" ->
                "a link to " + block.path("name").asText("a resource") + " ("
                        + block.path("uri").asText("no uri") + ")";
            case "resource" -> describeResource(block.path("resource"));
            default -> "a content block of type \"" + type + "\" that I do not know";
        };
    }

    private static String describeImage(JsonNode block) {
        String mimeType = block.path("mimeType").asText("unknown type");
        byte[] data;
        try {
            data = Base64.getDecoder().decode(block.path("data").asText(""));
        } catch (IllegalArgumentException e) {
            return "an image (" + mimeType + ") whose data is not valid base64";
        }
        return "an image (" + mimeType + ", " + bytes(data.length) + dimensions(data) + ")";
    }

    private static String dimensions(byte[] data) {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = input == null ? null : ImageIO.getImageReaders(input);
            if (readers == null || !readers.hasNext()) {
                return ", in a format I cannot read";
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                return ", " + reader.getWidth(0) + "×" + reader.getHeight(0) + " pixels";
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return ", damaged (" + e.getMessage() + ")";
        }
    }

    private static String describeResource(JsonNode resource) {
        String uri = resource.path("uri").asText("no uri");
        if (resource.path("text").isTextual()) {
            String text = resource.path("text").asText();
            return "the file " + uri + " (" + text.codePointCount(0, text.length()) + " characters, "
                    + text.lines().count() + " lines)";
        }
        if (resource.path("blob").isTextual()) {
            return "the file " + uri + " (binary"
                    + sizeOfBase64(resource.path("blob").asText()) + ")";
        }
        return "an embedded resource " + uri + " with no content";
    }

    private static String sizeOfBase64(String base64) {
        try {
            return ", " + bytes(Base64.getDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII)).length);
        } catch (IllegalArgumentException e) {
            return ", not valid base64";
        }
    }

    private static String bytes(long count) {
        if (count < 1024) {
            return count + " bytes";
        }
        return String.format(Locale.ROOT, "%.1f KB", count / 1024.0);
    }
}
