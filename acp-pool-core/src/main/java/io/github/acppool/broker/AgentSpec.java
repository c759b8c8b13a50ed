package io.github.acppool.broker;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.acp.AcpClientOptions;
import io.github.acppool.acp.AgentLaunchSpec;
import io.github.acppool.acp.AuthPolicy;
import io.github.acppool.internal.Checks;
import io.github.acppool.turn.DrainPolicy;
import io.github.acppool.turn.LivenessPolicy;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One named agent a broker can start for a conversation: its id, how to launch it, and the settings in
 * which it differs from the broker's. A setting left unset here is the broker's ({@link AcpBroker.Builder}).
 *
 * <p>Immutable and thread-safe.
 */
public final class AgentSpec {
    /** The id of the agent of a broker built with a single {@link AcpBroker.Builder#agent(AgentLaunchSpec)}. */
    public static final String DEFAULT_ID_FOR_SINGLE = "default";

    /** Ids are short words a chat user can type: letters, digits, {@code -} and {@code _}, at most 32. */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

    private final String id;
    private final AgentLaunchSpec launch;
    private final @Nullable String description;
    private final @Nullable AuthPolicy authPolicy;
    private final @Nullable Function<String, Path> workingDirectory;
    private final @Nullable AcpClientOptions clientOptions;
    private final @Nullable DrainPolicy drainPolicy;
    private final @Nullable LivenessPolicy livenessPolicy;

    private AgentSpec(Builder b) {
        this.id = b.id;
        this.launch = b.launch;
        this.description = b.description;
        this.authPolicy = b.authPolicy;
        this.workingDirectory = b.workingDirectory;
        this.clientOptions = b.clientOptions;
        this.drainPolicy = b.drainPolicy;
        this.livenessPolicy = b.livenessPolicy;
    }

    /**
     * A builder for the agent {@code id}.
     *
     * @param id the agent's id, matching {@link #ID_PATTERN}; a chat user picks the agent by it
     * @param launch how to start the agent process
     */
    public static Builder builder(String id, AgentLaunchSpec launch) {
        return new Builder(id, launch);
    }

    public String id() {
        return id;
    }

    public AgentLaunchSpec launch() {
        return launch;
    }

    /** A short description for a chat user choosing an agent (for example in autocomplete). */
    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    public Optional<AuthPolicy> authPolicy() {
        return Optional.ofNullable(authPolicy);
    }

    /** Maps a conversation id to the working directory of its agent. */
    public Optional<Function<String, Path>> workingDirectory() {
        return Optional.ofNullable(workingDirectory);
    }

    /** The client options (permission policy, file system access, timeouts) of this agent's connections. */
    public Optional<AcpClientOptions> clientOptions() {
        return Optional.ofNullable(clientOptions);
    }

    public Optional<DrainPolicy> drainPolicy() {
        return Optional.ofNullable(drainPolicy);
    }

    public Optional<LivenessPolicy> livenessPolicy() {
        return Optional.ofNullable(livenessPolicy);
    }

    @Override
    public String toString() {
        return "AgentSpec[" + id + ": " + launch.commandLine() + "]";
    }

    /** Collects an {@link AgentSpec}; not thread-safe. */
    public static final class Builder {
        private final String id;
        private final AgentLaunchSpec launch;
        private @Nullable String description;
        private @Nullable AuthPolicy authPolicy;
        private @Nullable Function<String, Path> workingDirectory;
        private @Nullable AcpClientOptions clientOptions;
        private @Nullable DrainPolicy drainPolicy;
        private @Nullable LivenessPolicy livenessPolicy;

        private Builder(String id, AgentLaunchSpec launch) {
            Checks.notNull(id, "id");
            Checks.argument(
                    ID_PATTERN.matcher(id).matches(),
                    "agent id must be 1-32 letters, digits, '-' or '_' and start with a letter or digit: '%s'",
                    id);
            this.id = id;
            this.launch = Checks.notNull(launch, "launch");
        }

        @CanIgnoreReturnValue
        public Builder description(String value) {
            description = Checks.setOnce(description, value, "description");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder authPolicy(AuthPolicy value) {
            authPolicy = Checks.setOnce(authPolicy, value, "authPolicy");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder workingDirectory(Function<String, Path> value) {
            workingDirectory = Checks.setOnce(workingDirectory, value, "workingDirectory");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder clientOptions(AcpClientOptions value) {
            clientOptions = Checks.setOnce(clientOptions, value, "clientOptions");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder drainPolicy(DrainPolicy value) {
            drainPolicy = Checks.setOnce(drainPolicy, value, "drainPolicy");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder livenessPolicy(LivenessPolicy value) {
            livenessPolicy = Checks.setOnce(livenessPolicy, value, "livenessPolicy");
            return this;
        }

        public AgentSpec build() {
            return new AgentSpec(this);
        }
    }
}
