package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.broker.AcpBroker;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeInteraction;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.discord.fake.RestCall;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.FakeScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactions that arrive while the front end closes are still answered, and nothing throws on JDA's event thread:
 * the listener (real JDA against {@link FakeDiscord}) with an executor that is shut down already, and once closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class DiscordClosingIT {

    @TempDir
    Path work;

    private FakeDiscord discord;
    private FakeScheduler clock;
    private AcpBroker broker;
    private JDA jda;
    private DiscordBridge bridge;
    private FakeUser alice;
    private FakeChannel general;

    @BeforeEach
    void start() {
        discord = FakeDiscord.start();
        alice = discord.user("alice");
        general = discord.channel("general");
        clock = new FakeScheduler();
        // No agent is ever started: every interaction here is answered before it would reach the broker.
        broker = AcpBroker.builder()
                .agent(FakeAgent.launchSpec("--marker=discord-closing-it"))
                .workingDirectory(id -> work)
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        Executor shutDown = task -> {
            throw new RejectedExecutionException("executor is shut down");
        };
        DiscordConfig config = DiscordConfig.defaults();
        bridge = new DiscordBridge(
                config,
                broker,
                shutDown,
                clock,
                clock,
                new PermissionPrompts(config.access(), config.permissionTimeout(), Mentions.of(config)),
                client -> {});
        jda = discord.login(
                discord.jdaBuilder(DiscordFrontEnd.requiredIntents()).addEventListeners(bridge));
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.shutdown();
        }
        if (discord != null) {
            discord.close();
        }
        if (clock != null) {
            clock.shutdownNow();
        }
    }

    @Test
    void aCommandDeferredJustBeforeTheExecutorStopped_isAnsweredWithTheRestartNotice() {
        FakeInteraction status = discord.runSlashCommand(alice, general, "status");
        RestCall deferred = discord.awaitCall("POST", status.callbackPath());
        assertThat(deferred.body().path("type").asInt()).isEqualTo(5);
        RestCall answer = discord.awaitCall("PATCH", "/webhooks/*/" + status.token() + "/messages/@original");
        assertThat(answer.text("content")).isEqualTo(DiscordBridge.RESTARTING);
    }

    @Test
    void onceClosed_commandsActionsAndTheStopButtonAreAnsweredWithTheRestartNotice() {
        bridge.close();
        FakeInteraction status = discord.runSlashCommand(alice, general, "status");
        assertThat(ephemeral(status)).isEqualTo(DiscordBridge.RESTARTING);
        FakeInteraction ask = discord.runSlashCommand(alice, general, "ask", Map.of("prompt", "say hi"));
        assertThat(ephemeral(ask)).isEqualTo(DiscordBridge.RESTARTING);
        long message = discord.sendUserMessage(alice, general, "a message").id();
        FakeInteraction action = discord.runMessageCommand(alice, message, DiscordBridge.ASK_MESSAGE);
        assertThat(ephemeral(action)).isEqualTo(DiscordBridge.RESTARTING);
        assertThat(jda.getStatus()).isEqualTo(JDA.Status.CONNECTED);
    }

    private String ephemeral(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(4);
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        return callback.body().path("data").path("content").asText();
    }
}
