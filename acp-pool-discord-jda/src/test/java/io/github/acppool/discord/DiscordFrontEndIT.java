package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.discord.fake.FakeAttachment;
import io.github.acppool.discord.fake.FakeChannel;
import io.github.acppool.discord.fake.FakeDiscord;
import io.github.acppool.discord.fake.FakeInteraction;
import io.github.acppool.discord.fake.FakeMessage;
import io.github.acppool.discord.fake.FakeUser;
import io.github.acppool.discord.fake.HeldCall;
import io.github.acppool.discord.fake.RestCall;
import io.github.acppool.discord.fake.RestFailure;
import io.github.acppool.testing.FakeAgent;
import io.github.acppool.testing.FakeScheduler;
import io.github.acppool.turn.DrainPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.dv8tion.jda.api.JDA;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front end end to end: the real JDA client logged in to {@link FakeDiscord}, a real {@link AcpBroker} over
 * {@link FakeAgent} processes. One fake server, JDA, broker and front end are shared; every test talks in its own
 * thread. The front end's timers run on a {@link FakeScheduler}, so streamed edits happen only when a test advances
 * it. Access: only the role "agents" (alice) may talk; bob may not; other bots are answered, at most {@value
 * #BOT_TURNS} bot messages in a row.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DiscordFrontEndIT {

    private static final int BOT_TURNS = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    private static FakeDiscord discord;
    private static FakeScheduler clock;
    private static ExecutorService executor;
    private static DiscordFrontEnd frontEnd;
    private static AcpBroker broker;
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
                        .maxBotTurns(BOT_TURNS)
                        .build())
                .botMessages(BotMessagePolicy.ALL)
                .permissionTimeout(Duration.ofMinutes(1))
                .build();
        frontEnd = DiscordFrontEnd.create(config, executor, clock, clock);
        broker = AcpBroker.builder()
                .agent(FakeAgent.launchSpec("--marker=discord-front-end-it"))
                .workingDirectory(id -> work)
                .clientOptions(AcpClientOptions.builder()
                        .permissionPolicy(frontEnd.permissionPolicy())
                        .closeGrace(Duration.ofMillis(500))
                        .build())
                .drainPolicy(DrainPolicy.none())
                .shutdownTimeout(Duration.ofSeconds(5))
                .build();
        JDA jda = discord.login(discord.jdaBuilder(DiscordFrontEnd.requiredIntents()));
        frontEnd.start(broker, jda);
        await().atMost(WAIT).until(() -> discord.globalCommandNames()
                .containsAll(Set.of("ask", "cancel", "reset", "status", DiscordBridge.ASK_MESSAGE)));
    }

    @Test
    void theCommandsAreRegisteredGloballyInOneBulkCall() {
        assertThat(discord.calls("PUT", "/applications/*/commands")).hasSize(1);
        assertThat(discord.calls("POST", "/applications/*/commands")).isEmpty();
        assertThat(discord.calls("PUT", "/applications/*/guilds/*/commands")).isEmpty();
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
    void aMentionStartsAThread_repliesStreamIntoThePlaceholder_queuedMessagesWait_andTheCommandsWork() {
        FakeMessage trigger = mention(alice, "say hello\nwait-for-continue\nsay never");
        long thread = awaitThread(trigger);
        String conversation = DiscordFrontEnd.conversationId(thread);
        assertThat(discord.channel(thread).name()).startsWith("say hello");

        // The first sign: the thinking reaction on the trigger and a placeholder in the thread.
        awaitReaction(trigger, StatusEmoji.DEFAULT_THINKING);
        RestCall placeholderPost = discord.awaitCalls(
                        "placeholder",
                        c -> c.matches("POST", "/channels/" + thread + "/messages")
                                && c.text("content").equals(MessageSplitter.ELLIPSIS),
                        1)
                .get(0);
        long placeholder = botMessages(thread).get(0).id();
        assertThat(placeholderPost.status()).isEqualTo(200);

        // Streamed edits come when the cadence's interval has passed (the test moves the clock).
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(placeholder).orElseThrow().content().contains("hello");
        });
        assertThat(broker.status(conversation).orElseThrow().busy()).isTrue();

        // A follow-up without a mention while the turn runs: queued, marked, answered later.
        FakeMessage queued = discord.sendUserMessage(alice, discord.channel(thread), "say after the cancel");
        awaitReaction(queued, StatusEmoji.DEFAULT_QUEUED);

        FakeInteraction status = discord.runSlashCommand(alice, discord.channel(thread), "status");
        assertThat(commandAnswer(status)).contains("Busy").contains("1 queued");

        FakeInteraction stranger = discord.runSlashCommand(bob, discord.channel(thread), "cancel");
        assertThat(ephemeralAnswer(stranger)).contains("not allowed");

        FakeInteraction cancel = discord.runSlashCommand(alice, discord.channel(thread), "cancel");
        assertThat(commandAnswer(cancel)).contains("Cancelled");

        awaitBotMessageContaining(thread, "after the cancel");
        assertThat(discord.message(placeholder).orElseThrow().content()).contains("hello");
        awaitReaction(queued, StatusEmoji.DEFAULT_DONE);

        FakeInteraction reset = discord.runSlashCommand(alice, discord.channel(thread), "reset");
        assertThat(commandAnswer(reset)).contains("afresh");
        discord.sendUserMessage(alice, discord.channel(thread), "history");
        String history = awaitBotMessageContaining(thread, "history:");
        assertThat(history).doesNotContain("hello");
    }

    @Test
    void aLongReplyIsSplit_theFirstPartReplacingThePlaceholder() {
        FakeMessage trigger = mention(alice, "chunks 5 1000");
        long thread = awaitThread(trigger);
        await().atMost(WAIT).until(() -> botMessages(thread).size() >= 3);
        awaitReaction(trigger, StatusEmoji.DEFAULT_DONE);
        List<FakeMessage> replies = botMessages(thread);
        assertThat(replies).hasSize(3);
        assertThat(replies.get(0).edits()).isPositive();
        assertThat(replies).allSatisfy(m -> assertThat(Text.codePoints(m.content()))
                .isLessThanOrEqualTo(MessageSplitter.DISCORD_LIMIT));
        String joined = replies.stream().map(FakeMessage::content).collect(Collectors.joining());
        assertThat(joined)
                .isEqualTo(
                        "0".repeat(1000) + "1".repeat(1000) + "2".repeat(1000) + "3".repeat(1000) + "4".repeat(1000));
    }

    @Test
    void aTurnThatEndsBeforeItsPlaceholderIsPosted_keepsTheFinalReply_noStreamedEditComesAfter() {
        HeldCall placeholderPost = discord.holdNext("POST", "/channels/*/messages");
        FakeMessage trigger = mention(alice, "chunks 3 1000");
        long thread = awaitThread(trigger);
        placeholderPost.awaitArrival();
        String conversation = DiscordFrontEnd.conversationId(thread);
        await().atMost(WAIT)
                .until(() -> broker.status(conversation).orElseThrow().turns() == 1
                        && !broker.status(conversation)
                                .orElseThrow()
                                .busy()); // the turn has ended; Discord has not answered
        placeholderPost.release();
        String first = "0".repeat(1000) + "1".repeat(1000);
        await().atMost(WAIT)
                .until(() -> botMessages(thread).size() == 2
                        && botMessages(thread).get(0).content().equals(first));
        long placeholder = botMessages(thread).get(0).id();

        // Once another reply has come and gone, a streamed edit still pending for this one is made due; the final
        // edit of a reply after that goes after it (JDA sends the edits of one channel in order).
        discord.sendUserMessage(alice, discord.channel(thread), "say first marker");
        awaitBotMessageContaining(thread, "first marker");
        clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
        discord.sendUserMessage(alice, discord.channel(thread), "say second marker");
        awaitBotMessageContaining(thread, "second marker");
        assertThat(discord.calls("PATCH", "/channels/" + thread + "/messages/" + placeholder))
                .extracting(call -> call.text("content"))
                .containsExactly(first);
        assertThat(discord.message(placeholder).orElseThrow().content()).isEqualTo(first);
    }

    @Test
    void reactionsGoOutInOrder_whenDiscordIsSlow_andEndWithExactlyTheDoneReaction() {
        HeldCall thinking = discord.holdNext("PUT", "/channels/*/messages/*/reactions/*/@me");
        FakeMessage trigger = mention(alice, "say fast turn");
        thinking.awaitArrival();
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "fast turn"); // the turn is over while the first reaction is held
        String reactions = "/channels/" + general.id() + "/messages/" + trigger.idString() + "/reactions/*/@me";
        assertThat(discord.calls("PUT", reactions)).isEmpty();
        thinking.release();
        awaitReaction(trigger, StatusEmoji.DEFAULT_DONE);
        await().atMost(WAIT)
                .until(() ->
                        discord.message(trigger.id()).orElseThrow().reactions().size() == 1);
        assertThat(discord.calls().stream()
                        .filter(c -> c.matches("PUT", reactions) || c.matches("DELETE", reactions))
                        .map(c -> c.method() + " " + c.segment(5)))
                .containsExactly(
                        "PUT " + StatusEmoji.DEFAULT_THINKING,
                        "PUT " + StatusEmoji.DEFAULT_DONE,
                        "DELETE " + StatusEmoji.DEFAULT_THINKING);
        assertThat(discord.message(trigger.id()).orElseThrow().reactions()).containsExactly(StatusEmoji.DEFAULT_DONE);
    }

    @Test
    void theDoneReactionComesOnlyAfterTheFinalText_evenUnderAStrictEditLimit() {
        discord.failNext("PATCH", "/channels/*/messages/*", RestFailure.rateLimited(Duration.ofSeconds(2)));
        FakeMessage trigger = mention(alice, "say slow final text");
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "slow final text");
        awaitReaction(trigger, StatusEmoji.DEFAULT_DONE);
        List<RestCall> calls = discord.calls();
        int finalEdit = -1;
        int done = -1;
        for (int i = 0; i < calls.size(); i++) {
            RestCall call = calls.get(i);
            if (call.matches("PATCH", "/channels/" + thread + "/messages/*") && call.status() == 200) {
                finalEdit = i;
            } else if (call.matches("PUT", "/channels/*/messages/" + trigger.idString() + "/reactions/*/@me")
                    && call.segment(5).equals(StatusEmoji.DEFAULT_DONE)) {
                done = i;
            }
        }
        assertThat(calls.stream().filter(c -> c.matches("PATCH", "/channels/" + thread + "/messages/*")))
                .extracting(RestCall::status)
                .containsExactly(429, 200);
        assertThat(done).as("the done reaction after the final edit").isGreaterThan(finalEdit);
        await().atMost(WAIT)
                .until(() ->
                        discord.message(trigger.id()).orElseThrow().reactions().size() == 1);
    }

    @Test
    void aFinalEditThatFails_postsTheReplyAsANewMessage_andLeavesNoPlaceholderBehind() {
        // No clock advance, so the only edit is the final one.
        discord.failNext("PATCH", "/channels/*/messages/*", RestFailure.serverError(500));
        FakeMessage trigger = mention(alice, "say edited or not");
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "edited or not");
        assertThat(discord.calls("PATCH", "/channels/" + thread + "/messages/*"))
                .extracting(RestCall::status)
                .containsExactly(500);
        assertThat(botMessages(thread)).extracting(FakeMessage::content).containsExactly("edited or not");
    }

    @Test
    void aRateLimitedPlaceholderIsRetried_andTheReplyLands() {
        discord.failNext("POST", "/channels/*/messages", RestFailure.rateLimited(Duration.ZERO));
        FakeMessage trigger = mention(alice, "say survived the rate limit");
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "survived the rate limit");
        assertThat(discord.calls("POST", "/channels/*/messages"))
                .extracting(RestCall::status)
                .contains(429);
    }

    @Test
    void permissionQuestions_areAnsweredByAllowedUsersOnly_allowAndDeny() {
        FakeMessage trigger = mention(alice, "permission p1");
        long thread = awaitThread(trigger);
        FakeMessage question = awaitQuestion(thread, 1);

        FakeInteraction refused = discord.clickButton(bob, question.id(), buttonId(question, "allow"));
        assertThat(ephemeralAnswer(refused)).contains("Only people allowed");

        FakeInteraction allowed = discord.clickButton(alice, question.id(), buttonId(question, "allow"));
        assertThat(discord.awaitCall("POST", allowed.callbackPath())
                        .body()
                        .path("type")
                        .asInt())
                .isEqualTo(7);
        String reply = awaitBotMessageContaining(thread, "permission p1:");
        assertThat(reply).contains("allow");
        assertThat(discord.message(question.id()).orElseThrow().content()).contains("Allowed by");
        assertThat(ButtonsAssert.buttons(discord.components(question.id())))
                .hasSize(2)
                .allMatch(button -> button.path("disabled").asBoolean());

        discord.sendUserMessage(alice, discord.channel(thread), "permission p2");
        FakeMessage second = awaitQuestion(thread, 2);
        discord.clickButton(alice, second.id(), buttonId(second, "deny"));
        assertThat(awaitBotMessageContaining(thread, "permission p2:")).contains("reject");
        assertThat(discord.message(second.id()).orElseThrow().content()).contains("Denied by");
        assertThat(ButtonsAssert.buttons(discord.components(second.id())))
                .allMatch(button -> button.path("disabled").asBoolean());
    }

    @Test
    void aClickWhoseInteractionAnswerFails_stillClosesTheQuestion() {
        FakeMessage trigger = mention(alice, "permission p3");
        long thread = awaitThread(trigger);
        FakeMessage question = awaitQuestion(thread, 1);
        discord.failNext("POST", "/interactions/*/*/callback", RestFailure.serverError(500));
        discord.clickButton(alice, question.id(), buttonId(question, "allow"));
        assertThat(awaitBotMessageContaining(thread, "permission p3:")).contains("allow");
        await().atMost(WAIT)
                .until(() ->
                        discord.message(question.id()).orElseThrow().content().contains("Allowed by"));
        assertThat(ButtonsAssert.buttons(discord.components(question.id())))
                .hasSize(2)
                .allMatch(button -> button.path("disabled").asBoolean());
    }

    @Test
    void aUserOutsideTheAllowlist_getsOnlyAQuietSign() {
        FakeMessage denied = mention(bob, "say should not run");
        awaitReaction(denied, DiscordBridge.DENIED);
        // Alice's mention afterwards is answered; by then bob's would have been too.
        FakeMessage allowed = mention(alice, "say alice is answered");
        awaitBotMessageContaining(awaitThread(allowed), "alice is answered");
        assertThat(discord.threadStartedFrom(denied.id())).isEmpty();
        assertThat(discord.calls()).noneMatch(c -> c.text("content").contains("should not run"));
    }

    @Test
    void otherBotsAreAnswered_untilTheBotTurnLimit() {
        FakeMessage trigger = mention(alice, "say ready");
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "ready");
        FakeUser helper = discord.user("helper-bot");
        FakeChannel channel = discord.channel(thread);

        // In the thread: our placeholder (1), the helper (2, answered), our placeholder (3), the helper (4: stop).
        discord.sendUserMessage(helper, channel, "say one");
        awaitBotMessageContaining(thread, "one");
        discord.sendUserMessage(helper, channel, "say two");
        awaitBotMessageContaining(thread, "Stopping here");
        discord.sendUserMessage(helper, channel, "say three");
        // A person resets the count; the helper's third message was ignored before that.
        discord.sendUserMessage(alice, channel, "say people still get answers");
        awaitBotMessageContaining(thread, "people still get answers");
        assertThat(botMessages(thread))
                .noneMatch(m -> m.content().equals("two") || m.content().equals("three"));
    }

    @Test
    void toolCallsShowAsStatusLinesAboveTheText() {
        FakeMessage trigger = mention(alice, "tool t1 execute run the tests\ntool-done t1\nsay all green");
        long thread = awaitThread(trigger);
        String reply = awaitBotMessageContaining(thread, "all green");
        assertThat(reply).startsWith(ToolLines.COMPLETED + " `run the tests`").endsWith("all green");
    }

    @Test
    void attachments_textIsInlined_imagesGoAlong_theRestIsSkippedWithANote() {
        long downloadsBefore = discord.downloads();
        FakeMessage trigger = discord.sendUserMessage(
                alice,
                general,
                discord.bot().mention() + " say reading your files",
                List.of(
                        FakeAttachment.text("script.txt", "say inlined from the file"),
                        new FakeAttachment("screen.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}),
                        new FakeAttachment("tool.bin", "application/octet-stream", new byte[] {1, 2, 3}),
                        FakeAttachment.text(
                                "huge.log", "x".repeat((int) DiscordConfig.DEFAULT_MAX_TEXT_ATTACHMENT_BYTES + 1))));
        long thread = awaitThread(trigger);
        String reply = awaitBotMessageContaining(thread, "inlined from the file");
        assertThat(reply)
                .contains("reading your files")
                .contains("Skipped `tool.bin`: not a text file or an image")
                .contains("Skipped `huge.log`: larger than the 512 KB limit")
                .doesNotContain("screen.png");
        assertThat(discord.downloads() - downloadsBefore).isEqualTo(2);
    }

    @Test
    void anAgentThatDies_isReportedInOneShortLine_andTheErrorReaction() {
        FakeMessage trigger = mention(alice, "crash 3 fatal: something broke inside the agent");
        long thread = awaitThread(trigger);
        String reply = awaitBotMessageContaining(thread, "No reply");
        assertThat(reply).isEqualTo("⚠️ No reply: the agent stopped unexpectedly; your next message starts it again.");
        awaitReaction(trigger, StatusEmoji.DEFAULT_ERROR);
    }

    @Test
    void noMessageTheBotSendsCanPing_whateverTheAgentOrAUserWrites() {
        String pings = "@everyone @here <@&4242> <@" + alice.id() + ">";
        // Streamed edits, the final edit and a second part, all carrying the pings.
        FakeMessage trigger = mention(alice, "say " + pings + "\nwait-for-continue");
        long thread = awaitThread(trigger);
        long placeholder = awaitPlaceholder(thread);
        await().atMost(WAIT).until(() -> {
            clock.advance(DiscordConfig.DEFAULT_EDIT_INTERVAL);
            return discord.message(placeholder).orElseThrow().content().contains("@everyone");
        });
        // A slash command (deferred, then edited in) and a refused one (an ephemeral answer).
        commandAnswer(discord.runSlashCommand(alice, discord.channel(thread), "cancel"));
        ephemeralAnswer(discord.runSlashCommand(bob, discord.channel(thread), "status"));
        awaitReaction(trigger, StatusEmoji.DEFAULT_CANCELLED);
        discord.sendUserMessage(alice, discord.channel(thread), "chunks 3 1000\nsay " + pings);
        await().atMost(WAIT).until(() -> botMessages(thread).stream()
                .anyMatch(m -> m.content().endsWith(pings)));
        // A permission question, a refused click (ephemeral) and an accepted one (the question edited).
        discord.sendUserMessage(alice, discord.channel(thread), "permission " + pings);
        FakeMessage question = awaitQuestion(thread, 1);
        ephemeralAnswer(discord.clickButton(bob, question.id(), buttonId(question, "allow")));
        discord.awaitCall(
                "POST",
                discord.clickButton(alice, question.id(), buttonId(question, "allow"))
                        .callbackPath());
        awaitBotMessageContaining(thread, "permission " + pings + ":");

        // Every call that carries content; a deferred answer (callback type 5) has none until it is edited in.
        List<RestCall> messages = discord.calls().stream()
                .filter(DiscordFrontEndIT::sendsAMessage)
                .filter(call -> (call.path().startsWith("/interactions/")
                                ? call.body().path("data")
                                : call.body())
                        .has("content"))
                .toList();
        assertThat(messages)
                .extracting(DiscordFrontEndIT::kind)
                .contains(
                        "POST message",
                        "PATCH message",
                        "POST interaction callback 4",
                        "POST interaction callback 7",
                        "PATCH interaction original");
        assertThat(messages).allSatisfy(call -> {
            JsonNode data =
                    call.path().startsWith("/interactions/") ? call.body().path("data") : call.body();
            JsonNode allowed = data.path("allowed_mentions");
            assertThat(allowed.path("parse").isArray())
                    .as("allowed_mentions of %s", call)
                    .isTrue();
            assertThat(allowed.path("parse")).as("parse of %s", call).isEmpty();
            assertThat(allowed.path("users")).as("users of %s", call).isEmpty();
            assertThat(allowed.path("roles")).as("roles of %s", call).isEmpty();
            assertThat(allowed.path("replied_user").asBoolean(false))
                    .as("replied_user of %s", call)
                    .isFalse();
        });
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
        discord.awaitCalls(
                "placeholder",
                c -> c.matches("POST", "/channels/" + thread + "/messages")
                        && c.text("content").equals(MessageSplitter.ELLIPSIS),
                1);
        return botMessages(thread).get(0).id();
    }

    /** Every REST call that creates or edits a message (in a channel or as an interaction's answer). */
    private static boolean sendsAMessage(RestCall call) {
        return call.matches("POST", "/channels/*/messages")
                || call.matches("PATCH", "/channels/*/messages/*")
                || call.matches("POST", "/interactions/*/*/callback")
                || call.matches("POST", "/webhooks/*/*")
                || call.matches("PATCH", "/webhooks/*/*/messages/*");
    }

    private static String kind(RestCall call) {
        if (call.path().startsWith("/interactions/")) {
            return "POST interaction callback " + call.body().path("type").asInt();
        }
        if (call.path().startsWith("/webhooks/")) {
            return call.method().equals("POST") ? "POST interaction follow-up" : "PATCH interaction original";
        }
        return call.method() + " message";
    }

    private static List<FakeMessage> botMessages(long channelId) {
        return discord.messagesIn(channelId).stream()
                .filter(m -> m.authorId() == discord.bot().id() && !m.ephemeral())
                .toList();
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

    /** A slash command's answer: deferred at once (ephemeral), then edited in. */
    private static String commandAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).as("deferred").isEqualTo(5);
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        RestCall edit = discord.awaitCall("PATCH", "/webhooks/*/" + interaction.token() + "/messages/@original");
        return edit.body().path("content").asText();
    }

    private static String ephemeralAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(4);
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        return callback.body().path("data").path("content").asText();
    }

    private static FakeMessage awaitQuestion(long thread, int count) {
        await().atMost(WAIT).until(() -> questions(thread).size() >= count);
        return questions(thread).get(count - 1);
    }

    private static List<FakeMessage> questions(long thread) {
        return botMessages(thread).stream()
                .filter(m -> m.content().startsWith("🔐"))
                .toList();
    }

    private static String buttonId(FakeMessage question, String action) {
        JsonNode rows = discord.components(question.id());
        for (JsonNode row : rows) {
            for (JsonNode button : row.path("components")) {
                String id = button.path("custom_id").asText();
                if (id.endsWith(":" + action)) {
                    return id;
                }
            }
        }
        throw new AssertionError("no " + action + " button on " + question + ": " + rows);
    }
}
