package io.github.acppool.examples.console;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.github.acppool.broker.AcpBroker;
import io.github.acppool.broker.AgentSpec;
import io.github.acppool.broker.AgentStartException;
import io.github.acppool.broker.BrokerException;
import io.github.acppool.broker.BrokerResult;
import io.github.acppool.broker.ChatMessage;
import io.github.acppool.broker.ConversationStatus;
import io.github.acppool.broker.MessageListener;
import io.github.acppool.broker.Sender;
import io.github.acppool.broker.SessionStore;
import io.github.acppool.broker.StoredSession;
import io.github.acppool.broker.TurnStart;
import io.github.acppool.broker.UnknownAgentException;
import io.github.acppool.turn.TurnEvent;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's input loop: reads lines, runs console commands, sends everything else to the current conversation's
 * agent through the broker, and answers permission questions with the next line.
 *
 * <p>Two ways to read: <b>interactive</b> (a terminal, or {@code --interactive}) sends each line at once, so a line
 * typed while a turn runs is queued by the broker; <b>sequential</b> (a script) handles each line after the previous
 * reply ended, except {@code /cancel}, which acts as soon as it is read, so a script can cancel a slow turn.
 *
 * <p>Thread-safe where it must be: {@link #run} runs on one thread; replies complete on broker threads; {@link
 * #cancelAll()} may be called from a shutdown hook.
 */
final class ConsoleSession {

    /* Concurrency: `lock` guards `outstanding` (messages whose results have not been shown); `changed` is signalled
     * when a result was shown and when a permission question arrived, which is what a sequential loop waits for.
     * Lock order: this lock, then the Permissions lock (hasPending); Permissions calls signal() without holding its
     * own. `current` is written by the input thread only and read by others (volatile). The broker is called without
     * any lock held. */

    /** Conversation ids are {@code console:<name>}, apart from other front ends' in a shared session store. */
    static final String ID_PREFIX = "console:";

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSession.class);

    /** Set by a completing message's thread, read by the main thread when the input ends. */
    private volatile boolean agentStartFailed;

    private final AcpBroker broker;
    private final SessionStore store;
    private final Renderer renderer;
    private final Permissions permissions;
    private final boolean sequential;
    private final String agentDescription;
    private final boolean demoAgent;
    private final Sender sender;
    private final AtomicLong messageIds = new AtomicLong();
    /** The conversation of each ACP session a turn ran in, to name the conversation in a permission question. */
    private final Map<String, String> conversationsBySession;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    @GuardedBy("lock")
    private int outstanding;

    private volatile String current;

    /**
     * @param conversationsBySession a concurrent map, shared with the permission policy's lookup; filled here as
     *     turns start
     */
    ConsoleSession(
            AcpBroker broker,
            SessionStore store,
            Renderer renderer,
            Permissions permissions,
            Map<String, String> conversationsBySession,
            boolean sequential,
            String agentDescription,
            boolean demoAgent,
            String conversation) {
        this.broker = broker;
        this.store = store;
        this.renderer = renderer;
        this.permissions = permissions;
        this.conversationsBySession = conversationsBySession;
        this.sequential = sequential;
        this.agentDescription = agentDescription;
        this.demoAgent = demoAgent;
        this.current = conversation;
        String user = System.getProperty("user.name", "you");
        this.sender = new Sender("console", user == null || user.isBlank() ? "you" : user);
        renderer.setCurrent(conversation);
    }

    /** Wakes a sequential loop that waits for a reply: a permission question needs the next line. */
    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads and handles lines until {@code /quit} or the end of input; then lets the running turns finish (a script)
     * or cancels them (interactive). The caller shuts the broker down.
     *
     * @return the exit status: 0, or 1 if the input failed
     */
    /** Whether a message failed because its agent could not be started (the console then exits with 3). */
    boolean agentStartFailed() {
        return agentStartFailed;
    }

    int run(InputLines input) {
        banner();
        renderer.prompt();
        while (true) {
            String raw = input.take();
            if (raw == null) {
                if (input.error() != null) {
                    renderer.error(null, "cannot read the input: " + input.error());
                }
                finish();
                return input.error() == null ? 0 : 1;
            }
            InputLine line = InputLine.parse(raw);
            if (line instanceof InputLine.Cancel cancel) {
                cancel(cancel.all());
                renderer.prompt();
                continue;
            }
            if (sequential && !awaitReplyOrQuestion()) {
                finish();
                return 0;
            }
            if (permissions.hasPending() && (sequential || line instanceof InputLine.Prompt)) {
                var unused = permissions.answer(raw);
                continue;
            }
            if (line instanceof InputLine.Quit) {
                finish();
                return 0;
            }
            handle(line);
            renderer.prompt();
        }
    }

    private void handle(InputLine line) {
        if (line instanceof InputLine.Prompt prompt) {
            submit(prompt.text());
        } else if (line instanceof InputLine.Use use) {
            use(use.name());
        } else if (line instanceof InputLine.Agent agent) {
            agent(agent.name());
        } else if (line instanceof InputLine.Reset) {
            reset();
        } else if (line instanceof InputLine.Status) {
            status();
        } else if (line instanceof InputLine.Help) {
            renderer.lines(help(demoAgent));
        } else if (line instanceof InputLine.Invalid invalid) {
            renderer.error(null, invalid.message());
        }
    }

    private void submit(String text) {
        String conversation = current;
        ChatMessage message = ChatMessage.text("console-" + messageIds.incrementAndGet(), sender, text);
        lock.lock();
        try {
            outstanding++;
        } finally {
            lock.unlock();
        }
        renderer.submitted(conversation, text);
        CompletableFuture<BrokerResult> future;
        try {
            future = broker.promptAsync(ID_PREFIX + conversation, message, listener(conversation, message));
        } catch (RuntimeException e) { // QueueFullException, BrokerClosedException
            renderer.failed(conversation, e);
            replyShown();
            return;
        }
        var unused = future.whenComplete((result, error) -> {
            if (error instanceof AgentStartException
                    || (error != null && error.getCause() instanceof AgentStartException)) {
                agentStartFailed = true;
            }
            try {
                if (error != null) {
                    renderer.failed(conversation, error);
                } else {
                    renderer.finished(conversation, result);
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "console - showing the result of message {} in {} failed",
                        message.messageId(),
                        conversation,
                        e);
            } finally {
                replyShown();
                renderer.prompt();
            }
        });
    }

    MessageListener listener(String conversation, ChatMessage message) {
        return new MessageListener() {
            @Override
            public void onQueued(int position) {
                renderer.queued(conversation, position);
            }

            @Override
            public void onTurnStarted(TurnStart turn) {
                conversationsBySession.put(turn.sessionId(), conversation);
                if (turn.streamsTo(message)) {
                    renderer.turnStarted(conversation, turn);
                }
            }

            @Override
            public void onEvent(TurnEvent event) {
                renderer.event(conversation, event);
            }

            @Override
            public void onLateEvent(TurnEvent event) {
                renderer.lateEvent(conversation, event);
            }
        };
    }

    private void replyShown() {
        lock.lock();
        try {
            outstanding--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every reply was shown or a permission question waits for its answer.
     *
     * @return false if interrupted
     */
    private boolean awaitReplyOrQuestion() {
        lock.lock();
        try {
            while (outstanding > 0 && !permissions.hasPending()) {
                changed.await();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every reply was shown. */
    private void awaitReplies() {
        lock.lock();
        try {
            while (outstanding > 0) {
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** The end: no more answers; a script's last turn finishes, an interactive session's turns are cancelled. */
    private void finish() {
        renderer.endInput();
        permissions.closeInput();
        if (!sequential) {
            cancelAll();
        }
        awaitReplies();
    }

    private void cancel(boolean all) {
        String conversation = current;
        // A script has at most one message in flight, and it may still wait in the broker's queue: drop it too.
        boolean cancelled = broker.cancel(ID_PREFIX + conversation, all || sequential);
        renderer.notice(
                conversation,
                !cancelled
                        ? "nothing to cancel"
                        : all ? "cancelling the running turn and dropping the queued messages" : "cancelling");
    }

    /** Cancels every conversation's turn and drops its queue; never blocks. */
    void cancelAll() {
        try {
            for (ConversationStatus status : broker.status()) {
                if (status.conversationId().startsWith(ID_PREFIX) && (status.busy() || status.queuedMessages() > 0)) {
                    var unused = broker.cancel(status.conversationId(), true);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("console - cancelling the running turns failed", e);
        }
    }

    private void use(@Nullable String name) {
        if (name == null) {
            StringBuilder names = new StringBuilder("Conversations:");
            for (String conversation : conversations().keySet()) {
                names.append(' ')
                        .append(conversation)
                        .append(conversation.equals(current) ? " (current)" : "")
                        .append(',');
            }
            names.setLength(names.length() - 1);
            renderer.lines(names + ". Switch with /use NAME.");
            return;
        }
        current = name;
        renderer.setCurrent(name);
        Map<String, String> states = conversations();
        renderer.notice(null, "now in " + name + ": " + states.getOrDefault(name, "new"));
    }

    private void agent(@Nullable String name) {
        String conversation = current;
        if (name == null) {
            StringBuilder text = new StringBuilder("This conversation runs on agent ")
                    .append(broker.agentOf(ID_PREFIX + conversation))
                    .append(". Agents:");
            for (AgentSpec spec : broker.agents()) {
                text.append(' ').append(spec.id());
                spec.description().ifPresent(d -> text.append(" (").append(d).append(')'));
                text.append(',');
            }
            text.setLength(text.length() - 1);
            renderer.lines(text + ". Switch with /agent NAME.");
            return;
        }
        try {
            boolean lost = broker.useAgent(ID_PREFIX + conversation, name);
            renderer.notice(
                    conversation,
                    lost
                            ? "now on agent " + name + ": the earlier context of this conversation is lost"
                            : "on agent " + name);
        } catch (UnknownAgentException e) {
            renderer.error(conversation, e.userMessage());
        } catch (RuntimeException e) { // BrokerClosedException, SessionStoreException
            renderer.error(conversation, describe(e));
        }
    }

    private void reset() {
        String conversation = current;
        try {
            broker.reset(ID_PREFIX + conversation);
            renderer.notice(
                    conversation, "reset: the agent forgets this conversation, and the next message starts afresh");
        } catch (RuntimeException e) { // SessionStoreException
            renderer.error(conversation, describe(e));
        }
    }

    private void status() {
        StringBuilder text = new StringBuilder("Agent: ").append(agentDescription);
        for (Map.Entry<String, String> entry : conversations().entrySet()) {
            text.append('\n')
                    .append(entry.getKey().equals(current) ? "* " : "  ")
                    .append(entry.getKey())
                    .append(": ")
                    .append(entry.getValue());
        }
        renderer.lines(text.toString());
    }

    /** Every conversation the console knows (live, stored, or current), by name, with a description of its state. */
    private Map<String, String> conversations() {
        Map<String, String> states = new TreeMap<>();
        Map<String, StoredSession> stored;
        try {
            stored = store.snapshot();
        } catch (RuntimeException e) {
            LOG.warn("console - reading the session store failed", e);
            stored = Map.of();
        }
        for (Map.Entry<String, StoredSession> entry : stored.entrySet()) {
            if (entry.getKey().startsWith(ID_PREFIX)) {
                states.put(
                        entry.getKey().substring(ID_PREFIX.length()),
                        "stored session " + shortId(entry.getValue().sessionId()) + ", resumed by the next message");
            }
        }
        for (ConversationStatus status : broker.status()) {
            if (status.conversationId().startsWith(ID_PREFIX)) {
                states.put(status.conversationId().substring(ID_PREFIX.length()), describe(status));
            }
        }
        states.putIfAbsent(current, "new, no messages yet");
        return states;
    }

    static String describe(ConversationStatus status) {
        StringBuilder text = new StringBuilder(status.alive() ? "agent running" : "no agent running");
        text.append(
                status.busy()
                        ? ", turn running"
                        : ", idle " + Renderer.seconds(status.idle().toNanos()));
        if (status.queuedMessages() > 0) {
            text.append(", ").append(status.queuedMessages()).append(" queued");
        }
        text.append(", ").append(status.turns()).append(status.turns() == 1 ? " turn" : " turns");
        if (status.sessionId() != null) {
            text.append(", session ").append(shortId(status.sessionId()));
        }
        if (status.lastError() != null) {
            text.append(", last error: ").append(status.lastError());
        }
        return text.toString();
    }

    private static String shortId(String sessionId) {
        return sessionId.length() <= 12 ? sessionId : sessionId.substring(0, 8) + "…";
    }

    private void banner() {
        Map<String, String> conversations = conversations();
        StringBuilder names = new StringBuilder();
        for (String name : new TreeSet<>(conversations.keySet())) {
            names.append(names.length() == 0 ? "" : ", ").append(name).append(name.equals(current) ? " (current)" : "");
        }
        renderer.lines("acp-pool console · agent: " + agentDescription + "\nConversations: " + names
                + " · /help lists the commands" + (sequential ? "" : " · Ctrl-D or /quit exits"));
    }

    static String help(boolean demoAgent) {
        String help = """
                Console commands:
                  /use NAME     switch to conversation NAME (new ones start with their first message);
                                /use alone lists the conversations
                  /cancel       stop this conversation's running turn (queued messages then run)
                  /cancel all   stop it and drop the queued messages too
                  /reset        start this conversation afresh: the agent forgets it
                  /agent NAME   put this conversation on agent NAME (its context is lost);
                                /agent alone shows its agent and lists the agents
                  /status       every conversation: agent, turn, queue, session
                  /help         this text
                  /quit         stop the agents and exit (Ctrl-D and Ctrl-C too)
                Everything else goes to the agent, including other /commands. Start a line with // to send a
                line that starts with / even if it is a console command: //help asks the agent for its help.""";
        if (demoAgent) {
            help += """

                    The demo agent knows /tool, /slow N, /permission, /long, /late, /crash and /hang; see //help.""";
        }
        return help;
    }

    /** One line that says why, without the broker's "conversation console:x:" prefix (the renderer names it). */
    static String describe(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = Optional.ofNullable(cause.getMessage())
                .filter(m -> !m.isBlank())
                .orElse(cause.getClass().getSimpleName());
        if (cause instanceof BrokerException broker) {
            String prefix = "conversation " + broker.conversationId() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
        }
        return message;
    }
}
