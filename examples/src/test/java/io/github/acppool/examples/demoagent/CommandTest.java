package io.github.acppool.examples.demoagent;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.examples.demoagent.Command.Parsed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class CommandTest {

    @Test
    void aKnownCommand_withItsArgument() {
        assertThat(Command.parse("  /slow   30 ")).isEqualTo(new Parsed(Command.SLOW, "slow", "30"));
    }

    @Test
    void commandNames_ignoreCase() {
        assertThat(Command.parse("/HELP").command()).isEqualTo(Command.HELP);
    }

    @Test
    void anUnknownCommand_keepsItsName() {
        Parsed parsed = Command.parse("/nope a b");

        assertThat(parsed).isEqualTo(new Parsed(null, "nope", "a b"));
        assertThat(parsed.isCommand()).isTrue();
    }

    @Test
    void textThatIsNotACommand() {
        assertThat(Command.parse("hello /help").isCommand()).isFalse();
        assertThat(Command.parse("/").isCommand()).isFalse();
        assertThat(Command.parse("/ spaced").isCommand()).isFalse();
        assertThat(Command.parse("").isCommand()).isFalse();
    }

    @Test
    void everyCommandHasAUniqueNameAndADescription() {
        assertThat(java.util.Arrays.stream(Command.values()).map(command -> command.commandName))
                .doesNotHaveDuplicates()
                .allMatch(name -> name.matches("[a-z]+"));
        assertThat(Command.values()).allMatch(command -> !command.description.isBlank());
        assertThat(Command.values()).allMatch(command -> command.argument.isEmpty() == (command.inputHint == null));
    }
}
