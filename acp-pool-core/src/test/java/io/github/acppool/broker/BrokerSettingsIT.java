package io.github.acppool.broker;

import static io.github.acppool.broker.BrokerFixture.get;
import static io.github.acppool.broker.BrokerFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session settings against fake-agent processes that advertise modes and select config options (as
 * claude-agent-acp does): listed, chosen with the matching request, stored with the conversation and given again
 * to the session after a broker restart (both with {@code session/resume} and {@code session/load}).
 */
@Timeout(90)
final class BrokerSettingsIT {
    private static final String A = "test:settings";

    @TempDir
    Path root;

    private BrokerFixture fixture;
    private String stateDir;

    @BeforeEach
    void fixture() {
        fixture = new BrokerFixture(root);
        stateDir = "--state-dir=" + root.resolve("agent-state");
    }

    @AfterEach
    void close() {
        fixture.close();
        fixture.awaitNoAgentProcess();
    }

    @Test
    void settingsAreListed_chosen_andGivenAgainToTheResumedSessionAfterARestart() {
        chooseThenRestart("--advertise-settings");
    }

    @Test
    void theSameWithSessionLoad() {
        chooseThenRestart("--advertise-settings", "--no-resume");
    }

    private void chooseThenRestart(String... flags) {
        Path file = root.resolve("sessions.json");
        AcpBroker first = fixture.start(b -> b.sessionStore(SessionStore.jsonFile(file)), with(flags));
        assertThat(first.settings(A)).isEmpty();
        assertThat(first.prompt(A, message("m1", "ann", "settings")).replyText())
                .isEqualTo("settings: mode=ask model=small effort=low");

        SessionSettings settings = first.settings(A).orElseThrow();
        assertThat(settings.forCategory("mode").orElseThrow().kind()).isEqualTo(SessionSettings.Kind.MODE);
        SessionSettings.Setting model = settings.forCategory("model").orElseThrow();
        assertThat(model.kind()).isEqualTo(SessionSettings.Kind.CONFIG_OPTION);
        assertThat(model.current()).isEqualTo("small");
        assertThat(model.choices()).extracting(SessionSettings.Choice::value).containsExactly("small", "large");
        assertThat(settings.forCategory("thought_level").orElseThrow().id()).isEqualTo("effort");

        SessionSettings afterMode = get(first.choose(A, SessionSettings.MODE, "code"));
        assertThat(afterMode.setting(SessionSettings.MODE).orElseThrow().current())
                .isEqualTo("code");
        SessionSettings afterModel = get(first.choose(A, "model", "large"));
        assertThat(afterModel.setting("model").orElseThrow().current()).isEqualTo("large");
        assertThat(afterModel.setting(SessionSettings.MODE).orElseThrow().current())
                .isEqualTo("code");
        assertThat(first.prompt(A, message("m2", "ann", "settings")).replyText())
                .isEqualTo("settings: mode=code model=large effort=low");
        assertThatThrownBy(() -> get(first.choose(A, "model", "gigantic")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasRootCauseMessage("the agent offers no model \"gigantic\"");
        assertThatThrownBy(() -> first.choose("test:nobody", "model", "large").get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        first.shutdown();
        assertThat(SessionStore.jsonFile(file).get(A).orElseThrow().settings())
                .isEqualTo(Map.of(SessionSettings.MODE, "code", "model", "large"));

        // A new agent process starts from its defaults; the broker gives the session the stored choices again.
        AcpBroker second = fixture.start(b -> b.sessionStore(SessionStore.jsonFile(file)), with(flags));
        assertThat(second.prompt(A, message("m3", "ann", "settings")).replyText())
                .isEqualTo("settings: mode=code model=large effort=low");
        assertThat(second.settings(A)
                        .orElseThrow()
                        .setting("model")
                        .orElseThrow()
                        .current())
                .isEqualTo("large");
    }

    private String[] with(String... flags) {
        String[] all = new String[flags.length + 1];
        all[0] = stateDir;
        System.arraycopy(flags, 0, all, 1, flags.length);
        return all;
    }
}
