package io.github.acppool.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of the agent processes one broker instance runs, in {@code <state directory>/agents-<instance
 * id>.json}, and the search for those a previous instance left behind when it was killed (SIGKILL, power loss):
 * a record whose owner process is gone names processes that nobody will stop. Each recorded process is stopped
 * only if it is still alive with the recorded start instant (so a reused pid is never killed) and, where the
 * system shows it ({@code /proc/<pid>/environ}), carries the previous instance's {@link #OWNER_VARIABLE}.
 *
 * <p>Thread-safe: {@code lock} guards the live set and every write of the file; the file is written with only
 * that lock held (callers hold at most a connection lock), and is small (one line per live agent).
 */
final class OrphanRecords {
    /** The variable every agent process gets: the id of the broker instance that started it. */
    static final String OWNER_VARIABLE = "ACP_POOL_OWNER";

    private static final Logger LOG = LoggerFactory.getLogger(OrphanRecords.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "agents-";
    private static final String SUFFIX = ".json";
    /** How long an orphan gets to exit on SIGTERM before SIGKILL. */
    private static final Duration TERM_GRACE = Duration.ofSeconds(3);

    private final Path directory;
    private final Path file;
    private final String instanceId;
    private final ProcessHandle owner;
    private final String broker;
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final Map<Long, Instant> live = new LinkedHashMap<>();

    @GuardedBy("lock")
    private final Map<Long, String> agents = new LinkedHashMap<>();

    OrphanRecords(Path directory, String instanceId, ProcessHandle owner, String broker) {
        this.directory = directory.toAbsolutePath().normalize();
        this.file = this.directory.resolve(PREFIX + instanceId + SUFFIX);
        this.instanceId = instanceId;
        this.owner = owner;
        this.broker = broker;
    }

    /** Records a started agent process (by pid and start instant); one without a known start is not recorded. */
    void started(OptionalInt pid, String agentId) {
        if (pid.isEmpty()) {
            return;
        }
        Optional<Instant> start =
                ProcessHandle.of((long) pid.getAsInt()).flatMap(p -> p.info().startInstant());
        if (start.isEmpty()) {
            LOG.debug("{} - agent {} pid {}: no start instant, not recorded", broker, agentId, (long) pid.getAsInt());
            return;
        }
        lock.lock();
        try {
            live.put((long) pid.getAsInt(), start.get());
            agents.put((long) pid.getAsInt(), agentId);
            write();
        } finally {
            lock.unlock();
        }
    }

    void stopped(OptionalInt pid) {
        if (pid.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (live.remove((long) pid.getAsInt()) != null) {
                agents.remove((long) pid.getAsInt());
                write();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes this instance's record (at shutdown, when every agent is stopped). */
    void close() {
        lock.lock();
        try {
            if (!live.isEmpty()) {
                LOG.warn("{} - agents still recorded at shutdown: {}", broker, live.keySet());
                return;
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("{} - could not delete the agent record {}: {}", broker, file, e.toString());
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private void write() {
        ObjectNode root = JSON.createObjectNode();
        root.put("instance", instanceId);
        ObjectNode ownerNode = root.putObject("owner").put("pid", owner.pid());
        owner.info().startInstant().ifPresent(start -> ownerNode.put("start", start.toString()));
        ArrayNode list = root.putArray("agents");
        live.forEach((pid, start) -> list.addObject()
                .put("pid", pid)
                .put("start", start.toString())
                .put("agent", agents.getOrDefault(pid, "?")));
        try {
            Files.createDirectories(directory);
            Path temp = Files.createTempFile(directory, "." + file.getFileName(), ".tmp");
            Files.write(temp, JSON.writeValueAsBytes(root));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The agents run on; only a later instance's clean-up after a crash of this one would miss them.
            LOG.warn("{} - could not write the agent record {}: {}", broker, file, e.toString());
        }
    }

    /**
     * Stops the agents recorded by previous instances whose owner process is gone, one log line per process,
     * and deletes their records. Blocks for at most a few seconds per orphan.
     *
     * @return how many processes were stopped
     */
    int reap() {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        List<Path> records = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            stream.forEach(records::add);
        } catch (IOException e) {
            LOG.warn("{} - could not list the state directory {}: {}", broker, directory, e.toString());
            return 0;
        }
        int stopped = 0;
        for (Path record : records) {
            if (!record.equals(file)) {
                stopped += reap(record);
            }
        }
        return stopped;
    }

    private int reap(Path record) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(record, StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("{} - agent record {} is unreadable ({}); deleting it", broker, record, e.toString());
            delete(record);
            return 0;
        }
        String previous = root.path("instance").asText("?");
        if (alive(root.path("owner").path("pid").asLong(-1), root.path("owner").path("start"))) {
            LOG.debug("{} - agent record {}: its broker instance still runs", broker, record);
            return 0;
        }
        int stopped = 0;
        for (JsonNode entry : root.path("agents")) {
            long pid = entry.path("pid").asLong(-1);
            String agentId = entry.path("agent").asText("?");
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty() || !process.get().isAlive()) {
                continue;
            }
            if (!alive(pid, entry.path("start"))) {
                LOG.info(
                        "{} - pid {} of agent {} of the previous instance {} now belongs to another process; left"
                                + " alone",
                        broker,
                        pid,
                        agentId,
                        previous);
                continue;
            }
            if (!marked(pid, previous)) {
                LOG.info(
                        "{} - pid {} of agent {} does not carry the marker of the previous instance {}; left alone",
                        broker,
                        pid,
                        agentId,
                        previous);
                continue;
            }
            stopped += stop(process.get(), agentId, previous);
        }
        delete(record);
        return stopped;
    }

    /** Whether {@code pid} is alive and started at the recorded instant. */
    private static boolean alive(long pid, JsonNode start) {
        if (pid <= 0 || !start.isTextual()) {
            return false;
        }
        Instant recorded;
        try {
            recorded = Instant.parse(start.asText());
        } catch (DateTimeParseException e) {
            return false;
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().startInstant())
                .map(recorded::equals)
                .orElse(false);
    }

    /** Where the system shows a process's environment, whether it carries the instance's marker; else true. */
    private static boolean marked(long pid, String instance) {
        Path environ = Path.of("/proc", Long.toString(pid), "environ");
        if (!Files.isReadable(environ)) {
            return true;
        }
        try {
            String marker = OWNER_VARIABLE + "=" + instance;
            for (String variable : new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).split("\0", -1)) {
                if (variable.equals(marker)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true; // gone or unreadable meanwhile: the start instant matched
        }
    }

    /** SIGTERM to the process and its descendants, SIGKILL to those still alive after a grace. */
    private int stop(ProcessHandle process, String agentId, String previous) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process);
        process.descendants().forEach(all::add);
        int stopped = 0;
        for (ProcessHandle each : all) {
            String command = each.info().command().orElse("?");
            each.destroy();
            try {
                each.onExit().get(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                each.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                each.destroyForcibly();
            }
            stopped++;
            LOG.warn(
                    "{} - stopped orphan {} pid {} ({}) left by the previous instance {}",
                    broker,
                    each == process ? "agent " + agentId : "descendant of agent " + agentId,
                    each.pid(),
                    command,
                    previous);
        }
        return stopped;
    }

    private void delete(Path record) {
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            LOG.warn("{} - could not delete agent record {}: {}", broker, record, e.toString());
        }
    }
}
