package io.github.acppool.discord.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One REST call the fake Discord server received, with the status it answered.
 *
 * <p>Immutable and thread-safe (the body must not be modified).
 *
 * @param path the decoded path below the API base, e.g. {@code /channels/1/messages/2/reactions/👀/@me}
 * @param query the raw query string, or "" when there was none
 * @param body the JSON body (for a multipart request, its {@code payload_json} part); {@link MissingNode} when
 *     there was none
 */
public record RestCall(String method, String path, String query, JsonNode body, int status) {

    /** A text field of the body, or "" when absent: {@code call.text("content")}. */
    public String text(String field) {
        JsonNode node = body.path(field);
        return node.isTextual() ? node.asText() : "";
    }

    /** The path segment at {@code index} (0-based), e.g. segment 1 of {@code /channels/1/messages} is "1". */
    public String segment(int index) {
        String[] parts = path.substring(1).split("/", -1);
        return parts[index];
    }

    /** Whether this call has {@code method} and a path matching {@code pathPattern} ({@code *} = one segment). */
    public boolean matches(String method, String pathPattern) {
        return this.method.equals(method) && PathPattern.matches(pathPattern, path);
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " -> " + status
                + (body.isMissingNode() ? "" : " " + body);
    }
}
