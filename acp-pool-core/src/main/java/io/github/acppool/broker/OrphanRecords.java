package io.github.acppool.broker;

/** Placeholder: filled in below. */
final class OrphanRecords {
    /** The variable every agent process gets: the id of the broker instance that started it. */
    static final String OWNER_VARIABLE = "ACP_POOL_OWNER";

    private OrphanRecords() {}
}
