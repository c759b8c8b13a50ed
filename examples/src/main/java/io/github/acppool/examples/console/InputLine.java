package io.github.acppool.examples.console;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One line the user typed: a console command, or a prompt for the agent. A line starting with {@code /} that is not
 * a console command goes to the agent as is (the demo agent's {@code /tool}, {@code /slow 5}, ...); {@code //}
 * sends a line that starts with one {@code /} even when it is a console command ({@code //help} asks the agent for
 * its help). Records are immutable.
 */
sealed interface InputLine {

    /** Text for the agent. */
    record Prompt(String text) implements InputLine {}

    /** {@code /use NAME} switches conversation; {@code /use} alone lists them. */
    record Use(@Nullable String name) implements InputLine {}

    /** {@code /agent NAME} puts the conversation on another agent; {@code /agent} alone shows its agent. */
    record Agent(@Nullable String name) implements InputLine {}

    /** {@code /cancel} stops the running turn; {@code /cancel all} also drops the queued messages. */
    record Cancel(boolean all) implements InputLine {}

    /** {@code /reset}: the conversation starts afresh. */
    record Reset() implements InputLine {}

    /** {@code /status}: every conversation. */
    record Status() implements InputLine {}

    /** {@code /help}. */
    record Help() implements InputLine {}

    /** {@code /quit} or {@code /exit}. */
    record Quit() implements InputLine {}

    /** Nothing but blanks. */
    record Blank() implements InputLine {}

    /** A console command used wrongly; {@code message} says how to use it. */
    record Invalid(String message) implements InputLine {}

    /** Whether this line is a console command (not a prompt and not blank). */
    default boolean isCommand() {
        return !(this instanceof Prompt) && !(this instanceof Blank);
    }

    static InputLine parse(String line) {
        String text = line.strip();
        if (text.isEmpty()) {
            return new Blank();
        }
        if (text.startsWith("//")) {
            return new Prompt(text.substring(1));
        }
        if (!text.startsWith("/")) {
            return new Prompt(text);
        }
        int space = text.indexOf(' ');
        String name = (space < 0 ? text.substring(1) : text.substring(1, space)).toLowerCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1).strip();
        return switch (name) {
            case "use" -> use(argument);
            case "agent" -> {
                if (argument.isEmpty()) {
                    yield new Agent(null);
                }
                yield io.github.acppool.broker.AgentSpec.ID_PATTERN
                                .matcher(argument)
                                .matches()
                        ? new Agent(argument)
                        : new Invalid(
                                "/agent: not an agent name: \"" + argument + "\" (/agent alone lists the agents)");
            }
            case "cancel" -> {
                if (argument.isEmpty()) {
                    yield new Cancel(false);
                }
                yield argument.equalsIgnoreCase("all")
                        ? new Cancel(true)
                        : new Invalid("/cancel takes no argument, or \"all\" to drop the queued messages too");
            }
            case "reset" -> noArgument(name, argument, new Reset());
            case "status" -> noArgument(name, argument, new Status());
            case "help" -> noArgument(name, argument, new Help());
            case "quit", "exit" -> noArgument(name, argument, new Quit());
            default -> new Prompt(text);
        };
    }

    private static InputLine use(String argument) {
        if (argument.isEmpty()) {
            return new Use(null);
        }
        String problem = ConsoleOptions.conversationNameProblem(argument);
        return problem == null ? new Use(argument) : new Invalid("/use: " + problem);
    }

    private static InputLine noArgument(String name, String argument, InputLine command) {
        return argument.isEmpty()
                ? command
                : new Invalid("/" + name + " takes no argument (to send \"/" + name + " " + argument
                        + "\" to the agent, type //" + name + " " + argument + ")");
    }
}
