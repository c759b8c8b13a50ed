package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class AccessRulesTest {

    @Test
    void defaultsAllowEveryoneEverywhereButNoDmsAndNoOtherBots() {
        AccessRules rules = AccessRules.defaults();

        assertThat(rules.isChannelAllowed(1, 0)).isTrue();
        assertThat(rules.isPersonAllowed(1, Set.of())).isTrue();
        assertThat(rules.allowDirectMessages()).isFalse();
        assertThat(rules.isBotAllowed(1)).isFalse();
        assertThat(rules.maxBotTurns()).isEqualTo(AccessRules.DEFAULT_MAX_BOT_TURNS);
    }

    @Test
    void aThreadIsAllowedThroughItsParentChannel() {
        AccessRules rules = AccessRules.builder().allowedChannels(List.of(10L)).build();

        assertThat(rules.isChannelAllowed(10, 0)).isTrue();
        assertThat(rules.isChannelAllowed(99, 10)).isTrue();
        assertThat(rules.isChannelAllowed(99, 0)).isFalse();
        assertThat(rules.isChannelAllowed(99, 11)).isFalse();
    }

    @Test
    void peopleAreAllowedByUserOrByRole() {
        AccessRules rules = AccessRules.builder()
                .allowedUsers(List.of(1L))
                .allowedRoles(List.of(50L))
                .build();

        assertThat(rules.isPersonAllowed(1, Set.of())).isTrue();
        assertThat(rules.isPersonAllowed(2, Set.of(50L, 51L))).isTrue();
        assertThat(rules.isPersonAllowed(2, Set.of(51L))).isFalse();
    }

    @Test
    void onlyARoleListStillRestrictsPeople() {
        AccessRules rules = AccessRules.builder().allowedRoles(List.of(50L)).build();
        assertThat(rules.isPersonAllowed(2, Set.of())).isFalse();
        assertThat(rules.isPersonAllowed(2, Set.of(50L))).isTrue();
    }

    @Test
    void trustedBotsNarrowTheBotPolicy() {
        AccessRules rules = AccessRules.builder()
                .botMessages(BotMessagePolicy.ALL)
                .trustedBots(List.of(7L))
                .build();
        assertThat(rules.isBotAllowed(7)).isTrue();
        assertThat(rules.isBotAllowed(8)).isFalse();
        assertThat(AccessRules.builder()
                        .botMessages(BotMessagePolicy.MENTIONS)
                        .build()
                        .isBotAllowed(8))
                .isTrue();
    }

    @Test
    void aSettingGivenTwiceIsAnError() {
        assertThatThrownBy(() -> AccessRules.builder().maxBotTurns(5).maxBotTurns(6))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxBotTurns was already set to 5");
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> AccessRules.builder().maxBotTurns(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBotTurns must be positive: 0");
        assertThatThrownBy(
                        () -> AccessRules.builder().allowedUsers(List.of(-3L)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allowedUsers must hold Discord ids (positive numbers): [-3]");
    }

    @Test
    void theListsAreCopied() {
        Set<Long> ids = new HashSet<>(Set.of(1L));
        AccessRules rules = AccessRules.builder().allowedChannels(ids).build();
        ids.add(2L);
        assertThat(rules.allowedChannels()).containsExactly(1L);
    }

    @Property(tries = 200)
    void emptyListsAllowEveryChannelAndEveryone(
            @ForAll @LongRange(min = 1) long channel,
            @ForAll @LongRange(min = 0) long parent,
            @ForAll @LongRange(min = 1) long user,
            @ForAll @Size(max = 5) Set<@LongRange(min = 1) Long> roles) {
        AccessRules rules = AccessRules.defaults();
        assertThat(rules.isChannelAllowed(channel, parent)).isTrue();
        assertThat(rules.isPersonAllowed(user, roles)).isTrue();
    }

    @Property(tries = 200)
    void listingMoreNeverTakesAccessAway(
            @ForAll @Size(min = 1, max = 5) Set<@LongRange(min = 1, max = 20) Long> listed,
            @ForAll @LongRange(min = 1, max = 20) long extra,
            @ForAll @LongRange(min = 1, max = 20) long user,
            @ForAll @Size(max = 3) Set<@LongRange(min = 1, max = 20) Long> roles) {
        Set<Long> more = new HashSet<>(listed);
        more.add(extra);
        AccessRules fewer = AccessRules.builder()
                .allowedUsers(listed)
                .allowedRoles(listed)
                .allowedChannels(listed)
                .build();
        AccessRules wider = AccessRules.builder()
                .allowedUsers(more)
                .allowedRoles(more)
                .allowedChannels(more)
                .build();
        if (fewer.isPersonAllowed(user, roles)) {
            assertThat(wider.isPersonAllowed(user, roles)).isTrue();
        }
        if (fewer.isChannelAllowed(user, 0)) {
            assertThat(wider.isChannelAllowed(user, 0)).isTrue();
        }
    }
}
