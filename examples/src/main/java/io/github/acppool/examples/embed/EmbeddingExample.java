package io.github.acppool.examples.embed;

// README:embedding-example:begin
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.Sender;
import io.github.acppool.examples.demoagent.DemoAgentLauncher;
import io.github.acppool.turn.TurnEvent;
import java.util.List;

/** Sends one message to an agent (the demo agent, or the command line given) and streams the reply to stdout. */
public final class EmbeddingExample {
    public static void main(String[] args) {
        List<String> command = args.length > 0 ? List.of(args) : DemoAgentLauncher.command();
        AgentLaunchSpec agent = AgentLaunchSpec.builder(command.get(0))
                .args(command.subList(1, command.size()))
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
