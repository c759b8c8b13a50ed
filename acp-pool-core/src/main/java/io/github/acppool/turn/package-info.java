/**
 * Prompt turns: one {@code session/prompt}, streamed as typed events, that always ends with the whole reply.
 *
 * <p>Entry point: {@link io.github.acppool.turn.PromptStreamer}. It sends a prompt through an {@link
 * io.github.acppool.acp.AcpClient}, delivers the turn's updates to a {@link io.github.acppool.turn.TurnListener}
 * as {@link io.github.acppool.turn.TurnEvent}s (tool calls merged by id into {@link
 * io.github.acppool.turn.ToolCall}s), keeps collecting for a {@link io.github.acppool.turn.DrainPolicy}'s window
 * after the answer (agents send the last text after {@code end_turn}), follows a {@link
 * io.github.acppool.turn.LivenessPolicy} while it waits (process check, inactivity and hard timeouts), and
 * ends with a {@link io.github.acppool.turn.TurnResult} whose {@code replyText()} is never empty.
 *
 * <p>Exceptions carried by a result (never thrown at the caller): {@link
 * io.github.acppool.turn.TurnTimeoutException} (a timeout ran out; {@code session/cancel} was sent) and {@link
 * io.github.acppool.turn.UnsupportedContentException} (the prompt needs a capability the agent lacks), besides
 * the client's {@link io.github.acppool.acp.AgentProcessException} and {@link
 * io.github.acppool.acp.AcpProtocolException}.
 */
@NullMarked
package io.github.acppool.turn;

import org.jspecify.annotations.NullMarked;
