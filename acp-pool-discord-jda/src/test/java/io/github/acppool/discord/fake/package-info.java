/**
 * A fake Discord server for tests that drive the real JDA client: {@link io.github.acppool.discord.fake.FakeDiscord}
 * serves the REST API and the gateway WebSocket on loopback.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * try (FakeDiscord discord = FakeDiscord.start()) {               // random port, default world
 *     EventRecorder events = new EventRecorder();
 *     JDA jda = discord.login(discord.jdaBuilder(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT)
 *             .addEventListeners(adapterListener, events));       // returns once READY
 *     FakeMessage m = discord.sendUserMessage(                     // act as a user
 *             discord.user("alice"), discord.channel("general"), discord.bot().mention() + " hi");
 *     RestCall thread = discord.awaitCall("POST", "/channels/*\/messages/" + m.idString() + "/threads");
 *     List<RestCall> edits = discord.awaitCalls("PATCH", "/channels/*\/messages/*", 2);
 *     discord.failNext("POST", "/channels/*\/messages", RestFailure.rateLimited(Duration.ZERO));
 *     FakeInteraction click = discord.clickButton(discord.user("alice"), messageId, "perm:allow");
 *     discord.awaitCall("POST", click.callbackPath());
 * }                                                               // JDA, sockets and server are closed
 * }</pre>
 *
 * <p>Things JDA 6.5 needs from a server, learned while building this (see FakeDiscord and Payloads): GUILD_CREATE
 * must carry every array JDA reads (roles, channels, threads, members, emojis, voice_states, guild_scheduled_events),
 * roles need a {@code colors} object, and {@code afk_timeout} must be one of Discord's values (0 makes guild setup
 * throw and READY never arrive); responses need a {@code Via} header or JDA takes a 429 for a Cloudflare ban; the
 * {@code Retry-After} header must be whole seconds; interactions need a partial {@code guild}, {@code context} and
 * {@code authorizing_integration_owners}; and messages for a channel JDA does not know yet are held back silently,
 * so a thread's THREAD_CREATE must come before its messages.
 */
package io.github.acppool.discord.fake;
