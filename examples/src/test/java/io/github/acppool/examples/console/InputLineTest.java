package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class InputLineTest {

    @Test
    void textIsAPrompt() {
        assertThat(InputLine.parse("  fix the test  ")).isEqualTo(new InputLine.Prompt("fix the test"));
    }

    @Test
    void consoleCommands_caseInsensitive() {
        assertThat(InputLine.parse("/use work")).isEqualTo(new InputLine.Use("work"));
        assertThat(InputLine.parse("/USE")).isEqualTo(new InputLine.Use(null));
        assertThat(InputLine.parse("/cancel")).isEqualTo(new InputLine.Cancel(false));
        assertThat(InputLine.parse("/cancel ALL")).isEqualTo(new InputLine.Cancel(true));
        assertThat(InputLine.parse("/reset")).isEqualTo(new InputLine.Reset());
        assertThat(InputLine.parse("/status")).isEqualTo(new InputLine.Status());
        assertThat(InputLine.parse("/help")).isEqualTo(new InputLine.Help());
        assertThat(InputLine.parse("/quit")).isEqualTo(new InputLine.Quit());
        assertThat(InputLine.parse("/exit")).isEqualTo(new InputLine.Quit());
        assertThat(InputLine.parse("   ")).isEqualTo(new InputLine.Blank());
    }

    @Test
    void otherSlashCommandsGoToTheAgent() {
        assertThat(InputLine.parse("/slow 5")).isEqualTo(new InputLine.Prompt("/slow 5"));
        assertThat(InputLine.parse("/tool")).isEqualTo(new InputLine.Prompt("/tool"));
        assertThat(InputLine.parse("/")).isEqualTo(new InputLine.Prompt("/"));
    }

    @Test
    void doubleSlashSendsAConsoleCommandToTheAgent() {
        assertThat(InputLine.parse("//help")).isEqualTo(new InputLine.Prompt("/help"));
        assertThat(InputLine.parse("//cancel now")).isEqualTo(new InputLine.Prompt("/cancel now"));
    }

    @Test
    void misusedCommandsSayHowToUseThem() {
        assertThat(InputLine.parse("/use no way"))
                .isEqualTo(new InputLine.Invalid("/use: not a conversation name: \"no way\" (use letters, digits,"
                        + " '.', '_' and '-', at most 64)"));
        assertThat(InputLine.parse("/cancel everything"))
                .isEqualTo(
                        new InputLine.Invalid("/cancel takes no argument, or \"all\" to drop the queued messages too"));
        assertThat(InputLine.parse("/status now"))
                .isEqualTo(new InputLine.Invalid(
                        "/status takes no argument (to send \"/status now\" to the agent," + " type //status now)"));
    }

    @Test
    void agentCommand_showsOrSwitches() {
        assertThat(InputLine.parse("/agent")).isEqualTo(new InputLine.Agent(null));
        assertThat(InputLine.parse("/Agent codex")).isEqualTo(new InputLine.Agent("codex"));
        assertThat(InputLine.parse("/agent no way"))
                .isEqualTo(
                        new InputLine.Invalid("/agent: not an agent name: \"no way\" (/agent alone lists the agents)"));
    }

    @Test
    void isCommand() {
        assertThat(InputLine.parse("/status").isCommand()).isTrue();
        assertThat(InputLine.parse("/status x").isCommand()).isTrue();
        assertThat(InputLine.parse("hello").isCommand()).isFalse();
        assertThat(InputLine.parse("").isCommand()).isFalse();
    }
}
