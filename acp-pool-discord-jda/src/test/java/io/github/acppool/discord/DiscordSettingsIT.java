package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeInteraction;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.discord.fake.RestCall;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.DrainPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /mode} and {@code /model} end to end: real JDA against {@link FakeDiscord}, a broker over fake agents that
 * advertise modes and select config options (as claude-agent-acp does), a JSON session store; the bot restarts
 * (front end and broker, new agent processes) and the conversation keeps what was chosen.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiscordSettingsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private FakeDiscord discord;
    private FakeScheduler clock;
    private ExecutorService executor;
    private JDA jda;
    private FakeUser alice;
    private FakeUser bob;
    private FakeChannel general;
    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeEach
    void start() {
        discord = FakeDiscord.start();
        alice = discord.user("alice");
        bob = discord.user("bob");
        general = discord.channel("general");
        clock = new FakeScheduler();
        executor = Executors.newFixedThreadPool(2);
        jda = discord.login(discord.jdaBuilder(DiscordFrontEnd.requiredIntents()));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        discord.close();
        executor.shutdownNow();
        clock.shutdownNow();
    }

    /** A front end and a broker, as the bot runs them; closed (in reverse) by {@link #stop} or a restart. */
    private AcpBroker startBot() {
        DiscordConfig config = DiscordConfig.builder()
                .access(AccessRules.builder()
                        .allowedRoles(List.of(discord.role("agents").id()))
                        .build())
                .build();
        DiscordFrontEnd frontEnd = DiscordFrontEnd.create(config, executor, clock, clock);
        AcpBroker broker = AcpBroker.builder()
                .agent(FakeAgent.launchSpec(
                        "--marker=discord-settings-it", "--advertise-settings", "--state-dir=" + work.resolve("agent")))
                .workingDirectory(id -> work.resolve("cwd"))
                .sessionStore(SessionStore.jsonFile(work.resolve("sessions.json")))
                .clientOptions(AcpClientOptions.builder()
                        .permissionPolicy(frontEnd.permissionPolicy())
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        frontEnd.start(broker, jda);
        running.add(broker::shutdown);
        running.add(frontEnd);
        return broker;
    }

    private void restartBot() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.remove(i).close();
        }
        startBot();
    }

    @Test
    void modeAndModel_areOfferedAsTheAgentAdvertisedThem_setInTheThread_andSurviveARestart() throws Exception {
        startBot();
        await().atMost(WAIT).until(() -> discord.globalCommandNames().containsAll(List.of("mode", "model")));
        FakeMessage trigger =
                discord.sendUserMessage(alice, general, discord.bot().mention() + " settings");
        discord.awaitCall("POST", "/channels/*/messages/" + trigger.idString() + "/threads");
        long threadId = discord.threadStartedFrom(trigger.id()).orElseThrow();
        FakeChannel thread = discord.channel(threadId);
        awaitBotMessageContaining(threadId, "settings: mode=ask model=small effort=low");

        assertThat(autocomplete(alice, thread, "mode", ""))
                .containsExactly("ask=Ask (current)", "code=Code - Writes code");
        assertThat(autocomplete(alice, thread, "model", "lar")).containsExactly("large=Large");
        assertThat(autocomplete(bob, thread, "mode", ""))
                .as("not for people who may not talk")
                .isEmpty();
        assertThat(autocomplete(alice, general, "mode", ""))
                .as("no agent runs for the channel")
                .isEmpty();

        assertThat(publicAnswer(discord.runSlashCommand(alice, thread, "mode", Map.of("mode", "code"))))
                .isEqualTo("⚙️ " + alice.mention() + " set the mode to **Code**.");
        assertThat(publicAnswer(discord.runSlashCommand(alice, thread, "model", Map.of("model", "large"))))
                .isEqualTo("⚙️ " + alice.mention() + " set the model to **Large**.");
        assertThat(ephemeralAnswer(discord.runSlashCommand(alice, thread, "model", Map.of("model", "huge"))))
                .contains("offers no model \"huge\"");
        assertThat(ephemeralAnswer(discord.runSlashCommand(bob, thread, "mode", Map.of("mode", "ask"))))
                .contains("not allowed");
        discord.sendUserMessage(alice, thread, "settings");
        awaitBotMessageContaining(threadId, "settings: mode=code model=large effort=low");

        restartBot();
        discord.sendUserMessage(alice, thread, "settings");
        await().atMost(WAIT)
                .until(() -> botMessages(threadId).stream()
                                .filter(m -> m.content().equals("settings: mode=code model=large effort=low"))
                                .count()
                        == 2);
        assertThat(autocomplete(alice, thread, "model", "")).contains("large=Large (current)");
    }

    // ---------------------------------------------------------------- helpers

    /** The choices the bot offers, as "value=label". */
    private List<String> autocomplete(FakeUser user, FakeChannel channel, String command, String typed) {
        FakeInteraction interaction = discord.autocomplete(user, channel, command, command, typed);
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(8);
        List<String> choices = new ArrayList<>();
        for (JsonNode choice : callback.body().path("data").path("choices")) {
            choices.add(
                    choice.path("value").asText() + "=" + choice.path("name").asText());
        }
        return choices;
    }

    private String publicAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).as("deferred").isEqualTo(5);
        assertThat(callback.body().path("data").path("flags").asInt() & 64)
                .as("public")
                .isZero();
        RestCall edit = discord.awaitCall("PATCH", "/webhooks/*/" + interaction.token() + "/messages/@original");
        return edit.body().path("content").asText();
    }

    private String ephemeralAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(4);
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        return callback.body().path("data").path("content").asText();
    }

    private List<FakeMessage> botMessages(long channelId) {
        return discord.messagesIn(channelId).stream()
                .filter(m -> m.authorId() == discord.bot().id() && !m.ephemeral())
                .toList();
    }

    private void awaitBotMessageContaining(long channelId, String text) {
        await().atMost(WAIT).until(() -> botMessages(channelId).stream()
                .anyMatch(m -> m.content().contains(text)));
    }
}
