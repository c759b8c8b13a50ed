package io.github.acppool.broker;

import io.github.acppool.Ticker;
import io.github.acppool.internal.Checks;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Who serves which conversation when several brokers share one {@link SessionStore}: a lease per conversation
 * (an owner id and an expiry) that a broker takes before it starts an agent for the conversation, renews while
 * that agent lives and releases once the agent is gone. An ACP session belongs to one agent process, so two
 * brokers must never run agents for the same conversation at once; a broker that finds the lease held by a live
 * other owner does not start one ({@link BrokerResult.Outcome#OWNED_ELSEWHERE}). A crashed owner stops renewing,
 * so its leases expire after their time to live and another broker takes the conversations over and resumes
 * their stored sessions. Give it to {@link AcpBroker.Builder#leases}.
 *
 * <p>An expired lease counts as free: {@link #acquire} takes it over atomically, so of two brokers racing for
 * one conversation exactly one wins. Implementations over a database must judge expiry by the database's clock,
 * so that brokers whose clocks disagree still agree on who holds a lease.
 *
 * <p>Implementations must be thread-safe. The broker calls them off every pool lock and never on the path of a
 * streamed chunk: when it starts an agent, from its renewal task, and after an agent stopped.
 */
public interface ConversationLeases {

    /** The longest owner id accepted. */
    int MAX_OWNER_LENGTH = 200;

    /**
     * Takes the lease of {@code conversationId} for {@code owner} until {@code ttl} from now, if it is free,
     * expired or already {@code owner}'s (then its expiry moves); otherwise leaves it alone.
     *
     * @return the lease's owner after the call: {@code owner} if it holds the lease now, else the live owner that
     *     holds it
     * @throws SessionStoreException if the backing storage cannot be read or written
     */
    String acquire(String conversationId, String owner, Duration ttl);

    /**
     * Moves the expiry of every lease in {@code conversationIds} that {@code owner} still holds, unexpired, to
     * {@code ttl} from now. A lease that lapsed is not renewed, even if nobody took it: its owner must stop its
     * agent, because another broker may have started one meanwhile.
     *
     * @return the conversations whose lease was renewed
     * @throws SessionStoreException if the backing storage cannot be read or written (then nothing is known to
     *     be renewed)
     */
    Set<String> renew(String owner, Collection<String> conversationIds, Duration ttl);

    /**
     * Gives the lease of {@code conversationId} up, if {@code owner} holds it; does nothing otherwise.
     *
     * @throws SessionStoreException if the backing storage cannot be written (the lease then expires by itself)
     */
    void release(String conversationId, String owner);

    /**
     * The live owner of {@code conversationId}'s lease, if an unexpired lease exists.
     *
     * @throws SessionStoreException if the backing storage cannot be read
     */
    Optional<String> owner(String conversationId);

    /**
     * Leases in this JVM's memory, with expiry judged by the system ticker: for several brokers in one process
     * (and tests). One broker alone needs no leases at all.
     */
    static ConversationLeases inMemory() {
        return new InMemoryConversationLeases(Ticker.systemTicker());
    }

    /** {@link #inMemory()} with expiry judged by {@code ticker} (a test's fake clock). */
    static ConversationLeases inMemory(Ticker ticker) {
        return new InMemoryConversationLeases(Checks.notNull(ticker, "ticker"));
    }

    /**
     * Leases in the table {@code acp_pool_leases} of a database (PostgreSQL, or one that speaks its {@code INSERT
     * ... ON CONFLICT}), created if absent; see the README for its SQL. Expiry is judged by the database's clock
     * ({@code now()}). Uses {@code java.sql} only: the caller brings the driver and the pool, and closes them.
     *
     * @throws SessionStoreException if the table cannot be created or has an unknown schema version
     */
    static ConversationLeases jdbc(DataSource dataSource) {
        return JdbcConversationLeases.open(Checks.notNull(dataSource, "dataSource"));
    }

    /**
     * A fresh owner id for this process: its host name, process id and a random suffix ({@code
     * build-7:4242:9f86d081}), so that two brokers never share one even on one host, and an operator can tell from
     * the lease table which machine serves a conversation.
     */
    static String defaultOwnerId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | SecurityException e) {
                host = "localhost";
            }
        }
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String id = host + ":" + ProcessHandle.current().pid() + ":"
                + HexFormat.of().formatHex(random);
        return id.length() <= MAX_OWNER_LENGTH ? id : id.substring(id.length() - MAX_OWNER_LENGTH);
    }
}
