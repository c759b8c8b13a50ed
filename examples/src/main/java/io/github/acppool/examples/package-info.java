/** What the example programs share: {@link io.github.acppool.examples.ProgramVersion}. */
@NullMarked
package io.github.acppool.examples;

import org.jspecify.annotations.NullMarked;
