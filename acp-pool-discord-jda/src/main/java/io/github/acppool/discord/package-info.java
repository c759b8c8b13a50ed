/**
 * A Discord front end for ACP agents on JDA: who may talk to the bot and what starts a conversation, how a streamed
 * reply is shown (placeholder edits at a cadence, tool-call status lines) and how a final reply is split into Discord
 * messages.
 *
 * <p>The public types are the settings an embedder chooses: {@link io.github.acppool.discord.AccessRules}, {@link
 * io.github.acppool.discord.BotMessagePolicy}, {@link io.github.acppool.discord.ToolDisplay} and {@link
 * io.github.acppool.discord.StatusEmoji}. Everything else is package-private.
 */
@NullMarked
package io.github.acppool.discord;

import org.jspecify.annotations.NullMarked;
