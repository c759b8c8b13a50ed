package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.discord.fake.EventRecorder;
import io.github.acppool.discord.fake.FakeAttachment;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeInteraction;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.discord.fake.RestCall;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.turn.DrainPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting, stopping and restarting the front end end to end: intents, shards, a restart that keeps (or loses) the
 * conversation's session, and a permission question nobody answers. Real JDA against {@link FakeDiscord}, real
 * brokers over {@link FakeAgent}; each test has its own fake server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiscordLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private FakeDiscord discord;
    private FakeUser alice;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() {
        discord = FakeDiscord.start();
        alice = discord.user("alice");
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        discord.close();
    }

    private DiscordFrontEnd frontEnd(DiscordConfig config) {
        DiscordFrontEnd frontEnd = DiscordFrontEnd.create(config);
        open.add(frontEnd);
        return frontEnd;
    }

    private AcpBroker broker(DiscordFrontEnd frontEnd, SessionStore store, String... agentFlags) {
        AcpBroker broker = AcpBroker.builder()
                .agent(FakeAgent.launchSpec(agentFlags))
                .workingDirectory(id -> work)
                .clientOptions(AcpClientOptions.builder()
                        .permissionPolicy(frontEnd.permissionPolicy())
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .sessionStore(store)
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        open.add(broker);
        return broker;
    }

    private JDA login() {
        return discord.login(discord.jdaBuilder(DiscordFrontEnd.requiredIntents()));
    }

    @Test
    void aMissingMessageContentIntent_isExplainedAtStart() {
        JDA jda = discord.login(GatewayIntent.GUILD_MESSAGES);
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.defaults());
        AcpBroker broker = broker(frontEnd, SessionStore.inMemory());
        assertThatThrownBy(() -> frontEnd.start(broker, jda))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MESSAGE_CONTENT")
                .hasMessageContaining("Message Content Intent")
                .hasMessageContaining("developer portal");
    }

    @Test
    void aRestart_keepsTheConversation_followUpsNeedNoMention_andNoThreadIsArchived() {
        Path store = work.resolve("sessions.json");
        Path agentState = work.resolve("agent-state");
        JDA jda = login();
        DiscordFrontEnd first = frontEnd(DiscordConfig.defaults());
        AcpBroker firstBroker = broker(first, SessionStore.jsonFile(store), "--state-dir=" + agentState);
        first.start(firstBroker, jda);
        FakeMessage trigger = mention(alice, "say before the restart");
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "before the restart");
        first.close();
        firstBroker.shutdown();

        DiscordFrontEnd second = frontEnd(DiscordConfig.defaults());
        AcpBroker secondBroker = broker(second, SessionStore.jsonFile(store), "--state-dir=" + agentState);
        second.start(secondBroker, jda);
        discord.sendUserMessage(alice, discord.channel(thread), "history");
        String history = awaitBotMessageContaining(thread, "history:");
        assertThat(history).contains("say before the restart").doesNotContain("could not be restored");
        assertThat(discord.calls("PATCH", "/channels/" + thread)).isEmpty();
    }

    @Test
    void aSessionThatCannotBeResumed_isSaidInTheReply() {
        Path store = work.resolve("sessions.json");
        JDA jda = login();
        DiscordFrontEnd first = frontEnd(DiscordConfig.defaults());
        AcpBroker firstBroker = broker(first, SessionStore.jsonFile(store));
        first.start(firstBroker, jda);
        long thread = awaitThread(mention(alice, "say remember me"));
        awaitBotMessageContaining(thread, "remember me");
        first.close();
        firstBroker.shutdown();

        // The new agent process has no memory of the session (no --state-dir): it cannot resume it.
        DiscordFrontEnd second = frontEnd(DiscordConfig.defaults());
        AcpBroker secondBroker = broker(second, SessionStore.jsonFile(store));
        second.start(secondBroker, jda);
        discord.sendUserMessage(alice, discord.channel(thread), "say after the restart");
        String reply = awaitBotMessageContaining(thread, "after the restart");
        assertThat(reply).contains("could not be restored");
    }

    @Test
    void imagesForAnAgentThatTakesNone_areSkippedWithANote_andTheTextIsStillAnswered() {
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.defaults());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory(), "--no-images"), login());
        FakeMessage trigger = discord.sendUserMessage(
                alice,
                discord.channel("general"),
                discord.bot().mention() + " say the text part arrived",
                List.of(new FakeAttachment("screen.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'})));
        long thread = awaitThread(trigger);

        String reply = awaitBotMessageContaining(thread, "the text part arrived");
        assertThat(reply).contains("Skipped the images: this agent does not accept images.");
        assertThat(botMessages(thread)).noneMatch(m -> m.content().contains("⚠️"));
    }

    @Test
    void slashCommands_followTheChannelAllowlist_likeMessages() {
        FakeChannel general = discord.channel("general");
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.builder()
                .access(AccessRules.builder()
                        .allowedChannels(List.of(general.id()))
                        .build())
                .build());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory()), login());
        FakeChannel threadInGeneral = discord.createUserThread(alice, general, "a thread");

        FakeInteraction elsewhere = discord.runSlashCommand(alice, discord.channel("random"), "status");
        RestCall refused = discord.awaitCall("POST", elsewhere.callbackPath());
        assertThat(refused.body().path("type").asInt()).isEqualTo(4);
        assertThat(refused.body().path("data").path("content").asText()).contains("not allowed");

        FakeInteraction inThread = discord.runSlashCommand(alice, threadInGeneral, "status");
        RestCall deferred = discord.awaitCall("POST", inThread.callbackPath());
        assertThat(deferred.body().path("type").asInt())
                .as("deferred, then answered")
                .isEqualTo(5);
        RestCall answer = discord.awaitCall("PATCH", "/webhooks/*/" + inThread.token() + "/messages/@original");
        assertThat(answer.body().path("content").asText()).contains("No agent is attached");
    }

    @Test
    void aShardManagerWorksLikeOneClient() {
        ShardManager shards = discord.loginShards(2, DiscordFrontEnd.requiredIntents(), builder -> {});
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.defaults());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory()), shards);
        long thread = awaitThread(mention(alice, "say hello from a shard"));
        awaitBotMessageContaining(thread, "hello from a shard");
        await().atMost(WAIT).until(() -> discord.globalCommandNames().contains("status"));
    }

    @Test
    void aPermissionQuestionNobodyAnswers_isDeniedAfterTheTimeout_andItsButtonsAreDisabled() {
        JDA jda = login();
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.builder()
                .permissionTimeout(Duration.ofMillis(300))
                .build());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory()), jda);
        long thread = awaitThread(mention(alice, "permission p1"));
        String reply = awaitBotMessageContaining(thread, "permission p1:");
        assertThat(reply).contains("reject");
        FakeMessage question = botMessages(thread).stream()
                .filter(m -> m.content().startsWith("🔐"))
                .findFirst()
                .orElseThrow();
        await().atMost(WAIT)
                .until(() ->
                        discord.message(question.id()).orElseThrow().content().contains("No answer within 300 ms"));
        assertThat(ButtonsAssert.buttons(discord.components(question.id())))
                .hasSize(2)
                .allMatch(button -> button.path("disabled").asBoolean());
    }

    @Test
    void startedWhileJdaLogsIn_theCommandsAreRegisteredOnReady() throws InterruptedException {
        JDA jda = discord.jdaBuilder(DiscordFrontEnd.requiredIntents()).build();
        open.add(() -> {
            jda.shutdownNow();
            assertThat(jda.awaitShutdown(Duration.ofSeconds(5))).isTrue();
        });
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.defaults());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory()), jda);
        jda.awaitReady();
        await().atMost(WAIT).until(() -> discord.globalCommandNames().containsAll(Set.of("cancel", "reset", "status")));
        long thread = awaitThread(mention(alice, "say ready or not"));
        awaitBotMessageContaining(thread, "ready or not");
        assertThat(discord.calls("PUT", "/applications/*/commands")).hasSize(1);
        assertThat(discord.calls("POST", "/applications/*/commands")).isEmpty();
    }

    @Test
    void directMessages_areAnsweredInTheDm_whenAllowed() {
        JDA jda = login();
        DiscordFrontEnd frontEnd =
                frontEnd(DiscordConfig.builder().allowDirectMessages(true).build());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory()), jda);
        FakeMessage dm = discord.sendDirectMessage(alice, "say hello in private");
        awaitBotMessageContaining(dm.channelId(), "hello in private");
        assertThat(discord.threadStartedFrom(dm.id())).isEmpty();
    }

    @Test
    void aTurnStillRunningWhenTheFrontEndCloses_stillGetsItsReply() {
        JDA jda = login();
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.defaults());
        frontEnd.start(broker(frontEnd, SessionStore.inMemory()), jda);
        long thread = awaitThread(mention(alice, "permission p1"));
        await().atMost(WAIT).until(() -> botMessages(thread).stream()
                .anyMatch(m -> m.content().startsWith("🔐")));

        // Closing withdraws the question (denied), so the agent answers after the front end's threads are gone.
        frontEnd.close();

        String reply = awaitBotMessageContaining(thread, "permission p1:");
        assertThat(reply).contains("reject");
        assertThat(botMessages(thread)).noneMatch(m -> m.content().equals(MessageSplitter.ELLIPSIS));
    }

    @Test
    void afterClose_messagesAreNoLongerAnswered() {
        JDA jda = login();
        DiscordFrontEnd frontEnd = frontEnd(DiscordConfig.defaults());
        AcpBroker broker = broker(frontEnd, SessionStore.inMemory());
        frontEnd.start(broker, jda);
        frontEnd.close();
        EventRecorder events = new EventRecorder();
        jda.addEventListener(events);
        FakeMessage ignored = mention(alice, "say nobody hears this");
        // Our own listener sees the message arrive; by then a still-attached front end would have had it too.
        assertThat(events.await(MessageReceivedEvent.class).getMessageIdLong()).isEqualTo(ignored.id());
        DiscordFrontEnd other = frontEnd(DiscordConfig.defaults());
        other.start(broker(other, SessionStore.inMemory()), jda);
        long thread = awaitThread(mention(alice, "say the new front end hears this"));
        awaitBotMessageContaining(thread, "new front end hears this");
        assertThat(discord.threadStartedFrom(ignored.id())).isEmpty();
        assertThat(discord.calls()).noneMatch(c -> c.path().contains(ignored.idString()));
        assertThat(broker.status()).isEmpty();
    }

    private FakeMessage mention(FakeUser user, String text) {
        return discord.sendUserMessage(
                user, discord.channel("general"), discord.bot().mention() + " " + text);
    }

    private long awaitThread(FakeMessage trigger) {
        RestCall unused = discord.awaitCall("POST", "/channels/*/messages/" + trigger.idString() + "/threads");
        return discord.threadStartedFrom(trigger.id()).orElseThrow();
    }

    private List<FakeMessage> botMessages(long channelId) {
        return discord.messagesIn(channelId).stream()
                .filter(m -> m.authorId() == discord.bot().id() && !m.ephemeral())
                .toList();
    }

    private String awaitBotMessageContaining(long channelId, String text) {
        await().atMost(WAIT).until(() -> botMessages(channelId).stream()
                .anyMatch(m -> m.content().contains(text)));
        return botMessages(channelId).stream()
                .filter(m -> m.content().contains(text))
                .findFirst()
                .orElseThrow()
                .content();
    }
}
