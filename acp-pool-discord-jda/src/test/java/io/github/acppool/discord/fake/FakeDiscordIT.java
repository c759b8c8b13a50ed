package io.github.acppool.discord.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.emoji.Emoji;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.session.ShutdownEvent;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.requests.CloseCode;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.Compression;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Boots the real JDA client against {@link FakeDiscord} and checks every path the adapter will rely on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class FakeDiscordIT {

    private static final long WAIT_SECONDS = FakeDiscord.DEFAULT_AWAIT.toSeconds();

    private final EventRecorder events = new EventRecorder();
    private FakeDiscord discord;

    @BeforeEach
    void startFake() {
        discord = FakeDiscord.start();
    }

    @AfterEach
    void stopFake() {
        discord.close();
    }

    private JDA login(GatewayIntent... intents) {
        return discord.login(
                discord.jdaBuilder(EnumSet.copyOf(List.of(intents))).addEventListeners(events));
    }

    private JDA loginWithMessages() {
        return login(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT, GatewayIntent.DIRECT_MESSAGES);
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void readyCarriesTheBotTheApplicationAndTheGuild() {
        JDA jda = loginWithMessages();

        assertThat(jda.getStatus()).isEqualTo(JDA.Status.CONNECTED);
        assertThat(jda.getSelfUser().getIdLong()).isEqualTo(discord.bot().id());
        assertThat(jda.getSelfUser().getApplicationIdLong()).isEqualTo(discord.applicationId());
        assertThat(jda.getGuildById(discord.guildId())).isNotNull();
        assertThat(jda.getTextChannelsByName("general", false)).hasSize(1);
        assertThat(jda.getGuildById(discord.guildId()).getRolesByName("agents", false))
                .hasSize(1);
        assertThat(discord.identifies())
                .containsExactly(EnumSet.of(
                        GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT, GatewayIntent.DIRECT_MESSAGES));
        assertThat(discord.calls()).extracting(RestCall::path).containsExactly("/users/@me");
    }

    @Test
    void aUserMessageReachesTheListenerWithContentMentionsAndMember() {
        loginWithMessages();
        FakeUser alice = discord.user("alice");

        FakeMessage sent = discord.sendUserMessage(
                alice,
                discord.channel("general"),
                discord.bot().mention() + " hello " + discord.role("agents").mention());

        MessageReceivedEvent event = events.await(MessageReceivedEvent.class);
        Message message = event.getMessage();
        assertThat(message.getIdLong()).isEqualTo(sent.id());
        assertThat(message.getContentRaw()).isEqualTo(sent.content());
        assertThat(message.getAuthor().getIdLong()).isEqualTo(alice.id());
        assertThat(message.getMentions().getUsers())
                .extracting(u -> u.getIdLong())
                .containsExactly(discord.bot().id());
        assertThat(message.getMentions().getRoles())
                .extracting(r -> r.getName())
                .containsExactly("agents");
        assertThat(event.getMember()).isNotNull();
        assertThat(event.getMember().getRoles()).extracting(r -> r.getName()).containsExactly("agents");
        assertThat(event.isFromGuild()).isTrue();
    }

    @Test
    void withoutTheMessageContentIntentContentIsEmptyUnlessTheBotIsMentioned() {
        login(GatewayIntent.GUILD_MESSAGES);
        FakeChannel general = discord.channel("general");

        discord.sendUserMessage(discord.user("bob"), general, "not for you");
        discord.sendUserMessage(discord.user("bob"), general, discord.bot().mention() + " for you");

        List<String> contents = Awaitility.await()
                .atMost(FakeDiscord.DEFAULT_AWAIT)
                .until(
                        () -> events.all(MessageReceivedEvent.class).stream()
                                .map(e -> e.getMessage().getContentRaw())
                                .toList(),
                        list -> list.size() == 2);
        assertThat(contents).containsExactly("", discord.bot().mention() + " for you");
    }

    @Test
    void sentAndEditedMessagesLandInTheRecordAndComeBackAsEvents() throws Exception {
        JDA jda = loginWithMessages();
        TextChannel general = jda.getTextChannelById(discord.channel("general").id());

        Message placeholder = await(general.sendMessage("…").submit());
        Message edited = await(placeholder.editMessage("the answer").submit());

        RestCall post = discord.awaitCall("POST", "/channels/" + general.getId() + "/messages");
        RestCall patch =
                discord.awaitCall("PATCH", "/channels/" + general.getId() + "/messages/" + placeholder.getId());
        assertThat(post.text("content")).isEqualTo("…");
        assertThat(post.status()).isEqualTo(200);
        assertThat(patch.text("content")).isEqualTo("the answer");
        assertThat(edited.getContentRaw()).isEqualTo("the answer");
        assertThat(edited.isEdited()).isTrue();
        assertThat(discord.message(placeholder.getIdLong())).hasValueSatisfying(m -> {
            assertThat(m.content()).isEqualTo("the answer");
            assertThat(m.edits()).isEqualTo(1);
            assertThat(m.authorId()).isEqualTo(discord.bot().id());
        });
        // Discord echoes the bot's own messages over the gateway; an adapter must ignore them.
        MessageReceivedEvent echo = events.await(MessageReceivedEvent.class);
        assertThat(echo.getAuthor().getIdLong()).isEqualTo(jda.getSelfUser().getIdLong());
    }

    @Test
    void theContentLimitCountsCodePointsAndLongerContentIsRefused() throws Exception {
        JDA jda = loginWithMessages();
        TextChannel general = jda.getTextChannelById(discord.channel("general").id());
        Message message = await(general.sendMessage("short").submit());

        // 2000 emoji are 4000 UTF-16 units but 2000 code points: JDA and Discord accept them.
        String emoji = "😀".repeat(2000);
        assertThat(await(message.editMessage(emoji).submit()).getContentRaw()).isEqualTo(emoji);

        // JDA refuses longer content before sending, so post one code point too many past it.
        OkHttpClient http = new OkHttpClient();
        try (Response response = http.newCall(new Request.Builder()
                        .url(discord.restBaseUrl() + "channels/" + general.getId() + "/messages")
                        .header("Authorization", "Bot " + FakeDiscord.TOKEN)
                        .post(RequestBody.create(
                                "{\"content\":\"" + "x".repeat(2001) + "\"}", MediaType.get("application/json")))
                        .build())
                .execute()) {
            assertThat(response.code()).isEqualTo(400);
            assertThat(response.body().string()).contains("50035");
        } finally {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
        assertThat(discord.messagesIn(general.getIdLong())).hasSize(1);
    }

    @Test
    void reactionsAreAddedAndRemoved() throws Exception {
        JDA jda = loginWithMessages();
        FakeMessage sent = discord.sendUserMessage(discord.user("alice"), discord.channel("general"), "hi");
        Message message = events.await(MessageReceivedEvent.class).getMessage();

        await(message.addReaction(Emoji.fromUnicode("👀")).submit());
        await(message.addReaction(Emoji.fromUnicode("🤔")).submit());
        await(message.removeReaction(Emoji.fromUnicode("👀")).submit());

        assertThat(discord.calls())
                .extracting(c -> c.method() + " " + c.path())
                .contains(
                        "PUT /channels/" + message.getChannelId() + "/messages/" + sent.idString()
                                + "/reactions/👀/@me",
                        "DELETE /channels/" + message.getChannelId() + "/messages/" + sent.idString()
                                + "/reactions/👀/@me");
        assertThat(discord.message(sent.id()).orElseThrow().reactions()).containsExactly("🤔");
        assertThat(jda.getStatus()).isEqualTo(JDA.Status.CONNECTED);
    }

    @Test
    void aThreadIsCreatedFromAMessageAndTakesItsId() throws Exception {
        JDA jda = loginWithMessages();
        FakeMessage trigger = discord.sendUserMessage(
                discord.user("alice"), discord.channel("general"), discord.bot().mention() + " fix the build");
        Message message = events.await(MessageReceivedEvent.class).getMessage();

        ThreadChannel thread =
                await(message.createThreadChannel("fix the build").submit());
        await(thread.sendMessage("on it").submit());

        RestCall create = discord.awaitCall(
                "POST", "/channels/" + message.getChannelId() + "/messages/" + trigger.idString() + "/threads");
        assertThat(create.text("name")).isEqualTo("fix the build");
        assertThat(thread.getIdLong()).isEqualTo(trigger.id());
        assertThat(thread.getParentChannel().getIdLong())
                .isEqualTo(discord.channel("general").id());
        assertThat(discord.threadStartedFrom(trigger.id())).hasValue(thread.getIdLong());
        assertThat(jda.getThreadChannelById(thread.getIdLong())).isNotNull();
        assertThat(discord.messagesIn(thread.getIdLong()))
                .extracting(FakeMessage::content)
                .containsExactly("on it");

        // A second thread on the same message is refused with Discord's error 160004.
        assertThatThrownBy(() -> await(message.createThreadChannel("again").submit()))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(ErrorResponseException.class, e -> assertThat(e.getErrorCode())
                        .isEqualTo(160004));
    }

    @Test
    void messagesInAUserThreadAndInADmReachTheListener() throws Exception {
        loginWithMessages();
        FakeChannel thread = discord.createUserThread(discord.user("bob"), discord.channel("general"), "question");
        discord.sendUserMessage(discord.user("bob"), thread, "in the thread");
        discord.sendDirectMessage(discord.user("alice"), "in a DM");

        MessageReceivedEvent inThread = events.await(
                MessageReceivedEvent.class, e -> e.getMessage().getContentRaw().equals("in the thread"));
        MessageReceivedEvent inDm = events.await(
                MessageReceivedEvent.class, e -> e.getMessage().getContentRaw().equals("in a DM"));
        assertThat(inThread.getChannelType()).isEqualTo(ChannelType.GUILD_PUBLIC_THREAD);
        assertThat(inThread.getChannel().asThreadChannel().getParentChannel().getIdLong())
                .isEqualTo(discord.channel("general").id());
        assertThat(inDm.getChannelType()).isEqualTo(ChannelType.PRIVATE);

        await(inDm.getChannel().sendMessage("hello alice").submit());
        assertThat(discord.messagesIn(inDm.getChannel().getIdLong()))
                .extracting(FakeMessage::content)
                .containsExactly("in a DM", "hello alice");
    }

    @Test
    void aRateLimitedCallIsRetriedByJdaAndStillLands() throws Exception {
        JDA jda = loginWithMessages();
        TextChannel general = jda.getTextChannelById(discord.channel("general").id());
        discord.failNext("POST", "/channels/*/messages", RestFailure.rateLimited(Duration.ZERO));

        Message sent = await(general.sendMessage("after the 429").submit());

        assertThat(discord.awaitCalls("POST", "/channels/*/messages", 2))
                .extracting(RestCall::status)
                .containsExactly(429, 200);
        assertThat(sent.getContentRaw()).isEqualTo("after the 429");
        assertThat(discord.messagesIn(general.getIdLong()))
                .extracting(FakeMessage::content)
                .containsExactly("after the 429");
    }

    @Test
    void aBadGatewayIsRetriedButAnInternalServerErrorFailsTheCall() throws Exception {
        JDA jda = loginWithMessages();
        TextChannel general = jda.getTextChannelById(discord.channel("general").id());
        discord.failNext("POST", "/channels/*/messages", RestFailure.serverError(502));

        await(general.sendMessage("after a 502").submit());
        discord.failNext("POST", "/channels/*/messages", RestFailure.serverError(500));
        CompletableFuture<Message> failed = general.sendMessage("into a 500").submit();

        assertThatThrownBy(() -> await(failed))
                .cause()
                .isInstanceOfSatisfying(
                        ErrorResponseException.class,
                        e -> assertThat(e.getErrorResponse().getCode()).isEqualTo(0));
        assertThat(discord.calls("POST", "/channels/*/messages"))
                .extracting(RestCall::status)
                .containsExactly(502, 200, 500);
        assertThat(discord.messagesIn(general.getIdLong()))
                .extracting(FakeMessage::content)
                .containsExactly("after a 502");
    }

    @Test
    void slashCommandsAreRegisteredAndAnsweredEphemerallyWithAFollowup() throws Exception {
        JDA jda = loginWithMessages();
        await(jda.updateCommands()
                .addCommands(
                        Commands.slash("cancel", "Cancel the running turn"),
                        Commands.slash("reset", "Start a new session"),
                        Commands.slash("status", "Show the session"))
                .submit());
        assertThat(discord.globalCommandNames()).containsExactlyInAnyOrder("cancel", "reset", "status");
        assertThat(discord.awaitCall("PUT", "/applications/" + discord.applicationId() + "/commands")
                        .body())
                .hasSize(3);

        FakeChannel thread = discord.createUserThread(discord.user("alice"), discord.channel("general"), "work");
        FakeInteraction interaction = discord.runSlashCommand(discord.user("alice"), thread, "status", Map.of());
        SlashCommandInteractionEvent event = events.await(SlashCommandInteractionEvent.class);
        assertThat(event.getName()).isEqualTo("status");
        assertThat(event.getChannel().getIdLong()).isEqualTo(thread.id());
        assertThat(event.getUser().getIdLong()).isEqualTo(discord.user("alice").id());
        InteractionHook hook = await(event.reply("idle").setEphemeral(true).submit());
        await(hook.sendMessage("more detail").setEphemeral(true).submit());

        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(4);
        assertThat(callback.body().path("data").path("content").asText()).isEqualTo("idle");
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        RestCall followup =
                discord.awaitCall("POST", "/webhooks/" + discord.applicationId() + "/" + interaction.token());
        assertThat(followup.text("content")).isEqualTo("more detail");
        // Ephemeral answers are not visible in the channel.
        assertThat(discord.messagesIn(thread.id())).isEmpty();
    }

    @Test
    void aSlashCommandInADmReachesTheListener() throws Exception {
        loginWithMessages();
        discord.sendDirectMessage(discord.user("bob"), "hello");
        MessageReceivedEvent dm = events.await(MessageReceivedEvent.class);
        FakeChannel dmChannel = discord.channel(dm.getChannel().getIdLong());

        FakeInteraction interaction = discord.runSlashCommand(discord.user("bob"), dmChannel, "cancel");
        SlashCommandInteractionEvent event = events.await(SlashCommandInteractionEvent.class);
        assertThat(event.isFromGuild()).isFalse();
        assertThat(event.getUser().getIdLong()).isEqualTo(discord.user("bob").id());
        await(event.reply("nothing to cancel").setEphemeral(true).submit());

        assertThat(discord.awaitCall("POST", interaction.callbackPath()).status())
                .isEqualTo(200);
    }

    @Test
    void jdasOwnSessionControllerWorksWhenItsGatewayIsOverridden() {
        // How a bot configured with a gateway URL wires JDA; the fake also answers GET /gateway/bot for shards.
        String gateway = discord.gatewayUrl();
        JDA jda = discord.login(discord.jdaBuilder(GatewayIntent.GUILD_MESSAGES)
                .setSessionController(new net.dv8tion.jda.api.utils.ConcurrentSessionController() {
                    @Override
                    public String getGateway() {
                        return gateway;
                    }
                }));
        assertThat(jda.getGuilds()).hasSize(1);
    }

    @Test
    void aButtonClickReachesTheListenerAndItsCallbackLands() throws Exception {
        JDA jda = loginWithMessages();
        TextChannel general = jda.getTextChannelById(discord.channel("general").id());
        Message ask = await(general.sendMessage("Allow the agent to run `rm -rf build`?")
                .setComponents(ActionRow.of(Button.success("perm:allow", "Allow"), Button.danger("perm:deny", "Deny")))
                .submit());

        FakeInteraction click = discord.clickButton(discord.user("alice"), ask.getIdLong(), "perm:allow");
        ButtonInteractionEvent event = events.await(ButtonInteractionEvent.class);
        assertThat(event.getComponentId()).isEqualTo("perm:allow");
        assertThat(event.getMessageIdLong()).isEqualTo(ask.getIdLong());
        assertThat(event.getUser().getIdLong()).isEqualTo(discord.user("alice").id());
        await(event.editMessage("Allowed by alice").setComponents().submit());

        RestCall callback = discord.awaitCall("POST", click.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(7);
        assertThat(discord.message(ask.getIdLong()).orElseThrow().content()).isEqualTo("Allowed by alice");
        assertThat(discord.message(ask.getIdLong()).orElseThrow().edits()).isEqualTo(1);
    }

    @Test
    void zlibStreamCompressionWorks() {
        discord.close();
        discord = FakeDiscord.builder().compression(Compression.ZLIB).start();
        loginWithMessages();

        discord.sendUserMessage(discord.user("alice"), discord.channel("general"), "compressed");

        assertThat(events.await(MessageReceivedEvent.class).getMessage().getContentRaw())
                .isEqualTo("compressed");
    }

    @Test
    void heartbeatsAreAcknowledgedAndTheSessionStays() {
        discord.close();
        discord = FakeDiscord.builder().heartbeatInterval(Duration.ofMillis(20)).start();
        JDA jda = loginWithMessages();

        Awaitility.await().atMost(FakeDiscord.DEFAULT_AWAIT).until(() -> discord.heartbeats() >= 5);

        // Two unacknowledged heartbeats would make JDA drop the connection and open another.
        assertThat(discord.connections()).isEqualTo(1);
        assertThat(jda.getStatus()).isEqualTo(JDA.Status.CONNECTED);
        assertThat(jda.getGatewayPing()).isNotNegative();
    }

    @Test
    void aPrivilegedIntentThatIsNotEnabledClosesTheGatewayWith4014() {
        discord.close();
        discord = FakeDiscord.builder().allowedPrivilegedIntents().start();

        assertThatThrownBy(this::loginWithMessages).isInstanceOf(IllegalStateException.class);
        ShutdownEvent shutdown = events.await(ShutdownEvent.class);
        assertThat(shutdown.getCloseCode()).isEqualTo(CloseCode.DISALLOWED_INTENTS);
    }

    @Test
    void aShardManagerConnectsEveryShardAndTheGuildShardGetsItsMessages() {
        ShardManager shards = discord.loginShards(
                2,
                EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT),
                builder -> builder.addEventListeners(events));

        assertThat(shards.getShards()).hasSize(2);
        assertThat(shards.getGuildById(discord.guildId())).isNotNull();
        int guildShard = (int) ((discord.guildId() >>> 22) % 2);
        discord.sendUserMessage(discord.user("alice"), discord.channel("general"), "sharded");

        MessageReceivedEvent event = events.await(MessageReceivedEvent.class);
        assertThat(event.getJDA().getShardInfo().getShardId()).isEqualTo(guildShard);
        assertThat(discord.identifies()).hasSize(2);
    }

    @Test
    void closingStopsJdaAndLeavesNoThreadsBehind() {
        loginWithMessages();
        discord.close();

        Awaitility.await().atMost(FakeDiscord.DEFAULT_AWAIT).untilAsserted(() -> assertThat(
                        Thread.getAllStackTraces().keySet())
                .filteredOn(Thread::isAlive)
                .extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("JDA") || name.startsWith("fake-discord")));
    }
}
