package io.github.acppool.discord;

import io.github.acppool.acp.schema.ContentBlock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import net.dv8tion.jda.api.entities.Message;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a message's attachments into prompt content: text files inlined as text blocks, images as ACP image blocks,
 * each within the configured size; everything else is skipped with a note for the user. Downloads run on the front
 * end's executor with the configured timeout.
 *
 * <p>Thread-safe.
 */
final class Attachments {

    private static final Logger LOG = LoggerFactory.getLogger(Attachments.class);

    /** File name endings read as text when Discord gives no (or a generic) content type. */
    private static final Set<String> TEXT_ENDINGS = Set.of(
            "txt",
            "md",
            "log",
            "csv",
            "tsv",
            "json",
            "yaml",
            "yml",
            "toml",
            "xml",
            "html",
            "css",
            "ini",
            "cfg",
            "conf",
            "properties",
            "java",
            "kt",
            "kts",
            "scala",
            "groovy",
            "gradle",
            "py",
            "rb",
            "go",
            "rs",
            "c",
            "h",
            "cc",
            "cpp",
            "hpp",
            "cs",
            "js",
            "mjs",
            "ts",
            "tsx",
            "jsx",
            "sh",
            "bash",
            "zsh",
            "sql",
            "diff",
            "patch",
            "swift",
            "php",
            "lua",
            "r",
            "pl",
            "dockerfile",
            "env");

    private static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");

    /** What a message's attachments became: prompt blocks, and notes for what was skipped. */
    record Prepared(List<ContentBlock> blocks, List<String> notes) {
        Prepared {
            blocks = List.copyOf(blocks);
            notes = List.copyOf(notes);
        }
    }

    private final DiscordConfig config;
    private final HttpClient http;

    Attachments(DiscordConfig config, Executor executor) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.attachmentDownloadTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .executor(executor)
                .build();
    }

    CompletableFuture<Prepared> prepare(String key, List<Message.Attachment> attachments) {
        List<CompletableFuture<Item>> items = new ArrayList<>();
        for (Message.Attachment attachment : attachments) {
            items.add(one(key, attachment));
        }
        return CompletableFuture.allOf(items.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<ContentBlock> blocks = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (CompletableFuture<Item> item : items) {
                Item done = item.join();
                if (done.block != null) {
                    blocks.add(done.block);
                }
                if (done.note != null) {
                    notes.add(done.note);
                }
            }
            return new Prepared(blocks, notes);
        });
    }

    private record Item(
            @Nullable ContentBlock block, @Nullable String note) {}

    private CompletableFuture<Item> one(String key, Message.Attachment attachment) {
        String name = attachment.getFileName();
        String type = contentType(attachment);
        boolean image = IMAGE_TYPES.contains(type);
        boolean text = !image && isText(type, name);
        if (!image && !text) {
            return skipped(name, "not a text file or an image (" + (type.isEmpty() ? "unknown type" : type) + ")");
        }
        long limit = image ? config.maxImageBytes() : config.maxTextAttachmentBytes();
        if (attachment.getSize() > limit) {
            return skipped(name, "larger than the " + size(limit) + " limit (" + size(attachment.getSize()) + ")");
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(attachment.getUrl()))
                    .timeout(config.attachmentDownloadTimeout())
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return skipped(name, "its address is not valid");
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            if (error != null || response.statusCode() / 100 != 2) {
                LOG.warn(
                        "{} - downloading attachment {} failed: {}",
                        key,
                        name,
                        error != null ? String.valueOf(error) : "HTTP " + response.statusCode());
                return skippedNow(name, "it could not be downloaded");
            }
            byte[] bytes = response.body();
            if (bytes.length > limit) {
                return skippedNow(name, "larger than the " + size(limit) + " limit (" + size(bytes.length) + ")");
            }
            if (image) {
                return new Item(new ContentBlock.Image(Base64.getEncoder().encodeToString(bytes), type, null), null);
            }
            String content = utf8(bytes);
            if (content == null) {
                return skippedNow(name, "it is not UTF-8 text");
            }
            return new Item(
                    ContentBlock.text("<attachment name=\"" + name.replace("\"", "'") + "\">\n" + content
                            + (content.endsWith("\n") ? "" : "\n") + "</attachment>"),
                    null);
        });
    }

    private static CompletableFuture<Item> skipped(String name, String why) {
        return CompletableFuture.completedFuture(skippedNow(name, why));
    }

    private static Item skippedNow(String name, String why) {
        return new Item(null, "📎 Skipped `" + name.replace('`', '\'') + "`: " + why + ".");
    }

    private static String contentType(Message.Attachment attachment) {
        String type = attachment.getContentType();
        if (type == null) {
            return guessType(attachment.getFileName());
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    static String guessType(String name) {
        String ending = ending(name);
        return switch (ending) {
            case "png" -> "image/png";
            case "jpg", "jpeg" -> "image/jpeg";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            default -> TEXT_ENDINGS.contains(ending) ? "text/plain" : "";
        };
    }

    static boolean isText(String type, String name) {
        return type.startsWith("text/")
                || type.equals("application/json")
                || type.equals("application/xml")
                || type.endsWith("+json")
                || type.endsWith("+xml")
                || type.equals("application/x-yaml")
                || type.equals("application/yaml")
                || type.equals("application/javascript")
                || ((type.isEmpty() || type.equals("application/octet-stream")) && TEXT_ENDINGS.contains(ending(name)));
    }

    private static String ending(String name) {
        int dot = name.lastIndexOf('.');
        return (dot < 0 ? name : name.substring(dot + 1)).toLowerCase(Locale.ROOT);
    }

    private static @Nullable String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String size(long bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
        }
        if (bytes >= 1024) {
            return (bytes / 1024) + " KB";
        }
        return bytes + " bytes";
    }
}
