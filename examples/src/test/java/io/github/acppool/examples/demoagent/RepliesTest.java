package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class RepliesTest {

    private static PromptInput text(String text) {
        return new PromptInput(text, List.of());
    }

    @Test
    void analysis_ofAFirstMessage() {
        assertThat(Replies.analysis(text("Ship it, now!"), 1, Optional.empty())).isEqualTo("""
                        You said \u201cShip it, now!\u201d.

                        - Words: 3 (the longest is \u201cShip\u201d)
                        - Characters: 13
                        - Backwards: \u201c!won ,ti pihS\u201d

                        This is the first message of our conversation. Type /help to see what else I can do.""");
    }

    @Test
    void analysis_ofALaterQuestion_remembersThePreviousMessage() {
        String reply = Replies.analysis(text("why?"), 4, Optional.of("  earlier words "));

        assertThat(reply)
                .contains("That is a question!")
                .endsWith("This is message 4 of our conversation; before this you said \u201cearlier words\u201d."
                        + " Type /help to see what else I can do.");
    }

    @Test
    void analysis_greetsGreetings() {
        assertThat(Replies.analysis(text("hey there"), 1, Optional.empty())).startsWith("Hello to you too! ");
        assertThat(Replies.analysis(text("they said"), 1, Optional.empty())).doesNotContain("Hello to you too");
    }

    @Test
    void analysis_ofAttachmentsOnly() {
        String reply =
                Replies.analysis(new PromptInput("", List.of("an image (image/png, 1 bytes)")), 1, Optional.empty());

        assertThat(reply).startsWith("You sent no text.\n\nYou also sent me:\n- an image (image/png, 1 bytes)\n\n");
    }

    @Test
    void analysis_ofAnEmptyMessage() {
        assertThat(Replies.analysis(text("   "), 1, Optional.empty())).startsWith("Your message was empty.");
    }

    @Test
    void analysis_quotesLongMessagesShortened_withoutSplittingASurrogatePair() {
        String message = "a".repeat(Replies.MAX_QUOTE - 1) + "\uD83D\uDE00" + "b".repeat(100);

        String reply = Replies.analysis(text(message), 1, Optional.empty());

        assertThat(reply).contains("\u201c" + "a".repeat(Replies.MAX_QUOTE - 1) + "\u2026\u201d");
        assertThat(reply).contains("- Characters: " + (Replies.MAX_QUOTE + 100));
    }

    @Test
    void readSummary_countsWordsAndCharacters() {
        assertThat(Replies.readSummary("one")).isEqualTo("1 word, 3 characters");
        assertThat(Replies.readSummary("")).isEqualTo("0 words, 0 characters");
        assertThat(Replies.readSummary(" two  words\n")).isEqualTo("2 words, 12 characters");
    }

    @Test
    void help_listsEveryCommandWithItsArgument() {
        String help = Replies.help();

        for (Command command : Command.values()) {
            String usage = ("/" + command.commandName + " " + command.argument).strip();
            assertThat(help).contains("- `" + usage + "`: " + command.description + "\n");
        }
    }

    @Test
    void longReply_putsACodeBlockAcrossTheDiscordLimit() {
        String reply = Replies.longReply();
        int open = reply.indexOf("```java\n");
        int close = reply.indexOf("\n```\n", open);

        assertThat(reply.length()).isGreaterThan(2000);
        assertThat(open).isBetween(0, 1800);
        assertThat(close).isGreaterThan(2300);
        assertThat(reply.split("```", -1)).as("fences are balanced").hasSize(3);
    }

    @Test
    void unknownCommand_namesIt() {
        assertThat(Replies.unknownCommand("nope"))
                .isEqualTo("I do not know the command `/nope`. Type /help to see the ones I know.");
    }
}
