package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import java.util.List;
import java.util.Map;

/**
 * An MCP server the agent should connect to for a session. {@link Stdio} is always supported; {@link Http}
 * and {@link Sse} only when the agent advertises {@code mcpCapabilities}. Immutable and thread-safe; {@code
 * env} and {@code headers} are sent sorted by name.
 */
public sealed interface McpServer {

    String name();

    /** The wire form, a new object on each call. */
    ObjectNode toJson();

    /** A server the agent launches; {@code env} is passed to that process. */
    record Stdio(String name, String command, List<String> args, Map<String, String> env) implements McpServer {
        public Stdio {
            Checks.notNull(name, "name");
            Checks.notNull(command, "command");
            args = List.copyOf(args);
            env = Map.copyOf(env);
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode node = Json.object().put("name", name).put("command", command);
            ArrayNode argArray = node.putArray("args");
            args.forEach(argArray::add);
            node.set("env", pairs(env));
            return node;
        }
    }

    /** A server reached over streamable HTTP. */
    record Http(String name, String url, Map<String, String> headers) implements McpServer {
        public Http {
            Checks.notNull(name, "name");
            Checks.notNull(url, "url");
            headers = Map.copyOf(headers);
        }

        @Override
        public ObjectNode toJson() {
            return remote("http", name, url, headers);
        }
    }

    /** A server reached over server-sent events. */
    record Sse(String name, String url, Map<String, String> headers) implements McpServer {
        public Sse {
            Checks.notNull(name, "name");
            Checks.notNull(url, "url");
            headers = Map.copyOf(headers);
        }

        @Override
        public ObjectNode toJson() {
            return remote("sse", name, url, headers);
        }
    }

    private static ObjectNode remote(String type, String name, String url, Map<String, String> headers) {
        ObjectNode node = Json.object().put("type", type).put("name", name).put("url", url);
        node.set("headers", pairs(headers));
        return node;
    }

    private static ArrayNode pairs(Map<String, String> values) {
        ArrayNode array = Json.array();
        values.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> array.addObject().put("name", e.getKey()).put("value", e.getValue()));
        return array;
    }
}
