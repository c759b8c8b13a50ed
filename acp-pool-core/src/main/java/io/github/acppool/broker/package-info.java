/**
 * The broker facade: "send this message to the agent of conversation K and stream the reply", with session
 * persistence and per-conversation queueing.
 *
 * <p>Entry point: {@link io.github.acppool.broker.AcpBroker} (built with {@link
 * io.github.acppool.broker.AcpBroker#builder()}). A front end submits {@link io.github.acppool.broker.ChatMessage}s
 * (sender plus content blocks) for a conversation id, follows each through a {@link
 * io.github.acppool.broker.MessageListener} (queued, {@link io.github.acppool.broker.TurnStart}, the reply's
 * events) and gets a {@link io.github.acppool.broker.BrokerResult} per message. Queued messages are merged into
 * one prompt by a {@link io.github.acppool.broker.PromptComposer}. Sessions survive evictions and restarts in a
 * {@link io.github.acppool.broker.SessionStore}; {@link io.github.acppool.broker.ConversationStatus} and {@link
 * io.github.acppool.broker.BrokerListener} serve operations and metrics.
 *
 * <p>Exceptions: {@link io.github.acppool.broker.BrokerException} (about one conversation) and its subclasses
 * {@link io.github.acppool.broker.QueueFullException} (thrown at submission), {@link
 * io.github.acppool.broker.BrokerClosedException}, {@link io.github.acppool.broker.AgentStartException} and
 * {@link io.github.acppool.broker.NoAgentAvailableException}; also {@link
 * io.github.acppool.broker.SessionStoreException} from the store. Each has a {@link
 * io.github.acppool.AcpPoolException#userMessage()}, one plain sentence a chat user may see, besides its message
 * for the log; a {@link io.github.acppool.broker.BrokerResult} likewise has {@link
 * io.github.acppool.broker.BrokerResult#userText()} and {@link io.github.acppool.broker.BrokerResult#diagnostics()}.
 */
@NullMarked
package io.github.acppool.broker;

import org.jspecify.annotations.NullMarked;
