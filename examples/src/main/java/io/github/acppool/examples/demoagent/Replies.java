package io.github.acppool.examples.demoagent;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The texts of the demo agent's replies. Pure functions of their arguments. */
final class Replies {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern EDGE_PUNCTUATION = Pattern.compile("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$");
    private static final Pattern GREETING =
            Pattern.compile("^(hi|hello|hey|hallo|hola|bonjour|good (morning|afternoon|evening))\\b.*");
    static final int MAX_QUOTE = 200;

    private Replies() {}

    static String help() {
        StringBuilder help = new StringBuilder(
                "I am the acp-pool demo agent: a real ACP agent with a pretend brain, so everything works"
                        + " without an API key. Try these:\n\n");
        for (Command command : Command.values()) {
            help.append("- `/").append(command.commandName);
            if (!command.argument.isEmpty()) {
                help.append(' ').append(command.argument);
            }
            help.append("`: ").append(command.description).append('\n');
        }
        help.append("\nAnything else, I read and tell you what I see.");
        return help.toString();
    }

    /** The tool call result for an ordinary message: its counts. */
    static String readSummary(String text) {
        return plural(words(text).size(), "word") + ", " + plural(codePoints(text), "character");
    }

    /** The answer to an ordinary message: shows that the message was read, and that the session remembers. */
    static String analysis(PromptInput input, int messageNumber, Optional<String> previousUserText) {
        StringBuilder reply = new StringBuilder();
        String text = input.text().strip();
        String lower = text.toLowerCase(Locale.ROOT);
        if (GREETING.matcher(lower).matches()) {
            reply.append("Hello to you too! ");
        }
        if (text.isEmpty()) {
            reply.append(input.attachments().isEmpty() ? "Your message was empty." : "You sent no text.");
        } else {
            List<String> words = words(text);
            String longest = words.stream()
                    .map(word -> EDGE_PUNCTUATION.matcher(word).replaceAll(""))
                    .max(Comparator.comparingInt(String::length))
                    .orElse("");
            reply.append("You said \u201c").append(quote(text)).append("\u201d.\n\n");
            reply.append("- Words: ").append(words.size());
            if (!longest.isEmpty()) {
                reply.append(" (the longest is \u201c").append(longest).append("\u201d)");
            }
            reply.append("\n- Characters: ").append(codePoints(text));
            reply.append("\n- Backwards: \u201c")
                    .append(quote(new StringBuilder(text).reverse().toString()))
                    .append("\u201d");
            if (text.endsWith("?")) {
                reply.append("\n\nThat is a question! I am only a demo, so I cannot answer it;"
                        + " a real agent (Claude Code, Codex, Gemini) would.");
            }
        }
        if (!input.attachments().isEmpty()) {
            reply.append("\n\nYou also sent me:");
            for (String attachment : input.attachments()) {
                reply.append("\n- ").append(attachment);
            }
        }
        reply.append("\n\n");
        if (messageNumber <= 1) {
            reply.append("This is the first message of our conversation.");
        } else {
            reply.append("This is message ").append(messageNumber).append(" of our conversation");
            previousUserText.ifPresent(previous -> reply.append("; before this you said \u201c")
                    .append(quote(previous.strip()))
                    .append('\u201d'));
            reply.append('.');
        }
        reply.append(" Type /help to see what else I can do.");
        return reply.toString();
    }

    static String unknownCommand(String name) {
        return "I do not know the command `/" + name + "`. Type /help to see the ones I know.";
    }

    /**
     * A reply longer than Discord's 2000-character limit whose code block straddles that limit, so a splitter
     * that is not fence-aware shows it at once.
     */
    static String longReply() {
        return LONG_REPLY;
    }

    private static List<String> words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? List.of() : Arrays.asList(WHITESPACE.split(stripped));
    }

    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }

    private static String quote(String text) {
        if (text.length() <= MAX_QUOTE) {
            return text;
        }
        int end = MAX_QUOTE;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "\u2026";
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    private static final String LONG_REPLY = """
            Here is a long answer, the kind a coding agent gives when you ask it to explain something. \
            Chat platforms limit the size of one message (Discord allows 2000 characters), so a front end \
            has to split a reply like this one into several messages. A careless splitter cuts through the \
            middle of the code block below and breaks its formatting; a good one closes the fence at the \
            end of one message and reopens it at the start of the next.

            ## How acp-pool keeps one conversation from blocking another

            The pool holds one agent process per conversation. The map of conversations is guarded by a \
            short lock, and each connection has its own lock that is held for a whole turn. Starting a \
            process, initializing it and loading its session all happen with no pool lock held, so a slow \
            agent start in one thread never delays a message in another.

            ```java
            // A sketch of the two lock levels (not the real code).
            final class Pool {
                private final Map<String, Connection> connections = new ConcurrentHashMap<>();

                Reply prompt(String thread, String text) {
                    Connection connection = connections.computeIfAbsent(thread, this::start);
                    connection.lock().lock(); // only this conversation waits here
                    try {
                        return connection.prompt(text);
                    } finally {
                        connection.lock().unlock();
                    }
                }

                void evictIdle(Duration maxIdle) {
                    for (Connection connection : List.copyOf(connections.values())) {
                        if (!connection.lock().tryLock()) {
                            continue; // busy is not idle: skip it
                        }
                        try {
                            if (connection.idleFor().compareTo(maxIdle) > 0) {
                                connections.remove(connection.thread(), connection);
                                connection.closeLater();
                            }
                        } finally {
                            connection.lock().unlock();
                        }
                    }
                }

                String status() {
                    long busy = connections.values().stream().filter(Connection::isBusy).count();
                    return connections.size() + " conversations, " + busy + " busy";
                }

                void close() {
                    for (Connection connection : List.copyOf(connections.values())) {
                        connections.remove(connection.thread(), connection);
                        connection.closeLater(); // outside every lock
                    }
                }

                private Connection start(String thread) {
                    return Connection.spawn(thread); // no pool lock held while the process starts
                }
            }
            ```

            Three things in this sketch matter in production:

            1. **Busy is not idle.** The cleanup pass uses `tryLock` and skips a connection that is in a \
            turn, so a long tool call is never evicted from under its conversation.
            2. **Remove only what you checked.** `remove(key, value)` removes the entry only if it is still \
            the same connection, so a conversation that was restarted in the meantime is left alone.
            3. **Close outside the lock.** Stopping a process can take a while; doing it after the lock is \
            released keeps every other conversation moving.

            That is the end of this long answer. If it arrived as several messages with the code block intact \
            in each, your front end splits messages well.""";
}
