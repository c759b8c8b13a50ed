package io.github.acppool.discord.fake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.events.StatusChangeEvent;
import net.dv8tion.jda.api.events.session.ShutdownEvent;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.Compression;
import okhttp3.MediaType;
import okhttp3.MultipartReader;
import okhttp3.OkHttpClient;
import okio.Buffer;
import okio.BufferedSource;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake Discord server on loopback that the real JDA client logs in to: the REST API under {@code /api/v10} and the
 * gateway WebSocket under {@code /gateway}, both served by OkHttp's MockWebServer on a random free port.
 *
 * <p>It holds a small world (one guild, or more: see {@link Builder#extraGuild}, with roles, text channels and
 * members, threads and DM channels created on
 * the way, every message and reaction), lets a test act as any user (messages, threads, slash commands, button
 * clicks), records every REST call with its JSON body so tests can await and assert them, and answers like Discord
 * does: ids are snowflakes it allocates, messages the bot sends come back as gateway events, a thread started from
 * a message takes the message's id, content beyond 2000 code points is refused, intents decide which events a
 * session gets (without MESSAGE_CONTENT, guild messages arrive with empty content unless they mention the bot).
 * Failures can be injected per call: a 429 with {@code retry_after} or a 5xx.
 *
 * <pre>{@code
 * try (FakeDiscord discord = FakeDiscord.start()) {
 *     JDA jda = discord.login(discord.jdaBuilder(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT)
 *             .addEventListeners(listener));
 *     discord.sendUserMessage(discord.user("alice"), discord.channel("general"), discord.bot().mention() + " hi");
 *     RestCall reply = discord.awaitCall("POST", "/channels/*\/messages");
 * }
 * }</pre>
 *
 * <p>Thread-safe: tests, MockWebServer's connection threads and JDA may all call in at once.
 */
public final class FakeDiscord implements AutoCloseable {

    /*
     * Concurrency: `lock` guards the world (users, channels, messages, interactions, commands), the recorded calls,
     * the failure rules and the session list. Gateway frames are sent while holding `lock` (lock order: `lock`, then
     * a session's monitor), so that events leave in the order the world changed; sending only enqueues on OkHttp's
     * writer and never blocks. REST handlers run on MockWebServer threads and take `lock` for the whole request.
     * Awaiting waits on `callRecorded`, a condition of `lock`.
     */
    private static final Logger LOG = LoggerFactory.getLogger(FakeDiscord.class);

    /** The bot token every JDA built by this fixture uses; the gateway rejects any other with close code 4004. */
    public static final String TOKEN = "fake-bot-token";

    /** How long the await methods wait before failing the test. */
    public static final Duration DEFAULT_AWAIT = Duration.ofSeconds(10);

    static final String API_PREFIX = "/api/v10";
    static final int MAX_CONTENT_CODE_POINTS = 2000;
    static final int MAX_THREAD_NAME_CODE_POINTS = 100;
    /** JDA has no constant for it because it always sends it: GUILDS is bit 0 of every IDENTIFY. */
    private static final int INTENT_GUILDS = 1;

    private static final int PRIVILEGED_INTENTS = GatewayIntent.getRaw(
            GatewayIntent.GUILD_MEMBERS, GatewayIntent.GUILD_PRESENCES, GatewayIntent.MESSAGE_CONTENT);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition callRecorded = lock.newCondition();
    private final AtomicLong lastId = new AtomicLong();
    private final AtomicLong heartbeats = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final MockWebServer server = new MockWebServer();
    private final Compression compression;
    private final long heartbeatMillis;
    private final int allowedPrivilegedIntents;
    private final FakeUser bot;
    private final long applicationId;
    private final long guildId;
    private final String guildName;
    /** Further guilds (id to name), with the same members and roles as the first one. */
    private final Map<Long, String> extraGuilds = new LinkedHashMap<>();

    private final FakeSessionController sessionController;
    private final List<AutoCloseable> clients = new ArrayList<>();

    // World, all guarded by `lock`.
    private final Map<String, FakeUser> usersByName = new LinkedHashMap<>();
    private final Map<Long, FakeUser> users = new HashMap<>();
    private final Map<String, FakeRole> rolesByName = new LinkedHashMap<>();
    private final Map<Long, Set<Long>> memberRoles = new HashMap<>();
    private final Map<Long, Long> joinedAt = new HashMap<>();
    private final Map<Long, ChannelState> channels = new LinkedHashMap<>();
    private final Map<String, FakeChannel> textChannelsByName = new LinkedHashMap<>();
    private final Map<Long, Long> dmChannelByUser = new HashMap<>();
    private final Map<Long, MessageState> messages = new LinkedHashMap<>();
    private final Map<String, FakeAttachment> attachmentsByPath = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong downloads = new java.util.concurrent.atomic.AtomicLong();
    private final Map<Long, Long> threadByStarterMessage = new HashMap<>();
    private final Map<String, InteractionState> interactionsByToken = new HashMap<>();
    private final Map<String, ObjectNode> globalCommands = new LinkedHashMap<>();
    private final Map<String, ObjectNode> guildCommands = new LinkedHashMap<>();
    private final List<FakeGatewaySession> sessions = new ArrayList<>();
    private final List<Set<GatewayIntent>> identifies = new ArrayList<>();
    private final List<RestCall> calls = new ArrayList<>();
    private final List<FailureRule> failures = new ArrayList<>();
    private final List<HeldCall> holds = new ArrayList<>();

    private FakeDiscord(Builder builder) {
        this.compression = builder.compression;
        this.heartbeatMillis = builder.heartbeatInterval.toMillis();
        this.allowedPrivilegedIntents = builder.allowedPrivilegedIntents;
        this.applicationId = nextId();
        this.guildId = nextId();
        this.guildName = builder.guildName;
        long previous = guildId;
        for (String name : builder.extraGuilds.keySet()) {
            // One millisecond after the previous guild's (before any other id is taken), so that with n guilds and n
            // shards each shard serves one guild: Discord's shard of a guild is (id >> 22) % total.
            long id = ((previous >>> 22) + 1) << 22;
            lastId.updateAndGet(last -> Math.max(last, id));
            extraGuilds.put(id, name);
            previous = id;
        }
        this.bot = new FakeUser(applicationId, builder.botName, true);
        addUser(bot);
        rolesByName.put("@everyone", new FakeRole(guildId, "@everyone"));
        FakeRole botRole = new FakeRole(nextId(), builder.botName);
        rolesByName.put(botRole.name(), botRole);
        memberRoles.get(bot.id()).add(botRole.id());
        builder.roles.forEach(name -> rolesByName.put(name, new FakeRole(nextId(), name)));
        builder.humans.forEach(name -> addUser(new FakeUser(nextId(), name, false)));
        builder.bots.forEach(name -> addUser(new FakeUser(nextId(), name, true)));
        builder.memberships.forEach((user, roles) -> roles.forEach(role -> memberRoles
                .get(requireNonNull(usersByName.get(user)).id())
                .add(requireNonNull(rolesByName.get(role), role).id())));
        builder.channels.forEach(name -> {
            FakeChannel channel = new FakeChannel(nextId(), name, FakeChannel.Kind.TEXT, 0, guildId, 0);
            channels.put(channel.id(), new ChannelState(channel));
            textChannelsByName.put(name, channel);
        });
        builder.extraGuilds.forEach((guild, names) -> names.forEach(name -> {
            long id = extraGuilds.entrySet().stream()
                    .filter(e -> e.getValue().equals(guild))
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            FakeChannel channel = new FakeChannel(nextId(), name, FakeChannel.Kind.TEXT, 0, id, 0);
            channels.put(channel.id(), new ChannelState(channel));
            textChannelsByName.put(name, channel);
        }));
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.sessionController = new FakeSessionController(gatewayUrl(), builder.shardTotal);
    }

    /** A fake with the default world; see {@link Builder}. */
    public static FakeDiscord start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- world

    public FakeUser bot() {
        return bot;
    }

    public long applicationId() {
        return applicationId;
    }

    public long guildId() {
        return guildId;
    }

    /** The id of the guild named {@code name} (the first guild or an {@linkplain Builder#extraGuild extra} one). */
    public long guildId(String name) {
        if (name.equals(guildName)) {
            return guildId;
        }
        return extraGuilds.entrySet().stream()
                .filter(e -> e.getValue().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no guild " + name))
                .getKey();
    }

    public FakeUser user(String name) {
        lock.lock();
        try {
            return requireNonNull(usersByName.get(name), () -> "no user named " + name);
        } finally {
            lock.unlock();
        }
    }

    public FakeRole role(String name) {
        lock.lock();
        try {
            return requireNonNull(rolesByName.get(name), () -> "no role named " + name);
        } finally {
            lock.unlock();
        }
    }

    public FakeChannel channel(String name) {
        lock.lock();
        try {
            return requireNonNull(textChannelsByName.get(name), () -> "no text channel named " + name);
        } finally {
            lock.unlock();
        }
    }

    public FakeChannel channel(long id) {
        lock.lock();
        try {
            return requireNonNull(channels.get(id), () -> "no channel " + Long.toUnsignedString(id)).channel;
        } finally {
            lock.unlock();
        }
    }

    public Optional<FakeMessage> message(long id) {
        lock.lock();
        try {
            return Optional.ofNullable(messages.get(id)).map(MessageState::snapshot);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The message that answers an interaction (its reply, deferred reply or, for a button, the message it updates),
     * ephemeral ones included; empty before the bot acknowledged it.
     */
    public Optional<FakeMessage> originalMessage(FakeInteraction interaction) {
        lock.lock();
        try {
            InteractionState state = interactionsByToken.get(interaction.token());
            return state == null || state.originalMessageId == 0
                    ? Optional.empty()
                    : Optional.ofNullable(messages.get(state.originalMessageId)).map(MessageState::snapshot);
        } finally {
            lock.unlock();
        }
    }

    /** The components (action rows) a message has now, as Discord would send them; an empty array if none. */
    public JsonNode components(long messageId) {
        lock.lock();
        try {
            MessageState message = requireNonNull(messages.get(messageId), "unknown message");
            JsonNode components = message.json.path("components");
            return components.isMissingNode() ? Payloads.JSON.arrayNode() : components.deepCopy();
        } finally {
            lock.unlock();
        }
    }

    /** The messages of a channel, oldest first. */
    public List<FakeMessage> messagesIn(long channelId) {
        lock.lock();
        try {
            return messages.values().stream()
                    .filter(m -> m.channelId == channelId && !m.ephemeral)
                    .map(MessageState::snapshot)
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /** The thread started from a message, if any. */
    public OptionalLong threadStartedFrom(long messageId) {
        lock.lock();
        try {
            Long thread = threadByStarterMessage.get(messageId);
            return thread == null ? OptionalLong.empty() : OptionalLong.of(thread);
        } finally {
            lock.unlock();
        }
    }

    /** The intents of every IDENTIFY received so far, in order. */
    public List<Set<GatewayIntent>> identifies() {
        lock.lock();
        try {
            return List.copyOf(identifies);
        } finally {
            lock.unlock();
        }
    }

    /** The slash commands registered globally, by name. */
    public Set<String> globalCommandNames() {
        lock.lock();
        try {
            return Set.copyOf(globalCommands.keySet());
        } finally {
            lock.unlock();
        }
    }

    public Set<String> guildCommandNames() {
        lock.lock();
        try {
            return Set.copyOf(guildCommands.keySet());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- acting as users

    /**
     * A user posts {@code content} in a guild text channel or thread; mentions in the content ({@code <@id>}, {@code
     * <@&id>}) are resolved as Discord does. The MESSAGE_CREATE goes to every identified session that should get it.
     */
    public FakeMessage sendUserMessage(FakeUser author, FakeChannel channel, String content) {
        lock.lock();
        try {
            ChannelState state = requireNonNull(channels.get(channel.id()), "unknown channel");
            if (state.channel.kind() == FakeChannel.Kind.DM) {
                throw new IllegalArgumentException("use sendDirectMessage for DM channels");
            }
            MessageState message = storeMessage(author, state, content, 0, false);
            broadcastMessage("MESSAGE_CREATE", message);
            return message.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A user posts a message with attachments in a guild text channel or thread; the attachments' urls point at this
     * fake, which serves their bytes (see {@link #downloads()}).
     */
    public FakeMessage sendUserMessage(
            FakeUser author, FakeChannel channel, String content, List<FakeAttachment> attachments) {
        lock.lock();
        try {
            ChannelState state = requireNonNull(channels.get(channel.id()), "unknown channel");
            if (state.channel.kind() == FakeChannel.Kind.DM) {
                throw new IllegalArgumentException("use sendDirectMessage for DM channels");
            }
            MessageState message = storeMessage(author, state, content, 0, false);
            ArrayNode array = message.json.putArray("attachments");
            for (FakeAttachment attachment : attachments) {
                long id = nextId();
                String path = "/attachments/" + Long.toUnsignedString(channel.id()) + "/" + Long.toUnsignedString(id)
                        + "/" + attachment.fileName();
                attachmentsByPath.put(path, attachment);
                ObjectNode node = array.addObject();
                node.put("id", Payloads.id(id));
                node.put("filename", attachment.fileName());
                node.put("size", attachment.bytes().length);
                node.put("url", server.url(path).toString());
                node.put("proxy_url", server.url(path).toString());
                if (attachment.contentType() != null) {
                    node.put("content_type", attachment.contentType());
                }
            }
            broadcastMessage("MESSAGE_CREATE", message);
            return message.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** How many attachment downloads this fake served. */
    public long downloads() {
        return downloads.get();
    }

    /** A user writes to the bot in a DM; the DM channel is created on first use. */
    public FakeMessage sendDirectMessage(FakeUser author, String content) {
        lock.lock();
        try {
            ChannelState state = dmChannelFor(author);
            MessageState message = storeMessage(author, state, content, 0, false);
            broadcastMessage("MESSAGE_CREATE", message);
            return message.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** A user starts a thread (without a starter message) in a text channel: THREAD_CREATE to the sessions. */
    public FakeChannel createUserThread(FakeUser owner, FakeChannel parent, String name) {
        lock.lock();
        try {
            FakeChannel thread = new FakeChannel(
                    nextId(), name, FakeChannel.Kind.PUBLIC_THREAD, parent.id(), parent.guildId(), owner.id());
            ChannelState state = new ChannelState(thread);
            channels.put(thread.id(), state);
            broadcastGuild(thread.guildId(), "THREAD_CREATE", Payloads.thread(thread, 0, 0, true), INTENT_GUILDS);
            return thread;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A user runs a slash command in a channel (text channel, thread or DM). Options are sent as string options,
     * or as integers where the registered command declares an integer option.
     * The command's id is the registered one when the bot registered a command of that name.
     */
    public FakeInteraction runSlashCommand(
            FakeUser user, FakeChannel channel, String command, Map<String, String> options) {
        lock.lock();
        try {
            ObjectNode data = Payloads.JSON.objectNode();
            ObjectNode registered = globalCommands.getOrDefault(command, guildCommands.get(command));
            data.put("id", registered != null ? registered.path("id").asText() : Payloads.id(nextId()));
            data.put("name", command);
            data.put("type", 1);
            if (registered != null && registered.has("guild_id")) {
                data.put("guild_id", Payloads.id(guildId));
            }
            ArrayNode opts = data.putArray("options");
            options.forEach((name, value) -> {
                ObjectNode option = opts.addObject();
                option.put("name", name);
                // As Discord does: an option the bot registered as an integer (type 4) arrives as a number.
                int type = registeredOptionType(registered, name);
                option.put("type", type);
                if (type == 4) {
                    option.put("value", Long.parseLong(value));
                } else {
                    option.put("value", value);
                }
            });
            return dispatchInteraction(2, user, channel, data, null);
        } finally {
            lock.unlock();
        }
    }

    private static int registeredOptionType(@Nullable ObjectNode registered, String option) {
        if (registered != null) {
            for (JsonNode known : registered.path("options")) {
                if (known.path("name").asText().equals(option)) {
                    return known.path("type").asInt(3);
                }
            }
        }
        return 3;
    }

    public FakeInteraction runSlashCommand(FakeUser user, FakeChannel channel, String command) {
        return runSlashCommand(user, channel, command, Map.of());
    }

    /**
     * A user types {@code typed} into the option {@code option} of the slash command {@code command}, which asks the
     * bot for autocomplete choices (the bot answers with callback type 8).
     */
    public FakeInteraction autocomplete(
            FakeUser user, FakeChannel channel, String command, String option, String typed) {
        lock.lock();
        try {
            ObjectNode data = Payloads.JSON.objectNode();
            ObjectNode registered = globalCommands.getOrDefault(command, guildCommands.get(command));
            data.put("id", registered != null ? registered.path("id").asText() : Payloads.id(nextId()));
            data.put("name", command);
            data.put("type", 1);
            if (registered != null && registered.has("guild_id")) {
                data.put("guild_id", Payloads.id(guildId));
            }
            ObjectNode focused = data.putArray("options").addObject();
            focused.put("name", option);
            focused.put("type", 3);
            focused.put("value", typed);
            focused.put("focused", true);
            return dispatchInteraction(4, user, channel, data, null);
        } finally {
            lock.unlock();
        }
    }

    /** A user runs the message context-menu command {@code command} (e.g. "Ask the agent") on a message. */
    public FakeInteraction runMessageCommand(FakeUser user, long messageId, String command) {
        lock.lock();
        try {
            MessageState message = requireNonNull(messages.get(messageId), "unknown message");
            ChannelState channel = requireNonNull(channels.get(message.channelId), "unknown channel");
            ObjectNode data = Payloads.JSON.objectNode();
            ObjectNode registered = globalCommands.getOrDefault(command, guildCommands.get(command));
            data.put("id", registered != null ? registered.path("id").asText() : Payloads.id(nextId()));
            data.put("name", command);
            data.put("type", 3);
            data.put("target_id", Payloads.id(messageId));
            if (registered != null && registered.has("guild_id")) {
                data.put("guild_id", Payloads.id(guildId));
            }
            data.putObject("resolved")
                    .putObject("messages")
                    .set(Payloads.id(messageId), gatewayMessage(message, channel));
            return dispatchInteraction(2, user, channel(message.channelId), data, null);
        } finally {
            lock.unlock();
        }
    }

    /** A user clicks the button with {@code customId} on a message the bot sent. */
    public FakeInteraction clickButton(FakeUser user, long messageId, String customId) {
        lock.lock();
        try {
            MessageState message = requireNonNull(messages.get(messageId), "unknown message");
            if (!hasComponent(message.json.path("components"), customId)) {
                throw new IllegalArgumentException("message " + Long.toUnsignedString(messageId)
                        + " has no component with custom_id " + customId + ": " + message.json.path("components"));
            }
            ObjectNode data = Payloads.JSON.objectNode();
            data.put("custom_id", customId);
            data.put("component_type", 2);
            return dispatchInteraction(3, user, channel(message.channelId), data, message);
        } finally {
            lock.unlock();
        }
    }

    /** Sends a raw dispatch to every identified session (an escape hatch for events the fake does not model). */
    public void dispatch(String type, JsonNode data) {
        lock.lock();
        try {
            for (FakeGatewaySession session : liveSessions()) {
                session.dispatch(type, data.deepCopy());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes every gateway connection with the given close code, as Discord does on e.g. 4014 or a restart. */
    public void closeGateway(int code, String reason) {
        lock.lock();
        try {
            for (FakeGatewaySession session : liveSessions()) {
                session.close(code, reason);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- recorded calls and failures

    /** Every REST call received so far, in order. */
    public List<RestCall> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    /** The REST calls with this method whose path matches {@code pathPattern} ({@code *} = one segment). */
    public List<RestCall> calls(String method, String pathPattern) {
        return calls().stream().filter(c -> c.matches(method, pathPattern)).toList();
    }

    /** Waits for the first call matching; see {@link #calls(String, String)} for the pattern. */
    public RestCall awaitCall(String method, String pathPattern) {
        return awaitCalls(method, pathPattern, 1).get(0);
    }

    /** Waits until {@code count} matching calls were received and returns the first {@code count} of them. */
    public List<RestCall> awaitCalls(String method, String pathPattern, int count) {
        return awaitCalls(method + " " + pathPattern, c -> c.matches(method, pathPattern), count);
    }

    /** Waits until {@code count} calls satisfy {@code filter}; fails with the recorded calls after {@link #DEFAULT_AWAIT}. */
    public List<RestCall> awaitCalls(String description, Predicate<RestCall> filter, int count) {
        long deadline = System.nanoTime() + DEFAULT_AWAIT.toNanos();
        lock.lock();
        try {
            while (true) {
                List<RestCall> matching =
                        calls.stream().filter(filter).limit(count).toList();
                if (matching.size() == count) {
                    return matching;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("waited " + DEFAULT_AWAIT.toSeconds() + " s for " + count + " x "
                            + description + " but got " + matching.size() + "; recorded calls:\n  "
                            + calls.stream().map(RestCall::toString).collect(Collectors.joining("\n  ")));
                }
                callRecorded.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + description, e);
        } finally {
            lock.unlock();
        }
    }

    /** Answers the next {@code times} calls matching method and path pattern with {@code failure}. */
    public void failNext(String method, String pathPattern, RestFailure failure, int times) {
        lock.lock();
        try {
            for (int i = 0; i < times; i++) {
                failures.add(new FailureRule(method, pathPattern, failure));
            }
        } finally {
            lock.unlock();
        }
    }

    public void failNext(String method, String pathPattern, RestFailure failure) {
        failNext(method, pathPattern, failure, 1);
    }

    /** Holds the next call matching method and path pattern until the returned call is released; see {@link HeldCall}. */
    public HeldCall holdNext(String method, String pathPattern) {
        HeldCall held = new HeldCall(method, pathPattern);
        lock.lock();
        try {
            holds.add(held);
        } finally {
            lock.unlock();
        }
        return held;
    }

    // ---------------------------------------------------------------- JDA

    public String restBaseUrl() {
        return server.url(API_PREFIX + "/").toString();
    }

    public String gatewayUrl() {
        return "ws://" + server.getHostName() + ":" + server.getPort() + "/gateway";
    }

    /** The session controller that points JDA (or a shard manager) at this fake's gateway. */
    public net.dv8tion.jda.api.utils.SessionController sessionController() {
        return sessionController;
    }

    /**
     * A light JDA builder wired to this fake: token, REST base URL, gateway (session controller), compression, an
     * OkHttp client this fixture closes, no shutdown hook. Add listeners and pass it to {@link #login(JDABuilder)}.
     */
    public JDABuilder jdaBuilder(Collection<GatewayIntent> intents) {
        return JDABuilder.createLight(TOKEN, intents)
                .setRestConfig(new RestConfig().setBaseUrl(restBaseUrl()))
                .setSessionController(sessionController)
                .setCompression(compression)
                .setHttpClient(newHttpClient())
                .setEnableShutdownHook(false);
    }

    public JDABuilder jdaBuilder(GatewayIntent intent, GatewayIntent... more) {
        return jdaBuilder(EnumSet.of(intent, more));
    }

    /**
     * Builds the JDA, waits until it is connected and READY (the guild is loaded) and shuts it down on {@link
     * #close()}. Fails with {@link IllegalStateException} when JDA shuts down instead (e.g. close code 4014), and with
     * an {@link AssertionError} listing the REST calls when it is not ready within {@link #DEFAULT_AWAIT}.
     */
    public JDA login(JDABuilder builder) {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        EventListener watcher = event -> {
            if (event instanceof StatusChangeEvent change && change.getNewStatus() == JDA.Status.CONNECTED) {
                connected.complete(null);
            } else if (event instanceof ShutdownEvent shutdown) {
                connected.completeExceptionally(
                        new IllegalStateException("JDA shut down before READY, close code " + shutdown.getCloseCode()));
            }
        };
        JDA jda = builder.addEventListeners(watcher).build();
        track(() -> {
            jda.shutdownNow();
            if (!jda.awaitShutdown(Duration.ofSeconds(5))) {
                LOG.warn("JDA did not shut down within 5 s");
            }
        });
        try {
            connected.get(DEFAULT_AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for READY", e);
        } catch (ExecutionException e) {
            throw (IllegalStateException) requireNonNull(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("JDA did not get READY within " + DEFAULT_AWAIT.toSeconds() + " s (status "
                    + jda.getStatus() + "); REST calls: " + calls());
        }
        jda.removeEventListener(watcher);
        return jda;
    }

    /** Logs in a light JDA with these intents and waits for READY. */
    public JDA login(GatewayIntent intent, GatewayIntent... more) {
        return login(jdaBuilder(intent, more));
    }

    /**
     * Starts a shard manager with {@code shardTotal} shards against this fake and waits until every shard is READY;
     * it is shut down on {@link #close()}.
     */
    public ShardManager loginShards(
            int shardTotal, Collection<GatewayIntent> intents, Consumer<DefaultShardManagerBuilder> customizer) {
        DefaultShardManagerBuilder builder = DefaultShardManagerBuilder.createLight(TOKEN, intents)
                .setRestConfig(new RestConfig().setBaseUrl(restBaseUrl()))
                .setSessionController(sessionController)
                .setCompression(compression)
                .setHttpClient(newHttpClient())
                .setEnableShutdownHook(false)
                .setShardsTotal(shardTotal);
        customizer.accept(builder);
        ShardManager shards = builder.build();
        track(() -> {
            shards.shutdown();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> shards.getShardCache().stream()
                    .allMatch(jda -> jda.getStatus() == JDA.Status.SHUTDOWN));
        });
        Awaitility.await()
                .atMost(DEFAULT_AWAIT)
                .until(() -> shards.getShards().size() == shardTotal
                        && shards.getShards().stream().allMatch(jda -> jda.getStatus() == JDA.Status.CONNECTED));
        return shards;
    }

    private OkHttpClient newHttpClient() {
        OkHttpClient client = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(10))
                .build();
        track(() -> {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        });
        return client;
    }

    private void track(AutoCloseable closeable) {
        lock.lock();
        try {
            clients.add(closeable);
        } finally {
            lock.unlock();
        }
    }

    /** Shuts down every JDA and shard manager built here (newest first), the gateway connections and the server. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        lock.lock();
        try {
            toClose = new ArrayList<>(clients);
            clients.clear();
            holds.forEach(HeldCall::release);
            holds.clear();
        } finally {
            lock.unlock();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                LOG.warn("fake discord: closing a client failed", e);
            }
        }
        closeGateway(1001, "fake discord closing");
        try {
            sessionController.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }

    // ---------------------------------------------------------------- gateway callbacks

    void onIdentify(FakeGatewaySession session, JsonNode identify) {
        String token = identify.path("token").asText();
        int intents = identify.path("intents").asInt();
        int shardId = identify.path("shard").path(0).asInt(0);
        int shardTotal = identify.path("shard").path(1).asInt(1);
        if (!TOKEN.equals(token)) {
            session.close(4004, "Authentication failed.");
            return;
        }
        if ((intents & PRIVILEGED_INTENTS & ~allowedPrivilegedIntents) != 0) {
            session.close(4014, "Disallowed intent(s).");
            return;
        }
        lock.lock();
        try {
            identifies.add(GatewayIntent.getIntents(intents));
            String sessionId = UUID.randomUUID().toString().replace("-", "");
            session.identified(sessionId, intents, shardId, shardTotal);
            sessions.add(session);
            Map<Long, String> served = new LinkedHashMap<>();
            if (session.servesGuild(guildId)) {
                served.put(guildId, guildName);
            }
            extraGuilds.forEach((id, name) -> {
                if (session.servesGuild(id)) {
                    served.put(id, name);
                }
            });
            ObjectNode ready = Payloads.JSON.objectNode();
            ready.put("v", 10);
            ready.set("user", Payloads.selfUser(bot));
            ArrayNode guilds = ready.putArray("guilds");
            served.keySet()
                    .forEach(id -> guilds.addObject().put("id", Payloads.id(id)).put("unavailable", true));
            ready.put("session_id", sessionId);
            ready.put("resume_gateway_url", gatewayUrl());
            ready.putArray("shard").add(shardId).add(shardTotal);
            ready.putObject("application").put("id", Payloads.id(applicationId)).put("flags", 0);
            ready.putArray("private_channels");
            ready.putArray("relationships");
            session.dispatch("READY", ready);
            if ((intents & INTENT_GUILDS) != 0) {
                served.forEach((id, name) -> session.dispatch("GUILD_CREATE", guildCreate(id, name)));
            }
        } finally {
            lock.unlock();
        }
    }

    void onConnection() {
        connections.incrementAndGet();
    }

    /** How many gateway WebSocket connections were opened (a reconnect opens another). */
    public long connections() {
        return connections.get();
    }

    void onHeartbeat() {
        heartbeats.incrementAndGet();
    }

    /** How many heartbeats (op 1) the gateway has acknowledged. */
    public long heartbeats() {
        return heartbeats.get();
    }

    void onSessionClosed(FakeGatewaySession session) {
        lock.lock();
        try {
            sessions.remove(session);
        } finally {
            lock.unlock();
        }
    }

    private List<FakeGatewaySession> liveSessions() {
        assert lock.isHeldByCurrentThread();
        return sessions.stream().filter(FakeGatewaySession::isIdentified).toList();
    }

    private ObjectNode guildCreate(long id, String name) {
        ObjectNode guild = Payloads.JSON.objectNode();
        guild.put("id", Payloads.id(id));
        guild.put("name", name);
        guild.putNull("icon");
        guild.put(
                "owner_id",
                Payloads.id(users.values().stream()
                        .filter(u -> !u.bot())
                        .findFirst()
                        .orElse(bot)
                        .id()));
        guild.put("unavailable", false);
        guild.put("large", false);
        guild.put("preferred_locale", "en-US");
        guild.put("joined_at", Payloads.timestampOf(id));
        guild.putArray("features");
        // Discord's defaults; JDA rejects afk_timeout 0 (its keys are 60, 300, 900, 1800 and 3600).
        guild.put("afk_timeout", 300);
        guild.put("verification_level", 0);
        guild.put("default_message_notifications", 0);
        guild.put("explicit_content_filter", 0);
        guild.put("mfa_level", 0);
        guild.put("nsfw_level", 0);
        guild.put("premium_tier", 0);
        guild.put("system_channel_flags", 0);
        ArrayNode roles = guild.putArray("roles");
        int position = 0;
        for (FakeRole shared : rolesByName.values()) {
            boolean everyone = shared.id() == guildId;
            // Every guild has its own @everyone role, whose id is the guild's; the other roles are shared.
            FakeRole role = everyone ? new FakeRole(id, shared.name()) : shared;
            boolean botRole = role.name().equals(bot.name());
            long permissions = everyone ? 0 : botRole ? Payloads.BOT_PERMISSIONS : 0;
            if (everyone) {
                permissions = net.dv8tion.jda.api.Permission.getRaw(
                        net.dv8tion.jda.api.Permission.VIEW_CHANNEL,
                        net.dv8tion.jda.api.Permission.MESSAGE_SEND,
                        net.dv8tion.jda.api.Permission.MESSAGE_SEND_IN_THREADS,
                        net.dv8tion.jda.api.Permission.MESSAGE_HISTORY,
                        net.dv8tion.jda.api.Permission.USE_APPLICATION_COMMANDS);
            }
            roles.add(Payloads.role(role, position++, permissions, botRole));
        }
        ArrayNode channelArray = guild.putArray("channels");
        ArrayNode threads = guild.putArray("threads");
        int channelPosition = 0;
        for (ChannelState state : channels.values()) {
            if (state.channel.guildId() != id) {
                continue;
            }
            if (state.channel.kind() == FakeChannel.Kind.TEXT) {
                channelArray.add(Payloads.textChannel(state.channel, channelPosition++, state.lastMessageId));
            } else if (state.channel.isThread()) {
                threads.add(Payloads.thread(state.channel, state.messageCount, state.lastMessageId, false));
            }
        }
        ArrayNode members = guild.putArray("members");
        users.values().forEach(u -> members.add(Payloads.member(u, memberRoles.get(u.id()), joinedAt.get(u.id()))));
        guild.put("member_count", users.size());
        guild.putArray("voice_states");
        guild.putArray("presences");
        guild.putArray("emojis");
        guild.putArray("stickers");
        guild.putArray("guild_scheduled_events");
        guild.putArray("stage_instances");
        guild.putArray("soundboard_sounds");
        return guild;
    }

    // ---------------------------------------------------------------- event fan-out

    private void broadcastGuild(long guild, String type, ObjectNode data, int requiredIntent) {
        for (FakeGatewaySession session : liveSessions()) {
            if ((session.intents() & requiredIntent) != 0 && session.servesGuild(guild)) {
                session.dispatch(type, data.deepCopy());
            }
        }
    }

    private void broadcastMessage(String type, MessageState message) {
        if (message.ephemeral) {
            return;
        }
        ChannelState channel = requireNonNull(channels.get(message.channelId));
        boolean dm = channel.channel.kind() == FakeChannel.Kind.DM;
        for (FakeGatewaySession session : liveSessions()) {
            int intents = session.intents();
            GatewayIntent required = dm ? GatewayIntent.DIRECT_MESSAGES : GatewayIntent.GUILD_MESSAGES;
            if ((intents & required.getRawValue()) == 0) {
                continue;
            }
            if (dm ? !session.isShardZero() : !session.servesGuild(channel.channel.guildId())) {
                continue;
            }
            ObjectNode payload = gatewayMessage(message, channel);
            boolean contentVisible = dm
                    || (intents & GatewayIntent.MESSAGE_CONTENT.getRawValue()) != 0
                    || message.authorId == bot.id()
                    || Payloads.mentionedUsers(message.content()).contains(bot.id());
            if (!contentVisible) {
                // What Discord does without the MESSAGE_CONTENT intent.
                payload.put("content", "");
                payload.putArray("embeds");
                payload.putArray("attachments");
                payload.putArray("components");
            }
            session.dispatch(type, payload);
        }
    }

    private ObjectNode gatewayMessage(MessageState message, ChannelState channel) {
        ObjectNode payload = message.json.deepCopy();
        if (channel.channel.kind() == FakeChannel.Kind.DM) {
            return payload;
        }
        payload.put("guild_id", Payloads.id(channel.channel.guildId()));
        FakeUser author = users.get(message.authorId);
        if (author != null && !message.json.has("webhook_id")) {
            payload.set("member", Payloads.partialMember(memberRoles.get(author.id()), joinedAt.get(author.id())));
        }
        ArrayNode mentions = payload.putArray("mentions");
        for (long userId : Payloads.mentionedUsers(message.content())) {
            FakeUser mentioned = users.get(userId);
            if (mentioned != null) {
                ObjectNode user = Payloads.user(mentioned);
                user.set("member", Payloads.partialMember(memberRoles.get(userId), joinedAt.get(userId)));
                mentions.add(user);
            }
        }
        ArrayNode roles = payload.putArray("mention_roles");
        Set<Long> knownRoles = rolesByName.values().stream().map(FakeRole::id).collect(Collectors.toSet());
        Payloads.mentionedRoles(message.content()).stream()
                .filter(knownRoles::contains)
                .forEach(id -> roles.add(Payloads.id(id)));
        return payload;
    }

    private FakeInteraction dispatchInteraction(
            int type, FakeUser user, FakeChannel channel, ObjectNode data, @Nullable MessageState source) {
        assert lock.isHeldByCurrentThread();
        ChannelState state = requireNonNull(channels.get(channel.id()), "unknown channel");
        long id = nextId();
        String token = "itoken-" + Long.toUnsignedString(id);
        boolean dm = channel.kind() == FakeChannel.Kind.DM;
        ObjectNode interaction = Payloads.JSON.objectNode();
        interaction.put("id", Payloads.id(id));
        interaction.put("application_id", Payloads.id(applicationId));
        interaction.put("type", type);
        interaction.put("token", token);
        interaction.put("version", 1);
        interaction.set("data", data);
        interaction.put("channel_id", channel.idString());
        interaction.set("channel", channelObject(state));
        interaction.put("locale", "en-US");
        interaction.put("app_permissions", Long.toString(Payloads.BOT_PERMISSIONS));
        interaction.putArray("entitlements");
        if (dm) {
            interaction.set("user", Payloads.user(user));
            interaction.put("context", 1);
            interaction.putObject("authorizing_integration_owners").put("1", user.idString());
        } else {
            interaction.put("guild_id", Payloads.id(guildId));
            interaction.put("guild_locale", "en-US");
            ObjectNode guild = interaction.putObject("guild");
            guild.put("id", Payloads.id(guildId));
            guild.put("locale", "en-US");
            guild.putArray("features");
            ObjectNode member = Payloads.member(user, memberRoles.get(user.id()), joinedAt.get(user.id()));
            member.put("permissions", Long.toString(Payloads.BOT_PERMISSIONS));
            interaction.set("member", member);
            interaction.put("context", 0);
            interaction.putObject("authorizing_integration_owners").put("0", Payloads.id(guildId));
        }
        if (source != null) {
            interaction.set("message", gatewayMessage(source, state));
        }
        FakeInteraction info = new FakeInteraction(id, token, channel.id(), user.id());
        interactionsByToken.put(token, new InteractionState(info, type, source == null ? 0 : source.id));
        for (FakeGatewaySession session : liveSessions()) {
            if (dm ? session.isShardZero() : session.servesGuild(guildId)) {
                session.dispatch("INTERACTION_CREATE", interaction.deepCopy());
            }
        }
        return info;
    }

    private ObjectNode channelObject(ChannelState state) {
        FakeChannel channel = state.channel;
        return switch (channel.kind()) {
            case TEXT -> Payloads.textChannel(channel, 0, state.lastMessageId);
            case PUBLIC_THREAD -> Payloads.thread(channel, state.messageCount, state.lastMessageId, false);
            case DM -> Payloads.dmChannel(channel, requireNonNull(users.get(channel.ownerId())), state.lastMessageId);
        };
    }

    private static boolean hasComponent(JsonNode components, String customId) {
        for (JsonNode component : components) {
            if (customId.equals(component.path("custom_id").asText(null))
                    || hasComponent(component.path("components"), customId)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- REST

    private MockResponse handle(RecordedRequest request) {
        String rawPath = request.getUrl().encodedPath();
        if (rawPath.equals("/gateway") || rawPath.equals("/gateway/")) {
            boolean zlib = "zlib-stream".equals(request.getUrl().queryParameter("compress"));
            if (!"json".equals(request.getUrl().queryParameter("encoding"))) {
                return new MockResponse.Builder()
                        .code(400)
                        .body("only encoding=json")
                        .build();
            }
            return new MockResponse.Builder()
                    .webSocketUpgrade(new FakeGatewaySession(this, zlib, heartbeatMillis))
                    .build();
        }
        String path = String.join("/", request.getUrl().pathSegments());
        path = "/" + path;
        if (path.startsWith("/attachments/")) {
            FakeAttachment attachment;
            lock.lock();
            try {
                attachment = attachmentsByPath.get(path);
            } finally {
                lock.unlock();
            }
            if (attachment == null) {
                return json(404, Payloads.error(0, "404: Not Found"));
            }
            downloads.incrementAndGet();
            MockResponse.Builder response =
                    new MockResponse.Builder().code(200).body(new Buffer().write(attachment.bytes()));
            if (attachment.contentType() != null) {
                response.setHeader("Content-Type", attachment.contentType());
            }
            return response.build();
        }
        if (!path.startsWith(API_PREFIX + "/")) {
            return json(404, Payloads.error(0, "404: Not Found"));
        }
        path = path.substring(API_PREFIX.length());
        String query =
                request.getUrl().encodedQuery() == null ? "" : request.getUrl().encodedQuery();
        JsonNode body = parseBody(request);
        String method = request.getMethod();
        HeldCall held = takeHold(method, path);
        if (held != null) {
            held.hold();
        }
        lock.lock();
        try {
            Reply reply;
            FailureRule rule = takeFailure(method, path);
            if (rule != null) {
                reply = failureReply(rule.failure);
            } else if (!("Bot " + TOKEN).equals(request.getHeaders().get("authorization"))) {
                reply = new Reply(401, Payloads.error(0, "401: Unauthorized"));
            } else {
                reply = route(method, path, request, body);
            }
            calls.add(new RestCall(method, path, query, body, reply.status));
            callRecorded.signalAll();
            return reply.toResponse();
        } catch (RuntimeException e) {
            LOG.error("fake discord failed on {} {}", method, path, e);
            calls.add(new RestCall(method, path, query, body, 500));
            callRecorded.signalAll();
            return json(500, Payloads.error(0, "fake discord: " + e));
        } finally {
            lock.unlock();
        }
    }

    private @Nullable HeldCall takeHold(String method, String path) {
        lock.lock();
        try {
            // Taken holds stay listed, so that close() releases them too.
            for (HeldCall held : holds) {
                if (!held.taken && held.matches(method, path)) {
                    held.taken = true;
                    return held;
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private @Nullable FailureRule takeFailure(String method, String path) {
        for (Iterator<FailureRule> it = failures.iterator(); it.hasNext(); ) {
            FailureRule rule = it.next();
            if (rule.method.equals(method) && PathPattern.matches(rule.pathPattern, path)) {
                it.remove();
                return rule;
            }
        }
        return null;
    }

    private static Reply failureReply(RestFailure failure) {
        if (failure instanceof RestFailure.RateLimited limited) {
            double seconds = limited.retryAfter().toMillis() / 1000.0;
            ObjectNode body = Payloads.error(0, "You are being rate limited.");
            body.put("retry_after", seconds);
            body.put("global", false);
            // JDA reads Retry-After as whole seconds (Long.parseLong) and takes the larger of header and body.
            long headerSeconds = (long) Math.ceil(seconds);
            return new Reply(429, body)
                    .header("Retry-After", Long.toString(headerSeconds))
                    .header("X-RateLimit-Scope", "user");
        }
        RestFailure.ServerError error = (RestFailure.ServerError) failure;
        return new Reply(error.status(), Payloads.error(0, error.status() + ": fake server error"));
    }

    private static JsonNode parseBody(RecordedRequest request) {
        okio.ByteString bytes = request.getBody();
        if (bytes == null || bytes.size() == 0) {
            return MissingNode.getInstance();
        }
        String contentType = request.getHeaders().get("content-type");
        MediaType mediaType = contentType == null ? null : MediaType.parse(contentType);
        if (mediaType != null && "multipart".equals(mediaType.type())) {
            String boundary = requireNonNull(mediaType.parameter("boundary"), "multipart without boundary");
            try (MultipartReader reader = new MultipartReader(new Buffer().write(bytes), boundary)) {
                MultipartReader.Part part;
                while ((part = reader.nextPart()) != null) {
                    try (BufferedSource source = part.body()) {
                        String disposition = part.headers().get("Content-Disposition");
                        String text = source.readUtf8();
                        if (disposition != null && disposition.contains("name=\"payload_json\"")) {
                            return Payloads.parse(text);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return MissingNode.getInstance();
        }
        return Payloads.parse(bytes.string(StandardCharsets.UTF_8));
    }

    private Reply route(String method, String path, RecordedRequest request, JsonNode body) {
        String[] s = path.substring(1).split("/", -1);
        String route = method + " " + routeShape(s);
        return switch (route) {
            case "GET users/@me" -> Reply.ok(Payloads.selfUser(bot));
            case "GET gateway", "GET gateway/bot" -> Reply.ok(gatewayInfo());
            case "POST users/@me/channels" -> openDm(body);
            case "GET channels/_" -> withChannel(s[1], state -> Reply.ok(channelObject(state)));
            case "POST channels/_/typing" -> withChannel(s[1], state -> Reply.noContent());
            case "POST channels/_/messages" -> withChannel(s[1], state -> createMessage(state, body));
            case "GET channels/_/messages" -> withChannel(s[1], state -> history(state, request));
            case "GET channels/_/messages/_" -> withMessage(s[1], s[3], m -> Reply.ok(m.json.deepCopy()));
            case "PATCH channels/_/messages/_" -> withMessage(s[1], s[3], m -> editMessage(m, body, true));
            case "DELETE channels/_/messages/_" -> withMessage(s[1], s[3], this::deleteMessage);
            case "PUT channels/_/messages/_/reactions/_/@me" -> withMessage(s[1], s[3], m -> react(m, s[5], true));
            case "DELETE channels/_/messages/_/reactions/_/@me" -> withMessage(s[1], s[3], m -> react(m, s[5], false));
            case "DELETE channels/_/messages/_/reactions/_/_" -> withMessage(s[1], s[3], m -> Reply.noContent());
            case "POST channels/_/messages/_/threads" -> withMessage(s[1], s[3], m -> startThread(m, body));
            case "POST channels/_/threads" -> withChannel(s[1], state -> startThreadWithoutMessage(state, body));
            case "PUT channels/_/thread-members/@me" -> withChannel(s[1], state -> Reply.noContent());
            case "PUT applications/_/commands" -> putCommands(globalCommands, body, false);
            case "PUT applications/_/guilds/_/commands" -> putCommands(guildCommands, body, true);
            case "POST applications/_/commands" -> upsertCommand(globalCommands, body, false);
            case "POST applications/_/guilds/_/commands" -> upsertCommand(guildCommands, body, true);
            case "GET applications/_/commands" -> Reply.ok(arrayOf(globalCommands.values()));
            case "GET applications/_/guilds/_/commands" -> Reply.ok(arrayOf(guildCommands.values()));
            case "POST interactions/_/_/callback" -> interactionCallback(s[1], s[2], body);
            case "POST webhooks/_/_" -> withInteraction(s[2], i -> followup(i, body));
            case "GET webhooks/_/_/messages/_" ->
                withInteraction(s[2], i -> withHookMessage(i, s[4], m -> Reply.ok(m.json.deepCopy())));
            case "PATCH webhooks/_/_/messages/_" ->
                withInteraction(s[2], i -> withHookMessage(i, s[4], m -> editMessage(m, body, false)));
            case "DELETE webhooks/_/_/messages/_" ->
                withInteraction(s[2], i -> withHookMessage(i, s[4], this::deleteMessage));
            default -> new Reply(404, Payloads.error(0, "404: Not Found (the fake does not serve " + route + ")"));
        };
    }

    /**
     * Replaces variable segments by "_" so that routes can be matched in a switch: ids, interaction and webhook
     * tokens, {@code @original}, and the emoji of a reaction path.
     */
    private static String routeShape(String[] segments) {
        StringBuilder shape = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean numeric = !segment.isEmpty() && segment.chars().allMatch(Character::isDigit);
            boolean token = i == 2 && (segments[0].equals("interactions") || segments[0].equals("webhooks"));
            boolean original = i == 4 && segments[0].equals("webhooks") && segment.equals("@original");
            boolean emoji = i == 5 && segments[0].equals("channels") && segments[4].equals("reactions");
            shape.append(i == 0 ? "" : "/").append(numeric || token || original || emoji ? "_" : segment);
        }
        return shape.toString();
    }

    private ObjectNode gatewayInfo() {
        ObjectNode node = Payloads.JSON.objectNode();
        node.put("url", gatewayUrl());
        node.put("shards", 1);
        ObjectNode limit = node.putObject("session_start_limit");
        limit.put("total", 1000);
        limit.put("remaining", 1000);
        limit.put("reset_after", 0);
        limit.put("max_concurrency", 1);
        return node;
    }

    private Reply withChannel(String id, java.util.function.Function<ChannelState, Reply> action) {
        ChannelState state = channels.get(Long.parseUnsignedLong(id));
        return state == null ? new Reply(404, Payloads.error(10003, "Unknown Channel")) : action.apply(state);
    }

    private Reply withMessage(
            String channelId, String messageId, java.util.function.Function<MessageState, Reply> action) {
        return withChannel(channelId, state -> {
            MessageState message = messages.get(Long.parseUnsignedLong(messageId));
            if (message == null || message.channelId != state.channel.id()) {
                return new Reply(404, Payloads.error(10008, "Unknown Message"));
            }
            return action.apply(message);
        });
    }

    private Reply withInteraction(String token, java.util.function.Function<InteractionState, Reply> action) {
        InteractionState interaction = interactionsByToken.get(token);
        return interaction == null
                ? new Reply(404, Payloads.error(10015, "Unknown Webhook"))
                : action.apply(interaction);
    }

    private Reply withHookMessage(
            InteractionState interaction, String id, java.util.function.Function<MessageState, Reply> action) {
        long messageId = id.equals("@original") ? interaction.originalMessageId : Long.parseUnsignedLong(id);
        MessageState message = messages.get(messageId);
        return message == null ? new Reply(404, Payloads.error(10008, "Unknown Message")) : action.apply(message);
    }

    private Reply openDm(JsonNode body) {
        FakeUser recipient =
                users.get(Long.parseUnsignedLong(body.path("recipient_id").asText("0")));
        if (recipient == null) {
            return new Reply(400, Payloads.error(50033, "Invalid Recipient(s)"));
        }
        return Reply.ok(channelObject(dmChannelFor(recipient)));
    }

    private @Nullable Reply invalidContent(JsonNode body, boolean creating) {
        String content = body.path("content").asText("");
        if (content.codePointCount(0, content.length()) > MAX_CONTENT_CODE_POINTS) {
            return invalidForm("content", "Must be 2000 or fewer in length.");
        }
        boolean empty = content.isEmpty()
                && body.path("embeds").isEmpty()
                && body.path("components").isEmpty()
                && body.path("attachments").isEmpty()
                && body.path("sticker_ids").isEmpty()
                && !body.has("poll");
        if (creating && empty) {
            return new Reply(400, Payloads.error(50006, "Cannot send an empty message"));
        }
        return null;
    }

    private static Reply invalidForm(String field, String message) {
        ObjectNode error = Payloads.error(50035, "Invalid Form Body");
        error.putObject("errors")
                .putObject(field)
                .putArray("_errors")
                .addObject()
                .put("code", "BASE_TYPE_BAD_LENGTH")
                .put("message", message);
        return new Reply(400, error);
    }

    private Reply createMessage(ChannelState channel, JsonNode body) {
        Reply invalid = invalidContent(body, true);
        if (invalid != null) {
            return invalid;
        }
        int type = body.path("message_reference").isObject() ? 19 : 0;
        MessageState message = storeMessage(bot, channel, body.path("content").asText(""), type, false);
        applyMessageFields(message, body);
        if (body.path("message_reference").isObject()) {
            message.json.set("message_reference", body.path("message_reference").deepCopy());
        }
        broadcastMessage("MESSAGE_CREATE", message);
        return Reply.ok(restMessage(message));
    }

    private ObjectNode restMessage(MessageState message) {
        ObjectNode json = message.json.deepCopy();
        ChannelState channel = channels.get(message.channelId);
        if (channel != null && channel.channel.kind() != FakeChannel.Kind.DM) {
            // Discord resolves mentions in REST responses too; JDA uses them to fill getMentions().
            json.setAll(gatewayMessage(message, channel).retain("mentions", "mention_roles"));
        }
        return json;
    }

    private static void applyMessageFields(MessageState message, JsonNode body) {
        if (body.has("components")) {
            message.json.set("components", body.path("components").deepCopy());
        }
        if (body.has("embeds")) {
            message.json.set("embeds", body.path("embeds").deepCopy());
        }
        if (body.has("flags")) {
            // Only SUPPRESS_EMBEDS (4), EPHEMERAL (64) and SUPPRESS_NOTIFICATIONS (4096) can be set by a bot.
            message.json.put("flags", body.path("flags").asInt() & (4 | 64 | 4096));
        }
        if (body.has("nonce")) {
            message.json.set("nonce", body.path("nonce").deepCopy());
        }
    }

    private Reply history(ChannelState channel, RecordedRequest request) {
        String limitParam = request.getUrl().queryParameter("limit");
        int limit = limitParam == null ? 50 : Math.min(100, Integer.parseInt(limitParam));
        List<MessageState> inChannel = messages.values().stream()
                .filter(m -> m.channelId == channel.channel.id() && !m.ephemeral)
                .toList();
        ArrayNode array = Payloads.JSON.arrayNode();
        for (int i = inChannel.size() - 1; i >= 0 && array.size() < limit; i--) {
            array.add(restMessage(inChannel.get(i)));
        }
        return Reply.ok(array);
    }

    private Reply editMessage(MessageState message, JsonNode body, boolean checkAuthor) {
        if (checkAuthor && message.authorId != bot.id()) {
            return new Reply(403, Payloads.error(50005, "Cannot edit a message authored by another user"));
        }
        Reply invalid = invalidContent(body, false);
        if (invalid != null) {
            return invalid;
        }
        if (body.has("content")) {
            message.json.put("content", body.path("content").asText(""));
        }
        applyMessageFields(message, body);
        message.json.put("edited_timestamp", Payloads.timestamp(Instant.now()));
        message.json.put("flags", message.json.path("flags").asInt() & ~128);
        message.edits++;
        broadcastMessage("MESSAGE_UPDATE", message);
        return Reply.ok(restMessage(message));
    }

    private Reply deleteMessage(MessageState message) {
        messages.remove(message.id);
        if (!message.ephemeral) {
            ObjectNode deleted = Payloads.JSON.objectNode();
            deleted.put("id", Payloads.id(message.id));
            deleted.put("channel_id", Payloads.id(message.channelId));
            ChannelState channel = requireNonNull(channels.get(message.channelId));
            if (channel.channel.kind() != FakeChannel.Kind.DM) {
                deleted.put("guild_id", Payloads.id(channel.channel.guildId()));
                broadcastGuild(
                        channel.channel.guildId(),
                        "MESSAGE_DELETE",
                        deleted,
                        GatewayIntent.GUILD_MESSAGES.getRawValue());
            }
        }
        return Reply.noContent();
    }

    private static Reply react(MessageState message, String emoji, boolean add) {
        if (add) {
            if (!message.reactions.contains(emoji)) {
                message.reactions.add(emoji);
            }
        } else {
            message.reactions.remove(emoji);
        }
        return Reply.noContent();
    }

    private Reply startThread(MessageState starter, JsonNode body) {
        ChannelState parent = requireNonNull(channels.get(starter.channelId));
        if (parent.channel.kind() != FakeChannel.Kind.TEXT) {
            return new Reply(400, Payloads.error(50024, "Cannot execute action on this channel type"));
        }
        if (threadByStarterMessage.containsKey(starter.id)) {
            return new Reply(400, Payloads.error(160004, "A thread has already been created for this message"));
        }
        Reply invalid = invalidThreadName(body);
        if (invalid != null) {
            return invalid;
        }
        // A thread started from a message has that message's id.
        FakeChannel thread = new FakeChannel(
                starter.id,
                body.path("name").asText(),
                FakeChannel.Kind.PUBLIC_THREAD,
                parent.channel.id(),
                parent.channel.guildId(),
                bot.id());
        threadByStarterMessage.put(starter.id, thread.id());
        return Reply.ok(registerBotThread(thread));
    }

    private Reply startThreadWithoutMessage(ChannelState parent, JsonNode body) {
        if (parent.channel.kind() != FakeChannel.Kind.TEXT) {
            return new Reply(400, Payloads.error(50024, "Cannot execute action on this channel type"));
        }
        Reply invalid = invalidThreadName(body);
        if (invalid != null) {
            return invalid;
        }
        FakeChannel thread = new FakeChannel(
                nextId(),
                body.path("name").asText(),
                FakeChannel.Kind.PUBLIC_THREAD,
                parent.channel.id(),
                parent.channel.guildId(),
                bot.id());
        return Reply.ok(registerBotThread(thread));
    }

    private static @Nullable Reply invalidThreadName(JsonNode body) {
        String name = body.path("name").asText("");
        int length = name.codePointCount(0, name.length());
        if (name.isBlank() || length > MAX_THREAD_NAME_CODE_POINTS) {
            return invalidForm("name", "Must be between 1 and 100 in length.");
        }
        return null;
    }

    private ObjectNode registerBotThread(FakeChannel thread) {
        channels.put(thread.id(), new ChannelState(thread));
        ObjectNode created = Payloads.thread(thread, 0, 0, true);
        created.set("member", Payloads.threadMember(thread.id(), bot.id()));
        broadcastGuild(thread.guildId(), "THREAD_CREATE", created, INTENT_GUILDS);
        ObjectNode response = Payloads.thread(thread, 0, 0, false);
        response.set("member", Payloads.threadMember(thread.id(), bot.id()));
        return response;
    }

    private Reply putCommands(Map<String, ObjectNode> registry, JsonNode body, boolean guild) {
        if (!body.isArray()) {
            return new Reply(400, Payloads.error(50035, "Invalid Form Body"));
        }
        Map<String, ObjectNode> previous = new HashMap<>(registry);
        registry.clear();
        for (JsonNode command : body) {
            ObjectNode stored = storeCommand(
                    command, guild, previous.get(command.path("name").asText()));
            registry.put(stored.path("name").asText(), stored);
        }
        return Reply.ok(arrayOf(registry.values()));
    }

    private Reply upsertCommand(Map<String, ObjectNode> registry, JsonNode body, boolean guild) {
        ObjectNode stored =
                storeCommand(body, guild, registry.get(body.path("name").asText()));
        registry.put(stored.path("name").asText(), stored);
        return Reply.ok(stored.deepCopy());
    }

    private ObjectNode storeCommand(JsonNode command, boolean guild, @Nullable ObjectNode previous) {
        ObjectNode stored = command.deepCopy();
        stored.put("id", previous != null ? previous.path("id").asText() : Payloads.id(nextId()));
        stored.put("application_id", Payloads.id(applicationId));
        stored.put("version", Payloads.id(nextId()));
        if (!stored.has("type")) {
            stored.put("type", 1);
        }
        if (!stored.has("description")) {
            stored.put("description", "");
        }
        if (!stored.has("options")) {
            stored.putArray("options");
        }
        if (!stored.has("default_member_permissions")) {
            stored.putNull("default_member_permissions");
        }
        if (!stored.has("nsfw")) {
            stored.put("nsfw", false);
        }
        if (!stored.has("integration_types")) {
            stored.putArray("integration_types").add(0);
        }
        if (!stored.has("contexts")) {
            stored.putArray("contexts").add(0).add(1).add(2);
        }
        if (guild) {
            stored.put("guild_id", Payloads.id(guildId));
        }
        return stored;
    }

    private static ArrayNode arrayOf(Collection<ObjectNode> nodes) {
        ArrayNode array = Payloads.JSON.arrayNode();
        nodes.forEach(node -> array.add(node.deepCopy()));
        return array;
    }

    private Reply interactionCallback(String interactionId, String token, JsonNode body) {
        InteractionState interaction = interactionsByToken.get(token);
        if (interaction == null || !Payloads.id(interaction.info.id()).equals(interactionId)) {
            return new Reply(404, Payloads.error(10062, "Unknown interaction"));
        }
        if (interaction.acknowledged) {
            return new Reply(400, Payloads.error(40060, "Interaction has already been acknowledged."));
        }
        int type = body.path("type").asInt();
        JsonNode data = body.path("data");
        ObjectNode response = Payloads.JSON.objectNode();
        ObjectNode callback = response.putObject("interaction");
        callback.put("id", interactionId);
        callback.put("type", interaction.type);
        ObjectNode resource = response.putObject("resource");
        resource.put("type", type);
        ChannelState channel = requireNonNull(channels.get(interaction.info.channelId()));
        boolean ephemeral = (data.path("flags").asInt() & 64) != 0;
        switch (type) {
            case 4, 5 -> {
                if (type == 4) {
                    Reply invalid = invalidContent(data, true);
                    if (invalid != null) {
                        return invalid;
                    }
                }
                int messageType = interaction.type == 2 ? 20 : 19;
                MessageState message =
                        storeMessage(bot, channel, data.path("content").asText(""), messageType, ephemeral);
                applyMessageFields(message, data);
                message.json.put("webhook_id", Payloads.id(applicationId));
                message.json.put("application_id", Payloads.id(applicationId));
                if (type == 5) {
                    message.json.put("flags", message.json.path("flags").asInt() | 128);
                }
                interaction.originalMessageId = message.id;
                callback.put("response_message_id", Payloads.id(message.id));
                callback.put("response_message_loading", type == 5);
                callback.put("response_message_ephemeral", ephemeral);
                if (type == 4) {
                    resource.set("message", restMessage(message));
                    broadcastMessage("MESSAGE_CREATE", message);
                }
            }
            case 6 -> interaction.originalMessageId = interaction.sourceMessageId;
            case 7 -> {
                MessageState source = messages.get(interaction.sourceMessageId);
                if (source == null) {
                    return new Reply(400, Payloads.error(50035, "Invalid Form Body"));
                }
                Reply invalid = invalidContent(data, false);
                if (invalid != null) {
                    return invalid;
                }
                editMessage(source, data, false);
                interaction.originalMessageId = source.id;
                resource.set("message", restMessage(source));
            }
            case 8, 9 -> {
                // Autocomplete choices or a modal: nothing to store (the recorded call has them).
            }
            default -> {
                return new Reply(400, Payloads.error(50035, "Invalid interaction response type " + type));
            }
        }
        interaction.acknowledged = true;
        return Reply.ok(response);
    }

    private Reply followup(InteractionState interaction, JsonNode body) {
        if (!interaction.acknowledged) {
            return new Reply(404, Payloads.error(10015, "Unknown Webhook"));
        }
        Reply invalid = invalidContent(body, true);
        if (invalid != null) {
            return invalid;
        }
        ChannelState channel = requireNonNull(channels.get(interaction.info.channelId()));
        boolean ephemeral = (body.path("flags").asInt() & 64) != 0;
        MessageState message = storeMessage(bot, channel, body.path("content").asText(""), 0, ephemeral);
        applyMessageFields(message, body);
        message.json.put("webhook_id", Payloads.id(applicationId));
        message.json.put("application_id", Payloads.id(applicationId));
        broadcastMessage("MESSAGE_CREATE", message);
        return Reply.ok(restMessage(message));
    }

    // ---------------------------------------------------------------- world helpers

    private void addUser(FakeUser user) {
        usersByName.put(user.name(), user);
        users.put(user.id(), user);
        memberRoles.put(user.id(), new LinkedHashSet<>());
        joinedAt.put(user.id(), user.id() == applicationId ? guildId : user.id());
    }

    private ChannelState dmChannelFor(FakeUser user) {
        Long existing = dmChannelByUser.get(user.id());
        if (existing != null) {
            return requireNonNull(channels.get(existing));
        }
        FakeChannel dm = new FakeChannel(nextId(), user.name(), FakeChannel.Kind.DM, 0, 0, user.id());
        ChannelState state = new ChannelState(dm);
        channels.put(dm.id(), state);
        dmChannelByUser.put(user.id(), dm.id());
        return state;
    }

    private MessageState storeMessage(FakeUser author, ChannelState channel, String content, int type, boolean eph) {
        long id = nextId();
        ObjectNode json = Payloads.message(id, channel.channel.id(), author, content, type);
        if (eph) {
            json.put("flags", 64);
        }
        MessageState message = new MessageState(id, channel.channel.id(), author.id(), json, eph);
        messages.put(id, message);
        if (!eph) {
            channel.lastMessageId = id;
            channel.messageCount++;
        }
        return message;
    }

    /** A snowflake for "now", strictly increasing across the fake. */
    private long nextId() {
        long now = (System.currentTimeMillis() - Payloads.DISCORD_EPOCH_MILLIS) << 22;
        return lastId.updateAndGet(previous -> Math.max(previous + 1, now));
    }

    private static MockResponse json(int status, JsonNode body) {
        return new Reply(status, body).toResponse();
    }

    // ---------------------------------------------------------------- state records

    private static final class ChannelState {
        final FakeChannel channel;
        long lastMessageId;
        int messageCount;

        ChannelState(FakeChannel channel) {
            this.channel = channel;
        }
    }

    private static final class MessageState {
        final long id;
        final long channelId;
        final long authorId;
        final ObjectNode json;
        final boolean ephemeral;
        final List<String> reactions = new ArrayList<>();
        int edits;

        MessageState(long id, long channelId, long authorId, ObjectNode json, boolean ephemeral) {
            this.id = id;
            this.channelId = channelId;
            this.authorId = authorId;
            this.json = json;
            this.ephemeral = ephemeral;
        }

        String content() {
            return json.path("content").asText("");
        }

        FakeMessage snapshot() {
            return new FakeMessage(id, channelId, authorId, content(), reactions, edits, ephemeral);
        }
    }

    private static final class InteractionState {
        final FakeInteraction info;
        final int type;
        final long sourceMessageId;
        boolean acknowledged;
        long originalMessageId;

        InteractionState(FakeInteraction info, int type, long sourceMessageId) {
            this.info = info;
            this.type = type;
            this.sourceMessageId = sourceMessageId;
        }
    }

    private record FailureRule(String method, String pathPattern, RestFailure failure) {}

    private record Reply(int status, @Nullable JsonNode body, Map<String, String> headers) {

        Reply(int status, @Nullable JsonNode body) {
            this(status, body, Map.of());
        }

        static Reply ok(JsonNode body) {
            return new Reply(200, body);
        }

        static Reply noContent() {
            return new Reply(204, null);
        }

        Reply header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, body, more);
        }

        MockResponse toResponse() {
            MockResponse.Builder builder = new MockResponse.Builder().code(status);
            // Discord's responses come through its load balancer; without `Via`, JDA treats a 429 as Cloudflare's.
            builder.addHeader("Via", "1.1 google");
            headers.forEach(builder::addHeader);
            if (body != null) {
                builder.addHeader("Content-Type", "application/json");
                builder.body(Payloads.write(body));
            }
            return builder.build();
        }
    }

    /**
     * The world a fake starts with. By default: a bot "acp-bot" (also the application), a guild "Test Guild" with
     * text channels "general" and "random", humans "alice" (role "agents") and "bob", another bot "helper-bot", and
     * every privileged intent allowed.
     */
    public static final class Builder {
        private String botName = "acp-bot";
        private String guildName = "Test Guild";
        private final Set<String> humans = new LinkedHashSet<>(List.of("alice", "bob"));
        private final Set<String> bots = new LinkedHashSet<>(List.of("helper-bot"));
        private final Set<String> roles = new LinkedHashSet<>(List.of("agents"));
        private final Set<String> channels = new LinkedHashSet<>(List.of("general", "random"));
        private final Map<String, Set<String>> memberships = new LinkedHashMap<>();
        private final Map<String, List<String>> extraGuilds = new LinkedHashMap<>();
        private int allowedPrivilegedIntents = PRIVILEGED_INTENTS;
        private Compression compression = Compression.NONE;
        private Duration heartbeatInterval = Duration.ofMillis(41_250);
        private int shardTotal = 1;

        private Builder() {
            memberships.put("alice", new LinkedHashSet<>(List.of("agents")));
        }

        public Builder botName(String name) {
            this.botName = name;
            return this;
        }

        public Builder guildName(String name) {
            this.guildName = name;
            return this;
        }

        public Builder human(String name, String... roleNames) {
            humans.add(name);
            roles.addAll(Arrays.asList(roleNames));
            memberships.computeIfAbsent(name, k -> new LinkedHashSet<>()).addAll(Arrays.asList(roleNames));
            return this;
        }

        public Builder otherBot(String name) {
            bots.add(name);
            return this;
        }

        public Builder role(String name) {
            roles.add(name);
            return this;
        }

        public Builder textChannel(String name) {
            channels.add(name);
            return this;
        }

        /**
         * Another guild with these text channels (names unique over every guild), the same members and roles, and an
         * id one millisecond after the previous guild's: with n guilds and a shard total of n, shard i serves guild i
         * (the first guild is guild 0 or 1 depending on its id; see {@link FakeDiscord#guildId(String)}).
         */
        public Builder extraGuild(String name, String... textChannels) {
            extraGuilds.put(name, List.of(textChannels));
            return this;
        }

        /** The privileged intents the bot is allowed in the developer portal; others close the gateway with 4014. */
        public Builder allowedPrivilegedIntents(GatewayIntent... intents) {
            this.allowedPrivilegedIntents =
                    intents.length == 0 ? 0 : GatewayIntent.getRaw(EnumSet.copyOf(List.of(intents)));
            return this;
        }

        /** The compression JDA builders from {@link #jdaBuilder} ask for (the gateway serves both). */
        public Builder compression(Compression compression) {
            this.compression = compression;
            return this;
        }

        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = interval;
            return this;
        }

        /** The shard count the fake's session controller reports when a shard manager asks. */
        public Builder shardTotal(int shardTotal) {
            this.shardTotal = shardTotal;
            return this;
        }

        public FakeDiscord start() {
            return new FakeDiscord(this);
        }
    }
}
