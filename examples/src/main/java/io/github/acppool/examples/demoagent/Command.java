package io.github.acppool.examples.demoagent;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The prompts the demo agent treats as commands; each shows off one thing a broker must get right. */
enum Command {
    HELP("help", "", "List the commands", null),
    TOOL("tool", "", "Run a pretend tool that reports its progress", null),
    SLOW(
            "slow",
            "[seconds]",
            "Run a tool call that stays silent for a while (default " + Command.DEFAULT_SLOW_SECONDS
                    + " s), which a broker must not mistake for a hang",
            "seconds of silence (default " + Command.DEFAULT_SLOW_SECONDS + ")"),
    PERMISSION("permission", "", "Ask for permission (allow once or reject) before a pretend file deletion", null),
    LONG("long", "", "Reply with more than 2000 characters and a code block, to show message splitting", null),
    LATE(
            "late",
            "[ms]",
            "End the turn, then send the rest of the reply after it (default " + Command.DEFAULT_LATE_MILLIS
                    + " ms later), to show the drain window",
            "milliseconds after the end of the turn (default " + Command.DEFAULT_LATE_MILLIS + ")"),
    CRASH("crash", "", "Exit with code " + Command.CRASH_EXIT_CODE + " in the middle of a reply", null),
    HANG("hang", "", "Stop answering, like a stuck agent (ignores cancel too), to show the timeouts", null);

    static final int DEFAULT_SLOW_SECONDS = 20;
    static final int MAX_SLOW_SECONDS = 3600;
    static final int DEFAULT_LATE_MILLIS = 100;
    static final int MAX_LATE_MILLIS = 60_000;
    static final int CRASH_EXIT_CODE = 3;

    final String commandName;
    final String argument;
    final String description;
    final @Nullable String inputHint;

    Command(String commandName, String argument, String description, @Nullable String inputHint) {
        this.commandName = commandName;
        this.argument = argument;
        this.description = description;
        this.inputHint = inputHint;
    }

    /** What the user typed: a command and its argument, an unknown command, or ordinary text. */
    record Parsed(@Nullable Command command, String name, String argument) {
        boolean isCommand() {
            return !name.isEmpty();
        }
    }

    /** {@code "/slow 5"} is SLOW with argument "5"; {@code "/nope"} has no command but a name; text has neither. */
    static Parsed parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("/") || trimmed.length() == 1 || Character.isWhitespace(trimmed.charAt(1))) {
            return new Parsed(null, "", trimmed);
        }
        int space = 1;
        while (space < trimmed.length() && !Character.isWhitespace(trimmed.charAt(space))) {
            space++;
        }
        String name = trimmed.substring(1, space).toLowerCase(Locale.ROOT);
        String argument = trimmed.substring(space).strip();
        for (Command command : values()) {
            if (command.commandName.equals(name)) {
                return new Parsed(command, name, argument);
            }
        }
        return new Parsed(null, name, argument);
    }
}
