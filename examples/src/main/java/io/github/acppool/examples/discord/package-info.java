/**
 * The bundled Discord bot: one command starts a Discord front end ({@link io.github.acppool.discord}) for any ACP
 * agent, configured by a YAML file, with the bot token taken from an environment variable. {@link
 * io.github.acppool.examples.discord.DiscordBot} is the program; everything else in this package is an implementation
 * detail.
 */
@NullMarked
package io.github.acppool.examples.discord;

import org.jspecify.annotations.NullMarked;
