package io.github.acppool.discord;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.broker.AgentReport;
import io.github.acppool.broker.AgentReport.Finding;
import io.github.acppool.broker.AgentReport.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The text of the operator commands: Discord-safe, one line per finding, cut to Discord's limits. */
@Timeout(30)
final class OperatorCommandsTest {

    @Test
    void aReport_isOneLinePerFinding_withAgentTextFlattenedAndDefused() {
        String text = OperatorCommands.report(new AgentReport(
                "codex",
                List.of(
                        new Finding("command", Verdict.OK, "npx is /usr/bin/npx"),
                        new Finding("initialize", Verdict.WARNING, "said\n```@everyone and @here```"),
                        new Finding("starts", Verdict.FAILED, "x".repeat(1000)))));

        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("❌ **codex** not ready");
        assertThat(lines.get(1)).isEqualTo("✅ command: npx is /usr/bin/npx");
        assertThat(lines.get(2))
                .startsWith("⚠️ initialize: said")
                .doesNotContain("```")
                .doesNotContain("@everyone")
                .doesNotContain("@here");
        assertThat(Text.codePoints(lines.get(3))).isLessThan(320);
        assertThat(lines.get(3)).endsWith(MessageSplitter.ELLIPSIS);
    }

    @Test
    void placesAndSessions_showNoMoreThanNeeded() {
        assertThat(OperatorCommands.place("discord:123")).isEqualTo("<#123>");
        assertThat(OperatorCommands.place("console:<@&1> x")).isEqualTo("`console:???1??x`");
        assertThat(OperatorCommands.shortSession("0123456789abcdef")).isEqualTo("`01234567…`");
        assertThat(OperatorCommands.shortSession("ab`<@&5>")).isEqualTo("`ab5`");
    }

    @Test
    void aLongAnswer_isCutBetweenLines_intoDiscordSizedParts() {
        String line = "y".repeat(900);
        List<String> parts = OperatorCommands.chunks(String.join("\n", line, line, line, "z".repeat(2500)), 2000);

        assertThat(parts).hasSize(3);
        assertThat(parts.get(0)).isEqualTo(line + "\n" + line);
        assertThat(parts.get(1)).isEqualTo(line);
        assertThat(Text.codePoints(parts.get(2))).isEqualTo(2000);
        assertThat(parts).allMatch(p -> Text.codePoints(p) <= 2000);
    }
}
