package io.github.acppool.examples.discord;

import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;

/**
 * JDA's own session controller (it spaces out IDENTIFYs as Discord asks), but connecting to the gateway URL of the
 * config ({@code discord.gatewayUrl}: a proxy or a test double) instead of the one Discord names. JDA asks {@link
 * #getGateway()} for a single client and {@link #getShardedGateway(JDA)} for a shard manager; both must answer.
 *
 * <p>Thread-safe, as its superclass.
 */
final class GatewaySessionController extends ConcurrentSessionController {
    private final String gatewayUrl;

    GatewaySessionController(String gatewayUrl) {
        this.gatewayUrl = gatewayUrl;
    }

    @Override
    public String getGateway() {
        return gatewayUrl;
    }

    @Override
    public ShardedGateway getShardedGateway(JDA api) {
        // The shard count and concurrency still come from GET /gateway/bot (on the configured REST base URL).
        ShardedGateway discord = super.getShardedGateway(api);
        return new ShardedGateway(gatewayUrl, discord.getShardTotal(), discord.getConcurrency());
    }
}
