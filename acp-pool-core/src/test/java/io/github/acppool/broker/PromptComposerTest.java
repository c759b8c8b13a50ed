package io.github.acppool.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.acppool.acp.schema.ContentBlock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class PromptComposerTest {
    private static final Sender ANN = new Sender("u1", "Ann");
    private static final Sender BOB = new Sender("u2", "Bob");
    private static final ContentBlock IMAGE = new ContentBlock.Image("aGk=", "image/png", null);

    @Test
    void attributed_namesTheSenderBeforeEveryMessage_inArrivalOrder() {
        List<ContentBlock> prompt = PromptComposer.attributed()
                .compose(List.of(
                        new ChatMessage("m1", ANN, List.of(ContentBlock.text("look at this"), IMAGE)),
                        ChatMessage.text("m2", BOB, "and this")));
        assertThat(prompt)
                .containsExactly(
                        ContentBlock.text("[Ann (u1)]"),
                        ContentBlock.text("look at this"),
                        IMAGE,
                        ContentBlock.text("[Bob (u2)]"),
                        ContentBlock.text("and this"));
    }

    @Test
    void attributed_namesTheSenderOfALoneMessageToo() {
        assertThat(PromptComposer.attributed().compose(List.of(ChatMessage.text("m1", ANN, "hi"))))
                .containsExactly(ContentBlock.text("[Ann (u1)]"), ContentBlock.text("hi"));
    }

    @Test
    void plain_concatenatesTheBlocks() {
        assertThat(PromptComposer.plain()
                        .compose(List.of(ChatMessage.text("m1", ANN, "hi"), ChatMessage.text("m2", BOB, "ho"))))
                .containsExactly(ContentBlock.text("hi"), ContentBlock.text("ho"));
    }

    @Test
    void turnStartAndResult_nameTheMessageThatGetsTheReply() {
        ChatMessage first = ChatMessage.text("m1", ANN, "hi");
        ChatMessage second = ChatMessage.text("m2", BOB, "ho");
        TurnStart start = new TurnStart("c", List.of(first, second), "s1", false, null);
        assertThat(start.replyTo()).isEqualTo(second);
        assertThat(start.streamsTo(first)).isFalse();
        assertThat(start.streamsTo(second)).isTrue();
        assertThat(start.merged()).isTrue();
        BrokerResult dropped = new BrokerResult(
                "c",
                first,
                BrokerResult.Outcome.CANCELLED,
                null,
                List.of(first),
                false,
                null,
                null,
                new BrokerException("c", "dropped from the queue by cancel", null));
        assertThat(dropped.repliedHere()).isTrue();
        assertThat(dropped.merged()).isFalse();
        assertThat(dropped.userText()).isEqualTo("Cancelled before the agent replied.");
        assertThat(dropped.diagnostics())
                .isEqualTo("conversation c, message " + first.messageId() + ": CANCELLED\n"
                        + "error: io.github.acppool.broker.BrokerException: conversation c: dropped from the queue by"
                        + " cancel");
    }
}
