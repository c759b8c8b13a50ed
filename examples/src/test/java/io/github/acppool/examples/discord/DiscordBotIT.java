package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.acppool.discord.StatusEmoji;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot end to end: its own startup wiring (config, broker, real JDA) against {@link FakeDiscord} on loopback, with
 * the bundled demo agent as real processes; in this JVM through {@link RunningBot#start}, and as the packaged
 * program ({@code java -cp target/acp-pool-demo.jar ...DiscordBot}), stopped with SIGTERM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiscordBotIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private FakeDiscord discord;
    private FakeUser alice;
    private FakeChannel general;

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

    /** A config for the fake: demo agent at full speed, state under the temp dir. */
    private String yaml() {
        return """
                agent:
                  env: {ACP_POOL_DEMO_AGENT_NO_DELAY: "true"}
                state:
                  directory: %s
                discord:
                  restBaseUrl: %s
                  gatewayUrl: %s
                """.formatted(dir.resolve("state"), discord.restBaseUrl(), discord.gatewayUrl());
    }

    @Test
    void aMention_startsAThreadAndTheReplyArrivesInIt_andShutdownLeavesNoAgent() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
        List<ProcessHandle> agents;
        try {
            BotConfig config = BotConfig.parse(yaml(), dir, dir);
            RunningBot bot = RunningBot.start(config, Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN));
            try {
                assertThat(bot.botName()).isEqualTo(discord.bot().name());
                assertThat(bot.toString()).doesNotContain(FakeDiscord.TOKEN);

                FakeMessage reply = converse(discord.bot().mention() + " hello from the bot test");

                assertThat(reply.content()).contains("You said “hello from the bot test”.");
                agents = ProcessHandle.current().descendants().toList();
                assertThat(agents).as("the thread's demo agent").isNotEmpty();
            } finally {
                bot.close();
            }
        } finally {
            System.setErr(originalErr);
        }

        assertThat(agents).noneMatch(ProcessHandle::isAlive);
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
        assertThat(Files.exists(dir.resolve("state/sessions.json")))
                .as("the session store")
                .isTrue();
        assertThat(log.toString(StandardCharsets.UTF_8)).isNotEmpty().doesNotContain(FakeDiscord.TOKEN);
    }

    @Test
    void stoppingTheBotDuringATurn_stillPostsThatTurnsReply() {
        BotConfig config = BotConfig.parse(yaml(), dir, dir);
        RunningBot bot = RunningBot.start(config, Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN));
        long thread;
        try {
            FakeMessage mention =
                    discord.sendUserMessage(alice, general, discord.bot().mention() + " /slow 2");
            thread = await().atMost(WAIT)
                    .until(() -> discord.threadStartedFrom(mention.id()), OptionalLong::isPresent)
                    .getAsLong();
            // The placeholder: the turn has started, and the agent is silent for two seconds.
            await().atMost(WAIT).until(() -> discord.messagesIn(thread).stream()
                    .anyMatch(m -> m.authorId() == discord.bot().id()));
        } finally {
            bot.close();
        }

        assertThat(discord.messagesIn(thread))
                .filteredOn(m -> m.authorId() == discord.bot().id())
                .anyMatch(m -> m.content().contains("Done: the job ran for 2 s"));
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }

    @Test
    void aRestartedBot_continuesTheThreadFromItsStateDirectory() throws Exception {
        BotConfig config = BotConfig.parse(yaml(), dir, dir);
        Map<String, String> env = Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN);
        long thread;
        try (RunningBot bot = RunningBot.start(config, env)) {
            converse(discord.bot().mention() + " remember the word marmalade");
            thread = discord.threadStartedFrom(
                            discord.messagesIn(general.id()).get(0).id())
                    .orElseThrow();
        }
        assertThat(Files.readString(dir.resolve("state/sessions.json"))).contains("discord:" + thread);

        try (RunningBot bot = RunningBot.start(config, env)) {
            FakeChannel inThread = discord.channel(thread);
            discord.sendUserMessage(alice, inThread, "and now without a mention");

            FakeMessage reply = await().atMost(WAIT)
                    .until(
                            () -> discord.messagesIn(thread).stream()
                                    .filter(m -> m.authorId() == discord.bot().id())
                                    .filter(m -> m.content().contains("You said “and now without a mention”."))
                                    .filter(m -> m.content().contains("Words:"))
                                    .findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
            assertThat(reply.content()).doesNotContain("could not be restored");
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }

    @Test
    void theProgram_answersAndStopsOnSigterm() throws Exception {
        Path config = dir.resolve("bot.yaml");
        Files.writeString(config, yaml());
        try (BotProcess bot =
                BotProcess.start(dir, Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN), "--config", config.toString())) {
            bot.awaitErrors("acp-pool discord bot: running as " + discord.bot().name());

            FakeMessage reply = converse(discord.bot().mention() + " hello, program");

            assertThat(reply.content()).contains("You said “hello, program”.");
            List<ProcessHandle> agents = bot.process.descendants().toList();
            assertThat(agents).as("the thread's demo agent").isNotEmpty();

            assertThat(bot.process.toHandle().destroy()).as("SIGTERM sent").isTrue();

            assertThat(bot.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("exited")
                    .isTrue();
            assertThat(bot.process.exitValue()).as(bot.errors()).isZero();
            assertThat(bot.errors()).contains("acp-pool discord bot: stopped").doesNotContain(FakeDiscord.TOKEN);
            await().atMost(WAIT).untilAsserted(() -> assertThat(agents).noneMatch(ProcessHandle::isAlive));
        }
    }

    @Test
    void theProgram_refusesAnInvalidConfig() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, yaml() + "pool:\n  idleTimeout: 30\n");
        try (BotProcess bot =
                BotProcess.start(dir, Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN), "--config", config.toString())) {
            assertThat(bot.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("exited")
                    .isTrue();

            assertThat(bot.process.exitValue()).isEqualTo(2);
            assertThat(bot.errors())
                    .isEqualTo("acp-pool discord bot: " + config + ": pool.idleTimeout: expected "
                            + Values.DURATION_FORMS + ", got 30\n");
            assertThat(discord.connections()).isZero();
            assertThat(dir.resolve("state")).doesNotExist();
        }
    }

    @Test
    void aWrongToken_exits1SayingSo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = DiscordBot.run(
                List.of("--config", writeConfig(yaml()).toString()),
                Map.of("DISCORD_BOT_TOKEN", "not-the-token"),
                dir,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                bot -> {
                    throw new AssertionError("must not start");
                });

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("acp-pool discord bot: Discord refused the bot token in DISCORD_BOT_TOKEN (copy it"
                        + " again from the Discord developer portal: your application, Bot, Reset Token)\n")
                .doesNotContain("not-the-token")
                .doesNotContain("\tat ");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }

    @Test
    void aMissingMessageContentIntent_exits1WithTheFix() {
        discord.close();
        discord = FakeDiscord.builder().allowedPrivilegedIntents().start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = DiscordBot.run(
                List.of("--config", writeConfig(yaml()).toString()),
                Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN),
                dir,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                bot -> {
                    throw new AssertionError("must not start");
                });

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("acp-pool discord bot: Discord closed the connection while logging in: ")
                .contains("enable MESSAGE CONTENT INTENT in the Discord developer portal")
                .doesNotContain("\tat ");
    }

    @Test
    void anUnreachableDiscord_exits1SayingWhere() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String yaml = "state: {directory: %s}\ndiscord: {restBaseUrl: \"http://127.0.0.1:1/api/v10/\"}\n"
                .formatted(dir.resolve("state"));

        int status = DiscordBot.run(
                List.of("--config", writeConfig(yaml).toString()),
                Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN),
                dir,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                bot -> {
                    throw new AssertionError("must not start");
                });

        assertThat(status).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith(
                        "acp-pool discord bot: cannot reach Discord at http://127.0.0.1:1/api/v10/: ConnectException")
                .doesNotContain("\tat ");
    }

    private Path writeConfig(String yaml) {
        Path file = dir.resolve("bot.yaml");
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Alice mentions the bot in #general; returns the bot's final reply in the thread started from her message. */
    private FakeMessage converse(String content) {
        FakeMessage mention = discord.sendUserMessage(alice, general, content);
        long thread = await().atMost(WAIT)
                .until(() -> discord.threadStartedFrom(mention.id()), OptionalLong::isPresent)
                .getAsLong();
        // The final edit and the "done" reaction are separate REST calls, in either order.
        Optional<FakeMessage> reply = await().atMost(WAIT)
                .until(
                        () -> discord.message(mention.id())
                                        .map(FakeMessage::reactions)
                                        .orElse(List.of())
                                        .contains(StatusEmoji.DEFAULT_DONE)
                                ? discord.messagesIn(thread).stream()
                                        .filter(m ->
                                                m.authorId() == discord.bot().id())
                                        .filter(m -> m.content().contains("Words:"))
                                        .findFirst()
                                : Optional.empty(),
                        Optional::isPresent);
        return reply.orElseThrow();
    }

    /** Copies everything to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }
    }

    /** The packaged program as a process; its stderr is collected. */
    private static final class BotProcess implements AutoCloseable {
        final Process process;
        private final ByteArrayOutputStream errors = new ByteArrayOutputStream();

        private BotProcess(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> collect(process.getErrorStream()), "bot-stderr");
            reader.setDaemon(true);
            reader.start();
        }

        static BotProcess start(Path directory, Map<String, String> env, String... args) throws IOException {
            Path jar = Path.of("target", "acp-pool-demo.jar").toAbsolutePath();
            assertThat(jar).as("the examples jar; mvn package builds it").exists();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    jar.toString(),
                    "io.github.acppool.examples.discord.DiscordBot"));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().remove("DISCORD_BOT_TOKEN");
            builder.environment().putAll(env);
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
