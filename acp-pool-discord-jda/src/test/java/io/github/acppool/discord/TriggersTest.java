package io.github.acppool.discord;

import static io.github.acppool.discord.IncomingMessage.Place.CHANNEL;
import static io.github.acppool.discord.IncomingMessage.Place.DIRECT;
import static io.github.acppool.discord.IncomingMessage.Place.THREAD;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.discord.Decision.Reason;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class TriggersTest {

    private static final long BOT = 1000;
    private static final long BOT_ROLE = 1001;
    private static final long ALICE = 1;
    private static final long MALLORY = 2;
    private static final long OTHER_BOT = 3;
    private static final long AGENTS_ROLE = 50;
    private static final long GENERAL = 10;
    private static final long RANDOM = 11;
    private static final long THREAD_ID = 20;

    private static IncomingMessage message(long author, IncomingMessage.Place place, String content) {
        return new IncomingMessage(
                author,
                author == BOT || author == OTHER_BOT,
                author == ALICE ? Set.of(AGENTS_ROLE) : Set.of(),
                true,
                place,
                place == THREAD ? THREAD_ID : GENERAL,
                place == THREAD ? GENERAL : 0,
                false,
                content.contains("<@" + BOT + ">") ? Set.of(BOT) : Set.of(),
                Set.of(),
                content);
    }

    private static IncomingMessage inBotsThread(IncomingMessage m) {
        return new IncomingMessage(
                m.authorId(),
                m.authorIsBot(),
                m.authorRoleIds(),
                m.regular(),
                m.place(),
                m.channelId(),
                m.parentChannelId(),
                true,
                m.mentionedUserIds(),
                m.mentionedRoleIds(),
                m.content());
    }

    private static Triggers triggers(AccessRules rules) {
        return new Triggers(rules, BOT, Set.of(BOT_ROLE));
    }

    private static final Triggers OPEN = triggers(AccessRules.defaults());

    @Test
    void aMentionInAChannelStartsAThreadWithTheMentionStripped() {
        Decision decision = OPEN.decide(message(ALICE, CHANNEL, "<@1000> fix the   build\nplease"), 0);

        assertThat(decision).isEqualTo(new Decision.StartThread("fix the build\nplease", "fix the build please"));
    }

    @Test
    void theNicknameMentionFormAndTheBotsRoleCountToo() {
        assertThat(OPEN.decide(message(ALICE, CHANNEL, "<@!1000> hi"), 0))
                .isEqualTo(new Decision.StartThread("hi", "hi"));
        assertThat(OPEN.decide(message(ALICE, CHANNEL, "<@&1001> hi"), 0))
                .isEqualTo(new Decision.StartThread("hi", "hi"));
    }

    @Test
    void anAllowedRoleMentionTriggers() {
        Triggers triggers = triggers(
                AccessRules.builder().allowedRoles(List.of(AGENTS_ROLE)).build());
        IncomingMessage m = message(ALICE, CHANNEL, "<@&50> review this");
        m = new IncomingMessage(
                m.authorId(),
                false,
                m.authorRoleIds(),
                true,
                CHANNEL,
                GENERAL,
                0,
                false,
                Set.of(),
                Set.of(AGENTS_ROLE),
                m.content());

        assertThat(triggers.decide(m, 0)).isEqualTo(new Decision.StartThread("review this", "review this"));
    }

    @Test
    void withoutAMentionAChannelMessageIsNotForTheBot() {
        assertThat(OPEN.decide(message(ALICE, CHANNEL, "just chatting"), 0))
                .isEqualTo(new Decision.Ignore(Reason.NOT_ADDRESSED));
    }

    @Test
    void followUpsInTheBotsThreadNeedNoMention() {
        assertThat(OPEN.decide(inBotsThread(message(ALICE, THREAD, "and the tests?")), 0))
                .isEqualTo(new Decision.Reply("and the tests?"));
        assertThat(OPEN.decide(message(ALICE, THREAD, "someone else's thread"), 0))
                .isEqualTo(new Decision.Ignore(Reason.NOT_ADDRESSED));
        assertThat(OPEN.decide(message(ALICE, THREAD, "<@1000> join in"), 0)).isEqualTo(new Decision.Reply("join in"));
    }

    @Test
    void theBotsOwnMessagesAreAlwaysIgnored() {
        Triggers everything = triggers(AccessRules.builder()
                .botMessages(BotMessagePolicy.ALL)
                .allowDirectMessages(true)
                .build());
        assertThat(everything.decide(inBotsThread(message(BOT, THREAD, "<@1000> echo")), 1))
                .isEqualTo(new Decision.Ignore(Reason.OWN_MESSAGE));
    }

    @Test
    void systemMessagesAreIgnored() {
        IncomingMessage m = message(ALICE, CHANNEL, "<@1000> pinned a message");
        m = new IncomingMessage(
                m.authorId(),
                false,
                m.authorRoleIds(),
                false,
                CHANNEL,
                GENERAL,
                0,
                false,
                m.mentionedUserIds(),
                Set.of(),
                m.content());
        assertThat(OPEN.decide(m, 0)).isEqualTo(new Decision.Ignore(Reason.SYSTEM_MESSAGE));
    }

    @Test
    void dmsAreOptIn() {
        assertThat(OPEN.decide(message(ALICE, DIRECT, "hi"), 0))
                .isEqualTo(new Decision.Ignore(Reason.DIRECT_MESSAGES_OFF));
        Triggers dms = triggers(AccessRules.builder().allowDirectMessages(true).build());
        assertThat(dms.decide(message(ALICE, DIRECT, "hi"), 0)).isEqualTo(new Decision.Reply("hi"));
    }

    @Test
    void aDmIsNotSubjectToTheChannelList() {
        Triggers triggers = triggers(AccessRules.builder()
                .allowDirectMessages(true)
                .allowedChannels(List.of(RANDOM))
                .build());
        assertThat(triggers.decide(message(ALICE, DIRECT, "hi"), 0)).isEqualTo(new Decision.Reply("hi"));
    }

    @Test
    void channelsOutsideTheListAreIgnoredAndThreadsFollowTheirParent() {
        Triggers onlyGeneral =
                triggers(AccessRules.builder().allowedChannels(List.of(GENERAL)).build());
        Triggers onlyRandom =
                triggers(AccessRules.builder().allowedChannels(List.of(RANDOM)).build());

        assertThat(onlyGeneral.decide(inBotsThread(message(ALICE, THREAD, "go on")), 0))
                .isEqualTo(new Decision.Reply("go on"));
        assertThat(onlyRandom.decide(inBotsThread(message(ALICE, THREAD, "go on")), 0))
                .isEqualTo(new Decision.Ignore(Reason.CHANNEL_NOT_ALLOWED));
        assertThat(onlyRandom.decide(message(ALICE, CHANNEL, "<@1000> hi"), 0))
                .isEqualTo(new Decision.Ignore(Reason.CHANNEL_NOT_ALLOWED));
    }

    @Test
    void aPersonOutsideTheListWhoTalksToTheBotIsDeniedAndOnlyThen() {
        Triggers agentsOnly = triggers(
                AccessRules.builder().allowedRoles(List.of(AGENTS_ROLE)).build());

        assertThat(agentsOnly.decide(message(MALLORY, CHANNEL, "<@1000> hi"), 0))
                .isEqualTo(new Decision.Deny());
        assertThat(agentsOnly.decide(message(MALLORY, CHANNEL, "chatting"), 0))
                .isEqualTo(new Decision.Ignore(Reason.NOT_ADDRESSED));
        assertThat(agentsOnly.decide(message(ALICE, CHANNEL, "<@1000> hi"), 0))
                .isInstanceOf(Decision.StartThread.class);
    }

    @Test
    void otherBotsAreIgnoredUnlessAllowed() {
        assertThat(OPEN.decide(message(OTHER_BOT, CHANNEL, "<@1000> hi"), 1))
                .isEqualTo(new Decision.Ignore(Reason.OTHER_BOT));
        Triggers all =
                triggers(AccessRules.builder().botMessages(BotMessagePolicy.ALL).build());
        assertThat(all.decide(message(OTHER_BOT, CHANNEL, "<@1000> hi"), 1)).isInstanceOf(Decision.StartThread.class);
        Triggers mentions = triggers(
                AccessRules.builder().botMessages(BotMessagePolicy.MENTIONS).build());
        assertThat(mentions.decide(inBotsThread(message(OTHER_BOT, THREAD, "no mention")), 1))
                .isEqualTo(new Decision.Ignore(Reason.NOT_ADDRESSED));
        assertThat(mentions.decide(inBotsThread(message(OTHER_BOT, THREAD, "<@1000> yes")), 1))
                .isEqualTo(new Decision.Reply("yes"));
    }

    @Test
    void theBotTurnLimitStopsALoopOnceAndThenStaysQuiet() {
        Triggers all = triggers(AccessRules.builder()
                .botMessages(BotMessagePolicy.ALL)
                .maxBotTurns(4)
                .build());
        IncomingMessage m = inBotsThread(message(OTHER_BOT, THREAD, "ping"));

        assertThat(all.decide(m, 4)).isEqualTo(new Decision.Reply("ping"));
        assertThat(all.decide(m, 5)).isEqualTo(new Decision.BotLoopStopped());
        assertThat(all.decide(m, 6)).isEqualTo(new Decision.Ignore(Reason.BOT_TURN_LIMIT));
    }

    @Test
    void aBotLoopIsCutAndAPersonRestartsIt() {
        Triggers all = triggers(AccessRules.builder()
                .botMessages(BotMessagePolicy.ALL)
                .maxBotTurns(3)
                .build());
        BotTurnCounter counter = new BotTurnCounter();
        int answered = 0;
        for (int i = 0; i < 20; i++) {
            IncomingMessage other = inBotsThread(message(OTHER_BOT, THREAD, "ping " + i));
            Decision d = all.decide(other, counter.record(THREAD_ID, true, true, other.content()));
            if (d instanceof Decision.Reply) {
                answered++;
                counter.record(THREAD_ID, true, true, "our reply"); // the gateway echoes our answer
            }
        }
        assertThat(answered).isEqualTo(2); // turns 1..3 allowed: other(1) us(2) other(3) us(4) other(5) -> stop

        IncomingMessage human = inBotsThread(message(ALICE, THREAD, "carry on"));
        assertThat(all.decide(human, counter.record(THREAD_ID, false, true, human.content())))
                .isEqualTo(new Decision.Reply("carry on"));
        IncomingMessage next = inBotsThread(message(OTHER_BOT, THREAD, "ping again"));
        assertThat(all.decide(next, counter.record(THREAD_ID, true, true, next.content())))
                .isEqualTo(new Decision.Reply("ping again"));
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 500)
    void emptyListsMeanEveryoneEverywhere(@ForAll("messages") IncomingMessage m, @ForAll("turns") int turns) {
        Decision decision = triggers(
                        AccessRules.builder().allowDirectMessages(true).build())
                .decide(m, turns);
        assertThat(decision).isNotEqualTo(new Decision.Ignore(Reason.CHANNEL_NOT_ALLOWED));
        assertThat(decision).isNotInstanceOf(Decision.Deny.class);
    }

    @Property(tries = 500)
    void theBotsOwnMessagesAreNeverAnswered(
            @ForAll("messages") IncomingMessage m, @ForAll("rules") AccessRules rules, @ForAll("turns") int turns) {
        IncomingMessage own = new IncomingMessage(
                BOT,
                true,
                m.authorRoleIds(),
                m.regular(),
                m.place(),
                m.channelId(),
                m.parentChannelId(),
                m.botsThread(),
                m.mentionedUserIds(),
                m.mentionedRoleIds(),
                m.content());
        assertThat(triggers(rules).decide(own, turns)).isEqualTo(new Decision.Ignore(Reason.OWN_MESSAGE));
    }

    @Property(tries = 500)
    void decisionsAreConsistent(
            @ForAll("messages") IncomingMessage m, @ForAll("rules") AccessRules rules, @ForAll("turns") int turns) {
        Triggers triggers = triggers(rules);
        Decision decision = triggers.decide(m, turns);
        if (decision instanceof Decision.StartThread start) {
            assertThat(m.place()).isEqualTo(CHANNEL);
            assertThat(start.prompt()).doesNotContain("<@" + BOT + ">", "<@!" + BOT + ">");
            assertThat(start.threadName()).isNotBlank();
        }
        if (decision instanceof Decision.Reply) {
            assertThat(m.place()).isIn(THREAD, DIRECT);
        }
        if (decision instanceof Decision.StartThread || decision instanceof Decision.Reply) {
            assertThat(rules.isChannelAllowed(m.channelId(), m.parentChannelId()) || m.place() == DIRECT)
                    .isTrue();
            if (m.authorIsBot()) {
                assertThat(turns).isLessThanOrEqualTo(rules.maxBotTurns());
                assertThat(rules.isBotAllowed(m.authorId())).isTrue();
            } else {
                assertThat(rules.isPersonAllowed(m.authorId(), m.authorRoleIds()))
                        .isTrue();
            }
        }
        if (decision instanceof Decision.Deny) {
            assertThat(m.authorIsBot()).isFalse();
        }
    }

    @Provide
    Arbitrary<Integer> turns() {
        return Arbitraries.integers().between(0, 120);
    }

    @Provide
    Arbitrary<AccessRules> rules() {
        Arbitrary<Set<Long>> ids = Arbitraries.longs().between(1, 60).set().ofMaxSize(3);
        return Builders.withBuilder(AccessRules::builder)
                .use(ids)
                .in((b, v) -> b.allowedChannels(v))
                .use(ids)
                .in((b, v) -> b.allowedUsers(v))
                .use(ids)
                .in((b, v) -> b.allowedRoles(v))
                .use(Arbitraries.of(true, false))
                .in((b, v) -> b.allowDirectMessages(v))
                .use(Arbitraries.of(BotMessagePolicy.class))
                .in((b, v) -> b.botMessages(v))
                .use(ids)
                .in((b, v) -> b.trustedBots(v))
                .use(Arbitraries.integers().between(1, 100))
                .in((b, v) -> b.maxBotTurns(v))
                .build(AccessRules.Builder::build);
    }

    @Provide
    Arbitrary<IncomingMessage> messages() {
        Arbitrary<Long> id = Arbitraries.longs().between(1, 60);
        Arbitrary<Set<Long>> ids = id.set().ofMaxSize(3);
        Arbitrary<String> content = Arbitraries.of("hi", "<@1000> hi", "<@!1000>", "<@&1001> x", "<@&50> y", " ", "");
        return Builders.withBuilder(() -> new Object[11])
                .use(Arbitraries.oneOf(id, Arbitraries.just(BOT)))
                .in((a, v) -> set(a, 0, v))
                .use(Arbitraries.of(true, false))
                .in((a, v) -> set(a, 1, v))
                .use(ids)
                .in((a, v) -> set(a, 2, v))
                .use(Arbitraries.of(true, true, true, false))
                .in((a, v) -> set(a, 3, v))
                .use(Arbitraries.of(IncomingMessage.Place.class))
                .in((a, v) -> set(a, 4, v))
                .use(id)
                .in((a, v) -> set(a, 5, v))
                .use(id)
                .in((a, v) -> set(a, 6, v))
                .use(Arbitraries.of(true, false))
                .in((a, v) -> set(a, 7, v))
                .use(Arbitraries.oneOf(ids, Arbitraries.just(Set.of(BOT))))
                .in((a, v) -> set(a, 8, v))
                .use(ids)
                .in((a, v) -> set(a, 9, v))
                .use(content)
                .in((a, v) -> set(a, 10, v))
                .build(a -> {
                    IncomingMessage.Place place = (IncomingMessage.Place) a[4];
                    @SuppressWarnings("unchecked")
                    Set<Long> roles = (Set<Long>) a[2];
                    @SuppressWarnings("unchecked")
                    Set<Long> users = (Set<Long>) a[8];
                    @SuppressWarnings("unchecked")
                    Set<Long> mentionedRoles = (Set<Long>) a[9];
                    return new IncomingMessage(
                            (Long) a[0],
                            (Boolean) a[1],
                            roles,
                            (Boolean) a[3],
                            place,
                            (Long) a[5],
                            place == THREAD ? (Long) a[6] : 0L,
                            (Boolean) a[7],
                            users,
                            mentionedRoles,
                            (String) a[10]);
                });
    }

    private static Object[] set(Object[] array, int index, Object value) {
        array[index] = value;
        return array;
    }
}
