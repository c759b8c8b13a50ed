package io.github.acppool.broker;

import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.acp.schema.AuthMethod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Picks the {@code authenticate} method of an agent process from the authentication policy, the agent's
 * advertised methods and the environment the agent runs with, and writes the operator's text when nothing
 * fits. Stateless and thread-safe.
 */
final class Authentication {

    /** The settings an operator can change, named for every front end this project ships. */
    private static final String POLICY_SETTING = "the authentication policy (AcpBroker.Builder.authPolicy or"
            + " AgentLaunchSpec.Builder.authPolicy; agent.authMethod in the bundled bot's YAML, --auth on the"
            + " console)";

    private static final String ENV_SETTING = "AgentLaunchSpec.Builder.inheritEnv (agent.inheritEnv in the"
            + " bundled bot's YAML, --env NAME on the console)";

    private static final int MAX_FIELD = 300;
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\u2028\u2029]+");

    private final AuthPolicy policy;
    private final List<AuthMethod> methods;
    private final Map<String, String> environment;

    Authentication(AuthPolicy policy, List<AuthMethod> methods, Map<String, String> environment) {
        this.policy = policy;
        this.methods = methods;
        this.environment = environment;
    }

    List<AuthMethod> methods() {
        return methods;
    }

    /**
     * The method to send right after {@code initialize}: the policy's explicit method, or the one method whose
     * key variable the agent will find set. Empty when the agent advertises nothing or the policy picks nothing
     * up front.
     *
     * @throws IllegalArgumentException (with the operator's text) if the explicit method is not advertised
     */
    Optional<AuthMethod> upFront() {
        if (methods.isEmpty()) {
            return Optional.empty();
        }
        return switch (policy.kind()) {
            case NONE -> Optional.empty();
            case METHOD -> Optional.of(explicit());
            case AUTOMATIC -> byVariable();
        };
    }

    /**
     * The method to try once the agent has answered "authentication required" although nothing was sent up
     * front: under {@code automatic}, the agent's only method, if it is one the agent can do on its own (not
     * interactive, and its key variable set if it names one). With several methods nothing is guessed: Codex's
     * {@code chatgpt} login, for one, waits for a browser and never answers a bot. Empty when nothing fits.
     */
    Optional<AuthMethod> whenRequired() {
        if (policy.kind() != AuthPolicy.Kind.AUTOMATIC) {
            return policy.kind() == AuthPolicy.Kind.METHOD && !methods.isEmpty()
                    ? Optional.of(explicit())
                    : Optional.empty();
        }
        if (methods.size() != 1) {
            return Optional.empty();
        }
        AuthMethod only = methods.get(0);
        return only.interactive() || (!only.varNames().isEmpty() && !hasVariable(only))
                ? Optional.empty()
                : Optional.of(only);
    }

    private AuthMethod explicit() {
        String id = policy.methodId().orElseThrow();
        return methods.stream()
                .filter(m -> m.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        explain("the authentication method \"" + id + "\" is not one the agent offers")));
    }

    private Optional<AuthMethod> byVariable() {
        // In the agent's order: with both CODEX_API_KEY and OPENAI_API_KEY set, codex-acp's own preference wins.
        return methods.stream()
                .filter(m -> !m.interactive())
                .filter(this::hasVariable)
                .findFirst();
    }

    private boolean hasVariable(AuthMethod method) {
        return method.varNames().stream().anyMatch(name -> {
            String value = environment.get(name);
            return value != null && !value.isEmpty();
        });
    }

    /**
     * The operator's text: {@code problem}, the advertised methods with their names and descriptions, the
     * setting that picks one, and the variables named by a method that the agent would not get.
     */
    String explain(String problem) {
        StringBuilder text = new StringBuilder("The agent needs authentication: ").append(problem);
        text.append(". Authentication policy: ").append(policy).append('.');
        if (methods.isEmpty()) {
            text.append(" The agent advertises no authentication method: set it up outside ACP as the agent's own"
                    + " documentation says (e.g. a key variable in its environment, or a login stored in its"
                    + " HOME).");
            return text.toString();
        }
        text.append(" The agent offers:");
        for (AuthMethod method : methods) {
            text.append("\n  - ").append(clean(method.id()));
            if (!method.name().isBlank() && !method.name().equals(method.id())) {
                text.append(" (").append(clean(method.name())).append(')');
            }
            if (method.description() != null && !method.description().isBlank()) {
                text.append(": ").append(clean(method.description()));
            }
            if (method.interactive()) {
                text.append(" [interactive: run it in a terminal as the agent's user; a bot cannot]");
            }
            for (String name : method.varNames()) {
                String value = environment.get(name);
                text.append(
                        value != null && !value.isEmpty()
                                ? " [reads " + name + ", which the agent gets]"
                                : " [reads " + name + ", which is not passed to the agent: add it to " + ENV_SETTING
                                        + "]");
            }
            if (method.link() != null) {
                text.append(" [key from ").append(method.link()).append(']');
            }
        }
        text.append("\nPick one with ").append(POLICY_SETTING).append(", e.g. ");
        text.append(suggestion());
        text.append('.');
        return text.toString();
    }

    private String suggestion() {
        AuthMethod first =
                methods.stream().filter(m -> !m.interactive()).findFirst().orElse(methods.get(0));
        return "\"" + clean(first.id()) + "\"";
    }

    /**
     * What an agent wrote, fit for one line of the operator's log: control characters (line breaks, ANSI escape
     * sequences) become spaces, and it is cut at {@value #MAX_FIELD} characters. Agent text is untrusted.
     */
    static String clean(String agentText) {
        String flat = CONTROL.matcher(ANSI.matcher(agentText).replaceAll(""))
                .replaceAll(" ")
                .strip();
        return flat.length() <= MAX_FIELD ? flat : flat.substring(0, MAX_FIELD) + "...";
    }

    static @Nullable String describe(@Nullable Throwable cause) {
        if (cause == null) {
            return null;
        }
        String text = cause.getMessage();
        return text == null || text.isBlank() ? cause.toString() : text;
    }
}
