/**
 * acp-pool core: a keyed connection pool, an Agent Client Protocol (v1) client over a subprocess's
 * stdio, a prompt streamer and a broker facade.
 *
 * <p>Only the API packages are exported; {@code io.github.acppool.internal} is off-contract.
 */
// io.github.acppool.metrics names Micrometer's MeterRegistry, which this module does not re-export: an application
// that uses the binding has Micrometer and requires micrometer.core itself. Re-exporting it (requires static
// transitive) would make every named module that requires core fail to compile without Micrometer.
@SuppressWarnings("requires-automatic")
module io.github.acppool.core {
    requires transitive com.fasterxml.jackson.databind;
    requires transitive org.slf4j;
    requires transitive java.sql;
    requires static transitive org.jspecify;
    requires static transitive com.google.errorprone.annotations;
    // Optional: only io.github.acppool.metrics uses Micrometer, and only applications that have it load that package.
    requires static micrometer.core;

    exports io.github.acppool;
    exports io.github.acppool.acp;
    exports io.github.acppool.acp.schema;
    exports io.github.acppool.broker;
    exports io.github.acppool.metrics;
    exports io.github.acppool.pool;
    exports io.github.acppool.turn;
}
