package vigil.raft;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node's Raft replica still keeps up, and if not why: it failed to start on damaged storage, its log
 * cannot be written (a full disk), a snapshot could not be written or installed, it stopped applying committed
 * entries (an entry missing or unreadable), or Ratis shut it down. Checked every {@link #EVERY}; a change is reported
 * to {@code onChange} (empty: healthy again). A problem names what to do about it.
 */
final class ReplicaHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaHealth.class);
    static final Duration EVERY = Duration.ofMillis(500);
    /** How long committed entries may wait unapplied before the replica counts as stuck. */
    static final Duration STUCK = Duration.ofSeconds(3);

    private final String node;
    private final Supplier<RaftServer.Division> division;
    private final Supplier<VigilStateMachine> stateMachine;
    private final Path groupDir;
    private final String recovery;
    private final Consumer<String> onChange;
    private final ScheduledExecutorService timer;
    /** A problem the replica cannot get over while this process runs: it stays until the node restarts. */
    private volatile String fatal;
    private volatile String problem = "";
    private volatile boolean closing;
    private long lastApplied = -1;
    private long appliedSince = System.nanoTime();

    /**
     * @param division the replica's Raft division, or null when it never started
     * @param recovery what the operator does about damaged storage (ends those problems)
     */
    ReplicaHealth(String node, Supplier<RaftServer.Division> division, Supplier<VigilStateMachine> stateMachine, Path groupDir, String recovery,
                  Consumer<String> onChange) {
        this.node = node;
        this.division = division;
        this.stateMachine = stateMachine;
        this.groupDir = groupDir;
        this.recovery = recovery;
        this.onChange = onChange;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-health-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    void start() { timer.scheduleWithFixedDelay(this::check, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS); }

    /** The replica could not be started at all (called before {@link #start}). */
    void startFailed(String why) { fatal = Objects.requireNonNull(why); }

    /** Whether the current problem ends the replica's service until the node restarts (all but a failed snapshot). */
    boolean fatal() { return fatal != null; }

    /** Empty while the replica is healthy, else what is wrong and what to do. */
    String problem() { return problem; }

    private void check() {
        String now;
        try {
            now = diagnose();
        } catch (RuntimeException e) {
            now = "the health check of the Raft replica failed: " + e;
        }
        if (closing || now.equals(problem)) return;
        problem = now;
        if (now.isEmpty()) LOG.warn("{}: Raft replica healthy again", node);
        else LOG.error("{}: DEGRADED: {}", node, now);
        onChange.accept(now);
    }

    private String diagnose() {
        if (fatal != null) return fatal;
        VigilStateMachine sm = stateMachine.get();
        String failure = sm == null ? null : sm.failure();
        if (failure != null) return fatal = failure;
        RaftServer.Division d = division.get();
        if (d == null || !d.getInfo().isAlive()) {
            if (closing) return problem;
            return fatal = "the Raft replica stopped: " + storageProblem("Ratis shut it down (see this node's log for the error)");
        }
        long applied = d.getInfo().getLastAppliedIndex();
        long committed = d.getRaftLog().getLastCommittedIndex();
        long nowNanos = System.nanoTime();
        if (applied != lastApplied || applied >= committed) {
            lastApplied = applied;
            appliedSince = nowNanos;
            String snapshot = sm == null ? null : sm.snapshotFailure();
            return snapshot == null ? "" : snapshot;
        }
        if (nowNanos - appliedSince < STUCK.toNanos()) return problem;
        String why;
        try {
            LogEntryProto next = d.getRaftLog().get(applied + 1);
            why = next == null ? "entry " + (applied + 1) + " is missing from its log" : "entry " + (applied + 1) + " is in its log but is not applied";
        } catch (IOException | RuntimeException e) {
            why = "entry " + (applied + 1) + " cannot be read: " + e.getMessage();
        }
        return fatal = "stopped applying committed entries at " + applied + " (" + committed + " committed): " + why + "; " + recovery;
    }

    /** What a check of the files finds, else {@code otherwise}. */
    private String storageProblem(String otherwise) {
        try {
            StorageCheck.Result r = StorageCheck.run(groupDir, false, recovery);
            return r.ok() ? otherwise : r.problem();
        } catch (IOException e) {
            return "its storage cannot be read: " + e.getMessage() + "; " + recovery;
        }
    }

    /** From now on a stopped replica is expected (the node is closing, or stopped its replica before fencing its two-node peer). */
    void closing() { closing = true; }

    @Override
    public void close() {
        closing = true;
        timer.shutdownNow();
    }
}
