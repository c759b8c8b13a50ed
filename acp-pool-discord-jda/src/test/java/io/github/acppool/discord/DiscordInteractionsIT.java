package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.Sender;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeInteraction;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.discord.fake.RestCall;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.TurnEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways to start and steer a conversation besides a mention, end to end (real JDA against {@link FakeDiscord}, a
 * real broker over {@link FakeAgent} processes): guild command registration, a bare mention, {@code /ask}, the "Ask
 * the agent" message action, the Stop button and the typing indicator; and, at the listener level, the "still
 * working" notice and late text. Timers run on a {@link FakeScheduler} that the tests advance. Only the role
 * "agents" (alice) may talk; bob may not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiscordInteractionsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    private static FakeDiscord discord;
    private static FakeScheduler clock;
    private static ExecutorService executor;
    private static DiscordFrontEnd frontEnd;
    private static AcpBroker broker;
    private static JDA jda;
    private static FakeUser alice;
    private static FakeUser bob;
    private static FakeChannel general;

    @BeforeAll
    static void start() {
        discord = FakeDiscord.start();
        alice = discord.user("alice");
        bob = discord.user("bob");
        general = discord.channel("general");
        clock = new FakeScheduler();
        executor = Executors.newFixedThreadPool(2);
        DiscordConfig config = DiscordConfig.builder()
                .access(AccessRules.builder()
                        .allowedRoles(List.of(discord.role("agents").id()))
                        .build())
                .commandGuilds(List.of(discord.guildId()))
                .showDiagnostics(true)
                .build();
        frontEnd = DiscordFrontEnd.create(config, executor, clock, clock);
        broker = AcpBroker.builder()
                .agent(FakeAgent.launchSpec("--marker=discord-interactions-it"))
                .workingDirectory(id -> work)
                .clientOptions(AcpClientOptions.builder()
                        .permissionPolicy(frontEnd.permissionPolicy())
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        jda = discord.login(discord.jdaBuilder(DiscordFrontEnd.requiredIntents()));
        frontEnd.start(broker, jda);
        await().atMost(WAIT).until(() -> discord.guildCommandNames().contains(DiscordBridge.ASK_MESSAGE));
    }

    @AfterAll
    static void stop() {
        if (frontEnd != null) {
            frontEnd.close();
        }
        if (broker != null) {
            broker.shutdown();
        }
        if (discord != null) {
            discord.close();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        if (clock != null) {
            clock.shutdownNow();
        }
    }

    @Test
    void withGuildsConfigured_theCommandsAreRegisteredThereInOneBulkCall_notGlobally() {
        List<RestCall> bulk = discord.calls("PUT", "/applications/*/guilds/*/commands");
        assertThat(bulk).hasSize(1);
        assertThat(bulk.get(0).body())
                .extracting(command -> command.path("name").asText())
                .containsExactlyInAnyOrder(
                        "ask",
                        "cancel",
                        "reset",
                        "status",
                        "mode",
                        "model",
                        "doctor",
                        "sessions",
                        "agent",
                        DiscordBridge.ASK_MESSAGE);
        assertThat(discord.calls("POST", "/applications/*/guilds/*/commands")).isEmpty();
        assertThat(discord.calls("PUT", "/applications/*/commands")).isEmpty();
        assertThat(discord.globalCommandNames()).isEmpty();
    }

    @Test
    void aBareMention_isAnsweredInlineWithTheHint_withoutAThread() {
        FakeMessage bare = discord.sendUserMessage(alice, general, discord.bot().mention());
        RestCall hint = discord.awaitCalls(
                        "the hint",
                        c -> c.matches("POST", "/channels/" + general.idString() + "/messages")
                                && c.text("content").equals(DiscordBridge.HINT),
                        1)
                .get(0);
        assertThat(hint.body().path("message_reference").path("message_id").asText())
                .isEqualTo(bare.idString());
        // A mention with a prompt afterwards gets its thread; by then a thread for the bare one would exist.
        FakeMessage real = discord.sendUserMessage(alice, general, discord.bot().mention() + " say after the hint");
        awaitBotMessageContaining(awaitThread(real), "after the hint");
        assertThat(discord.threadStartedFrom(bare.id())).isEmpty();
    }

    @Test
    void theStopButton_cancelsTheTurn_onlyForAllowedPeople_andGoesAwayWhenTheTurnEnds() {
        FakeMessage trigger = mention(alice, "say working on it\nwait-for-continue\nsay never");
        long thread = awaitThread(trigger);
        long placeholder = awaitPlaceholder(thread);
        String stop = DiscordBridge.STOP_PREFIX + trigger.idString();
        assertThat(buttonIds(placeholder)).containsExactly(stop);
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(placeholder).orElseThrow().content().contains("working on it");
        });
        assertThat(buttonIds(placeholder)).as("streamed edits keep the button").containsExactly(stop);

        FakeInteraction refused = discord.clickButton(bob, placeholder, stop);
        assertThat(ephemeralAnswer(refused)).contains("Only people allowed");
        assertThat(broker.status(DiscordFrontEnd.conversationId(thread))
                        .orElseThrow()
                        .busy())
                .isTrue();

        FakeInteraction stopped = discord.clickButton(alice, placeholder, stop);
        assertThat(deferredAnswer(stopped)).isEqualTo("Stopped the agent's turn.");
        awaitReaction(trigger, StatusEmoji.DEFAULT_CANCELLED);
        await().atMost(WAIT).until(() -> buttonIds(placeholder).isEmpty());
        assertThat(discord.message(placeholder).orElseThrow().content())
                .contains("working on it")
                .doesNotContain("never");
        assertThat(discord.message(trigger.id()).orElseThrow().reactions())
                .containsExactly(StatusEmoji.DEFAULT_CANCELLED);
    }

    @Test
    void theTypingIndicator_isRenewedUntilTheFirstText() {
        FakeMessage trigger = mention(alice, "wait-for-continue\nsay never");
        long thread = awaitThread(trigger);
        long placeholder = awaitPlaceholder(thread);
        String typing = "/channels/" + thread + "/typing";
        discord.awaitCalls("POST", typing, 1);
        clock.advance(ReplyStream.TYPING_INTERVAL);
        discord.awaitCalls("POST", typing, 2);
        clock.advance(ReplyStream.TYPING_INTERVAL);
        discord.awaitCalls("POST", typing, 3);
        assertThat(discord.calls("POST", typing)).hasSize(3);
        discord.clickButton(alice, placeholder, DiscordBridge.STOP_PREFIX + trigger.idString());
        awaitReaction(trigger, StatusEmoji.DEFAULT_CANCELLED);
        clock.advance(ReplyStream.TYPING_INTERVAL.multipliedBy(3));
        assertThat(discord.calls("POST", typing))
                .as("no typing once the turn ended")
                .hasSize(3);

        // Once text has arrived, the indicator is not renewed.
        discord.sendUserMessage(alice, discord.channel(thread), "say text at once\nwait-for-continue");
        long second = awaitBotMessages(thread, 2).get(1).id();
        discord.awaitCalls("POST", typing, 4);
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(second).orElseThrow().content().contains("text at once");
        });
        int before = discord.calls("POST", typing).size();
        clock.advance(ReplyStream.TYPING_INTERVAL.multipliedBy(3));
        assertThat(discord.calls("POST", typing)).hasSize(before);
        discord.clickButton(alice, second, DiscordBridge.STOP_PREFIX + botMessageTrigger(thread));
    }

    @Test
    void ask_startsAThreadFromThePostedPrompt_withoutAMention() {
        FakeInteraction ask =
                discord.runSlashCommand(alice, general, "ask", Map.of("prompt", "say asked with a slash command"));
        RestCall posted = discord.awaitCall("POST", ask.callbackPath());
        assertThat(posted.body().path("type").asInt()).isEqualTo(4);
        assertThat(posted.body().path("data").path("content").asText())
                .isEqualTo("💬 " + alice.mention() + ": say asked with a slash command");
        long prompt = discord.messagesIn(general.id()).stream()
                .filter(m -> m.content().endsWith("say asked with a slash command")
                        && m.authorId() == discord.bot().id())
                .findFirst()
                .orElseThrow()
                .id();
        await().atMost(WAIT).until(() -> discord.threadStartedFrom(prompt).isPresent());
        long thread = discord.threadStartedFrom(prompt).getAsLong();
        awaitBotMessageContaining(thread, "asked with a slash command");
        await().atMost(WAIT)
                .until(() -> discord.message(prompt).orElseThrow().reactions().contains(StatusEmoji.DEFAULT_DONE));

        FakeInteraction refused = discord.runSlashCommand(bob, general, "ask", Map.of("prompt", "say no"));
        assertThat(ephemeralAnswer(refused)).contains("not allowed");
    }

    @Test
    void theAskTheAgentAction_startsAConversationFromAnyMessage() {
        FakeMessage plain = discord.sendUserMessage(bob, general, "say asked from the context menu");
        FakeInteraction action = discord.runMessageCommand(alice, plain.id(), DiscordBridge.ASK_MESSAGE);
        assertThat(ephemeralAnswer(action)).contains("Starting a conversation");
        await().atMost(WAIT).until(() -> discord.threadStartedFrom(plain.id()).isPresent());
        long thread = discord.threadStartedFrom(plain.id()).getAsLong();
        awaitBotMessageContaining(thread, "asked from the context menu");
        awaitReaction(plain, StatusEmoji.DEFAULT_DONE);

        FakeMessage other = discord.sendUserMessage(alice, general, "say bob may not");
        FakeInteraction refused = discord.runMessageCommand(bob, other.id(), DiscordBridge.ASK_MESSAGE);
        assertThat(ephemeralAnswer(refused)).contains("not allowed");
        assertThat(discord.threadStartedFrom(other.id())).isEmpty();
    }

    @Test
    void stillWorking_showsOnThePlaceholder_andLateTextIsAppendedToTheReply() throws Exception {
        // The listener level: a ReplyStream over real JDA messages, fed by the broker and by the test.
        FakeMessage trigger = discord.sendUserMessage(alice, general, "not addressed to the bot");
        TextChannel channel = jda.getTextChannelById(general.id());
        Message message = channel.retrieveMessageById(trigger.id()).complete();
        String conversation = "discord:listener-level";
        List<String> ended = new ArrayList<>();
        ReplyStream stream = new ReplyStream(
                conversation,
                message,
                channel,
                frontEnd.config(),
                clock,
                clock,
                new Mentions(false),
                DiscordBridge.STOP_PREFIX + trigger.idString(),
                () -> ended.add("ended"));
        CompletableFuture<BrokerResult> result = broker.promptAsync(
                conversation,
                new ChatMessage(
                        message.getId(),
                        new Sender(alice.idString(), "alice"),
                        List.of(ContentBlock.text("say first words\nwait-for-continue"))),
                stream);
        stream.submitted();
        long placeholder = awaitBotMessages(general.id(), m -> m.content().equals(MessageSplitter.ELLIPSIS));
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(placeholder).orElseThrow().content().contains("first words");
        });

        stream.onEvent(new TurnEvent.StillWorking(Duration.ofSeconds(45), Duration.ofSeconds(150)));
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(placeholder).orElseThrow().content().endsWith("… still working (2 min)");
        });
        assertThat(discord.message(placeholder).orElseThrow().content()).startsWith("first words");

        broker.cancel(conversation);
        BrokerResult cancelled = result.get(30, TimeUnit.SECONDS);
        stream.finish(cancelled, null);
        awaitReaction(trigger, StatusEmoji.DEFAULT_CANCELLED);
        String shown = discord.message(placeholder).orElseThrow().content();
        assertThat(shown).contains("first words").doesNotContain("still working");
        assertThat(ended).containsExactly("ended");

        stream.onLateEvent(new TurnEvent.TextChunk(" and a late line", null));
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(placeholder).orElseThrow().content().equals(shown + " and a late line");
        });
    }

    @Test
    void anErrorReply_showsTheDiagnosticsOnlyWhenTheOperatorSwitchedThemOn() {
        FakeMessage trigger = discord.sendUserMessage(alice, general, "not addressed to the bot either");
        TextChannel channel = jda.getTextChannelById(general.id());
        Message message = channel.retrieveMessageById(trigger.id()).complete();
        ReplyStream quiet = new ReplyStream(
                "discord:quiet",
                message,
                channel,
                DiscordConfig.defaults(),
                clock,
                clock,
                new Mentions(false),
                "acp-stop:quiet",
                () -> {});
        int before = warnings().size();
        quiet.finish(null, new IllegalStateException("boom"));
        await().atMost(WAIT).until(() -> warnings().size() == before + 1);
        assertThat(warnings().get(before)).doesNotContain("```").doesNotContain("IllegalStateException");

        ReplyStream verbose = new ReplyStream(
                "discord:verbose",
                message,
                channel,
                frontEnd.config(),
                clock,
                clock,
                new Mentions(false),
                "acp-stop:verbose",
                () -> {});
        verbose.finish(null, new IllegalStateException("kaput"));
        String withDiagnostics = awaitBotMessageContaining(general.id(), "kaput");
        assertThat(withDiagnostics).contains("```\njava.lang.IllegalStateException: kaput\n```");
    }

    // ---------------------------------------------------------------- helpers

    private static FakeMessage mention(FakeUser user, String text) {
        return discord.sendUserMessage(user, general, discord.bot().mention() + " " + text);
    }

    private static long awaitThread(FakeMessage trigger) {
        discord.awaitCall("POST", "/channels/*/messages/" + trigger.idString() + "/threads");
        return discord.threadStartedFrom(trigger.id()).orElseThrow();
    }

    private static long awaitPlaceholder(long thread) {
        return awaitBotMessages(thread, 1).get(0).id();
    }

    private static List<FakeMessage> botMessages(long channelId) {
        return discord.messagesIn(channelId).stream()
                .filter(m -> m.authorId() == discord.bot().id() && !m.ephemeral())
                .toList();
    }

    private static List<FakeMessage> awaitBotMessages(long channelId, int count) {
        await().atMost(WAIT).until(() -> botMessages(channelId).size() >= count);
        return botMessages(channelId);
    }

    private static List<String> warnings() {
        return botMessages(general.id()).stream()
                .map(FakeMessage::content)
                .filter(c -> c.startsWith("⚠️"))
                .toList();
    }

    private static long awaitBotMessages(long channelId, java.util.function.Predicate<FakeMessage> filter) {
        await().atMost(WAIT).until(() -> botMessages(channelId).stream().anyMatch(filter));
        return botMessages(channelId).stream()
                .filter(filter)
                .findFirst()
                .orElseThrow()
                .id();
    }

    /** The trigger of the latest reply in a thread: the last user message before it. */
    private static String botMessageTrigger(long thread) {
        List<FakeMessage> all = discord.messagesIn(thread);
        String trigger = "";
        for (FakeMessage m : all) {
            if (m.authorId() != discord.bot().id()) {
                trigger = m.idString();
            }
        }
        return trigger;
    }

    private static String awaitBotMessageContaining(long channelId, String text) {
        await().atMost(WAIT).until(() -> botMessages(channelId).stream()
                .anyMatch(m -> m.content().contains(text)));
        return botMessages(channelId).stream()
                .filter(m -> m.content().contains(text))
                .findFirst()
                .orElseThrow()
                .content();
    }

    private static void awaitReaction(FakeMessage message, String emoji) {
        await().atMost(WAIT)
                .until(() ->
                        discord.message(message.id()).orElseThrow().reactions().contains(emoji));
    }

    private static List<String> buttonIds(long messageId) {
        List<String> ids = new ArrayList<>();
        for (JsonNode row : discord.components(messageId)) {
            for (JsonNode button : row.path("components")) {
                ids.add(button.path("custom_id").asText());
            }
        }
        return ids;
    }

    private static String deferredAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).as("deferred").isEqualTo(5);
        RestCall edit = discord.awaitCall("PATCH", "/webhooks/*/" + interaction.token() + "/messages/@original");
        return edit.body().path("content").asText();
    }

    private static String ephemeralAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(4);
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        return callback.body().path("data").path("content").asText();
    }
}
