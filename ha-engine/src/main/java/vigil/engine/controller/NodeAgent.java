package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import vigil.api.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.model.ClusterProperties;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;

/**
 * The node side of the control protocol, on every node: answers the leader's heartbeats, runs its actions after
 * checking their term, commits their results, probes every resource when it (re)gains a leader, and stops its
 * resources when it has heard from no leader for {@code node-timeout} (no-quorum-policy). With a {@link WatchdogKeeper}
 * it also stops feeding the watchdog then (until a leader of a newer term is heard), or for good when the controller
 * asks it to fence itself, and takes no further part meanwhile.
 * Silence is measured on the monotonic {@link Ticker}: a step of the wall clock changes nothing.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("vigil.agent");

    private final String self;
    private final LocalOperations ops;
    private final Function<List<Command>, CompletableFuture<?>> submit;
    private final Supplier<ClusterState> state;
    private final LongSupplier raftTerm;
    private final InstantSource clock;
    private final InstantSource monotonic;
    private final ScheduledFuture<?> watching;
    private final ScheduledExecutorService timer;
    private static final Duration CATCH_UP = Duration.ofSeconds(5);

    private long newestTerm;
    /** Where this node's lease counts from: it ends node-timeout later (see {@link NodeTransport.HeartbeatRequest}). */
    private Instant lastLeaderContact = Instant.EPOCH;
    /** Lease-valid heartbeats of the current controller whose answers are not confirmed yet: their number, arrival, grant. */
    private final java.util.NavigableMap<Long, Instant> unconfirmed = new java.util.TreeMap<>();
    private String unconfirmedFrom = "";
    private static final int MAX_UNCONFIRMED = 64;
    private String lastLeader = "";
    private boolean ready;
    private boolean probing;
    private boolean hadLeader;
    private volatile Supplier<String> degraded = () -> "";
    private boolean leaving;
    private volatile Runnable stopRequested = () -> { };
    private volatile Function<String, vigil.api.spi.FenceResult> deviceChecker =
            d -> new vigil.api.spi.FenceResult.Failed(d + ": this node cannot check fence devices");
    private volatile java.util.concurrent.Executor checkWorkers = java.util.concurrent.ForkJoinPool.commonPool();
    private WatchdogKeeper watchdog;

    /**
     * @param raftTerm the current Raft term as this node's Raft server knows it
     * @param clock    this node's wall clock, reported in heartbeat replies for the cluster time
     * @param ticker   this node's monotonic clock: silence and waits
     * @param timer    runs the quorum watch
     */
    public NodeAgent(String self, LocalOperations ops, Function<List<Command>, CompletableFuture<?>> submit, Supplier<ClusterState> state,
                     LongSupplier raftTerm, InstantSource clock, Ticker ticker, ScheduledExecutorService timer) {
        this.self = self;
        this.ops = ops;
        this.submit = submit;
        this.state = state;
        this.raftTerm = raftTerm;
        this.clock = clock;
        this.monotonic = Controller.monotonic(ticker);
        this.timer = timer;
        ops.onMonitorResult(o -> commit(o));
        this.watching = timer.scheduleWithFixedDelay(this::watchQuorum, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** Where the agent learns whether this node's Raft replica keeps up (empty) or not (why), for its heartbeat replies. */
    public void reportHealth(Supplier<String> problem) { this.degraded = problem; }

    /** Arms, feeds and reports this node's watchdog; call before the first heartbeat can arrive. */
    public synchronized void watchdog(WatchdogKeeper keeper) { this.watchdog = keeper; }

    public synchronized NodeTransport.HeartbeatReply onHeartbeat(NodeTransport.HeartbeatRequest req) {
        long known = Math.max(newestTerm, raftTerm.getAsLong());
        if (req.term() < known) return reply(known);
        newestTerm = req.term();
        if (req.leaseValid()) {
            Instant now = monotonic.instant();
            // A heartbeat after more than node-timeout of silence (this process was paused, or cut off) must not hide
            // that silence: the cluster may have declared this node lost, so the no-quorum-policy applies first.
            Duration nodeTimeout = state.get().config().properties().nodeTimeout();
            if (hadLeader && Duration.between(lastLeaderContact, now).compareTo(nodeTimeout) > 0) loseQuorum(nodeTimeout);
            if (req.fenceYourself() && watchdog != null && !watchdog.resetting()) {
                watchdog.selfFence("the controller " + req.leader() + " fences this node");
                if (hadLeader) loseQuorum(nodeTimeout);
            }
            // a node whose watchdog is no longer fed takes no further part: its host is about to reset (unless a leader of
            // a newer term is heard first, see WatchdogKeeper)
            if (watchdog != null && watchdog.resetting()) return reply(newestTerm);
            Instant leaseFrom = confirmedLease(req, now, nodeTimeout);
            if (leaseFrom == null || Duration.between(leaseFrom, now).compareTo(nodeTimeout) > 0) return reply(newestTerm);
            if (watchdog != null && !watchdog.heard(req.term(), leaseFrom)) return reply(newestTerm);
            if (!hadLeader || leaseFrom.isAfter(lastLeaderContact)) lastLeaderContact = leaseFrom;
            lastLeader = req.leader();
            if (!hadLeader) ops.quorumRegained();
            hadLeader = true;
            if (!ready && !probing) probe();
            if (req.stop() && !leaving) timer.execute(stopRequested);
        }
        return reply(newestTerm);
    }

    /**
     * Notes {@code req} (received {@code now}) and returns where the lease counts from after it: the arrival of the
     * heartbeat it confirms, moved earlier by what that heartbeat's grant fell short of node-timeout; null while no
     * heartbeat of this controller is confirmed yet.
     */
    private Instant confirmedLease(NodeTransport.HeartbeatRequest req, Instant now, Duration nodeTimeout) {
        String from = req.leader() + "@" + req.term();
        if (!from.equals(unconfirmedFrom)) {
            unconfirmed.clear();
            unconfirmedFrom = from;
        }
        Duration grant = req.leaseLeft().compareTo(nodeTimeout) < 0 ? req.leaseLeft() : nodeTimeout;
        unconfirmed.put(req.seq(), now.minus(nodeTimeout.minus(grant)));
        Instant from0 = unconfirmed.get(req.confirmed());
        unconfirmed.headMap(req.confirmed(), true).clear();
        while (unconfirmed.size() > MAX_UNCONFIRMED) unconfirmed.pollFirstEntry();
        return from0;
    }

    private NodeTransport.HeartbeatReply reply(long term) {
        return new NodeTransport.HeartbeatReply(self, term, ready, ops.inFlight(), clock.instant(),
                watchdog == null ? NodeTransport.WatchdogReport.NONE : watchdog.report(), leaving, degraded.get());
    }

    /**
     * Starts a clean stop of this node: from now on its heartbeat replies say it is leaving (so the controller never
     * takes it back online), and its shutdown is announced; the controller moves or stops what runs here and then marks
     * the node OFFLINE. Completes when the announcement is committed.
     */
    public CompletableFuture<?> leave() {
        synchronized (this) {
            if (!leaving) LOG.info("{}: stopping: announcing the shutdown so that the cluster moves or stops what runs here", self);
            leaving = true;
        }
        return submit.apply(List.of(new Command.RequestShutdown(self)));
    }

    public synchronized boolean isLeaving() { return leaving; }

    /** How this node checks a fence device for the controller (blocking; run on {@code workers}). */
    public void checkFenceDevicesWith(Function<String, vigil.api.spi.FenceResult> checker, java.util.concurrent.Executor workers) {
        this.deviceChecker = checker;
        this.checkWorkers = workers;
    }

    /** Checks a fence device for the controller of {@code req.term()}; a deposed controller's request is refused. */
    public CompletableFuture<vigil.api.spi.FenceResult> onCheckFenceDevice(NodeTransport.FenceCheckRequest req) {
        synchronized (this) {
            long known = Math.max(newestTerm, raftTerm.getAsLong());
            if (req.term() < known) {
                return CompletableFuture.completedFuture(new vigil.api.spi.FenceResult.Failed("stale term " + req.term() + " < " + known));
            }
        }
        return CompletableFuture.supplyAsync(() -> deviceChecker.apply(req.device()), checkWorkers);
    }

    /** What to run when the leader says an administrator asked this node to stop (the node calls {@link #leave()} then). */
    public void onStopRequested(Runnable r) { this.stopRequested = r; }

    /** Whether a leader with a valid lease was heard within node-timeout (else the no-quorum-policy applied). */
    public synchronized boolean hasLeader() { return hadLeader; }

    /** The leader this node hears (with a valid lease, within node-timeout); empty when none. */
    public synchronized String leader() { return hadLeader ? lastLeader : ""; }

    public CompletableFuture<NodeTransport.ActionReply> onExecute(NodeTransport.ActionRequest req) {
        synchronized (this) {
            long known = Math.max(newestTerm, raftTerm.getAsLong());
            if (req.term() < known) {
                LOG.warn("{}: dropped {} from {}: term {} is older than {}", req.resource(), req.action(), req.leader(), req.term(), known);
                return CompletableFuture.completedFuture(NodeTransport.ActionReply.rejected("stale term " + req.term() + " < " + known));
            }
            newestTerm = req.term();
            if (!ready) return CompletableFuture.completedFuture(NodeTransport.ActionReply.rejected(self + " has not finished probing"));
        }
        return caughtUp(req.configVersion(), monotonic.instant().plus(CATCH_UP)).thenCompose(ok -> !ok
                ? CompletableFuture.completedFuture(NodeTransport.ActionReply.rejected(self + " has not applied config version "
                        + req.configVersion() + " yet (at " + state.get().configVersion() + ")"))
                : runAndCommit(req));
    }

    /** Completes with true once this node applied {@code version}, false if that did not happen by {@code deadline}. */
    private CompletableFuture<Boolean> caughtUp(long version, java.time.Instant deadline) {
        if (state.get().configVersion() >= version) return CompletableFuture.completedFuture(true);
        if (monotonic.instant().isAfter(deadline)) return CompletableFuture.completedFuture(false);
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        timer.schedule(() -> caughtUp(version, deadline).thenAccept(f::complete), 5, TimeUnit.MILLISECONDS);
        return f;
    }

    private CompletableFuture<NodeTransport.ActionReply> runAndCommit(NodeTransport.ActionRequest req) {
        return ops.run(req.resource(), req.action(), req.interval(), req.peer(), req.timeout(), req.term())
                .thenCompose(o -> o.code() == OcfCode.EXEC_ERROR
                        // refused or cancelled by the executor without running: nothing happened to the resource
                        ? CompletableFuture.completedFuture(NodeTransport.ActionReply.rejected(o.message()))
                        : commit(o).handle((r, err) -> err == null
                        ? new NodeTransport.ActionReply(true, "", o.code(), o.message())
                        : new NodeTransport.ActionReply(true, "result not committed: " + err, o.code(), o.message())));
    }

    public synchronized boolean isReady() { return ready; }

    /**
     * Whether this node hears a leader that holds its lease (a majority answers it): true from the first such heartbeat
     * until {@code node-timeout} passes without one, the moment the no-quorum-policy applies here.
     */
    public synchronized boolean hearsQuorateLeader() {
        if (!hadLeader) return false;
        Duration nodeTimeout = state.get().config().properties().nodeTimeout();
        return Duration.between(lastLeaderContact, monotonic.instant()).compareTo(nodeTimeout) <= 0;
    }

    /**
     * When this node last heard a valid heartbeat from {@code node}, if {@code node} was its leader: a newly elected
     * controller on this node knows from it since when the previous leader has been silent. On this node's monotonic
     * time line (see {@link Controller}).
     */
    public synchronized Optional<Instant> lastHeardFrom(String node) {
        return node.equals(lastLeader) && !lastLeaderContact.equals(Instant.EPOCH) ? Optional.of(lastLeaderContact) : Optional.empty();
    }

    private void probe() {
        probing = true;
        LOG.info("{}: probing every configured resource", self);
        // what this node's watchdog is now goes with the probes: a controller that never hears this node must not count
        // on a watchdog an earlier run of it had armed
        Duration armed = watchdog == null ? Duration.ZERO : watchdog.armedTimeout();
        ops.probeAll(state.get()).thenCompose(results -> {
            List<Command> cmds = new ArrayList<>();
            for (LocalOperations.Outcome o : results) if (o.code() != OcfCode.EXEC_ERROR) cmds.add(toCommand(o));
            // always one entry, even with nothing to report (no resources, watchdog unchanged): a two-node host that
            // restarted counts its peer as seen only once a leader appended to its log since, and its probes are that
            if (cmds.isEmpty() || !armed.equals(state.get().watchdog(self))) cmds.add(new Command.SetWatchdog(self, armed));
            return submit.apply(cmds);
        }).whenComplete((r, err) -> {
            synchronized (this) {
                probing = false;
                if (err == null) {
                    ready = true;
                    LOG.info("{}: probes committed; ready for actions", self);
                } else {
                    LOG.warn("{}: probe results not committed ({}); will probe again", self, err.toString());
                }
            }
        });
    }

    private CompletableFuture<?> commit(LocalOperations.Outcome o) {
        return submit.apply(List.of(toCommand(o)));
    }

    private Command toCommand(LocalOperations.Outcome o) {
        return new Command.RecordOperation(o.resource(), self, o.action(), o.interval(), o.code(), o.took(), o.message(), o.peer(), o.promotionScore());
    }

    private void watchQuorum() {
        try {
            Duration nodeTimeout = state.get().config().properties().nodeTimeout();
            synchronized (this) {
                if (!hadLeader || Duration.between(lastLeaderContact, monotonic.instant()).compareTo(nodeTimeout) <= 0) return;
                loseQuorum(nodeTimeout);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("{}: quorum watch failed", self, e);
        }
    }

    /**
     * No leader for node-timeout: apply the no-quorum-policy through the executor. Under the lock. In two-node mode the
     * host keeps what runs here and starts nothing (freeze), as corosync's two_node keeps quorum: the peer takes over
     * nothing before it has powered this host off, so stopping would only add an outage of this host's resources to
     * the loss of the other's.
     */
    private void loseQuorum(Duration nodeTimeout) {
        hadLeader = false;
        ready = false;
        if (watchdog != null) watchdog.lostCluster("no quorate leader heard for " + nodeTimeout.toMillis() + " ms");
        ClusterProperties properties = state.get().config().properties();
        NoQuorumPolicy policy = properties.twoNode() ? NoQuorumPolicy.FREEZE : properties.noQuorumPolicy();
        LOG.warn("{}: no leader for {} ms: lost quorum; {}", self, nodeTimeout.toMillis(), properties.twoNode()
                ? "two-node mode: keeps what runs here (freeze) until the peer is fenced or fences this host"
                : "no-quorum-policy " + policy.text());
        ops.quorumLost(policy).whenComplete((r, e) -> {
            if (r != null && !r.isEmpty()) LOG.warn("{}: {} local operations after losing quorum: {}", self, r.size(), r);
        });
    }

    @Override
    public void close() { watching.cancel(false); }
}
