package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.AcpPoolException;
import io.github.acppool.broker.ConversationStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.requests.GatewayIntent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The texts the front end shows: error lines, /status, the intent explanation, attachment types. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class FrontEndTextTest {

    @Test
    void errorsBecomeOneShortLine() {
        String line = ErrorLines.describe(
                new CompletionException(new IllegalStateException("/srv/bot/state: first line\nstack-ish detail")));
        assertThat(line)
                .as("a bug's message is the operator's")
                .isEqualTo("⚠️ " + AcpPoolException.GENERIC_USER_MESSAGE);
        assertThat(ErrorLines.describe(new RuntimeException()))
                .isEqualTo("⚠️ " + AcpPoolException.GENERIC_USER_MESSAGE);
        assertThat(ErrorLines.firstLine("x".repeat(500)))
                .hasSizeLessThan(ErrorLines.MAX_DETAIL + 4)
                .endsWith(MessageSplitter.ELLIPSIS);
    }

    @Test
    void statusSaysWhatTheConversationDoes() {
        ConversationStatus busy = new ConversationStatus("discord:1", true, true, 2, "s-1", Duration.ZERO, 3, null);
        assertThat(DiscordBridge.describe(busy))
                .as("no session id: the chat user reads this")
                .isEqualTo("🤔 Busy · 2 queued · agent running · 3 turns");
        ConversationStatus idle = new ConversationStatus(
                "discord:1", false, false, 0, null, Duration.ofSeconds(125), 1, "agent exited with 1\ntrace");
        assertThat(DiscordBridge.describe(idle))
                .isEqualTo("💤 Idle · agent stopped · 1 turn · idle for 2 min\nLast error: agent exited with 1");
    }

    @Test
    void aMissingIntentIsExplained() {
        assertThat(DiscordFrontEnd.missingIntents(List.of(GatewayIntent.MESSAGE_CONTENT)))
                .contains("[MESSAGE_CONTENT]")
                .contains("DiscordFrontEnd.requiredIntents()")
                .contains("Message Content Intent");
        assertThat(DiscordFrontEnd.missingIntents(List.of(GatewayIntent.GUILD_MESSAGES)))
                .contains("[GUILD_MESSAGES]")
                .doesNotContain("Message Content Intent");
    }

    @Test
    void attachmentTypes() {
        assertThat(Attachments.isText("text/x-java", "A.java")).isTrue();
        assertThat(Attachments.isText("application/json", "a")).isTrue();
        assertThat(Attachments.isText("application/octet-stream", "build.gradle"))
                .isTrue();
        assertThat(Attachments.isText("application/octet-stream", "tool.bin")).isFalse();
        assertThat(Attachments.isText("application/zip", "a.txt")).isFalse();
        assertThat(Attachments.guessType("photo.JPG")).isEqualTo("image/jpeg");
        assertThat(Attachments.guessType("notes.md")).isEqualTo("text/plain");
        assertThat(Attachments.guessType("archive.tar")).isEmpty();
        assertThat(Attachments.size(512 * 1024)).isEqualTo("512 KB");
        assertThat(Attachments.size(10L * 1024 * 1024)).isEqualTo("10.0 MB");
        assertThat(Attachments.size(12)).isEqualTo("12 bytes");
    }

    @Test
    void conversationIdsAreUnsigned() {
        assertThat(DiscordFrontEnd.conversationId(42)).isEqualTo("discord:42");
        assertThat(DiscordFrontEnd.conversationId(-1)).isEqualTo("discord:18446744073709551615");
        assertThat(PermissionPrompts.human(Duration.ofMinutes(5))).isEqualTo("5 minutes");
        assertThat(PermissionPrompts.human(Duration.ofMillis(300))).isEqualTo("300 ms");
        assertThat(PermissionPrompts.human(Duration.ofSeconds(90))).isEqualTo("90 seconds");
    }
}
