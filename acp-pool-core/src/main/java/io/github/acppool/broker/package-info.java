/**
 * The broker facade: "send this message to the agent of conversation K and stream the reply", with session
 * persistence and per-conversation queueing.
 */
@NullMarked
package io.github.acppool.broker;

import org.jspecify.annotations.NullMarked;
