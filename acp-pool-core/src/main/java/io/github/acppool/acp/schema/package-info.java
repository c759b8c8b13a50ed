/**
 * The part of the Agent Client Protocol (v1) model that acp-pool reads and writes, as immutable records.
 *
 * <p>What the agent sends is read leniently: unknown fields are kept in each record's {@code raw()} JSON,
 * unknown {@code session/update} kinds and content types become {@link
 * io.github.acppool.acp.schema.SessionUpdate.Unknown} and {@link
 * io.github.acppool.acp.schema.ContentBlock.Other}, and nothing the agent adds is fatal. String-valued
 * enumerations of the protocol (tool kinds, statuses) stay strings for the same reason.
 */
@NullMarked
package io.github.acppool.acp.schema;

import org.jspecify.annotations.NullMarked;
