package io.github.acppool.acp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.internal.Json;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An authentication method the agent offers in its {@code initialize} answer; pass {@link #id()} to {@code
 * authenticate}. Immutable and thread-safe ({@code meta} and {@code raw} are read-only by contract).
 *
 * <p>Agents describe methods in several shapes, all read here: the ACP "auth methods" RFD's {@code type}
 * ({@code agent}, the default when absent; {@code env_var} with a variable name in {@code "varName"} and an optional {@code link};
 * {@code terminal}, an interactive login a bot cannot do), and codex-acp's {@code vars: [{name}]}.
 *
 * @param id the method id
 * @param name a human-readable name (empty if the agent sent none)
 * @param description what the method does or how to set it up, if the agent said
 * @param type the method type, or null for the default ({@code agent})
 * @param varNames the environment variables the method reads its key from, as the agent names them ({@code
 *     varName} and {@code vars[].name}); empty when it names none
 * @param link where to get a key, if the agent said
 * @param meta the method's {@code _meta}, if any
 * @param raw the whole entry
 */
public record AuthMethod(
        String id,
        String name,
        @Nullable String description,
        @Nullable String type,
        List<String> varNames,
        @Nullable String link,
        @Nullable JsonNode meta,
        JsonNode raw) {

    /** The {@code type} of a method the user must run in a terminal; a chat bot can only point the operator to it. */
    public static final String TERMINAL = "terminal";

    public AuthMethod {
        varNames = List.copyOf(varNames);
    }

    /** True for a {@link #TERMINAL} method: interactive, so nothing a broker can do on its own. */
    public boolean interactive() {
        return TERMINAL.equals(type);
    }

    static AuthMethod fromJson(JsonNode node) {
        List<String> vars = new ArrayList<>();
        String varName = Json.text(node, "varName");
        if (varName != null && !varName.isBlank()) {
            vars.add(varName);
        }
        for (JsonNode var : node.path("vars")) {
            String name = Json.text(var, "name");
            if (name != null && !name.isBlank() && !vars.contains(name)) {
                vars.add(name);
            }
        }
        return new AuthMethod(
                Json.text(node, "id", ""),
                Json.text(node, "name", ""),
                Json.text(node, "description"),
                Json.text(node, "type"),
                vars,
                Json.text(node, "link"),
                Json.obj(node, "_meta"),
                node);
    }
}
