/**
 * Types shared by every part of acp-pool.
 *
 * <p>Exceptions: every exception acp-pool throws is an unchecked {@link io.github.acppool.AcpPoolException}.
 * Its subclasses live in the package of the part that throws them.
 */
@NullMarked
package io.github.acppool;

import org.jspecify.annotations.NullMarked;
