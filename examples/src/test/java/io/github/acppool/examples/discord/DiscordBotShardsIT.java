package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.broker.SessionStore;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.testing.Postgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two bot PROCESSES (the packaged program) on one database (a real PostgreSQL) split the shards of one Discord
 * application: {@link FakeDiscord} holds two
 * guilds, on shards 0 and 1 of 2; each process connects one shard, answers its own guild's messages only, and a
 * conversation survives a restart (SIGTERM, start again) of its process while the other process keeps answering.
 * The second process also serves its monitoring endpoint, scraped over HTTP.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class DiscordBotShardsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private FakeDiscord discord;
    private Postgres.Database database;
    private FakeUser alice;
    private final List<BotProcess> processes = new ArrayList<>();

    @BeforeEach
    void startDiscord() {
        discord = FakeDiscord.builder()
                .extraGuild("Second Guild", "second-general")
                .start();
        alice = discord.user("alice");
        database = Postgres.freshDatabase();
    }

    @AfterEach
    void stop() {
        processes.forEach(BotProcess::close);
        discord.close();
    }

    @Test
    void twoProcesses_answerTheirOwnGuilds_andAConversationSurvivesARestartOfItsProcess() throws Exception {
        FakeChannel first = discord.channel("general");
        FakeChannel second = discord.channel("second-general");
        int firstShard = (int) ((discord.guildId() >>> 22) % 2);
        int secondShard = (int) ((discord.guildId("Second Guild") >>> 22) % 2);
        assertThat(secondShard)
                .as("the fake puts the guilds on different shards")
                .isEqualTo(1 - firstShard);

        Path firstConfig = config("first", firstShard);
        Path secondConfig = config("second", secondShard, "metrics: {port: 0}");
        BotProcess a = start(firstConfig);
        BotProcess b = start(secondConfig);
        a.awaitErrors("acp-pool discord bot: running as");
        b.awaitErrors("acp-pool discord bot: running as");

        long firstThread = converse(first, "apples in the first guild");
        long secondThread = converse(second, "pears in the second guild");

        assertThat(a.errors())
                .as("the first guild's process ran its conversation")
                .contains("conversation discord:" + firstThread + ": agent")
                .doesNotContain("discord:" + secondThread);
        assertThat(b.errors())
                .as("the second guild's process ran its conversation")
                .contains("conversation discord:" + secondThread + ": agent")
                .doesNotContain("discord:" + firstThread);
        // The packaged program's monitoring endpoint: the second process ran one turn, and is healthy.
        Matcher endpoint = Pattern.compile("monitoring endpoint: (http://127\\.0\\.0\\.1:\\d+)/metrics")
                .matcher(b.errors());
        assertThat(endpoint.find()).as(b.errors()).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(endpoint.group(1) + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics).contains("acp_broker_turns_total{outcome=\"completed\"} 1.0");
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(endpoint.group(1) + "/healthz"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
        assertThat(discord.messagesIn(firstThread))
                .filteredOn(m -> m.authorId() == discord.bot().id())
                .as("one reply to one message: the other process stayed silent")
                .hasSize(1);
        SessionStore shared = SessionStore.jdbc(database.dataSource());
        assertThat(shared.get("discord:" + firstThread))
                .as("one database for both processes")
                .isPresent();
        assertThat(shared.get("discord:" + secondThread)).isPresent();

        // Restart the first process (SIGTERM: it stores its sessions); the second keeps answering meanwhile.
        assertThat(a.process.toHandle().destroy()).isTrue();
        assertThat(a.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(a.process.exitValue()).as(a.errors()).isZero();
        discord.sendUserMessage(alice, discord.channel(secondThread), "more pears");
        awaitReply(secondThread, "more pears");

        BotProcess restarted = start(firstConfig);
        restarted.awaitErrors("acp-pool discord bot: running as");
        discord.sendUserMessage(alice, discord.channel(firstThread), "and apples again");
        FakeMessage reply = awaitReply(firstThread, "and apples again");

        assertThat(reply.content()).doesNotContain("could not be restored").doesNotContain("starts afresh");
        assertThat(restarted.errors())
                .as("the restarted process resumed the thread's session")
                .contains("conversation discord:" + firstThread + ": agent")
                .contains("with resumed session");
        assertThat(b.errors()).doesNotContain("discord:" + firstThread);
    }

    private Path config(String name, int shard) throws IOException {
        return config(name, shard, "");
    }

    private Path config(String name, int shard, String more) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                agent:
                  env: {ACP_POOL_DEMO_AGENT_NO_DELAY: "true"}
                state:
                  directory: %s
                discord:
                  restBaseUrl: %s
                  gatewayUrl: %s
                  registerCommands: false
                database:
                  url: %s
                  user: %s
                  passwordEnv: TEST_DB_PASSWORD
                shards:
                  total: 2
                  from: %d
                  to: %d
                %s
                """.formatted(
                        dir.resolve(name),
                        discord.restBaseUrl(),
                        discord.gatewayUrl(),
                        database.jdbcUrl(),
                        database.user(),
                        shard,
                        shard,
                        more));
        return file;
    }

    /** Alice mentions the bot in {@code channel}; returns the thread of the bot's final reply. */
    private long converse(FakeChannel channel, String words) {
        FakeMessage mention =
                discord.sendUserMessage(alice, channel, discord.bot().mention() + " " + words);
        long thread = await().atMost(WAIT)
                .until(() -> discord.threadStartedFrom(mention.id()), OptionalLong::isPresent)
                .getAsLong();
        awaitReply(thread, words);
        return thread;
    }

    /** The bot's final reply to {@code words} in the thread (the demo agent echoes them). */
    private FakeMessage awaitReply(long thread, String words) {
        return await().atMost(WAIT)
                .until(
                        () -> discord.messagesIn(thread).stream()
                                .filter(m -> m.authorId() == discord.bot().id())
                                .filter(m -> m.content().contains("You said “" + words + "”."))
                                .filter(m -> m.content().contains("Words:"))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
    }

    private BotProcess start(Path config) throws IOException {
        BotProcess process = BotProcess.start(dir, config);
        processes.add(process);
        return process;
    }

    /** The packaged program as a process; its stderr (the log) is collected. */
    private static final class BotProcess implements AutoCloseable {
        final Process process;
        private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

        private BotProcess(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> collect(process.getErrorStream()), "bot-stderr");
            reader.setDaemon(true);
            reader.start();
        }

        static BotProcess start(Path directory, Path config) throws IOException {
            Path jar = Path.of("target", "acp-pool-demo.jar").toAbsolutePath();
            assertThat(jar).as("the examples jar; mvn package builds it").exists();
            ProcessBuilder builder = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            jar.toString(),
                            "io.github.acppool.examples.discord.DiscordBot",
                            "--config",
                            config.toString())
                    .directory(directory.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN);
            builder.environment().put("TEST_DB_PASSWORD", "");
            return new BotProcess(builder.start());
        }

        private void collect(InputStream stream) {
            byte[] buffer = new byte[8192];
            try (stream) {
                for (int n; (n = stream.read(buffer)) >= 0; ) {
                    synchronized (errors) {
                        errors.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String errors() {
            synchronized (errors) {
                return errors.toString(StandardCharsets.UTF_8);
            }
        }

        void awaitErrors(String text) {
            await().atMost(WAIT)
                    .failFast("the bot exited: " + errors(), () -> !process.isAlive())
                    .until(() -> errors().contains(text));
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }
}
