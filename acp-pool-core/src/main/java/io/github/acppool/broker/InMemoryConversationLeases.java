package io.github.acppool.broker;

import io.github.acppool.Ticker;
import io.github.acppool.internal.Checks;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Leases in a concurrent map, expiry by a ticker; nothing survives the JVM. */
final class InMemoryConversationLeases implements ConversationLeases {

    /* Concurrency: every operation is one atomic compute/computeIfPresent on the map's key, so acquire's takeover
     * of an expired lease and renew's "still mine and unexpired" check cannot interleave with another call for
     * the same conversation. */

    private record Lease(String owner, long expiresNanos) {}

    private final Ticker ticker;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();

    InMemoryConversationLeases(Ticker ticker) {
        this.ticker = ticker;
    }

    @Override
    public String acquire(String conversationId, String owner, Duration ttl) {
        Checks.notNull(conversationId, "conversationId");
        checkOwner(owner);
        long ttlNanos = checkTtl(ttl);
        Lease after = leases.compute(conversationId, (id, lease) -> {
            long now = ticker.read();
            if (lease == null || lease.owner().equals(owner) || lease.expiresNanos() - now <= 0) {
                return new Lease(owner, now + ttlNanos);
            }
            return lease;
        });
        return after.owner();
    }

    @Override
    public Set<String> renew(String owner, Collection<String> conversationIds, Duration ttl) {
        checkOwner(owner);
        long ttlNanos = checkTtl(ttl);
        Set<String> renewed = new HashSet<>();
        for (String conversationId : conversationIds) {
            leases.computeIfPresent(conversationId, (id, lease) -> {
                long now = ticker.read();
                if (lease.owner().equals(owner) && lease.expiresNanos() - now > 0) {
                    renewed.add(id);
                    return new Lease(owner, now + ttlNanos);
                }
                return lease;
            });
        }
        return renewed;
    }

    @Override
    public void release(String conversationId, String owner) {
        Checks.notNull(conversationId, "conversationId");
        checkOwner(owner);
        leases.computeIfPresent(conversationId, (id, lease) -> lease.owner().equals(owner) ? null : lease);
    }

    @Override
    public Optional<String> owner(String conversationId) {
        Lease lease = leases.get(Checks.notNull(conversationId, "conversationId"));
        return lease != null && lease.expiresNanos() - ticker.read() > 0
                ? Optional.of(lease.owner())
                : Optional.empty();
    }

    /** Checks an owner id: not blank, at most {@value #MAX_OWNER_LENGTH} characters, no control characters. */
    static String checkOwner(String owner) {
        Checks.notNull(owner, "owner");
        Checks.argument(!owner.isBlank(), "owner must not be blank");
        Checks.argument(
                owner.length() <= MAX_OWNER_LENGTH,
                "owner must be at most %s characters: %s",
                MAX_OWNER_LENGTH,
                owner.length());
        Checks.argument(owner.chars().noneMatch(Character::isISOControl), "owner must not contain control characters");
        return owner;
    }

    /** The time to live in nanoseconds: positive, at most a day (a longer lease would outlive any crash report). */
    static long checkTtl(Duration ttl) {
        Checks.positive(ttl, "ttl");
        Checks.argument(ttl.compareTo(Duration.ofDays(1)) <= 0, "ttl must be at most a day: %s", ttl);
        return ttl.toNanos();
    }

    @Override
    public String toString() {
        return "ConversationLeases.inMemory(" + leases.size() + " leases)";
    }
}
