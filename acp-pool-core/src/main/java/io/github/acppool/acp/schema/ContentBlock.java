package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import org.jspecify.annotations.Nullable;

/**
 * A piece of content in a prompt or an update (ACP {@code ContentBlock}, discriminated by {@code type}).
 *
 * <p>Only {@link Text} and {@link ResourceLink} are always allowed in a prompt; images, audio and embedded
 * resources need the matching {@link PromptCapabilities}. Records are immutable and thread-safe; {@link
 * Other} holds a private copy of its JSON.
 */
public sealed interface ContentBlock {

    /** The wire {@code type}. */
    String type();

    /** The wire form, a new object on each call. */
    ObjectNode toJson();

    static Text text(String text) {
        return new Text(text);
    }

    /**
     * Reads a content block; a block of an unknown type, or a known type with missing fields, becomes
     * {@link Other} rather than an error.
     */
    static ContentBlock fromJson(JsonNode node) {
        String type = Json.text(node, "type", "");
        String text = Json.text(node, "text");
        String data = Json.text(node, "data");
        String mime = Json.text(node, "mimeType");
        String uri = Json.text(node, "uri");
        String name = Json.text(node, "name");
        ContentBlock block =
                switch (type) {
                    case "text" -> text == null ? null : new Text(text);
                    case "image" -> data == null || mime == null ? null : new Image(data, mime, uri);
                    case "audio" -> data == null || mime == null ? null : new Audio(data, mime);
                    case "resource_link" -> uri == null || name == null ? null : new ResourceLink(uri, name, mime);
                    default -> null;
                };
        if (block != null) {
            return block;
        }
        return new Other(type, node);
    }

    /** Plain text; the text of {@code agent_message_chunk}s is what a chat shows. */
    record Text(String text) implements ContentBlock {
        public Text {
            Checks.notNull(text, "text");
        }

        @Override
        public String type() {
            return "text";
        }

        @Override
        public ObjectNode toJson() {
            return Json.object().put("type", "text").put("text", text);
        }
    }

    /** A base64-encoded image; needs {@code promptCapabilities.image} in a prompt. */
    record Image(String data, String mimeType, @Nullable String uri) implements ContentBlock {
        public Image {
            Checks.notNull(data, "data");
            Checks.notNull(mimeType, "mimeType");
        }

        @Override
        public String type() {
            return "image";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode node =
                    Json.object().put("type", "image").put("data", data).put("mimeType", mimeType);
            if (uri != null) {
                node.put("uri", uri);
            }
            return node;
        }
    }

    /** Base64-encoded audio; needs {@code promptCapabilities.audio} in a prompt. */
    record Audio(String data, String mimeType) implements ContentBlock {
        public Audio {
            Checks.notNull(data, "data");
            Checks.notNull(mimeType, "mimeType");
        }

        @Override
        public String type() {
            return "audio";
        }

        @Override
        public ObjectNode toJson() {
            return Json.object().put("type", "audio").put("data", data).put("mimeType", mimeType);
        }
    }

    /** A link to a resource the agent can fetch itself; always allowed in a prompt. */
    record ResourceLink(String uri, String name, @Nullable String mimeType) implements ContentBlock {
        public ResourceLink {
            Checks.notNull(uri, "uri");
            Checks.notNull(name, "name");
        }

        @Override
        public String type() {
            return "resource_link";
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode node =
                    Json.object().put("type", "resource_link").put("uri", uri).put("name", name);
            if (mimeType != null) {
                node.put("mimeType", mimeType);
            }
            return node;
        }
    }

    /**
     * Any other block ({@code resource}, a type this version does not model, or a malformed block), kept
     * as JSON and sent back verbatim.
     */
    record Other(String type, JsonNode json) implements ContentBlock {
        public Other {
            Checks.notNull(type, "type");
            json = Checks.notNull(json, "json").deepCopy();
        }

        @Override
        public JsonNode json() {
            return json.deepCopy();
        }

        @Override
        public ObjectNode toJson() {
            return json.isObject()
                    ? (ObjectNode) json.deepCopy()
                    : Json.object().put("type", type);
        }
    }
}
