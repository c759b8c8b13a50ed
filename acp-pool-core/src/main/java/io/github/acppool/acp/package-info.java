/**
 * An Agent Client Protocol (v1) client over an agent subprocess's stdin and stdout.
 *
 * <p>Entry point: {@link io.github.acppool.acp.AcpClient#launch(AgentLaunchSpec, AcpClientOptions)}. The
 * client owns the process: it drains stderr into a bounded ring, reads stdout on one thread in arrival
 * order, answers the agent's requests off that thread (permission through a {@link
 * io.github.acppool.acp.PermissionPolicy}, file access only when enabled and confined to the session's
 * directory), and kills the process and its descendants on {@code close()}.
 *
 * <p>Exceptions, all unchecked {@link io.github.acppool.AcpPoolException}s: {@link
 * io.github.acppool.acp.AgentProcessException} (the agent could not start, died, or closed stdout; carries
 * the exit code and the stderr tail), {@link io.github.acppool.acp.AcpProtocolException} (the agent answered
 * with a JSON-RPC error, or with something the client cannot use) and {@link
 * io.github.acppool.acp.AcpRequestTimeoutException} (a request outlived its timeout) and {@link
 * io.github.acppool.acp.MissingCapabilityException} (a request needs a capability the agent did not advertise).
 * Each has a {@link io.github.acppool.AcpPoolException#userMessage()} for a chat user besides its message for
 * the log.
 */
@NullMarked
package io.github.acppool.acp;

import org.jspecify.annotations.NullMarked;
