package io.github.acppool.discord;

import io.github.acppool.Ticker;
import io.github.acppool.acp.schema.ContentBlock;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.ConversationStatus;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.Sender;
import io.github.acppool.broker.SessionSettings;
import io.github.acppool.broker.TurnStart;
import io.github.acppool.turn.TurnEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.ISnowflake;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.MessageType;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.User;
import net.dv8tion.jda.api.entities.channel.Channel;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.entities.emoji.Emoji;
import net.dv8tion.jda.api.events.interaction.GenericInteractionCreateEvent;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.events.session.ReadyEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDA listener of a started {@link DiscordFrontEnd}: decides on JDA's event thread (cheap, never blocking) and
 * hands the work to the front end's executor, one conversation at a time in arrival order.
 *
 * <p>Thread-safe.
 */
final class DiscordBridge extends ListenerAdapter {

    /*
     * Concurrency: JDA calls the event methods on its event thread(s); they only read JDA's cache, count bot turns
     * and decide, then queue Discord calls (never blocking) or hand work to `executor`. Work for one conversation is
     * chained in `chains` (a concurrent map of tails), so messages reach the broker in the order they arrived; the
     * tail is removed when it is still the last one. `triggers` and `knownThreads` are concurrent caches;
     * `stoppable` maps the Stop button of each running reply to its conversation, removed when the reply ends.
     * Interactions are answered on the event thread or deferred there; nothing thrown reaches JDA.
     */
    private static final Logger LOG = LoggerFactory.getLogger(DiscordBridge.class);

    /** The quiet sign for someone the access rules do not allow. */
    static final String DENIED = "🚫";

    static final String CANCEL = "cancel";
    static final String RESET = "reset";
    static final String STATUS = "status";
    static final String ASK = "ask";
    static final String ASK_OPTION = "prompt";
    /** The optional agent choice of {@code /ask}, with autocomplete. */
    static final String ASK_AGENT_OPTION = "agent";

    static final String MODE = "mode";
    static final String MODEL = "model";
    /** The message context-menu action that starts a conversation from any message. */
    static final String ASK_MESSAGE = "Ask the agent";

    static final String RESTARTING = "The bot is restarting; try again in a moment.";
    static final String HINT = "Write what you need after the mention, e.g. \"fix the failing test\".";

    /** The custom id prefix of the Stop button on a streaming reply; the trigger message's id follows. */
    static final String STOP_PREFIX = "acp-stop:";

    private final DiscordConfig config;
    private final AcpBroker broker;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final PermissionPrompts prompts;
    private final Consumer<JDA> onReady;
    private final Attachments attachments;
    private final Mentions mentions;
    private final AgentChoices choices;
    private final OperatorCommands operators;
    private final BotTurnCounter botTurns = new BotTurnCounter();
    private final Map<Long, Triggers> triggers = new ConcurrentHashMap<>();
    private final Set<Long> knownThreads = ConcurrentHashMap.newKeySet();
    private final Map<Long, CompletableFuture<Void>> chains = new ConcurrentHashMap<>();
    /** The running replies that show a Stop button, by the button's custom id; removed when the reply ends. */
    private final Map<String, String> stoppable = new ConcurrentHashMap<>();

    private volatile boolean closed;

    /**
     * Where a turn's result is shown: the executor, or the thread that completed the turn once the executor is
     * shut down (the front end was closed while the turn ran), so that no placeholder stays "…" for ever.
     */
    private final Executor resultExecutor;

    DiscordBridge(
            DiscordConfig config,
            AcpBroker broker,
            Executor executor,
            ScheduledExecutorService scheduler,
            Ticker ticker,
            PermissionPrompts prompts,
            Consumer<JDA> onReady) {
        this.config = config;
        this.broker = broker;
        this.executor = executor;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.prompts = prompts;
        this.onReady = onReady;
        this.attachments = new Attachments(config, executor);
        this.mentions = Mentions.of(config);
        this.choices = new AgentChoices(broker, config.agents());
        this.operators = new OperatorCommands(config, broker, choices, executor, mentions);
        this.resultExecutor = task -> {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException shutDown) {
                task.run();
            }
        };
    }

    void close() {
        closed = true;
    }

    @Override
    public void onReady(ReadyEvent event) {
        if (!closed) {
            onReady.accept(event.getJDA());
        }
    }

    // ---------------------------------------------------------------- messages

    @Override
    public void onMessageReceived(MessageReceivedEvent event) {
        if (closed) {
            return;
        }
        try {
            handle(event);
        } catch (RuntimeException e) {
            LOG.warn(
                    "discord:{} - handling message {} failed",
                    event.getChannel().getId(),
                    event.getMessageId(),
                    e);
        }
    }

    private void handle(MessageReceivedEvent event) {
        Message message = event.getMessage();
        User author = event.getAuthor();
        long selfId = event.getJDA().getSelfUser().getIdLong();
        long channelId = event.getChannel().getIdLong();
        boolean regular = message.getType() == MessageType.DEFAULT || message.getType() == MessageType.INLINE_REPLY;
        IncomingMessage.Place place;
        long parentId = 0;
        boolean botsThread = false;
        if (!event.isFromGuild()) {
            place = IncomingMessage.Place.DIRECT;
        } else if (event.getChannelType().isThread()) {
            place = IncomingMessage.Place.THREAD;
            ThreadChannel thread = event.getChannel().asThreadChannel();
            parentId = thread.getParentChannel().getIdLong();
            botsThread = thread.getOwnerIdLong() == selfId
                    || knownThreads.contains(channelId)
                    || broker.status(DiscordFrontEnd.conversationId(channelId)).isPresent();
        } else {
            place = IncomingMessage.Place.CHANNEL;
        }
        Member member = event.getMember();
        Set<Long> roles = member == null ? Set.of() : ids(member.getRoles());
        String content = message.getContentRaw();
        int turns = botTurns.record(channelId, author.isBot(), regular, content);
        IncomingMessage incoming = new IncomingMessage(
                author.getIdLong(),
                author.isBot(),
                roles,
                regular,
                place,
                channelId,
                parentId,
                botsThread,
                ids(message.getMentions().getUsers()),
                event.isFromGuild() ? ids(message.getMentions().getRoles()) : Set.of(),
                content);
        Decision decision = triggersFor(event.isFromGuild() ? event.getGuild() : null, selfId)
                .decide(incoming, turns);
        if (decision instanceof Decision.Ignore ignore) {
            LOG.trace("discord:{} - ignoring message {}: {}", channelId, message.getId(), ignore.reason());
        } else if (decision instanceof Decision.Deny) {
            LOG.info("discord:{} - user {} is not allowed; message {}", channelId, author.getId(), message.getId());
            message.addReaction(Emoji.fromUnicode(DENIED)).queue(null, e -> LOG.debug("deny sign failed", e));
        } else if (decision instanceof Decision.BotLoopStopped) {
            mentions.restrict(event.getChannel()
                            .sendMessage("🛑 Stopping here: " + config.access().maxBotTurns()
                                    + " bot messages in a row in this thread. A person's message lets the bots talk"
                                    + " again."))
                    .queue(null, e -> LOG.warn("discord:{} - could not post the bot-loop notice", channelId, e));
        } else if (decision instanceof Decision.StartThread start) {
            AgentChoices.Pick pick = choices.forNewConversation(null, start.prompt(), channelId, 0, roles);
            if (pick.refusal() != null) {
                LOG.info("discord:{} - message {}: {}", channelId, message.getId(), pick.refusal());
                mentions.restrict(message.reply(pick.refusal()))
                        .queue(null, e -> LOG.debug("discord:{} - refusal failed", channelId, e));
            } else if (pick.prompt().isBlank() && message.getAttachments().isEmpty()) {
                // A bare mention: a thread would only hold the hint.
                mentions.restrict(message.reply(HINT))
                        .queue(null, e -> LOG.debug("discord:{} - hint failed", channelId, e));
            } else {
                String threadName =
                        pick.prompt().equals(start.prompt()) ? start.threadName() : ThreadNames.fromText(pick.prompt());
                serially(
                        message.getIdLong(),
                        () -> startThread(message, pick.prompt(), threadName, senderOf(message), pick.agentId()));
            }
        } else if (decision instanceof Decision.Reply reply) {
            if (place == IncomingMessage.Place.THREAD) {
                knownThreads.add(channelId);
            }
            MessageChannel channel = event.getChannel();
            String conversationId = DiscordFrontEnd.conversationId(channelId);
            // A channel bound in CHANNEL mode is one conversation: it always runs the binding's agent.
            String bound = place == IncomingMessage.Place.CHANNEL
                    ? choices.binding(channelId).map(ChannelBinding::agentId).orElse(null)
                    : null;
            serially(channelId, () -> {
                if (bound != null) {
                    keepAgent(conversationId, bound);
                }
                return submit(conversationId, channel, message, reply.prompt(), senderOf(message));
            });
        }
    }

    private Triggers triggersFor(@Nullable Guild guild, long selfId) {
        long key = guild == null ? 0 : guild.getIdLong();
        return triggers.computeIfAbsent(key, k -> {
            Set<Long> botRoles = guild == null
                    ? Set.of()
                    : guild.getSelfMember().getRoles().stream()
                            .filter(Role::isManaged)
                            .map(ISnowflake::getIdLong)
                            .collect(Collectors.toSet());
            return new Triggers(config.access(), config.agents(), selfId, botRoles);
        });
    }

    /** Puts a bound channel's conversation on its agent, unless it runs on it already (a switch is a reset). */
    private void keepAgent(String conversationId, String agentId) {
        if (choices.several() && !agentId.equals(broker.agentOf(conversationId))) {
            LOG.info("{} - the channel is bound to agent {}: switching to it", conversationId, agentId);
            broker.useAgent(conversationId, agentId);
        }
    }

    private CompletableFuture<?> startThread(Message message, String prompt, Sender sender, @Nullable String agentId) {
        return startThread(message, prompt, ThreadNames.fromText(prompt), sender, agentId);
    }

    /** Starts a thread from {@code message}, puts its conversation on {@code agentId} (if given), then sends. */
    private CompletableFuture<?> startThread(
            Message message, String prompt, String threadName, Sender sender, @Nullable String agentId) {
        CompletableFuture<@Nullable ThreadChannel> created =
                message.createThreadChannel(threadName).submit().thenApply(t -> t);
        return created.exceptionally(error -> {
                    LOG.warn(
                            "discord:{} - could not start a thread from message {}",
                            message.getChannel().getId(),
                            message.getId(),
                            error);
                    mentions.restrict(message.reply("⚠️ I could not start a thread here (does the bot have the"
                                    + " Create Public Threads permission?)."))
                            .queue(null, e -> LOG.debug("error reply failed", e));
                    return null;
                })
                .thenCompose(thread -> {
                    if (thread == null) {
                        return CompletableFuture.completedFuture(null);
                    }
                    knownThreads.add(thread.getIdLong());
                    String conversationId = DiscordFrontEnd.conversationId(thread.getIdLong());
                    if (agentId != null) {
                        try {
                            broker.useAgent(conversationId, agentId);
                            LOG.info("{} - starts on agent {}", conversationId, agentId);
                        } catch (RuntimeException e) {
                            LOG.warn("{} - could not put the conversation on agent {}", conversationId, agentId, e);
                            mentions.restrict(thread.sendMessage("⚠️ " + ErrorLines.describe(e)))
                                    .queue(null, failed -> LOG.debug("error notice failed", failed));
                            return CompletableFuture.completedFuture(null);
                        }
                    }
                    return submit(conversationId, thread, message, prompt, sender);
                });
    }

    /** Prepares the attachments and submits the message; completes once the broker has it (not its answer). */
    private CompletableFuture<?> submit(
            String conversationId, MessageChannel channel, Message trigger, String prompt, Sender sender) {
        CompletableFuture<Attachments.Prepared> prepared =
                trigger.getAttachments().isEmpty()
                        ? CompletableFuture.completedFuture(new Attachments.Prepared(List.of(), List.of()))
                        : attachments.prepare(conversationId, trigger.getAttachments());
        return prepared.thenAccept(p -> {
            List<ContentBlock> blocks = new ArrayList<>();
            if (!prompt.isBlank()) {
                blocks.add(ContentBlock.text(prompt));
            }
            blocks.addAll(p.blocks());
            if (blocks.isEmpty()) {
                List<String> lines = new ArrayList<>(p.notes());
                lines.add(HINT);
                mentions.restrict(channel.sendMessage(String.join("\n", lines)))
                        .queue(null, e -> LOG.debug("hint failed", e));
                return;
            }
            String stopId = STOP_PREFIX + trigger.getId();
            stoppable.put(stopId, conversationId);
            ReplyStream stream = new ReplyStream(
                    conversationId,
                    trigger,
                    channel,
                    config,
                    scheduler,
                    ticker,
                    mentions,
                    stopId,
                    () -> stoppable.remove(stopId, conversationId));
            p.notes().forEach(stream::addNotice);
            send(conversationId, new ChatMessage(trigger.getId(), sender, blocks), channel, stream);
        });
    }

    private static Sender senderOf(Message message) {
        Member member = message.getMember();
        User author = message.getAuthor();
        return new Sender(author.getId(), member != null ? member.getEffectiveName() : author.getEffectiveName());
    }

    private static Sender senderOf(IReplyCallback event) {
        Member member = event.getMember();
        User user = event.getUser();
        return new Sender(user.getId(), member != null ? member.getEffectiveName() : user.getEffectiveName());
    }

    private void send(String conversationId, ChatMessage message, MessageChannel channel, ReplyStream stream) {
        CompletableFuture<BrokerResult> result;
        try {
            result = broker.promptAsync(conversationId, message, new Listener(stream, channel));
        } catch (RuntimeException e) {
            stream.finish(null, e);
            return;
        }
        stream.submitted();
        var unused = result.whenCompleteAsync(
                (r, e) -> {
                    try {
                        answered(conversationId, message, channel, stream, r, e);
                    } catch (RuntimeException failure) {
                        // Nothing else would see it: the future of this callback is not observed.
                        LOG.error(
                                "{} - showing the result of message {} failed",
                                conversationId,
                                message.messageId(),
                                failure);
                    }
                },
                resultExecutor);
    }

    private void answered(
            String conversationId,
            ChatMessage message,
            MessageChannel channel,
            ReplyStream stream,
            @Nullable BrokerResult r,
            @Nullable Throwable e) {
        if (r != null
                && r.outcome() == BrokerResult.Outcome.REJECTED
                && message.content().stream().anyMatch(b -> b instanceof ContentBlock.Image)) {
            // The broker cannot tell before a turn whether the agent takes images: ask again without.
            List<ContentBlock> withoutImages = message.content().stream()
                    .filter(b -> !(b instanceof ContentBlock.Image))
                    .toList();
            stream.addNotice("📎 Skipped the images: this agent does not accept images.");
            if (!withoutImages.isEmpty()) {
                send(
                        conversationId,
                        new ChatMessage(message.messageId(), message.sender(), withoutImages),
                        channel,
                        stream);
                return;
            }
        }
        stream.finish(r, e);
    }

    /** Remembers which channel a session talks in (for permission questions), then lets the stream show the turn. */
    private final class Listener implements MessageListener {
        private final ReplyStream stream;
        private final MessageChannel channel;

        Listener(ReplyStream stream, MessageChannel channel) {
            this.stream = stream;
            this.channel = channel;
        }

        @Override
        public void onQueued(int position) {
            stream.onQueued(position);
        }

        @Override
        public void onTurnStarted(TurnStart turn) {
            prompts.sessionStarted(turn.sessionId(), channel);
            stream.onTurnStarted(turn);
        }

        @Override
        public void onEvent(TurnEvent event) {
            stream.onEvent(event);
        }

        @Override
        public void onLateEvent(TurnEvent event) {
            stream.onLateEvent(event);
        }
    }

    private void serially(long key, Supplier<CompletableFuture<?>> task) {
        CompletableFuture<Void>[] created = newArray();
        chains.compute(key, (k, tail) -> {
            CompletableFuture<Void> base = tail == null ? CompletableFuture.completedFuture(null) : tail;
            CompletableFuture<Void> next = base.thenComposeAsync(
                            ignored -> {
                                try {
                                    return task.get();
                                } catch (RuntimeException e) {
                                    return CompletableFuture.failedFuture(e);
                                }
                            },
                            executor)
                    .handle((ignored, error) -> {
                        if (error != null) {
                            LOG.warn("discord:{} - handling a message failed", Long.toUnsignedString(key), error);
                        }
                        return null;
                    });
            created[0] = next;
            return next;
        });
        CompletableFuture<Void> mine = created[0];
        var unused = mine.whenComplete((ignored, error) -> chains.remove(key, mine));
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Void>[] newArray() {
        return (CompletableFuture<Void>[]) new CompletableFuture<?>[1];
    }

    private static Set<Long> ids(List<? extends ISnowflake> entities) {
        return entities.stream().map(ISnowflake::getIdLong).collect(Collectors.toSet());
    }

    // ---------------------------------------------------------------- slash commands and buttons

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
        String name = event.getName();
        if (!(name.equals(CANCEL)
                || name.equals(RESET)
                || name.equals(STATUS)
                || name.equals(ASK)
                || name.equals(MODE)
                || name.equals(MODEL)
                || OperatorCommands.handles(name))) {
            return;
        }
        try {
            if (OperatorCommands.handles(name)) {
                if (closed) {
                    ephemeral(event, RESTARTING);
                } else {
                    operators.run(event);
                }
                return;
            }
            command(event, name);
        } catch (RuntimeException e) {
            // Never on JDA's thread: the user gets a sentence (if the interaction is still open), the log the cause.
            LOG.warn("discord:{} - /{} failed", event.getChannelId(), name, e);
            answerFailure(event, e);
        }
    }

    private void command(SlashCommandInteractionEvent event, String name) {
        if (closed) {
            ephemeral(event, RESTARTING);
            return;
        }
        if (!allowed(event)) {
            ephemeral(event, "You are not allowed to use this bot.");
            return;
        }
        String conversationId = DiscordFrontEnd.conversationId(event.getChannelIdLong());
        if (name.equals(ASK)) {
            ask(
                    event,
                    event.getOption(ASK_OPTION, "", OptionMapping::getAsString),
                    event.getOption(ASK_AGENT_OPTION, "", OptionMapping::getAsString));
            return;
        }
        if (name.equals(MODE) || name.equals(MODEL)) {
            choose(event, name, conversationId);
            return;
        }
        // Discord wants an answer within 3 seconds; the command runs on the executor, which may be busy (downloads),
        // so the answer is deferred at once (without waiting) and edited in when the command is done. The hook
        // holds the edit until the deferral is acknowledged.
        mentions.restrict(event.deferReply(true))
                .queue(null, e -> LOG.warn("{} - /{} could not be acknowledged", conversationId, name, e));
        InteractionHook hook = event.getHook();
        try {
            executor.execute(() -> {
                String answer;
                try {
                    answer = command(name, conversationId);
                } catch (RuntimeException e) {
                    LOG.warn("{} - /{} failed", conversationId, name, e);
                    answer = ErrorLines.describe(e);
                }
                edit(hook, answer, conversationId);
            });
        } catch (RejectedExecutionException closing) {
            LOG.info("{} - /{} arrived while the front end closes", conversationId, name);
            edit(hook, RESTARTING, conversationId);
        }
    }

    private void edit(InteractionHook hook, String answer, String conversationId) {
        mentions.restrict(hook.editOriginal(answer))
                .queue(null, e -> LOG.warn("{} - a command's answer could not be shown", conversationId, e));
    }

    private void ephemeral(IReplyCallback event, String text) {
        mentions.restrict(event.reply(text))
                .setEphemeral(true)
                .queue(null, e -> LOG.warn("discord:{} - answering an interaction failed", event.getChannelId(), e));
    }

    private void answerFailure(IReplyCallback event, RuntimeException failure) {
        String text = failure instanceof RejectedExecutionException ? RESTARTING : ErrorLines.describe(failure);
        if (event.isAcknowledged()) {
            mentions.restrict(event.getHook().editOriginal(text))
                    .queue(null, e -> LOG.debug("discord:{} - failure answer failed", event.getChannelId(), e));
        } else {
            ephemeral(event, text);
        }
    }

    private boolean allowed(GenericInteractionCreateEvent event) {
        Member member = event.getMember();
        Set<Long> roles = member == null ? Set.of() : ids(member.getRoles());
        return config.access().isPersonAllowed(event.getUser().getIdLong(), roles) && commandChannelAllowed(event);
    }

    /**
     * {@code /ask prompt:}: the prompt is posted as the command's public answer, which becomes the trigger of the
     * turn (its reactions show the status); in a channel a thread is started from it, as for a mention.
     */
    private void ask(SlashCommandInteractionEvent event, String text, String agent) {
        if (text.isBlank()) {
            ephemeral(event, "Write what you need in the prompt option, e.g. /ask prompt: fix the failing test.");
            return;
        }
        Sender sender = senderOf(event);
        boolean inChannel = event.isFromGuild() && !event.getChannelType().isThread();
        String prompt = text;
        String agentId = null;
        if (inChannel) {
            AgentChoices.Pick pick =
                    choices.forNewConversation(agent, text, event.getChannelIdLong(), 0, rolesOf(event.getMember()));
            if (pick.refusal() != null) {
                ephemeral(event, pick.refusal());
                return;
            }
            if (pick.prompt().isBlank()) {
                ephemeral(event, "Write what you need after the agent's name, e.g. codex: fix the failing test.");
                return;
            }
            prompt = pick.prompt();
            agentId = pick.agentId();
        } else if (!agent.isBlank() && choices.several()) {
            // A running conversation keeps its agent: switching is an operator's explicit reset (/agent).
            String current = broker.agentOf(DiscordFrontEnd.conversationId(event.getChannelIdLong()));
            if (!current.equalsIgnoreCase(agent.strip())) {
                ephemeral(
                        event,
                        "This conversation runs on " + current + "; the agent option counts only when a conversation"
                                + " starts. Ask in a channel to start one with another agent.");
                return;
            }
        }
        String asked = prompt;
        String chosen = agentId;
        String shown = Text.head("💬 " + event.getUser().getAsMention() + ": " + prompt, MessageSplitter.DISCORD_LIMIT);
        var unused = mentions.restrict(event.reply(shown))
                .submit()
                .thenCompose(hook -> hook.retrieveOriginal().submit())
                .whenComplete((posted, error) -> {
                    if (error != null) {
                        LOG.warn("discord:{} - /ask could not post the prompt", event.getChannelId(), error);
                        return;
                    }
                    if (inChannel) {
                        serially(posted.getIdLong(), () -> startThread(posted, asked, sender, chosen));
                    } else {
                        long channelId = event.getChannelIdLong();
                        knownThreads.add(channelId);
                        serially(
                                channelId,
                                () -> submit(
                                        DiscordFrontEnd.conversationId(channelId),
                                        posted.getChannel(),
                                        posted,
                                        asked,
                                        sender));
                    }
                });
    }

    private static Set<Long> rolesOf(@Nullable Member member) {
        return member == null ? Set.of() : ids(member.getRoles());
    }

    /**
     * {@code /mode} and {@code /model}: sets what the conversation's agent advertised for that category (a config
     * option, else its modes or models) and says so in the conversation, publicly.
     */
    private void choose(SlashCommandInteractionEvent event, String category, String conversationId) {
        String value = event.getOption(category, "", OptionMapping::getAsString).strip();
        SessionSettings.Setting setting = broker.settings(conversationId)
                .flatMap(s -> s.forCategory(category))
                .orElse(null);
        if (setting == null) {
            ephemeral(
                    event,
                    broker.settings(conversationId).isEmpty()
                            ? "No agent is running in this conversation yet: send it a message, then choose."
                            : "This agent has no " + category + "s to choose from.");
            return;
        }
        SessionSettings.Choice choice = setting.choice(value).orElse(null);
        if (choice == null) {
            ephemeral(
                    event,
                    "The agent offers no " + category + " \"" + Text.head(value, 50) + "\"; pick one"
                            + " from the list.");
            return;
        }
        mentions.restrict(event.deferReply())
                .queue(null, e -> LOG.warn("{} - /{} could not be acknowledged", conversationId, category, e));
        InteractionHook hook = event.getHook();
        String who = event.getUser().getAsMention();
        var unused = broker.choose(conversationId, setting.id(), choice.value()).whenComplete((settings, error) -> {
            String answer;
            if (error == null) {
                LOG.info(
                        "{} - {} set to {} by {}",
                        conversationId,
                        setting.id(),
                        choice.value(),
                        event.getUser().getId());
                answer = "⚙️ " + who + " set the " + category + " to **" + Text.head(choice.name(), 80) + "**.";
            } else {
                LOG.warn("{} - /{} {} failed", conversationId, category, choice.value(), error);
                answer = "⚠️ The agent did not change its " + category + "; try again in a moment.";
            }
            edit(hook, answer, conversationId);
        });
    }

    @Override
    public void onCommandAutoCompleteInteraction(CommandAutoCompleteInteractionEvent event) {
        String name = event.getName();
        if (name.equals(OperatorCommands.AGENT)) {
            try {
                operators.autocomplete(event);
            } catch (RuntimeException e) {
                LOG.warn("discord:{} - autocomplete for /{} failed", event.getChannelId(), name, e);
            }
            return;
        }
        if (name.equals(ASK) && event.getFocusedOption().getName().equals(ASK_AGENT_OPTION)) {
            try {
                askAutocomplete(event);
            } catch (RuntimeException e) {
                LOG.warn("discord:{} - autocomplete for /{} failed", event.getChannelId(), name, e);
            }
            return;
        }
        if (!(name.equals(MODE) || name.equals(MODEL))) {
            return;
        }
        try {
            List<Command.Choice> choices = List.of();
            if (!closed && allowed(event)) {
                String typed = event.getFocusedOption().getValue().strip().toLowerCase(Locale.ROOT);
                choices = broker.settings(DiscordFrontEnd.conversationId(event.getChannelIdLong()))
                        .flatMap(s -> s.forCategory(name))
                        .map(setting -> setting.choices().stream()
                                .filter(c -> typed.isEmpty()
                                        || c.name().toLowerCase(Locale.ROOT).contains(typed)
                                        || c.value().toLowerCase(Locale.ROOT).contains(typed))
                                .filter(c -> !c.value().isEmpty()
                                        && c.value().length() <= OptionData.MAX_CHOICE_VALUE_LENGTH)
                                .limit(OptionData.MAX_CHOICES)
                                .map(c -> new Command.Choice(choiceLabel(c, setting), c.value()))
                                .toList())
                        .orElse(List.of());
            }
            event.replyChoices(choices)
                    .queue(null, e -> LOG.debug("discord:{} - autocomplete failed", event.getChannelId(), e));
        } catch (RuntimeException e) {
            LOG.warn("discord:{} - autocomplete for /{} failed", event.getChannelId(), name, e);
        }
    }

    /** The agents this person may start a conversation with here, matching what they typed. */
    private void askAutocomplete(CommandAutoCompleteInteractionEvent event) {
        List<Command.Choice> offered = List.of();
        if (!closed && allowed(event)) {
            long channelId = event.getChannelIdLong();
            Channel channel = event.getChannel();
            long parentId = channel != null && channel.getType().isThread()
                    ? ((ThreadChannel) channel).getParentChannel().getIdLong()
                    : 0;
            ChannelBinding binding = choices.binding(channelId).orElse(null);
            String typed = event.getFocusedOption().getValue();
            offered = choices.usable(channelId, parentId, rolesOf(event.getMember())).stream()
                    .filter(a -> binding == null || a.id().equals(binding.agentId()))
                    .filter(a -> AgentChoices.matches(a, typed))
                    .limit(OptionData.MAX_CHOICES)
                    .map(a -> new Command.Choice(AgentChoices.label(a, OptionData.MAX_CHOICE_NAME_LENGTH), a.id()))
                    .toList();
        }
        event.replyChoices(offered)
                .queue(null, e -> LOG.debug("discord:{} - autocomplete failed", event.getChannelId(), e));
    }

    private static String choiceLabel(SessionSettings.Choice choice, SessionSettings.Setting setting) {
        String label = (choice.name().isBlank() ? choice.value() : choice.name())
                + (choice.value().equals(setting.current()) ? " (current)" : "")
                + (choice.description().isBlank() ? "" : " - " + choice.description());
        return Text.head(label, OptionData.MAX_CHOICE_NAME_LENGTH / 2);
    }

    @Override
    public void onMessageContextInteraction(MessageContextInteractionEvent event) {
        if (!event.getName().equals(ASK_MESSAGE)) {
            return;
        }
        try {
            askAbout(event);
        } catch (RuntimeException e) {
            LOG.warn("discord:{} - \"{}\" failed", event.getChannelId(), ASK_MESSAGE, e);
            answerFailure(event, e);
        }
    }

    /** "Ask the agent" on any message: its text (and attachments) start a conversation, like a mention would. */
    private void askAbout(MessageContextInteractionEvent event) {
        if (closed) {
            ephemeral(event, RESTARTING);
            return;
        }
        if (!allowed(event)) {
            ephemeral(event, "You are not allowed to use this bot.");
            return;
        }
        Message target = event.getTarget();
        long selfId = event.getJDA().getSelfUser().getIdLong();
        String prompt = triggersFor(event.isFromGuild() ? event.getGuild() : null, selfId)
                .prompt(target.getContentRaw());
        if (prompt.isBlank() && target.getAttachments().isEmpty()) {
            ephemeral(event, "That message has no text or files to ask about.");
            return;
        }
        Sender sender = senderOf(event);
        long channelId = event.getChannelIdLong();
        if (event.isFromGuild() && !event.getChannelType().isThread()) {
            AgentChoices.Pick pick = choices.forNewConversation(null, prompt, channelId, 0, rolesOf(event.getMember()));
            if (pick.refusal() != null) {
                ephemeral(event, pick.refusal());
                return;
            }
            ephemeral(event, "Starting a conversation about that message.");
            serially(target.getIdLong(), () -> startThread(target, pick.prompt(), sender, pick.agentId()));
        } else {
            ephemeral(event, "Asking the agent about that message here.");
            knownThreads.add(channelId);
            serially(
                    channelId,
                    () -> submit(
                            DiscordFrontEnd.conversationId(channelId), target.getChannel(), target, prompt, sender));
        }
    }

    /** The same channel rules as for messages: a thread counts as in its parent channel; DMs when allowed. */
    private boolean commandChannelAllowed(GenericInteractionCreateEvent event) {
        if (!event.isFromGuild()) {
            return config.access().allowDirectMessages();
        }
        Channel channel = event.getChannel();
        if (channel == null) {
            return false;
        }
        long parentId = channel.getType().isThread()
                ? ((ThreadChannel) channel).getParentChannel().getIdLong()
                : 0;
        return config.access().isChannelAllowed(channel.getIdLong(), parentId)
                || choices.binding(channel.getIdLong()).isPresent()
                || choices.binding(parentId).isPresent();
    }

    private String command(String name, String conversationId) {
        return switch (name) {
            case CANCEL ->
                broker.cancel(conversationId)
                        ? "Cancelled the running turn. Messages sent meanwhile will still be answered."
                        : "Nothing is running in this conversation.";
            case RESET -> {
                broker.reset(conversationId);
                yield "Started afresh: the agent forgets this conversation's earlier context.";
            }
            default ->
                broker.status(conversationId)
                        .map(DiscordBridge::describe)
                        .orElse("No agent is attached to this conversation right now; the next message starts one "
                                + "(and resumes its session if there was one).");
        };
    }

    static String describe(ConversationStatus status) {
        StringBuilder text = new StringBuilder();
        text.append(status.busy() ? "🤔 Busy" : "💤 Idle");
        if (status.queuedMessages() > 0) {
            text.append(" · ").append(status.queuedMessages()).append(" queued");
        }
        text.append(" · agent ").append(status.alive() ? "running" : "stopped");
        text.append(" · ").append(status.turns()).append(status.turns() == 1 ? " turn" : " turns");
        if (!status.busy()) {
            text.append(" · idle for ").append(human(status.idle()));
        }
        if (status.lastError() != null) {
            text.append("\nLast error: ").append(ErrorLines.firstLine(status.lastError()));
        }
        return text.toString();
    }

    /** A duration as people say it: "45 s", "2 min", "1 h 5 min". */
    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return (seconds / 60) + " min";
        }
        return (seconds / 3600) + " h " + (seconds % 3600 / 60) + " min";
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent event) {
        if (OperatorCommands.handlesButton(event.getComponentId())) {
            try {
                if (closed) {
                    ephemeral(event, RESTARTING);
                } else {
                    operators.onButton(event);
                }
            } catch (RuntimeException e) {
                LOG.warn("discord:{} - an /agent button failed", event.getChannelId(), e);
                answerFailure(event, e);
            }
            return;
        }
        if (event.getComponentId().startsWith(STOP_PREFIX)) {
            try {
                stop(event);
            } catch (RuntimeException e) {
                LOG.warn("discord:{} - the Stop button failed", event.getChannelId(), e);
                answerFailure(event, e);
            }
            return;
        }
        if (!event.getComponentId().startsWith(PermissionPrompts.BUTTON_PREFIX)) {
            return;
        }
        try {
            prompts.onButton(event);
        } catch (RuntimeException e) {
            LOG.warn("discord:{} - answering a permission button failed", event.getChannelId(), e);
        }
    }

    /** The Stop button of a streaming reply: cancels that conversation's running turn, for allowed people only. */
    private void stop(ButtonInteractionEvent event) {
        if (closed) {
            ephemeral(event, RESTARTING);
            return;
        }
        Member member = event.getMember();
        Set<Long> roles = member == null ? Set.of() : ids(member.getRoles());
        if (!config.access().isPersonAllowed(event.getUser().getIdLong(), roles)) {
            ephemeral(event, "Only people allowed to use this bot can stop it.");
            return;
        }
        String conversationId = stoppable.get(event.getComponentId());
        if (conversationId == null) {
            ephemeral(event, "This reply has already finished.");
            return;
        }
        LOG.info("{} - Stop pressed by {}", conversationId, event.getUser().getId());
        mentions.restrict(event.deferReply(true))
                .queue(null, e -> LOG.warn("{} - Stop could not be acknowledged", conversationId, e));
        InteractionHook hook = event.getHook();
        try {
            executor.execute(() -> edit(
                    hook,
                    broker.cancel(conversationId) ? "Stopped the agent's turn." : "The agent was not working on it.",
                    conversationId));
        } catch (RejectedExecutionException closing) {
            edit(hook, RESTARTING, conversationId);
        }
    }
}
