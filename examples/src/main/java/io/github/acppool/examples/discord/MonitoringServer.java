package io.github.acppool.examples.discord;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's monitoring endpoint on the JDK's HTTP server: {@code GET /metrics} answers the registry's Prometheus
 * text, {@code GET /healthz} 200 {@code ok}, or 503 with one line saying why the bot cannot serve (Discord not
 * connected, the bot stopping). Anything else is 404 (405 for another method).
 *
 * <p>Thread-safe: requests run on one daemon thread of its own, and read only thread-safe state (the registry and
 * the health supplier); {@link #close()} may be called from any thread.
 */
final class MonitoringServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitoringServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MonitoringServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on the configured address; a non-loopback one is logged as a warning.
     *
     * @param unhealthy why the bot cannot serve now, or empty when it can
     * @throws RunningBot.StartException if the host is unknown or the port cannot be bound
     */
    static MonitoringServer start(
            BotConfig.Metrics config, PrometheusMeterRegistry registry, Supplier<Optional<String>> unhealthy) {
        InetAddress address;
        try {
            address = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw new RunningBot.StartException("metrics.host: unknown host \"" + config.host() + "\"", e);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, config.port()), 0);
        } catch (IOException e) {
            throw new RunningBot.StartException(
                    "metrics.port: cannot listen on " + config.host() + ":" + config.port() + ": "
                            + RunningBot.describe(e),
                    e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (!path.equals("/metrics") && !path.equals("/healthz")) {
                    send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics or /healthz\n");
                } else if (!exchange.getRequestMethod().equals("GET")
                        && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                } else if (path.equals("/metrics")) {
                    send(exchange, 200, PROMETHEUS_TEXT, registry.scrape());
                } else {
                    Optional<String> why = unhealthy.get();
                    send(exchange, why.isEmpty() ? 200 : 503, "text/plain; charset=utf-8", why.orElse("ok") + "\n");
                }
            } catch (IOException | RuntimeException e) {
                // A scraper that hung up early; the next scrape is a new exchange.
                LOG.debug("monitoring request {} failed", exchange.getRequestURI(), e);
            }
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "acp-pool-monitoring-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
        InetSocketAddress bound = server.getAddress();
        if (address.isLoopbackAddress()) {
            LOG.info("monitoring endpoint: http://{}/metrics and /healthz", hostAndPort(bound));
        } else {
            LOG.warn(
                    "monitoring endpoint: http://{}/metrics and /healthz listen on a non-loopback address ({}), so"
                            + " other machines can read the bot's numbers; put it behind a firewall or set"
                            + " metrics.host to 127.0.0.1",
                    hostAndPort(bound),
                    config.host());
        }
        return new MonitoringServer(server, executor);
    }

    /** The address it listens on (with the port chosen when the config said 0). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
