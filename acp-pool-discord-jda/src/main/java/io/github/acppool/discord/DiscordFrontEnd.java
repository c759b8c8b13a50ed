package io.github.acppool.discord;

import io.github.acppool.acp.PermissionPolicy;
import io.github.acppool.broker.AcpBroker;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Executor;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.sharding.ShardManager;

/**
 * A Discord front end for an {@link AcpBroker} on a JDA client (or a {@link ShardManager}) that the embedder owns.
 *
 * <pre>{@code
 * DiscordFrontEnd discord = DiscordFrontEnd.create(DiscordConfig.defaults());
 * AcpBroker broker = AcpBroker.builder()
 *         .agent(AgentLaunchSpec.builder("npx").args("@zed-industries/codex-acp").build())
 *         .clientOptions(AcpClientOptions.builder().permissionPolicy(discord.permissionPolicy()).build())
 *         .sessionStore(SessionStore.jsonFile(Path.of("sessions.json")))
 *         .build();
 * JDA jda = JDABuilder.createDefault(token, DiscordFrontEnd.requiredIntents()).build().awaitReady();
 * discord.start(broker, jda);
 * // ... at exit: discord.close(); broker.shutdown(); jda.shutdown();
 * }</pre>
 *
 * <p>A mention of the bot (or of an allowed role) in a channel starts a thread from that message; the thread is
 * the conversation (id {@value #CONVERSATION_PREFIX}{@code <thread id>}), and follow-ups in it need no mention.
 * Replies stream into a placeholder message, status reactions show where a turn is, and {@code /cancel}, {@code
 * /reset} and {@code /status} act on the thread they are used in.
 *
 * <p>Ownership: {@link #close()} detaches the front end from JDA and stops the work it started; it never shuts down
 * the broker or JDA. An executor given to {@link #create(DiscordConfig, Executor)} is not shut down either.
 *
 * <p>Thread-safe: every method may be called from any thread; JDA event threads are never blocked.
 */
@SuppressWarnings({"DoNotCallSuggester", "UnusedVariable", "UnusedMethod"}) // API first; the implementation follows
public final class DiscordFrontEnd implements AutoCloseable {

    /** Every conversation id of this front end starts with this, followed by the thread (or DM channel) id. */
    public static final String CONVERSATION_PREFIX = "discord:";

    private final DiscordConfig config;
    private final Executor executor;
    private final boolean ownsExecutor;

    private DiscordFrontEnd(DiscordConfig config, Executor executor, boolean ownsExecutor) {
        this.config = config;
        this.executor = executor;
        this.ownsExecutor = ownsExecutor;
    }

    /** A front end with its own daemon threads (ended by {@link #close()}). */
    public static DiscordFrontEnd create(DiscordConfig config) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * A front end whose work (downloads, Discord calls that wait, slash commands) runs on {@code executor}, which
     * the caller owns. Timers (edit cadence, reaction debounce) still run on one daemon thread of the front end.
     */
    public static DiscordFrontEnd create(DiscordConfig config, Executor executor) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The gateway intents the front end needs: GUILD_MESSAGES, MESSAGE_CONTENT and DIRECT_MESSAGES. */
    public static Set<GatewayIntent> requiredIntents() {
        return EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT, GatewayIntent.DIRECT_MESSAGES);
    }

    /** The conversation id of a thread or DM channel. */
    public static String conversationId(long channelId) {
        return CONVERSATION_PREFIX + Long.toUnsignedString(channelId);
    }

    /**
     * "Ask in Discord": each permission request is posted in the conversation's thread as a message with Allow and
     * Deny buttons that only allowed users may press; no answer within {@link DiscordConfig#permissionTimeout()}
     * means deny, and the buttons are disabled once answered. A request whose session the front end cannot map to
     * a thread (another front end's conversation, or one before {@link #start}) is rejected. Give it to the
     * broker's {@code AcpClientOptions}; for the other modes give the broker a policy of {@link PermissionPolicy}
     * instead.
     */
    public PermissionPolicy permissionPolicy() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Attaches to {@code jda}: checks its intents (throws {@link IllegalStateException} naming a missing one and
     * how to enable it), registers the listener and, if configured, upserts the slash commands. Threads are never
     * archived at start; conversations continue from the broker's session store.
     *
     * @throws IllegalStateException if started already, closed, or an intent is missing
     */
    public void start(AcpBroker broker, JDA jda) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Like {@link #start(AcpBroker, JDA)}, for every shard of {@code shards} (present and future). */
    public void start(AcpBroker broker, ShardManager shards) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Detaches from JDA, cancels pending permission questions (deny) and stops the front end's own threads.
     * Running turns are not cancelled (the broker owns them). Idempotent.
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not yet");
    }
}
