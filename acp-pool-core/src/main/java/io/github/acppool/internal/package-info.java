/**
 * Off-contract helpers shared by acp-pool's packages. Not exported by the module; anything here may
 * change in any release.
 */
@NullMarked
package io.github.acppool.internal;

import org.jspecify.annotations.NullMarked;
