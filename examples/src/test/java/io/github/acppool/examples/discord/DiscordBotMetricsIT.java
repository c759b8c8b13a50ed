package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.discord.StatusEmoji;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot's monitoring endpoint over HTTP: the bot against {@link FakeDiscord} with the demo agent as real
 * processes, {@code /metrics} scraped before and after a few turns (the numbers are those of the turns run) and
 * {@code /healthz} while the bot runs and while it stops.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiscordBotMetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private FakeDiscord discord;
    private FakeUser alice;
    private FakeChannel general;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void startDiscord() {
        discord = FakeDiscord.start();
        alice = discord.user("alice");
        general = discord.channel("general");
    }

    @AfterEach
    void stopDiscord() {
        discord.close();
    }

    private BotConfig config(String metrics) {
        return BotConfig.parse(
                """
                agent:
                  env: {ACP_POOL_DEMO_AGENT_NO_DELAY: "true"}
                state:
                  directory: %s
                discord:
                  restBaseUrl: %s
                  gatewayUrl: %s
                %s
                """.formatted(dir.resolve("state"), discord.restBaseUrl(), discord.gatewayUrl(), metrics), dir, dir);
    }

    @Test
    void metrics_matchTheTurnsRun_andHealthzFollowsTheBot() throws Exception {
        RunningBot bot = RunningBot.start(config("metrics: {port: 0}"), Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN));
        CompletableFuture<Void> closing = null;
        try {
            InetSocketAddress address = bot.monitoringAddress().orElseThrow();
            assertThat(address.getAddress().isLoopbackAddress())
                    .as("loopback by default")
                    .isTrue();
            URI base = URI.create("http://127.0.0.1:" + address.getPort());

            assertThat(get(base.resolve("/healthz"))).isEqualTo(new Reply(200, "ok\n"));
            String before = get(base.resolve("/metrics")).body();
            assertThat(value(before, "acp_broker_turns_total{outcome=\"completed\"}"))
                    .isZero();
            assertThat(value(before, "acp_broker_agents_live")).isZero();
            assertThat(get(base.resolve("/other")).status()).isEqualTo(404);

            long thread = converse(discord.bot().mention() + " first words");
            FakeChannel inThread = discord.channel(thread);
            discord.sendUserMessage(alice, inThread, "second words");
            awaitReply(thread, "second words");
            discord.sendUserMessage(alice, inThread, "third words");
            awaitReply(thread, "third words");

            String after = get(base.resolve("/metrics")).body();
            assertThat(value(after, "acp_broker_turns_total{outcome=\"completed\"}"))
                    .isEqualTo(3);
            assertThat(value(after, "acp_broker_turns_total{outcome=\"failed\"}"))
                    .isZero();
            assertThat(value(after, "acp_broker_turn_duration_seconds_count{outcome=\"completed\"}"))
                    .isEqualTo(3);
            assertThat(value(after, "acp_broker_turn_first_chunk_seconds_count"))
                    .isEqualTo(3);
            assertThat(after).contains("acp_broker_turn_first_chunk_seconds{quantile=\"0.99\"}");
            assertThat(value(after, "acp_broker_agents_started_total")).isEqualTo(1);
            assertThat(value(after, "acp_broker_agents_live")).isEqualTo(1);
            assertThat(value(after, "acp_broker_messages_queued")).isZero();
            assertThat(after).as("no conversation id in any series").doesNotContain(Long.toString(thread));

            // A slow turn keeps the broker's shutdown waiting; meanwhile /healthz says the bot is stopping.
            discord.sendUserMessage(alice, inThread, "/slow 3");
            await().atMost(WAIT)
                    .until(() -> value(get(base.resolve("/metrics")).body(), "acp_broker_conversations_busy") == 1);
            closing = CompletableFuture.runAsync(bot::close);
            await().atMost(WAIT)
                    .until(() -> get(base.resolve("/healthz")).equals(new Reply(503, "the bot is stopping\n")));
            closing.get(60, TimeUnit.SECONDS);
            assertThatThrownBy(() -> get(base.resolve("/healthz")))
                    .as("the endpoint stops with the bot")
                    .isInstanceOf(ConnectException.class);
        } finally {
            bot.close();
        }
    }

    @Test
    void healthz_is503OnceDiscordEndsTheSession() throws Exception {
        try (RunningBot bot =
                RunningBot.start(config("metrics: {port: 0}"), Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN))) {
            URI healthz = URI.create(
                    "http://127.0.0.1:" + bot.monitoringAddress().orElseThrow().getPort() + "/healthz");
            assertThat(get(healthz)).isEqualTo(new Reply(200, "ok\n"));

            // 4004 is not resumable: JDA shuts down rather than reconnecting.
            discord.closeGateway(4004, "Authentication failed.");

            await().atMost(WAIT).until(() -> get(healthz)
                    .equals(new Reply(503, "the Discord connection is not connected (shutdown)\n")));
            assertThat(bot.awaitStop()).as("the program exits 1 then").isEqualTo(1);
        }
    }

    @Test
    void withoutAPort_thereIsNoEndpoint() {
        try (RunningBot bot = RunningBot.start(config(""), Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN))) {
            assertThat(bot.monitoringAddress()).isEmpty();
            assertThat(bot.unhealthy()).isEmpty();
        }
    }

    private record Reply(int status, String body) {}

    private Reply get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    /** The value of one series (its name with its labels, exactly as rendered) in Prometheus text. */
    private static double value(String text, String series) {
        Matcher line =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(line.find()).as("series %s in:%n%s", series, text).isTrue();
        return Double.parseDouble(line.group(1));
    }

    /** Alice mentions the bot in #general; returns the thread the bot answered in, once its reply is final. */
    private long converse(String content) {
        FakeMessage mention = discord.sendUserMessage(alice, general, content);
        long thread = await().atMost(WAIT)
                .until(() -> discord.threadStartedFrom(mention.id()), OptionalLong::isPresent)
                .getAsLong();
        await().atMost(WAIT).until(() -> discord.message(mention.id())
                .map(FakeMessage::reactions)
                .orElse(List.of())
                .contains(StatusEmoji.DEFAULT_DONE));
        return thread;
    }

    /** Waits for the bot's final reply to {@code words} in the thread (the demo agent echoes them). */
    private void awaitReply(long thread, String words) {
        await().atMost(WAIT).until(() -> discord.messagesIn(thread).stream()
                .filter(m -> m.authorId() == discord.bot().id())
                .anyMatch(m -> m.content().contains("You said “" + words + "”.")
                        && m.content().contains("Words:")));
    }
}
