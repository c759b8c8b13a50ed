package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class DiscordConfigTest {

    @Test
    void defaults() {
        DiscordConfig config = DiscordConfig.defaults();
        assertThat(config.access()).isEqualTo(AccessRules.defaults());
        assertThat(config.toolDisplay()).isEqualTo(ToolDisplay.FULL);
        assertThat(config.statusEmoji()).isEqualTo(StatusEmoji.defaults());
        assertThat(config.editInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.statusDebounce()).isEqualTo(Duration.ofMillis(700));
        assertThat(config.permissionTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.maxTextAttachmentBytes()).isEqualTo(512 * 1024);
        assertThat(config.maxImageBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(config.attachmentDownloadTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.registerCommands()).isTrue();
        assertThat(config.commandGuilds()).isEmpty();
        assertThat(config.allowUserMentions()).isFalse();
        assertThat(config.showDiagnostics()).isFalse();
    }

    @Test
    void directMessagesAndBotMessages_overrideThoseSettingsOfTheAccessRules_andKeepTheRest() {
        AccessRules rules =
                AccessRules.builder().allowedUsers(List.of(7L)).maxBotTurns(5).build();
        DiscordConfig config = DiscordConfig.builder()
                .access(rules)
                .allowDirectMessages(true)
                .botMessages(BotMessagePolicy.MENTIONS)
                .build();
        assertThat(config.access().allowDirectMessages()).isTrue();
        assertThat(config.access().botMessages()).isEqualTo(BotMessagePolicy.MENTIONS);
        assertThat(config.access().allowedUsers()).containsExactly(7L);
        assertThat(config.access().maxBotTurns()).isEqualTo(5);
    }

    @Test
    void eachSettingOnce() {
        DiscordConfig.Builder builder = DiscordConfig.builder().editInterval(Duration.ofSeconds(2));
        assertThatThrownBy(() -> builder.editInterval(Duration.ofSeconds(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("editInterval");
    }

    @Test
    void invalidValuesAreNamed() {
        assertThatThrownBy(() ->
                        DiscordConfig.builder().editInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("editInterval must be positive: PT0S");
        assertThatThrownBy(() -> DiscordConfig.builder()
                        .permissionTimeout(Duration.ofSeconds(-1))
                        .build())
                .hasMessageContaining("permissionTimeout must be positive");
        assertThatThrownBy(() -> DiscordConfig.builder().maxImageBytes(-1).build())
                .hasMessage("maxImageBytes must not be negative: -1");
        assertThatThrownBy(() -> DiscordConfig.builder()
                        .statusDebounce(Duration.ofMillis(-1))
                        .build())
                .hasMessageContaining("statusDebounce must not be negative");
        assertThatThrownBy(() -> DiscordConfig.builder().access(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("access must not be null");
    }
}
