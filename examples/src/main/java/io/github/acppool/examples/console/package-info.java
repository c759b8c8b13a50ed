/**
 * The console demo: a terminal chat with an ACP agent through an {@link io.github.acppool.broker.AcpBroker}, with
 * several conversations, streaming, tool progress, cancel, reset, status, permission questions and resume after a
 * restart. {@link io.github.acppool.examples.console.ConsoleDemo} is the program; everything else in this package is
 * an implementation detail.
 */
@NullMarked
package io.github.acppool.examples.console;

import org.jspecify.annotations.NullMarked;
