/**
 * The bundled demo ACP agent: a real Agent Client Protocol v1 agent over stdio with a pretend brain, so that
 * the console demo and the Discord bot work on a fresh machine with no API key.
 *
 * <p>{@link io.github.acppool.examples.demoagent.DemoAgent} is the program;
 * {@link io.github.acppool.examples.demoagent.DemoAgentLauncher} builds the command line that starts it from a
 * running JVM. Everything else in this package is an implementation detail.
 */
@NullMarked
package io.github.acppool.examples.demoagent;

import org.jspecify.annotations.NullMarked;
