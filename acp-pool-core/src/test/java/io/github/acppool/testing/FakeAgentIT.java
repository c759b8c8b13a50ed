package io.github.acppool.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.AcpClient;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.PendingRequest;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.acp.schema.PromptResult;
import io.github.acppool.acp.schema.SessionSetup;
import io.github.acppool.acp.schema.StopReason;
import io.github.acppool.internal.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake agent's {@code wait-for-continue}: what releases it may come right behind the prompt, before the
 * agent's thread for the turn has started. The agent reads its stdin in order on one thread and arms the
 * turn's latch there, as it reads the prompt, so nothing the client sends after the prompt can be lost; each
 * round sends the prompt and the release back to back, which is when a latch armed on the turn's own thread
 * used to be replaced after the release had counted the old one down.
 */
@Timeout(60)
final class FakeAgentIT {
    private static final int ROUNDS = 20;

    @TempDir
    Path cwd;

    private AcpClient client;
    private String session;

    @BeforeEach
    void launch() throws Exception {
        client = AcpClient.launch(FakeAgent.launchSpec(), AcpClientOptions.defaults());
        client.initialize().get(30, TimeUnit.SECONDS);
        session = client.newSession(SessionSetup.of(cwd))
                .get(30, TimeUnit.SECONDS)
                .sessionId();
    }

    @AfterEach
    void close() {
        client.close();
    }

    private PendingRequest<PromptResult> prompt(String script) {
        return client.prompt(session, List.of(ContentBlock.text(script)));
    }

    @Test
    void aContinueSentRightBehindThePrompt_releasesTheWait() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            PendingRequest<PromptResult> turn = prompt("wait-for-continue\nsay resumed");
            client.notify("_fake/continue", Json.object().put("sessionId", session));
            assertThat(turn.future().get(10, TimeUnit.SECONDS).stopReason())
                    .as("round %d", round)
                    .isEqualTo(StopReason.END_TURN);
        }
    }

    @Test
    void aCancelSentRightBehindThePrompt_cancelsTheTurn() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            PendingRequest<PromptResult> turn = prompt("wait-for-continue\nsay never");
            client.cancel(session);
            assertThat(turn.future().get(10, TimeUnit.SECONDS).stopReason())
                    .as("round %d", round)
                    .isEqualTo(StopReason.CANCELLED);
        }
    }
}
