package io.github.acppool.discord;

import static io.github.acppool.discord.IncomingMessage.Place.CHANNEL;
import static io.github.acppool.discord.IncomingMessage.Place.THREAD;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.discord.Decision.Reason;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How bound channels change {@link Triggers#decide}: addressed without a mention, allowed without the allowlist. */
@Timeout(30)
final class BindingTriggersTest {

    private static final long BOT = 1000;
    private static final long ALICE = 1;
    private static final long MALLORY = 2;
    private static final long AGENTS_ROLE = 50;
    private static final long ALLOWED = 10;
    private static final long BOUND = 11;
    private static final long BOUND_THREADS = 12;
    private static final long OTHER = 13;
    private static final long THREAD_ID = 20;

    private static final Triggers TRIGGERS = new Triggers(
            AccessRules.builder()
                    .allowedChannels(List.of(ALLOWED))
                    .allowedRoles(List.of(AGENTS_ROLE))
                    .build(),
            new AgentRules(
                    Map.of(),
                    Map.of(),
                    List.of(
                            new ChannelBinding(BOUND, "codex", ChannelBinding.Mode.CHANNEL),
                            new ChannelBinding(BOUND_THREADS, "claude", ChannelBinding.Mode.THREAD))),
            BOT,
            Set.of());

    private static IncomingMessage message(long author, IncomingMessage.Place place, long channel, String content) {
        return new IncomingMessage(
                author,
                false,
                author == ALICE ? Set.of(AGENTS_ROLE) : Set.of(),
                true,
                place,
                place == THREAD ? THREAD_ID : channel,
                place == THREAD ? channel : 0,
                false,
                content.contains("<@" + BOT + ">") ? Set.of(BOT) : Set.of(),
                Set.of(),
                content);
    }

    @Test
    void aChannelBinding_makesEveryMessageAReplyInTheChannel_withoutAMention() {
        assertThat(TRIGGERS.decide(message(ALICE, CHANNEL, BOUND, "fix the build"), 0))
                .isEqualTo(new Decision.Reply("fix the build"));
        assertThat(TRIGGERS.decide(message(ALICE, CHANNEL, BOUND, "<@1000> fix it"), 0))
                .as("a mention is stripped as elsewhere")
                .isEqualTo(new Decision.Reply("fix it"));
    }

    @Test
    void aThreadBinding_startsAThreadPerMessage_withoutAMention() {
        assertThat(TRIGGERS.decide(message(ALICE, CHANNEL, BOUND_THREADS, "fix the build"), 0))
                .isEqualTo(new Decision.StartThread("fix the build", "fix the build"));
    }

    @Test
    void aBoundChannel_isAllowedThoughNotInTheAllowlist_andSoAreItsThreads_butOthersAreNot() {
        assertThat(TRIGGERS.decide(message(ALICE, THREAD, BOUND_THREADS, "<@1000> more"), 0))
                .isEqualTo(new Decision.Reply("more"));
        assertThat(TRIGGERS.decide(message(ALICE, CHANNEL, OTHER, "<@1000> hi"), 0))
                .isEqualTo(new Decision.Ignore(Reason.CHANNEL_NOT_ALLOWED));
        assertThat(TRIGGERS.decide(message(ALICE, CHANNEL, ALLOWED, "no mention"), 0))
                .isEqualTo(new Decision.Ignore(Reason.NOT_ADDRESSED));
    }

    @Test
    void someoneNotAllowed_isDeniedInABoundChannel() {
        assertThat(TRIGGERS.decide(message(MALLORY, CHANNEL, BOUND, "hello"), 0))
                .isEqualTo(new Decision.Deny());
    }
}
