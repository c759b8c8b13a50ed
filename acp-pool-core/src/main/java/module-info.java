/**
 * acp-pool core: a keyed connection pool, an Agent Client Protocol (v1) client over a subprocess's
 * stdio, a prompt streamer and a broker facade.
 *
 * <p>Only the API packages are exported; {@code io.github.acppool.internal} is off-contract.
 */
module io.github.acppool.core {
    requires transitive com.fasterxml.jackson.databind;
    requires transitive org.slf4j;
    requires transitive java.sql;
    requires static transitive org.jspecify;
    requires static transitive com.google.errorprone.annotations;

    exports io.github.acppool;
    exports io.github.acppool.acp;
    exports io.github.acppool.acp.schema;
    exports io.github.acppool.broker;
    exports io.github.acppool.pool;
    exports io.github.acppool.turn;
}
