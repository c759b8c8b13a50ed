package io.github.acppool.acp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.errorprone.annotations.CanIgnoreReturnValue;
import io.github.acppool.acp.schema.Implementation;
import io.github.acppool.internal.Checks;
import io.github.acppool.internal.Json;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.Level;

/**
 * Settings of an {@link AcpClient}. Build with {@link #builder()}; {@link #defaults()} has every default:
 *
 * <ul>
 *   <li>{@code maxLineBytes} {@value #DEFAULT_MAX_LINE_BYTES} (32 MiB): longer stdout lines are dropped with an
 *       error log and the connection goes on;
 *   <li>{@code stderrTailBytes} {@value #DEFAULT_STDERR_TAIL_BYTES}: how much of stderr is kept for errors;
 *   <li>{@code stderrLogLevel} {@link #DEFAULT_STDERR_LOG_LEVEL}: the level stderr lines are logged at;
 *   <li>{@code closeGrace} {@link #DEFAULT_CLOSE_GRACE}: each step of {@code close()} (stdin closed, then
 *       SIGTERM, then SIGKILL) waits this long;
 *   <li>{@code requestTimeout} {@link #DEFAULT_REQUEST_TIMEOUT}: for every request except prompts;
 *   <li>{@code promptTimeout} none: prompt turns may take as long as they take (a prompt streamer watches
 *       liveness instead);
 *   <li>{@code updateQueueCapacity} {@value #DEFAULT_UPDATE_QUEUE_CAPACITY}: updates queued per session before
 *       the stdout reader waits for the listener;
 *   <li>{@code permissionPolicy} {@link PermissionPolicy#rejectAll()};
 *   <li>{@code fsAccess} {@link FsAccess#NONE};
 *   <li>{@code clientInfo} {@link #DEFAULT_CLIENT_INFO};
 *   <li>{@code extraCapabilities} none: merged into {@code clientCapabilities} (e.g. {@code
 *       {"session":{"configOptions":{"boolean":{}}}}}); {@code fs} is derived from {@code fsAccess}, and
 *       {@code terminal} is always false;
 *   <li>{@code executor}: a pool of daemon threads shared by every client without one of its own, that exist
 *       only while there is work (they end after 10 s idle, so an idle agent keeps none); it delivers updates,
 *       answers the agent's requests and completes futures;
 *   <li>{@code scheduler}: one daemon timer thread shared by all clients, used for request timeouts.
 * </ul>
 *
 * <p>Defaults may change between releases. Immutable and thread-safe ({@code extraCapabilities} is a private
 * copy).
 */
public record AcpClientOptions(
        int maxLineBytes,
        int stderrTailBytes,
        Level stderrLogLevel,
        Duration closeGrace,
        Duration requestTimeout,
        @Nullable Duration promptTimeout,
        int updateQueueCapacity,
        PermissionPolicy permissionPolicy,
        FsAccess fsAccess,
        Implementation clientInfo,
        ObjectNode extraCapabilities,
        @Nullable ExecutorService executor,
        boolean shutdownExecutorOnClose,
        @Nullable ScheduledExecutorService scheduler,
        boolean shutdownSchedulerOnClose) {

    public static final int DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;
    public static final int DEFAULT_STDERR_TAIL_BYTES = 64 * 1024;
    public static final Level DEFAULT_STDERR_LOG_LEVEL = Level.INFO;
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(2);
    public static final int DEFAULT_UPDATE_QUEUE_CAPACITY = 1024;
    public static final Implementation DEFAULT_CLIENT_INFO = new Implementation("acp-pool", "acp-pool", "0.1.0");

    public AcpClientOptions {
        Checks.positive(maxLineBytes, "maxLineBytes");
        Checks.positive(stderrTailBytes, "stderrTailBytes");
        Checks.notNull(stderrLogLevel, "stderrLogLevel");
        Checks.positive(closeGrace, "closeGrace");
        Checks.positive(requestTimeout, "requestTimeout");
        if (promptTimeout != null) {
            Checks.positive(promptTimeout, "promptTimeout");
        }
        Checks.positive(updateQueueCapacity, "updateQueueCapacity");
        Checks.notNull(permissionPolicy, "permissionPolicy");
        Checks.notNull(fsAccess, "fsAccess");
        Checks.notNull(clientInfo, "clientInfo");
        extraCapabilities =
                Checks.notNull(extraCapabilities, "extraCapabilities").deepCopy();
    }

    @Override
    public ObjectNode extraCapabilities() {
        return extraCapabilities.deepCopy();
    }

    public static AcpClientOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Set-once builder (setting a value twice is an error), validated in {@link #build()}; not thread-safe. */
    public static final class Builder {
        private @Nullable Integer maxLineBytes;
        private @Nullable Integer stderrTailBytes;
        private @Nullable Level stderrLogLevel;
        private @Nullable Duration closeGrace;
        private @Nullable Duration requestTimeout;
        private @Nullable Duration promptTimeout;
        private @Nullable Integer updateQueueCapacity;
        private @Nullable PermissionPolicy permissionPolicy;
        private @Nullable FsAccess fsAccess;
        private @Nullable Implementation clientInfo;
        private @Nullable ObjectNode extraCapabilities;
        private @Nullable ExecutorService executor;
        private boolean shutdownExecutorOnClose;
        private @Nullable ScheduledExecutorService scheduler;
        private boolean shutdownSchedulerOnClose;

        private Builder() {}

        @CanIgnoreReturnValue
        public Builder maxLineBytes(int value) {
            maxLineBytes = Checks.setOnce(maxLineBytes, value, "maxLineBytes");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder stderrTailBytes(int value) {
            stderrTailBytes = Checks.setOnce(stderrTailBytes, value, "stderrTailBytes");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder stderrLogLevel(Level value) {
            stderrLogLevel = Checks.setOnce(stderrLogLevel, value, "stderrLogLevel");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder closeGrace(Duration value) {
            closeGrace = Checks.setOnce(closeGrace, value, "closeGrace");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder requestTimeout(Duration value) {
            requestTimeout = Checks.setOnce(requestTimeout, value, "requestTimeout");
            return this;
        }

        /** A default timeout for prompt turns (none if never set). */
        @CanIgnoreReturnValue
        public Builder promptTimeout(Duration value) {
            promptTimeout = Checks.setOnce(promptTimeout, value, "promptTimeout");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder updateQueueCapacity(int value) {
            updateQueueCapacity = Checks.setOnce(updateQueueCapacity, value, "updateQueueCapacity");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder permissionPolicy(PermissionPolicy value) {
            permissionPolicy = Checks.setOnce(permissionPolicy, value, "permissionPolicy");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder fsAccess(FsAccess value) {
            fsAccess = Checks.setOnce(fsAccess, value, "fsAccess");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder clientInfo(Implementation value) {
            clientInfo = Checks.setOnce(clientInfo, value, "clientInfo");
            return this;
        }

        @CanIgnoreReturnValue
        public Builder extraCapabilities(ObjectNode value) {
            extraCapabilities = Checks.setOnce(extraCapabilities, value, "extraCapabilities");
            return this;
        }

        /**
         * The executor that delivers updates, answers the agent's requests and completes futures. It must
         * run tasks concurrently (a pool of at least two threads; a slow listener occupies one).
         *
         * @param shutdownOnClose whether {@code close()} shuts it down
         */
        @CanIgnoreReturnValue
        public Builder executor(ExecutorService value, boolean shutdownOnClose) {
            executor = Checks.setOnce(executor, value, "executor");
            shutdownExecutorOnClose = shutdownOnClose;
            return this;
        }

        /**
         * The scheduler for request timeouts.
         *
         * @param shutdownOnClose whether {@code close()} shuts it down
         */
        @CanIgnoreReturnValue
        public Builder scheduler(ScheduledExecutorService value, boolean shutdownOnClose) {
            scheduler = Checks.setOnce(scheduler, value, "scheduler");
            shutdownSchedulerOnClose = shutdownOnClose;
            return this;
        }

        public AcpClientOptions build() {
            return new AcpClientOptions(
                    maxLineBytes == null ? DEFAULT_MAX_LINE_BYTES : maxLineBytes,
                    stderrTailBytes == null ? DEFAULT_STDERR_TAIL_BYTES : stderrTailBytes,
                    stderrLogLevel == null ? DEFAULT_STDERR_LOG_LEVEL : stderrLogLevel,
                    closeGrace == null ? DEFAULT_CLOSE_GRACE : closeGrace,
                    requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout,
                    promptTimeout,
                    updateQueueCapacity == null ? DEFAULT_UPDATE_QUEUE_CAPACITY : updateQueueCapacity,
                    permissionPolicy == null ? PermissionPolicy.rejectAll() : permissionPolicy,
                    fsAccess == null ? FsAccess.NONE : fsAccess,
                    clientInfo == null ? DEFAULT_CLIENT_INFO : clientInfo,
                    extraCapabilities == null ? Json.object() : extraCapabilities,
                    executor,
                    shutdownExecutorOnClose,
                    scheduler,
                    shutdownSchedulerOnClose);
        }
    }
}
