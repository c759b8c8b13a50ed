package io.github.acppool.discord.fake;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.utils.SessionController;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points JDA at the fake gateway and starts sessions at once. JDA's own {@code ConcurrentSessionController} would
 * also work (the fake answers {@code GET /gateway/bot}), but it sleeps the 5 s IDENTIFY delay after every connect
 * on a non-daemon thread, which every test would then wait for or leak.
 */
final class FakeSessionController implements SessionController {

    /*
     * Concurrency: one daemon thread runs connect nodes in order; run(true) makes a node return once its socket
     * is open instead of blocking the worker until READY. Stateless apart from the executor.
     */
    private static final Logger LOG = LoggerFactory.getLogger(FakeSessionController.class);

    private final String gatewayUrl;
    private final int shardTotal;
    private final ExecutorService worker;

    FakeSessionController(String gatewayUrl, int shardTotal) {
        this.gatewayUrl = gatewayUrl;
        this.shardTotal = shardTotal;
        this.worker = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fake-discord-session-controller");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void appendSession(SessionConnectNode node) {
        worker.execute(() -> {
            try {
                node.run(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("fake session controller: connect node for {} failed", node.getShardInfo(), e);
            }
        });
    }

    @Override
    public void removeSession(SessionConnectNode node) {
        // A node checks JDA's shutdown flag itself before connecting; nothing is queued for long here.
    }

    @Override
    public String getGateway() {
        return gatewayUrl;
    }

    @Override
    public ShardedGateway getShardedGateway(JDA api) {
        return new ShardedGateway(gatewayUrl, shardTotal, 1);
    }

    void shutdown() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
    }
}
