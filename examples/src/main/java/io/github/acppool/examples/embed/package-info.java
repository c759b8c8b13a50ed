/** The embedding example quoted in the README: a broker, one message, the reply streamed to stdout. */
@NullMarked
package io.github.acppool.examples.embed;

import org.jspecify.annotations.NullMarked;
