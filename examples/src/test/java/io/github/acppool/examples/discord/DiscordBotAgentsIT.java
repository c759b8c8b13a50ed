package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.discord.DiscordFrontEnd;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeInteraction;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.discord.fake.RestCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot with the {@code agents:} map, end to end against {@link FakeDiscord} with two bundled demo agents as real
 * processes: the config's agents reach the broker (autocomplete, the default agent, /doctor), and a channel bound in
 * thread mode answers without a mention, in the binding's own working directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class DiscordBotAgentsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private FakeDiscord discord;
    private FakeUser alice;
    private FakeChannel general;
    private FakeChannel bound;

    @BeforeEach
    void startDiscord() {
        discord = FakeDiscord.start();
        alice = discord.user("alice");
        general = discord.channel("general");
        bound = discord.channel("random");
    }

    @AfterEach
    void stopDiscord() {
        discord.close();
    }

    private String yaml() {
        return """
                agents:
                  first:
                    description: The first demo agent
                    env: {ACP_POOL_DEMO_AGENT_NO_DELAY: "true"}
                    workingDirectory: %s
                  second:
                    description: The second demo agent
                    env: {ACP_POOL_DEMO_AGENT_NO_DELAY: "true"}
                    workingDirectory: %s
                defaultAgent: second
                bindings:
                  - channel: %s
                    agent: first
                    mode: thread
                    workingDirectory: %s
                operators:
                  users: [%s]
                state:
                  directory: %s
                discord:
                  restBaseUrl: %s
                  gatewayUrl: %s
                """.formatted(
                        dir.resolve("first"),
                        dir.resolve("second"),
                        bound.idString(),
                        dir.resolve("bound"),
                        alice.idString(),
                        dir.resolve("state"),
                        discord.restBaseUrl(),
                        discord.gatewayUrl());
    }

    @Test
    void theAgentsOfTheConfig_areOffered_andABoundChannelWorksInItsOwnDirectory() throws IOException {
        BotConfig config = BotConfig.parse(yaml(), dir, dir);
        try (RunningBot bot = RunningBot.start(config, Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN))) {
            assertThat(DiscordBot.describeAgents(config)).isEqualTo("the agents second (default), first");
            assertThat(autocomplete(general, ""))
                    .containsExactly("second=second - The second demo agent", "first=first - The first demo agent");

            FakeMessage mention =
                    discord.sendUserMessage(alice, general, discord.bot().mention() + " hello");
            long thread = awaitThread(mention);
            awaitBotMessageContaining(thread, "Words:");
            assertThat(bot.broker().agentOf(DiscordFrontEnd.conversationId(thread)))
                    .as("the default agent")
                    .isEqualTo("second");

            FakeMessage unmentioned = discord.sendUserMessage(alice, bound, "hello bound channel");
            long boundThread = awaitThread(unmentioned);
            awaitBotMessageContaining(boundThread, "Words:");
            assertThat(bot.broker().agentOf(DiscordFrontEnd.conversationId(boundThread)))
                    .isEqualTo("first");
            assertThat(workingDirectories())
                    .as("the bound thread's agent works in the binding's directory, the other in its own")
                    .contains(
                            dir.resolve("bound").toRealPath(),
                            dir.resolve("second").toRealPath());

            FakeInteraction doctor = discord.runSlashCommand(alice, general, "doctor");
            RestCall edit = discord.awaitCall("PATCH", "/webhooks/*/" + doctor.token() + "/messages/@original");
            assertThat(edit.body().path("content").asText())
                    .contains("**second** ready")
                    .contains("**first** ready");
        }
        assertThat(dir.resolve("state/demo-agent-sessions-first.json")).exists();
        assertThat(dir.resolve("state/demo-agent-sessions-second.json")).exists();
    }

    /** The working directories of this JVM's child processes (Linux: /proc/PID/cwd). */
    private static List<Path> workingDirectories() {
        List<Path> out = new ArrayList<>();
        ProcessHandle.current().children().forEach(child -> {
            try {
                out.add(Files.readSymbolicLink(Path.of("/proc", Long.toString(child.pid()), "cwd")));
            } catch (IOException | UnsupportedOperationException e) {
                // gone meanwhile, or not Linux: the assertion shows what was found
            }
        });
        return out;
    }

    private List<String> autocomplete(FakeChannel channel, String typed) {
        FakeInteraction interaction = discord.autocomplete(alice, channel, "ask", "agent", typed);
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        List<String> choices = new ArrayList<>();
        for (JsonNode choice : callback.body().path("data").path("choices")) {
            choices.add(
                    choice.path("value").asText() + "=" + choice.path("name").asText());
        }
        return choices;
    }

    private long awaitThread(FakeMessage trigger) {
        return await().atMost(WAIT)
                .until(() -> discord.threadStartedFrom(trigger.id()), OptionalLong::isPresent)
                .getAsLong();
    }

    private void awaitBotMessageContaining(long channelId, String text) {
        await().atMost(WAIT).until(() -> discord.messagesIn(channelId).stream()
                .anyMatch(m -> m.authorId() == discord.bot().id() && m.content().contains(text)));
    }
}
