package io.github.acppool.examples.discord;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.examples.ProgramVersion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The program's command line and its refusals: a bad config starts nothing (no agent, no Discord connection). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class DiscordBotTest {
    @TempDir
    Path dir;

    private FakeDiscord discord;
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void startDiscord() {
        discord = FakeDiscord.start();
    }

    @AfterEach
    void stopDiscord() {
        discord.close();
    }

    private String errors() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private Path config(String extra) throws Exception {
        Path file = dir.resolve("bot.yaml");
        Files.writeString(file, """
                state: {directory: state}
                discord:
                  restBaseUrl: %s
                  gatewayUrl: %s
                %s""".formatted(discord.restBaseUrl(), discord.gatewayUrl(), extra));
        return file;
    }

    private int run(Map<String, String> env, String... args) {
        return DiscordBot.run(List.of(args), env, dir, err, bot -> {
            throw new AssertionError("the bot must not start");
        });
    }

    private void assertNothingStarted() {
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .as("agent processes")
                .isEmpty();
        assertThat(discord.connections()).as("gateway connections").isZero();
        assertThat(discord.calls()).as("REST calls").isEmpty();
        assertThat(errors()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void anInvalidConfig_exits2NamingTheKey() throws Exception {
        Path file = config("pool: {maxAgents: -1}\n");

        int status = run(Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN), "--config", file.toString());

        assertThat(status).isEqualTo(2);
        assertThat(errors()).isEqualTo("acp-pool discord bot: " + file + ": pool.maxAgents: must be positive: -1\n");
        assertNothingStarted();
        assertThat(dir.resolve("state")).doesNotExist();
    }

    @Test
    void aMissingTokenVariable_exits2NamingIt() throws Exception {
        Path file = config("  tokenEnv: ACP_BOT_TOKEN\n");

        int status = run(Map.of("DISCORD_BOT_TOKEN", FakeDiscord.TOKEN), "--config=" + file);

        assertThat(status).isEqualTo(2);
        assertThat(errors())
                .startsWith("acp-pool discord bot: " + file
                        + ": discord.tokenEnv: the environment variable ACP_BOT_TOKEN is not set");
        assertNothingStarted();
    }

    @Test
    void aMissingConfigFile_exits2() {
        int status = run(Map.of(), "--config", dir.resolve("missing.yaml").toString());

        assertThat(status).isEqualTo(2);
        assertThat(errors()).contains("cannot read the config file " + dir.resolve("missing.yaml"));
        assertNothingStarted();
    }

    @Test
    void anUnknownArgument_exits2WithTheUsage() {
        assertThat(run(Map.of(), "--token", "abc")).isEqualTo(2);
        assertThat(errors())
                .startsWith("acp-pool discord bot: unknown argument: --token\n")
                .contains("Usage:");
        assertNothingStarted();
    }

    @Test
    void configWithoutAFile_exits2() {
        assertThat(run(Map.of(), "--config")).isEqualTo(2);
        assertThat(errors()).startsWith("acp-pool discord bot: --config needs a file\n");
    }

    @Test
    void version_printsTheProjectVersion_exits0_andStartsNothing() {
        assertThat(run(Map.of(), "--version")).isZero();
        assertThat(errors()).isEqualTo("acp-pool discord-bot " + ProgramVersion.get() + "\n");
        assertThat(DiscordBot.USAGE).contains("\n  --version ");
        assertNothingStarted();
    }

    @Test
    void help_exits0() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(errors()).isEqualTo(DiscordBot.USAGE);
    }
}
