/**
 * A Discord front end for ACP agents on JDA. {@link io.github.acppool.discord.DiscordFrontEnd} attaches to a JDA
 * client or shard manager the embedder owns and connects it to an {@link io.github.acppool.broker.AcpBroker}: a
 * mention starts a thread (the conversation), replies stream into a placeholder that is edited at a cadence and split
 * at Discord's limit at the end, tool calls show as status lines, status reactions show where a turn is, permission
 * requests become Allow / Deny buttons, and {@code /cancel}, {@code /reset} and {@code /status} act on the thread.
 *
 * <p>The public types are the front end and the settings an embedder chooses: {@link
 * io.github.acppool.discord.DiscordConfig}, {@link io.github.acppool.discord.AccessRules}, {@link
 * io.github.acppool.discord.BotMessagePolicy}, {@link io.github.acppool.discord.ToolDisplay} and {@link
 * io.github.acppool.discord.StatusEmoji}. Everything else is package-private.
 */
@NullMarked
package io.github.acppool.discord;

import org.jspecify.annotations.NullMarked;
