package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class AgentRulesTest {

    private static final long CHANNEL = 10;
    private static final long THREAD = 11;
    private static final long OPS = 20;
    private static final long DEVS = 21;

    private static final AgentRules RULES = new AgentRules(
            Map.of(CHANNEL, Set.of("codex", "claude")),
            Map.of(OPS, Set.of("claude"), DEVS, Set.of("codex")),
            List.of(new ChannelBinding(30, "codex", ChannelBinding.Mode.THREAD)));

    @Test
    void aChannelLimit_appliesToItsThreads_andRoleLimitsAddUp() {
        assertThat(RULES.mayUse("gemini", CHANNEL, 0, Set.of()))
                .as("not in the channel's list")
                .isFalse();
        assertThat(RULES.mayUse("gemini", THREAD, CHANNEL, Set.of()))
                .as("nor in its thread")
                .isFalse();
        assertThat(RULES.mayUse("gemini", 99, 0, Set.of()))
                .as("an unlisted channel, no listed role")
                .isTrue();
        assertThat(RULES.mayUse("claude", 99, 0, Set.of(OPS))).isTrue();
        assertThat(RULES.mayUse("codex", 99, 0, Set.of(OPS))).isFalse();
        assertThat(RULES.mayUse("codex", 99, 0, Set.of(OPS, DEVS)))
                .as("any of the roles")
                .isTrue();
        assertThat(RULES.mayUse("codex", 99, 0, Set.of(77L)))
                .as("an unlisted role limits nothing")
                .isTrue();
    }

    @Test
    void bindings_areFoundByChannel_andAChannelIsBoundOnce() {
        assertThat(RULES.binding(30)).contains(new ChannelBinding(30, "codex", ChannelBinding.Mode.THREAD));
        assertThat(RULES.binding(31)).isEmpty();
        assertThatThrownBy(() -> new AgentRules(
                        Map.of(),
                        Map.of(),
                        List.of(
                                new ChannelBinding(5, "a", ChannelBinding.Mode.CHANNEL),
                                new ChannelBinding(5, "b", ChannelBinding.Mode.THREAD))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("channel 5 is bound twice");
        assertThatThrownBy(() -> new ChannelBinding(5, "not an id", ChannelBinding.Mode.CHANNEL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AgentRules(Map.of(1L, Set.of("bad id")), Map.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channelAgents");
    }
}
