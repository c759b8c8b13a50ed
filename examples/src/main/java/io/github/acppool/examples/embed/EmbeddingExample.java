package io.github.acppool.examples.embed;

// README:embedding-example:begin
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.Sender;
import io.github.acppool.turn.TurnEvent;
import java.util.List;

/** Sends one message to the agent whose command line is given and streams the reply to stdout. */
public final class EmbeddingExample {
    public static void main(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: EmbeddingExample AGENT-COMMAND [ARGUMENT...]");
        }
        AgentLaunchSpec agent = AgentLaunchSpec.builder(args[0])
                .args(List.of(args).subList(1, args.length))
                .build();
        try (AcpBroker broker = AcpBroker.builder().agent(agent).build()) {
            ChatMessage message = ChatMessage.text("m-1", new Sender("u-1", "Ada"), "Hello, agent!");
            BrokerResult result = broker.prompt("example:1", message, new MessageListener() {
                @Override
                public void onEvent(TurnEvent event) {
                    if (event instanceof TurnEvent.TextChunk chunk) {
                        System.out.print(chunk.text()); // streams as it arrives
                    }
                }
            });
            if (result.outcome() != BrokerResult.Outcome.COMPLETED) {
                System.out.println("\n" + result.userText()); // one plain sentence; no stderr, paths or ids
            }
            System.out.println("\n[" + result.outcome() + "]");
        }
    }
}
// README:embedding-example:end
