package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentSpec;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several agents behind one bot, end to end (real JDA against {@link FakeDiscord}, a real broker over {@link
 * FakeAgent} processes): choosing an agent with {@code /ask agent:} (autocomplete) or by name in a mention, bound
 * channels, and the operator commands {@code /doctor}, {@code /sessions} and {@code /agent}.
 *
 * <p>The broker has two working agents, alpha (the default) and beta, which tell themselves apart by the variable
 * WHO ({@code env WHO}), and three broken ones for {@code /doctor}: a missing command, one that exits at start and one
 * that needs a key it is not given. People with the role "agents" (alice, olga) may use alpha and beta only; the
 * channel "betas" only beta. "bound" is bound to beta as one conversation, "threads" to beta with a thread per
 * message. olga has the role "ops", the operators' role.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class DiscordAgentsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    private static FakeDiscord discord;
    private static FakeScheduler clock;
    private static ExecutorService executor;
    private static DiscordFrontEnd frontEnd;
    private static AcpBroker broker;
    private static FakeUser alice;
    private static FakeUser bob;
    private static FakeUser olga;
    private static FakeChannel general;
    private static FakeChannel betas;
    private static FakeChannel bound;
    private static FakeChannel threads;

    @BeforeAll
    static void start() {
        discord = FakeDiscord.builder()
                .human("olga", "agents", "ops")
                .textChannel("betas")
                .textChannel("bound")
                .textChannel("threads")
                .start();
        alice = discord.user("alice");
        bob = discord.user("bob");
        olga = discord.user("olga");
        general = discord.channel("general");
        betas = discord.channel("betas");
        bound = discord.channel("bound");
        threads = discord.channel("threads");
        long agentsRole = discord.role("agents").id();
        clock = new FakeScheduler();
        executor = Executors.newFixedThreadPool(2);
        DiscordConfig config = DiscordConfig.builder()
                .access(AccessRules.builder()
                        .allowedRoles(List.of(agentsRole))
                        .allowedChannels(List.of(general.id(), betas.id()))
                        .build())
                .agents(new AgentRules(
                        Map.of(betas.id(), Set.of("beta")),
                        Map.of(agentsRole, Set.of("alpha", "beta")),
                        List.of(
                                new ChannelBinding(bound.id(), "beta", ChannelBinding.Mode.CHANNEL),
                                new ChannelBinding(threads.id(), "beta", ChannelBinding.Mode.THREAD))))
                .operatorRoles(List.of(discord.role("ops").id()))
                .commandGuilds(List.of(discord.guildId()))
                .build();
        frontEnd = DiscordFrontEnd.create(config, executor, clock, clock);
        broker = AcpBroker.builder()
                .agent(AgentSpec.builder("alpha", who("alpha"))
                        .description("Alpha agent")
                        .build())
                .agent(AgentSpec.builder("beta", who("beta"))
                        .description("Beta agent")
                        .build())
                .agent(AgentSpec.builder(
                                "missing",
                                AgentLaunchSpec.builder(
                                                work.resolve("no-such-agent").toString())
                                        .build())
                        .build())
                .agent(AgentSpec.builder("crashing", FakeAgent.launchSpec("--exit-before-initialize=3"))
                        .build())
                .agent(AgentSpec.builder(
                                "locked",
                                FakeAgent.launchSpec(
                                        "--require-auth",
                                        "--auth-methods=[{\"id\":\"key\",\"name\":\"Key\","
                                                + "\"varName\":\"ACP_POOL_TEST_KEY_NOT_SET\"}]"))
                        .build())
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
        await().atMost(WAIT).until(() -> discord.guildCommandNames().contains(OperatorCommands.DOCTOR));
    }

    /** A fake agent that answers {@code env WHO} with its name. */
    private static AgentLaunchSpec who(String name) {
        // No authentication methods: the fake's default (an interactive login) would make /doctor warn.
        List<String> line =
                FakeAgent.launchSpec("--marker=" + name, "--auth-methods=[]").commandLine();
        return AgentLaunchSpec.builder(line.get(0))
                .args(line.subList(1, line.size()))
                .env("WHO", name)
                .build();
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
    void theOperatorCommandsAndTheAgentOption_areRegistered() {
        RestCall bulk =
                discord.calls("PUT", "/applications/*/guilds/*/commands").get(0);
        assertThat(bulk.body())
                .extracting(command -> command.path("name").asText())
                .contains("ask", "doctor", "sessions", "agent");
        for (JsonNode command : bulk.body()) {
            if (command.path("name").asText().equals("ask")) {
                JsonNode agent = command.path("options").get(1);
                assertThat(agent.path("name").asText()).isEqualTo("agent");
                assertThat(agent.path("required").asBoolean()).isFalse();
                assertThat(agent.path("autocomplete").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void askAgent_offersTheAgentsThePersonMayUse_andTheThreadRunsOnTheChosenOne() {
        assertThat(autocomplete(alice, general, "ask", "agent", ""))
                .containsExactly("alpha=alpha - Alpha agent", "beta=beta - Beta agent");
        assertThat(autocomplete(alice, general, "ask", "agent", "BET")).containsExactly("beta=beta - Beta agent");
        assertThat(autocomplete(alice, general, "ask", "agent", "beta ag")).containsExactly("beta=beta - Beta agent");
        assertThat(autocomplete(alice, betas, "ask", "agent", ""))
                .as("the channel allows beta only")
                .containsExactly("beta=beta - Beta agent");
        assertThat(autocomplete(bob, general, "ask", "agent", ""))
                .as("bob may not talk")
                .isEmpty();

        FakeInteraction ask =
                discord.runSlashCommand(alice, general, "ask", Map.of("prompt", "env WHO", "agent", "beta"));
        discord.awaitCall("POST", ask.callbackPath());
        long prompt = botMessageIn(general.id(), "env WHO");
        await().atMost(WAIT).until(() -> discord.threadStartedFrom(prompt).isPresent());
        long thread = discord.threadStartedFrom(prompt).getAsLong();
        awaitBotMessageContaining(thread, "env WHO=beta");
        assertThat(broker.agentOf(DiscordFrontEnd.conversationId(thread))).isEqualTo("beta");

        assertThat(ephemeralAnswer(
                        discord.runSlashCommand(alice, general, "ask", Map.of("prompt", "hi", "agent", "missing"))))
                .isEqualTo("You cannot use missing here. You can use: alpha, beta.");
        assertThat(ephemeralAnswer(
                        discord.runSlashCommand(alice, general, "ask", Map.of("prompt", "hi", "agent", "gamma"))))
                .isEqualTo("There is no agent called gamma. You can use: alpha, beta.");
        assertThat(ephemeralAnswer(discord.runSlashCommand(
                        alice, discord.channel(thread), "ask", Map.of("prompt", "hi", "agent", "alpha"))))
                .as("a running conversation keeps its agent")
                .contains("This conversation runs on beta");
    }

    @Test
    void aMentionNamingAnAgent_startsTheThreadOnIt_otherTextBeforeAColonIsText() {
        FakeMessage named = mention(alice, general, "beta: env WHO");
        long thread = awaitThread(named);
        awaitBotMessageContaining(thread, "env WHO=beta");
        assertThat(discord.channel(thread).name()).isEqualTo("env WHO");

        FakeMessage plain = mention(alice, general, "WHO: env WHO");
        long other = awaitThread(plain);
        awaitBotMessageContaining(other, "unknown command: WHO:");
        assertThat(broker.agentOf(DiscordFrontEnd.conversationId(other))).isEqualTo("alpha");

        FakeMessage refused = mention(alice, betas, "alpha: env WHO");
        String refusal = awaitBotMessageContaining(betas.id(), "You cannot use alpha here");
        assertThat(refusal).isEqualTo("You cannot use alpha here. You can use: beta.");
        assertThat(discord.threadStartedFrom(refused.id())).isEmpty();
    }

    @Test
    void aBoundChannel_answersEveryMessageWithoutAMention_andResetsInPlace() {
        String conversation = DiscordFrontEnd.conversationId(bound.id());
        FakeMessage first = discord.sendUserMessage(alice, bound, "env WHO");
        awaitBotMessageContaining(bound.id(), "env WHO=beta");
        assertThat(discord.threadStartedFrom(first.id()))
                .as("the channel is the conversation")
                .isEmpty();

        FakeMessage stranger = discord.sendUserMessage(bob, bound, "env WHO");
        await().atMost(WAIT)
                .until(() ->
                        discord.message(stranger.id()).orElseThrow().reactions().contains(DiscordBridge.DENIED));

        discord.sendUserMessage(alice, bound, "history");
        assertThat(awaitBotMessageContaining(bound.id(), "history:")).contains("env WHO");

        assertThat(deferredAnswer(discord.runSlashCommand(alice, bound, "reset")))
                .contains("afresh");
        discord.sendUserMessage(alice, bound, "history");
        await().atMost(WAIT).until(() -> histories().size() == 2);
        assertThat(histories().get(1)).as("a new session in the same channel").doesNotContain("env WHO");
        assertThat(broker.agentOf(conversation)).isEqualTo("beta");

        FakeMessage perThread = discord.sendUserMessage(alice, threads, "env WHO");
        long thread = awaitThread(perThread);
        awaitBotMessageContaining(thread, "env WHO=beta");
    }

    @Test
    void doctor_reportsEveryAgent_oneLinePerFinding_forOperatorsOnly() {
        assertThat(ephemeralAnswer(discord.runSlashCommand(alice, general, "doctor")))
                .isEqualTo(OperatorCommands.NOT_OPERATOR);

        FakeInteraction doctor = discord.runSlashCommand(olga, general, "doctor");
        String report = deferredAnswerWithFollowups(doctor);
        assertThat(report)
                .contains("✅ **alpha** ready")
                .contains("✅ **beta** ready")
                .contains("❌ **missing** not ready")
                .contains("❌ **crashing** not ready")
                .contains("❌ **locked** not ready")
                .contains("ACP_POOL_TEST_KEY_NOT_SET")
                .doesNotContain("@everyone");
        assertThat(section(report, "missing")).contains("❌ command:");
        assertThat(section(report, "crashing")).contains("❌ starts:");
        assertThat(section(report, "locked")).contains("❌ variables:");
        assertThat(section(report, "alpha")).contains("✅ initialize:");
    }

    @Test
    void sessions_listsTheConversations_withAgentStateAndShortSession() {
        FakeMessage trigger = mention(alice, general, "beta: say listed");
        long thread = awaitThread(trigger);
        awaitBotMessageContaining(thread, "listed");

        assertThat(ephemeralAnswer(discord.runSlashCommand(bob, general, "sessions")))
                .isEqualTo(OperatorCommands.NOT_OPERATOR);
        String list = deferredAnswer(discord.runSlashCommand(olga, general, "sessions", Map.of("page", "1")));
        assertThat(list).startsWith("**Conversations** (").contains("page 1 of");
        String line = list.lines()
                .filter(l -> l.contains("<#" + Long.toUnsignedString(thread) + ">"))
                .findFirst()
                .orElseThrow();
        assertThat(line).contains("· beta ·").contains("idle for").containsPattern("session `[A-Za-z0-9_-]{1,8}…?`");
    }

    @Test
    void agent_showsAndSwitchesAfterAConfirmation() {
        FakeMessage trigger = mention(alice, general, "beta: env WHO");
        long thread = awaitThread(trigger);
        FakeChannel channel = discord.channel(thread);
        awaitBotMessageContaining(thread, "env WHO=beta");

        assertThat(ephemeralAnswer(discord.runSlashCommand(alice, channel, "agent")))
                .isEqualTo(OperatorCommands.NOT_OPERATOR);
        assertThat(deferredAnswer(discord.runSlashCommand(olga, channel, "agent")))
                .startsWith("This conversation runs on **beta** (Beta agent).");
        assertThat(autocomplete(olga, channel, "agent", "agent", "cra")).containsExactly("crashing=crashing");

        FakeInteraction ask = discord.runSlashCommand(olga, channel, "agent", Map.of("agent", "alpha"));
        assertThat(deferredAnswer(ask)).contains("to **alpha**").contains("context is lost");
        long question = discord.originalMessage(ask).orElseThrow().id();
        await().atMost(WAIT)
                .until(() -> discord.message(question).orElseThrow().content().contains("to **alpha**"));
        assertThat(broker.agentOf(DiscordFrontEnd.conversationId(thread)))
                .as("nothing changes before the click")
                .isEqualTo("beta");

        FakeInteraction refused = discord.clickButton(alice, question, OperatorCommands.SWITCH_PREFIX + "alpha");
        assertThat(ephemeralAnswer(refused)).isEqualTo(OperatorCommands.NOT_OPERATOR);

        discord.clickButton(olga, question, OperatorCommands.SWITCH_PREFIX + "alpha");
        awaitBotMessageContaining(thread, "switched this conversation to **alpha**");
        await().atMost(WAIT)
                .until(() -> discord.message(question).orElseThrow().content().equals("Switched to **alpha**."));
        assertThat(broker.agentOf(DiscordFrontEnd.conversationId(thread))).isEqualTo("alpha");
        discord.sendUserMessage(alice, channel, "env WHO");
        awaitBotMessageContaining(thread, "env WHO=alpha");

        assertThat(deferredAnswer(discord.runSlashCommand(olga, bound, "agent", Map.of("agent", "alpha"))))
                .contains("bound to **beta**");
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> histories() {
        return botMessages(bound.id()).stream()
                .map(FakeMessage::content)
                .filter(c -> c.startsWith("history:"))
                .toList();
    }

    private static FakeMessage mention(FakeUser user, FakeChannel channel, String text) {
        return discord.sendUserMessage(user, channel, discord.bot().mention() + " " + text);
    }

    private static long awaitThread(FakeMessage trigger) {
        await().atMost(WAIT).until(() -> discord.threadStartedFrom(trigger.id()).isPresent());
        return discord.threadStartedFrom(trigger.id()).getAsLong();
    }

    private static List<FakeMessage> botMessages(long channelId) {
        return discord.messagesIn(channelId).stream()
                .filter(m -> m.authorId() == discord.bot().id() && !m.ephemeral())
                .toList();
    }

    private static long botMessageIn(long channelId, String ending) {
        await().atMost(WAIT).until(() -> botMessages(channelId).stream()
                .anyMatch(m -> m.content().endsWith(ending)));
        return botMessages(channelId).stream()
                .filter(m -> m.content().endsWith(ending))
                .reduce((a, b) -> b)
                .orElseThrow()
                .id();
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

    /** The choices the bot offers, as "value=label". */
    private static List<String> autocomplete(
            FakeUser user, FakeChannel channel, String command, String option, String typed) {
        FakeInteraction interaction = discord.autocomplete(user, channel, command, option, typed);
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(8);
        List<String> choices = new ArrayList<>();
        for (JsonNode choice : callback.body().path("data").path("choices")) {
            choices.add(
                    choice.path("value").asText() + "=" + choice.path("name").asText());
        }
        return choices;
    }

    private static String ephemeralAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).isEqualTo(4);
        assertThat(callback.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        return callback.body().path("data").path("content").asText();
    }

    private static String deferredAnswer(FakeInteraction interaction) {
        RestCall callback = discord.awaitCall("POST", interaction.callbackPath());
        assertThat(callback.body().path("type").asInt()).as("deferred").isEqualTo(5);
        assertThat(callback.body().path("data").path("flags").asInt() & 64)
                .as("ephemeral")
                .isEqualTo(64);
        RestCall edit = discord.awaitCall("PATCH", "/webhooks/*/" + interaction.token() + "/messages/@original");
        return edit.body().path("content").asText();
    }

    /** The deferred answer and the follow-ups of a long one, joined by a blank line. */
    private static String deferredAnswerWithFollowups(FakeInteraction interaction) {
        String first = deferredAnswer(interaction);
        List<String> parts = new ArrayList<>(List.of(first));
        for (RestCall followup : discord.calls("POST", "/webhooks/*/" + interaction.token())) {
            parts.add(followup.body().path("content").asText());
        }
        return String.join("\n", parts);
    }

    /** The lines of one agent's report in a /doctor answer. */
    private static String section(String report, String agent) {
        int start = report.indexOf("**" + agent + "**");
        assertThat(start).as(agent).isNotNegative();
        int end = report.indexOf("\n\n", start);
        return end < 0 ? report.substring(start) : report.substring(start, end);
    }
}
