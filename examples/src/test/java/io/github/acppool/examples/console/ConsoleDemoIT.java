package io.github.acppool.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.examples.ProgramVersion;
import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console demo driven as a real process from the packaged jar, with the bundled demo agent at full speed
 * ({@code --no-delay}). Input is a pipe, so the console runs in plain mode: one prompt after the other (or, with
 * {@code --interactive}, lines as they arrive) and no escape codes. Every test also checks that the console exits
 * and leaves no agent process behind.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ConsoleDemoIT {
    @TempDir
    Path dir;

    private ConsoleProcess console(String... extraArgs) {
        List<String> args = new java.util.ArrayList<>(
                List.of("--state-dir", dir.resolve("state").toString()));
        args.addAll(List.of(extraArgs));
        return ConsoleProcess.start(dir.resolve("cwd"), args.toArray(new String[0]));
    }

    private ConsoleProcess demo(String... extraArgs) {
        List<String> args = new java.util.ArrayList<>(List.of("--no-delay"));
        args.addAll(List.of(extraArgs));
        return console(args.toArray(new String[0]));
    }

    /** Runs a script to its end and returns the output. */
    private String script(ConsoleProcess console, String... lines) {
        console.send(lines);
        console.closeInput();
        assertThat(console.awaitExit())
                .as("exit status; stderr:\n%s", console.errors())
                .isZero();
        String output = console.output();
        assertThat(output).as("plain text only").doesNotContain("\033", "\r");
        return output;
    }

    @Test
    void version_fromTheJar_printsTheProjectVersion_andExits0() {
        try (ConsoleProcess console = ConsoleProcess.start(dir.resolve("cwd"), "--version")) {
            assertThat(console.awaitExit()).as("stderr:\n%s", console.errors()).isZero();
            assertThat(console.output()).isEqualTo("acp-pool console " + ProgramVersion.get() + "\n");
        }
    }

    @Test
    void script_severalPrompts_twoConversations_status_help() {
        try (ConsoleProcess console = demo()) {
            String output = script(
                    console,
                    "hello there",
                    "second message",
                    "/use work",
                    "hi",
                    "/use main",
                    "/status",
                    "/help",
                    "//help");

            assertThat(output)
                    .startsWith("acp-pool console · agent: the bundled demo agent")
                    .contains("Conversations: main (current) · /help lists the commands\n")
                    .contains(
                            "main> hello there\n  ⚙ Reading your message\n  ✓ Reading your message: 2 words, 11 characters\n"
                                    + "Hello to you too! You said “hello there”.")
                    .contains("main> second message\n")
                    .contains("This is message 2 of our conversation; before this you said “hello there”.")
                    .contains("(now in work: new, no messages yet)\nwork> hi\n")
                    .contains("(now in main: agent running, idle ")
                    .contains("\n* main: agent running, idle ")
                    .contains(", 2 turns, session ")
                    .contains("\n  work: agent running, idle ")
                    .contains(", 1 turn, session ")
                    .contains("Console commands:\n  /use NAME")
                    .contains("main> /help\n")
                    .contains("I am the acp-pool demo agent");
            assertThat(count(output, "This is the first message of our conversation."))
                    .as("main and work are separate conversations")
                    .isEqualTo(2);
            assertThat(output.indexOf("work> hi")).isGreaterThan(output.indexOf("before this you said “hello there”"));
        }
    }

    @Test
    void restart_resumesEveryConversation() {
        try (ConsoleProcess first = demo()) {
            script(first, "remember the apples", "/use work", "the pears are for work");
        }
        try (ConsoleProcess second = demo()) {
            String output = script(second, "/status", "what did I say?", "/use work", "and here?");

            assertThat(output)
                    .contains("Conversations: main (current), work · ")
                    .contains("* main: stored session ")
                    .contains("  work: stored session ")
                    .contains("main> what did I say?")
                    .contains("This is message 2 of our conversation; before this you said “remember the apples”.")
                    .contains("(now in work: stored session ")
                    .contains("This is message 2 of our conversation; before this you said “the pears are for work”.");
        }
    }

    @Test
    void agentsFile_agentShowsAndSwitches_theSwitchLosesTheContext_andARestartKeepsTheAgent() throws Exception {
        Path agents = java.nio.file.Files.writeString(dir.resolve("agents.yaml"), """
                agents:
                  alpha:
                    description: the first demo agent
                  beta:
                    description: the second demo agent
                """);
        try (ConsoleProcess console = demo("--agents", agents.toString())) {
            String output =
                    script(console, "/agent", "remember the apples", "/agent beta", "what did I say?", "/agent gamma");

            assertThat(output)
                    .startsWith("acp-pool console · agent: alpha (default), beta")
                    .contains("This conversation runs on agent alpha. Agents: alpha (the first demo agent), beta"
                            + " (the second demo agent). Switch with /agent NAME.")
                    .contains("(main: now on agent beta: the earlier context of this conversation is lost)")
                    .contains("There is no agent called gamma. Available: alpha, beta.");
            assertThat(count(output, "This is the first message of our conversation."))
                    .as("beta starts afresh")
                    .isEqualTo(2);
        }
        try (ConsoleProcess second = demo("--agents", agents.toString())) {
            String output = script(second, "/agent", "and now?");
            assertThat(output)
                    .contains("This conversation runs on agent beta.")
                    .contains("This is message 2 of our conversation; before this you said “what did I say?”.");
        }
    }

    @Test
    void script_cancelActsAtOnce_onASlowTurn_thenTheNextPromptRuns() {
        try (ConsoleProcess console = demo()) {
            // Two minutes of silence: this test's timeout fails it if /cancel waited for the turn.
            String output = script(console, "/slow 120", "/cancel", "after the cancel");

            assertThat(output)
                    .contains("main> /slow 120\n")
                    .contains("(main: cancelling)")
                    .doesNotContain("Done: the job ran")
                    .contains("main> after the cancel\n")
                    .contains("You said “after the cancel”.");
        }
    }

    @Test
    void interactive_aLineTypedDuringATurnIsQueued_andCancelLetsItRunNext() {
        try (ConsoleProcess console = demo("--interactive")) {
            console.send("/slow 120");
            console.awaitOutput("  ⚙ Slow job: 120 s without progress updates\n");
            console.send("queued hello");
            console.awaitOutput("(main: busy, so your message is queued (position 1))");
            console.send("/status");
            console.awaitOutput("* main: agent running, turn running, 1 queued, 0 turns");
            console.send("/cancel");
            console.awaitOutput("You said “queued hello”.");
            console.closeInput();
            assertThat(console.awaitExit()).isZero();

            String output = console.output();
            assertThat(output)
                    .contains("(main: cancelling)")
                    .contains("  ✗ Slow job: 120 s without progress updates: Cancelled.")
                    .doesNotContain("Done: the job ran");
            assertThat(output.indexOf("✗ Slow job")).isLessThan(output.indexOf("You said “queued hello”."));
        }
    }

    @Test
    void agentCrash_isReported_andTheNextMessageResumesTheConversationInANewAgent() {
        try (ConsoleProcess console = demo()) {
            String output = script(console, "/crash", "still there?");

            assertThat(output)
                    .contains("Crashing on purpose in the middle of this sentence")
                    .contains("(The agent stopped before finishing; your next message starts it again.)")
                    .contains("(main: the agent stopped; your next message starts a new one, which resumes this"
                            + " conversation)")
                    .contains("This is message 2 of our conversation; before this you said “/crash”.");
        }
    }

    @Test
    void permissionQuestions_areAnsweredByTheNextLine() {
        try (ConsoleProcess console = demo("--permissions", "ask")) {
            String output = script(console, "/permission", "maybe", "y", "/permission", "2");

            assertThat(output)
                    .contains("(main: the agent asks for permission: \"Delete demo-notes.txt\" [delete] ")
                    .contains("  1) Allow once   2) Reject\n")
                    .contains("(main: please answer y (allow once), n (reject) or a number from 1 to 2)")
                    .contains("(main: answered \"Allow once\")")
                    .contains("You allowed it, so I deleted `demo-notes.txt`.")
                    .contains("(main: answered \"Reject\")")
                    .contains("You said no, so I left `demo-notes.txt` alone.");
        }
    }

    @Test
    void permissions_inAScript_areRejectedByDefault_andTheConsoleSaysSo() {
        try (ConsoleProcess console = demo()) {
            String output = script(console, "/permission");

            assertThat(output)
                    .contains("(main: \"Delete demo-notes.txt\": rejected by --permissions reject)")
                    .contains("You said no, so I left `demo-notes.txt` alone.");
        }
    }

    @Test
    void terminate_likeCtrlC_stopsEveryAgent() {
        try (ConsoleProcess console = demo("--interactive")) {
            // One reply after the other: two conversations streaming at once interleave their output.
            console.send("hello");
            console.awaitOutput("You said “hello”.");
            console.send("/use work", "hi");
            console.awaitOutput("You said “hi”.");
            assertThat(console.rememberDescendants()).as("two agents run").hasSizeGreaterThanOrEqualTo(2);

            console.terminate();

            assertThat(console.awaitExit()).isNotZero();
            assertThat(console.errors()).contains("(stopping the agents)");
        }
    }

    @Test
    void agentOption_runsTheGivenCommandLine() {
        List<String> agent = DemoAgentLauncher.command(
                "--no-delay",
                "--sessions-file",
                dir.resolve("agent sessions.json").toString());
        String commandLine = agent.stream().map(word -> "'" + word + "'").collect(Collectors.joining(" "));
        try (ConsoleProcess console = console("--agent", commandLine)) {
            String output = script(console, "hello from a command line");

            assertThat(output)
                    .contains("acp-pool console · agent: " + String.join(" ", agent))
                    .contains("You said “hello from a command line”.");
        }
    }

    @Test
    void anAgentThatCannotStart_isOneErrorLinePerMessage_withTheOsReason_andStatus3() {
        try (ConsoleProcess console = console("--agent", "/nonexistent/acp-agent --stdio")) {
            console.send("hello", "again");
            console.closeInput();
            assertThat(console.awaitExit())
                    .as("exit status; stderr:\n%s", console.errors())
                    .isEqualTo(3);
            String output = console.output();

            List<String> errors =
                    output.lines().filter(line -> line.startsWith("error: ")).toList();
            assertThat(errors).hasSize(2);
            assertThat(errors.get(0))
                    .isEqualTo("error: main: The agent could not be started; try again later, and tell the operator if"
                            + " it keeps happening. (details: the log, or --verbose)");
            // The operator's log keeps the OS's reason.
            assertThat(dir.resolve("state").resolve("console.log"))
                    .content()
                    .contains("cannot start agent [/nonexistent/acp-agent, --stdio]: No such file or directory");
        }
        try (ConsoleProcess console = console("--agent", "/nonexistent/acp-agent --stdio", "--verbose")) {
            console.send("hello");
            console.closeInput();
            assertThat(console.awaitExit()).isEqualTo(3);

            assertThat(console.output())
                    .as("--verbose shows the details under the error")
                    .contains("/nonexistent/acp-agent");
        }
    }

    @Test
    void aWorkdirThatDoesNotExist_isStatus2_andIsNotCreated() {
        Path missing = dir.resolve("no/such/dir");
        try (ConsoleProcess console = console("--workdir", missing.toString())) {
            assertThat(console.awaitExit()).isEqualTo(2);
            assertThat(console.errors())
                    .isEqualTo("acp-pool console: --workdir " + missing + " does not exist" + System.lineSeparator());
            assertThat(missing).doesNotExist();
        }
    }

    @Test
    void badOption_isOneLineOnStderr_andStatus2() {
        try (ConsoleProcess console = console("--permissions", "sometimes")) {
            assertThat(console.awaitExit()).isEqualTo(2);
            assertThat(console.errors())
                    .isEqualTo("acp-pool console: --permissions must be ask, allow or reject, not \"sometimes\""
                            + System.lineSeparator());
            assertThat(console.output()).isEmpty();
        }
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
