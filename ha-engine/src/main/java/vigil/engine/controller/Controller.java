package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import vigil.api.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.spi.NodeFencer;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;
import vigil.engine.scheduler.ActionKind;
import vigil.engine.scheduler.PlannedAction;
import vigil.engine.scheduler.Transition;
import vigil.engine.state.Command;

/**
 * The cluster's controller (Pacemaker's DC), active only on the Raft leader.
 *
 * <p>It heartbeats every node, declares a node UNCLEAN after {@code node-timeout} without a reply, plans with the pure
 * scheduler whenever the state changes, runs fencing before any recovery that depends on it, and sends runnable
 * actions (those whose predecessors are done) to the nodes' agents, stamped with its term. Results are committed by
 * the nodes; every committed change triggers a new plan, so a failure simply re-plans.
 *
 * <p>Safety: it only acts while a majority of voting nodes answered its heartbeats within {@code node-timeout}
 * (its lease), so a leader that was paused and woke up deposed does nothing; a reply carrying a newer term makes it
 * step down at once. All mutable state is confined to the single {@code timer} thread.
 *
 * <p>Time: leases, node-timeout, retries and watchdog waits are measured on the monotonic {@link Ticker}, never on the
 * wall clock, which NTP or an operator may step. Its readings are kept as {@link Instant}s on a monotonic time line
 * ({@link #monotonic}) so that durations between them read naturally; they are never dates. The cluster time it
 * stamps on log entries ({@link #clusterTime}) comes from the nodes' wall clocks ({@link ClusterClock}).
 */
public final class Controller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("vigil.controller");
    private static final Duration DEFAULT_OP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration REPLAN_EVERY = Duration.ofSeconds(1);
    /** The reason the controller gives when it declares a node lost. */
    static final String SILENCE = "no reply for ";
    /** The reason the controller gives when a node that announced its stop has left. */
    public static final String SHUT_DOWN = "shut down";

    private final String self;
    private final Function<ClusterState, Transition> planner;
    private final Supplier<ClusterState> state;
    private final Function<List<Command>, CompletableFuture<?>> submit;
    private final NodeTransport transport;
    private final NodeFencer fencer;
    private final InstantSource clock;
    private final InstantSource monotonic;
    private final ClusterClock clusterClock;
    private final WatchdogFencing watchdogs;
    private final ScheduledExecutorService timer;
    private final ExecutorService fenceWorkers;
    private final Function<String, Duration> defaultTimeouts;
    private final FenceDeviceMonitor deviceMonitor;
    /** When this node started: a controller elected soon after is part of a cold start (see {@link #lostAfter}). */
    private final Instant startedAt;

    private volatile boolean leader;
    private long term;
    private Instant leaderSince = Instant.EPOCH;
    private Instant nextAnnouncement = Instant.EPOCH;
    private volatile Function<String, java.util.Optional<Instant>> lastHeard = n -> java.util.Optional.empty();
    private volatile java.util.function.Consumer<List<String>> stepDown = peers -> { };
    /** The nodes whose answers make this controller's majority lease, when not every configured node votes. */
    private volatile java.util.function.Function<ClusterState, List<String>> leaseVoters = s -> s.config().nodes().stream().map(Node::id).toList();
    /** The lease voters as of the last tick, for {@link #clusterTime} (asked from Raft's thread, not the controller's). */
    private volatile List<String> clockVoters;
    private ScheduledFuture<?> ticking;
    /** Per node, when the newest heartbeat it answered was SENT: the controller's own lease counts from there. */
    private final Map<String, Instant> lastAck = new HashMap<>();
    /** Per node, when its newest answer ARRIVED: its silence counts from there (its agent heard that heartbeat before). */
    private final Map<String, Instant> lastReply = new HashMap<>();
    /** Per node, the newest heartbeat sequence number whose answer arrived: the agent's lease runs only from those. */
    private final Map<String, Long> confirmed = new HashMap<>();
    private long heartbeatSeq;
    private final Map<String, Instant> lastHeartbeatSent = new HashMap<>();
    private final Map<String, Boolean> ready = new HashMap<>();
    private final Set<String> leaving = new HashSet<>();
    private final Map<String, InFlight> inFlight = new HashMap<>();
    /** Per node, what its last heartbeat reply said runs there: resource -> action (a probe, or what a previous leader sent). */
    private final Map<String, Map<String, String>> busyOnNodes = new HashMap<>();
    private final Map<String, FenceAttempt> fencing = new HashMap<>();
    private final Map<String, Instant> fencedAt = new HashMap<>();
    private final Map<String, Instant> priorAck = new HashMap<>();
    private final Map<String, Instant> heardAsLeader = new HashMap<>();
    /** Nodes of the configuration this controller heartbeats, and since when (nodes added after it started: when they were). */
    private final Map<String, Instant> watched = new HashMap<>();
    private final Set<String> membershipPending = new HashSet<>();
    private final Map<String, String> reportedHealth = new HashMap<>();
    private final Set<String> healthPending = new HashSet<>();
    private final Map<String, String> holds = new HashMap<>();
    private final Map<String, String> loggedHolds = new HashMap<>();
    /** Nodes the last plan fences: one that answers and advertised an armed watchdog is asked to fence itself. */
    private Set<String> fenceTargets = Set.of();
    private boolean replan = true;
    private String planFailure;
    private boolean blockedPending;
    private Instant lastPlan = Instant.EPOCH;
    private Instant lastChange = Instant.EPOCH;
    /** The newest cluster time this node applied, and when (monotonic): carried forward while no majority is heard. */
    private record Applied(Instant clusterTime, Instant at) {}
    private volatile Applied applied = new Applied(Instant.EPOCH, Instant.EPOCH);
    private boolean leaseLogged;
    private volatile Transition lastTransition = Transition.EMPTY;
    private volatile List<String> pending = List.of();

    private record InFlight(String node, String action, Instant deadline) {}

    /** A fence confirmed outside this controller, at {@code confirmedAt} on its monotonic line, not committed yet. */
    private record ConfirmedFence(FenceEvent event, Instant confirmedAt) {}

    /** Kept across terms until committed (or outdated by an answer of its target): see {@link #fenceConfirmedOutside}. */
    private final List<ConfirmedFence> confirmedOutside = new ArrayList<>();

    private static final Set<ActionKind> ACTIVATING = EnumSet.of(ActionKind.START, ActionKind.PROMOTE, ActionKind.MIGRATE_FROM);

    private static final class FenceAttempt {
        boolean running;
        int failures;
        Instant nextTry = Instant.EPOCH;
    }

    /**
     * @param planner         the scheduler ({@code Scheduler::plan})
     * @param state           the locally applied replicated state
     * @param submit          commits commands through Raft
     * @param defaultTimeouts default operation timeout by resource type and action ({@code type + "/" + action}), from driver metadata
     * @param clock           this node's wall clock (only for what it reports; never to measure time)
     * @param ticker          this node's monotonic clock: leases, timeouts and waits
     * @param timer           a single-threaded scheduler owned by the controller
     * @param fenceWorkers    runs fence operations (they block for seconds)
     */
    public Controller(String self, Function<ClusterState, Transition> planner, Supplier<ClusterState> state,
                      Function<List<Command>, CompletableFuture<?>> submit, NodeTransport transport, NodeFencer fencer,
                      InstantSource clock, Ticker ticker, ScheduledExecutorService timer, ExecutorService fenceWorkers,
                      Function<String, Duration> defaultTimeouts) {
        this.self = self;
        this.planner = planner;
        this.state = state;
        this.submit = submit;
        this.transport = transport;
        this.fencer = fencer;
        this.clock = clock;
        this.monotonic = monotonic(ticker);
        this.clusterClock = new ClusterClock(monotonic);
        this.watchdogs = new WatchdogFencing(monotonic);
        this.timer = timer;
        this.fenceWorkers = fenceWorkers;
        this.defaultTimeouts = defaultTimeouts;
        this.deviceMonitor = new FenceDeviceMonitor(self, fencer, transport, submit, fenceWorkers, timer::execute);
        this.startedAt = monotonic.instant();
    }

    /** Called when this node becomes Raft leader of {@code term}, or stops being leader. */
    public void onLeadership(boolean isLeader, long newTerm) {
        timer.execute(() -> {
            if (isLeader && (!leader || newTerm != term)) start(newTerm);
            else if (!isLeader && leader) stop("lost Raft leadership");
        });
    }

    /** Called after every committed state change. */
    public void onStateChanged() {
        timer.execute(() -> {
            replan = true;
            lastChange = monotonic.instant();
            Instant t = state.get().now();
            if (t.isAfter(applied.clusterTime())) applied = new Applied(t, lastChange);
        });
    }

    /**
     * The cluster time this controller stamps on log entries while it is active: the lower median of the wall clocks
     * of the voting nodes that answered within node-timeout (see {@link ClusterClock}), the nodes whose answers make its
     * lease (a two-node host running alone is the only voter: its own clock). Until it has heard a majority
     * (it was just elected), the newest cluster time this node applied, carried forward on its monotonic clock: never
     * ahead, since that entry was stamped before it was applied. Empty while it is not active, and in a cluster that
     * has no time yet. Thread-safe.
     */
    public Optional<Instant> clusterTime() {
        if (!leader) return Optional.empty();
        ClusterState s = state.get();
        List<String> v = clockVoters;
        Optional<Instant> median = clusterClock.now(v != null ? v : s.config().nodes().stream().map(Node::id).toList(),
                s.config().properties().nodeTimeout());
        if (median.isPresent()) return median;
        Applied a = applied;
        if (a.clusterTime().equals(Instant.EPOCH)) return Optional.empty();
        return Optional.of(a.clusterTime().plus(Duration.between(a.at(), monotonic.instant())));
    }

    /**
     * A fence of {@code event.target()} that this node ran and saw confirmed outside the controller, at {@code confirmedAt}
     * on this controller's ticker: a two-node host fences its silent peer itself and only then goes on alone, as the only
     * voter, so nothing could commit that fence when it ran (the pair has no majority without the peer). Once this
     * controller leads it commits the event as its own fence result: the node then counts as fenced, clean until it
     * rejoins (as Pacemaker counts any fence), and is not fenced again before its resources start elsewhere. Unless
     * this controller heard that node at or after {@code confirmedAt}: a confirmation older than the node's last contact
     * says nothing about what it runs now, and the node is declared lost and fenced as usual.
     */
    public void fenceConfirmedOutside(FenceEvent event, long confirmedAt) {
        if (!event.success()) throw new IllegalArgumentException("not a confirmed fence: " + event);
        Instant at = Instant.ofEpochSecond(0, confirmedAt);
        timer.execute(() -> confirmedOutside.add(new ConfirmedFence(event, at)));
    }

    /** {@code ticker}'s readings as instants on a monotonic time line (not dates: only their differences mean anything). */
    static InstantSource monotonic(Ticker ticker) { return () -> Instant.ofEpochSecond(0, ticker.read()); }

    /** The transition last planned (for status and metrics). */
    public Transition lastTransition() { return lastTransition; }

    /** Actions in flight, as {@code resource action on node}. */
    public List<String> pendingActions() { return pending; }

    public boolean isActive() { return leader; }

    private void start(long newTerm) {
        term = newTerm;
        Instant now = monotonic.instant();
        // replies to this node's heartbeats of an earlier term still tell since when a node has been silent (a leader
        // re-elected after a step-down need not wait a whole node-timeout again), but they earn no lease
        Duration nodeTimeout = state.get().config().properties().nodeTimeout();
        priorAck.clear();
        lastReply.forEach((n, t) -> { if (Duration.between(t, now).compareTo(nodeTimeout) < 0) priorAck.put(n, t); });
        lastAck.clear();
        lastReply.clear();
        confirmed.clear();
        // what this node's agent last heard from its previous leader, taken now: once this controller's own heartbeats
        // reach the agent, the agent's last leader is this node
        heardAsLeader.clear();
        watched.clear();
        for (Node n : state.get().config().nodes()) watched.put(n.id(), now);
        for (Node n : state.get().config().nodes()) lastHeard.apply(n.id()).filter(h -> h.isBefore(now)).ifPresent(h -> heardAsLeader.put(n.id(), h));
        ready.clear();
        leaving.clear();
        inFlight.clear();
        busyOnNodes.clear();
        fencing.clear();
        fencedAt.clear();
        membershipPending.clear();
        reportedHealth.clear();
        healthPending.clear();
        loggedHolds.clear();
        deviceMonitor.reset();
        clusterClock.clear();
        watchdogs.clear();
        lastChange = now;
        // Nobody is declared lost before a full node-timeout of this leader's own heartbeats went unanswered,
        // but the lease (acting at all) must be earned by fresh replies.
        leaderSince = now;
        replan = true;
        leader = true;
        LOG.info("{}: controller active for term {}", self, term);
        announce(now);
        if (ticking != null) ticking.cancel(false);
        ticking = timer.scheduleWithFixedDelay(this::tickSafely, 0, 20, TimeUnit.MILLISECONDS);
    }

    private void announce(Instant now) {
        nextAnnouncement = now.plus(REPLAN_EVERY);
        submit.apply(List.of(new Command.LeaderElected(self, term)));
    }

    private void stop(String why) {
        if (!leader) return;
        leader = false;
        if (ticking != null) ticking.cancel(false);
        ticking = null;
        inFlight.clear();
        pending = List.of();
        LOG.info("{}: controller stopped: {}", self, why);
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException | Error e) {
            // an escaping throwable would silently cancel the periodic task and leave the cluster without a controller
            LOG.error("{}: controller tick failed", self, e);
        }
    }

    private void tick() {
        if (!leader) return;
        ClusterState s = state.get();
        Instant now = monotonic.instant();
        Duration nodeTimeout = s.config().properties().nodeTimeout();
        watch(s, now);
        Instant majorityLeaseEnd = leaseEnd(s, now, nodeTimeout);
        boolean lease = majorityLeaseEnd != null && !majorityLeaseEnd.isBefore(now);
        // Raft's election is itself a majority's answer: for a moment after it the nodes may trust this leader, so that
        // a leader change does not make the survivors apply the no-quorum-policy while the first replies come in.
        // Acting still waits for this term's own replies.
        boolean justElected = Duration.between(leaderSince, now).compareTo(nodeTimeout.dividedBy(2)) < 0;
        Instant leaseEnd = lease ? majorityLeaseEnd : justElected ? leaderSince.plus(nodeTimeout.dividedBy(2)) : now;
        Duration leaseLeft = leaseEnd.isAfter(now) ? Duration.between(now, leaseEnd) : Duration.ZERO;
        heartbeat(s, now, nodeTimeout, lease || justElected, leaseLeft);
        if (!lease) {
            fenceTargets = Set.of();
            if (!leaseLogged) LOG.warn("{}: no majority answered within {} ms; not acting", self, nodeTimeout.toMillis());
            leaseLogged = true;
            return;
        }
        leaseLogged = false;
        if (s.term() != term || !s.leader().equals(self)) {
            // every replica refuses a controller's commands until its LeaderElected is applied (CommandAuthority)
            if (now.isAfter(nextAnnouncement)) announce(now);
            return;
        }
        recheck(s, now);
        expireInFlight(now);
        commitFencesConfirmedOutside(s);
        updateMembership(s, now, nodeTimeout);
        updateHealth(s);
        Set<String> alive = new HashSet<>();
        for (Node n : s.config().nodes()) if (isAlive(n.id(), now, nodeTimeout)) alive.add(n.id());
        deviceMonitor.tick(s, now, alive, term);
        if (replan || Duration.between(lastPlan, now).compareTo(REPLAN_EVERY) >= 0) {
            replan = false;
            lastPlan = now;
            Transition t;
            try {
                t = planner.apply(s);
                planFailure = null;
            } catch (RuntimeException e) {
                // the scheduler plans every resource it can and reports the rest as blocked; if it throws all the same,
                // nothing can be planned: say so once, keep heartbeating, and try again at the next change
                if (!String.valueOf(e).equals(planFailure)) LOG.error("{}: planning failed; nothing is planned until it succeeds", self, e);
                planFailure = String.valueOf(e);
                t = null;
            }
            if (t == null) return;
            lastTransition = t;
            dispatch(s, t, now, nodeTimeout);
            probePending(s, now, nodeTimeout);
        }
        List<String> p = new ArrayList<>();
        inFlight.forEach((r, f) -> p.add(r + " " + f.action() + " on " + f.node()));
        fencing.forEach((n, f) -> { if (f.running) p.add("fence " + n); });
        p.sort(null);
        pending = List.copyOf(p);
    }

    /**
     * Keeps track of which nodes the configuration holds. A node that leaves the configuration is forgotten (what it said
     * is stale once it is back), and one that (re)appears is silent only from then on: it was not heartbeated meanwhile,
     * so its agent could not answer (a configuration applied without its nodes, then with them, fenced a healthy node).
     */
    private void watch(ClusterState s, Instant now) {
        Set<String> configured = new HashSet<>();
        for (Node n : s.config().nodes()) {
            configured.add(n.id());
            watched.putIfAbsent(n.id(), now);
        }
        for (String gone : new ArrayList<>(watched.keySet())) {
            if (configured.contains(gone)) continue;
            watched.remove(gone);
            lastAck.remove(gone);
            lastReply.remove(gone);
            confirmed.remove(gone);
            priorAck.remove(gone);
            heardAsLeader.remove(gone);
            lastHeartbeatSent.remove(gone);
            ready.remove(gone);
            leaving.remove(gone);
            busyOnNodes.remove(gone);
        }
    }

    /**
     * Cluster time moves only with log entries: when nothing was committed for cluster-recheck-interval, commit a tick,
     * so that lifetimes and failure-timeouts expire in an idle cluster too (Pacemaker's cluster-recheck-interval).
     */
    private void recheck(ClusterState s, Instant now) {
        Duration every = s.config().properties().clusterRecheckInterval();
        if (every.isZero() || Duration.between(lastChange, now).compareTo(every) < 0) return;
        lastChange = now; // once per interval, also while the tick is on its way
        submit.apply(List.of(new Command.Tick()));
    }

    /**
     * @param leaseLeft how long this controller's own lease still runs: an agent's lease never outlasts the controller's
     *                  (a deposed leader's own node must not run its resources on after a new controller counted them lost)
     */
    private void heartbeat(ClusterState s, Instant now, Duration nodeTimeout, boolean lease, Duration leaseLeft) {
        Duration every = nodeTimeout.dividedBy(10);
        long myTerm = term;
        for (Node n : s.config().nodes()) {
            Instant sent = lastHeartbeatSent.get(n.id());
            if (sent != null && Duration.between(sent, now).compareTo(every) < 0) continue;
            lastHeartbeatSent.put(n.id(), now);
            // a node to be fenced that still answers resets itself through its watchdog (the plan fences only with the lease)
            boolean fenceYourself = fenceTargets.contains(n.id()) && !n.id().equals(self)
                    && watchdogs.lastReport(n.id()).filter(r -> r.isArmed() && !r.resetting()).isPresent();
            NodeState ns = s.node(n.id());
            boolean stop = ns.shutdown() && ns.isOnline() && !leaving.contains(n.id());
            long seq = ++heartbeatSeq;
            NodeTransport.HeartbeatRequest req = new NodeTransport.HeartbeatRequest(self, term, nodeTimeout, lease, fenceYourself, stop,
                    seq, confirmed.getOrDefault(n.id(), 0L), leaseLeft);
            transport.heartbeat(n.id(), req).whenComplete((reply, err) -> {
                if (err == null) timer.execute(() -> onHeartbeatReply(reply, now, myTerm, seq));
            });
        }
    }

    private void onHeartbeatReply(NodeTransport.HeartbeatReply reply, Instant sentAt, long sentInTerm, long seq) {
        if (!leader || sentInTerm != term) return;
        if (reply.newestTerm() > term) {
            stop(reply.node() + " has seen term " + reply.newestTerm() + " > " + term);
            return;
        }
        // a reply to a heartbeat sent before the node was fenced comes from the incarnation the fence ended
        Instant fenced = fencedAt.get(reply.node());
        if (fenced != null && !sentAt.isAfter(fenced)) return;
        // and one sent before the node left the configuration and came back says nothing about it since
        Instant since = watched.get(reply.node());
        if (since == null || sentAt.isBefore(since)) return;
        Instant prev = lastAck.get(reply.node());
        if (prev == null || sentAt.isAfter(prev)) lastAck.put(reply.node(), sentAt);
        lastReply.put(reply.node(), monotonic.instant());
        confirmed.merge(reply.node(), seq, Math::max);
        if (reply.wallClock() != null) clusterClock.reading(reply.node(), reply.wallClock());
        watchdogs.reply(reply.node(), reply.watchdog());
        reportedHealth.put(reply.node(), reply.degraded());
        if (reply.leaving()) leaving.add(reply.node()); else leaving.remove(reply.node());
        // a node that just finished probing, or an operation that just ended there, may unblock held actions now
        // rather than at the next periodic re-plan
        Boolean wasReady = ready.put(reply.node(), reply.ready());
        if (reply.ready() && !Boolean.TRUE.equals(wasReady)) replan = true;
        // what runs there now (a probe, or an action a previous leader started): nothing else is issued for those
        // resources until a later reply no longer lists them
        Map<String, String> busy = new HashMap<>();
        for (String key : reply.inFlight()) {
            int slash = key.lastIndexOf('/');
            busy.put(slash < 0 ? key : key.substring(0, slash), slash < 0 ? "" : key.substring(slash + 1));
        }
        Map<String, String> before = busyOnNodes.put(reply.node(), busy);
        if (before != null && !busy.keySet().containsAll(before.keySet())) replan = true;
    }

    /**
     * When this controller's lease ends unless more answers come: node-timeout after the answer of the majority's
     * oldest member (the lease holds until then); null while fewer than a majority ever answered.
     */
    private Instant leaseEnd(ClusterState s, Instant now, Duration nodeTimeout) {
        List<String> voters = leaseVoters.apply(s);
        clockVoters = voters;
        if (voters.isEmpty()) return now.plus(nodeTimeout);
        List<Instant> acks = new ArrayList<>();
        for (String n : voters) {
            Instant a = lastAck.get(n);
            if (a != null) acks.add(a);
        }
        int majority = voters.size() / 2 + 1;
        if (acks.size() < majority) return null;
        acks.sort(java.util.Comparator.reverseOrder());
        return acks.get(majority - 1).plus(nodeTimeout);
    }

    private boolean isAlive(String node, Instant now, Duration nodeTimeout) {
        Instant a = lastAck.get(node);
        return a != null && Duration.between(a, now).compareTo(nodeTimeout) <= 0;
    }

    private void updateMembership(ClusterState s, Instant now, Duration nodeTimeout) {
        boolean stonith = s.config().properties().stonithEnabled();
        List<String> voters = leaseVoters.apply(s);
        for (Node n : s.config().nodes()) {
            if (membershipPending.contains(n.id())) continue;
            NodeState ns = s.node(n.id());
            boolean alive = isAlive(n.id(), now, nodeTimeout);
            Command change = null;
            if (n.id().equals(self) && ns.membership() == Membership.UNCLEAN && ns.reason().startsWith(SILENCE)
                    && Boolean.TRUE.equals(ready.get(self))) {
                // declared lost by an earlier leader while this node was paused or cut off, and never fenced (else it
                // would not run): nothing of it was recovered elsewhere, it re-probed, and it is the controller now
                change = new Command.SetMembership(self, Membership.ONLINE, "rejoined as controller (never fenced)");
            } else if (ns.shutdown() && ns.membership() == Membership.ONLINE && leaving.contains(n.id()) && drained(s, n.id())) {
                // a clean stop: it announced it, nothing runs there any more, and it is leaving; it is never fenced for it
                change = new Command.SetMembership(n.id(), Membership.OFFLINE, SHUT_DOWN);
                LOG.info("{}: shut down cleanly (nothing runs there)", n.id());
            } else if (alive && Boolean.TRUE.equals(ready.get(n.id())) && ns.membership() != Membership.ONLINE && !leaving.contains(n.id())
                    // a two-node peer that comes back to a host running alone joins once it votes again (caught up)
                    && voters.contains(n.id())) {
                if (ns.membership() == Membership.UNCLEAN && stonith && n.role() == NodeRole.MEMBER) continue; // fence first
                change = new Command.SetMembership(n.id(), Membership.ONLINE, "joined");
            } else if (ns.membership() == Membership.ONLINE && !n.id().equals(self)
                    && now.isAfter(lostAfter(n.id(), nodeTimeout, startupGrace(s.config()), voters.contains(n.id())))
                    // Not before this term ran node-timeout and a heartbeat interval: until then an agent may still hold
                    // a lease the previous controller gave it (that controller's lease ends node-timeout after the last
                    // answer it got, and no voter answers it once it voted for this term).
                    && Duration.between(leaderSince, now).compareTo(nodeTimeout.plus(nodeTimeout.dividedBy(10))) > 0) {
                // (the controller's own node is alive while it runs: a late reply to its own heartbeat is load, not loss)
                long silentMs = Duration.between(silentSince(n.id()), now).toMillis();
                Membership m = n.role() == NodeRole.WITNESS ? Membership.OFFLINE : Membership.UNCLEAN;
                change = new Command.SetMembership(n.id(), m, SILENCE + silentMs + " ms");
                // what it last said it was running, and what was sent to it, will never be answered: without this the
                // resources would wait for a dead node (until the fence, or for ever when stonith is off)
                String lost = n.id();
                busyOnNodes.remove(lost);
                inFlight.values().removeIf(f -> f.node().equals(lost));
                LOG.warn("{}: declared {}: no reply for {} ms (node-timeout {} ms)", n.id(), m, silentMs, nodeTimeout.toMillis());
            }
            if (change != null) {
                String id = n.id();
                membershipPending.add(id);
                submit.apply(List.of(change)).whenComplete((r, e) -> timer.execute(() -> {
                    membershipPending.remove(id);
                    replan = true;
                }));
            }
        }
    }

    /**
     * Records in the replicated state what each node last said about its Raft replica, so that every node's status
     * shows a member that no longer applies entries, and why.
     */
    private void updateHealth(ClusterState s) {
        reportedHealth.forEach((node, problem) -> {
            if (healthPending.contains(node) || s.config().node(node).isEmpty() || s.node(node).degraded().equals(problem)) return;
            if (problem.isEmpty()) LOG.info("{}: Raft replica healthy again", node);
            else LOG.warn("{}: degraded: {}", node, problem);
            healthPending.add(node);
            submit.apply(List.of(new Command.SetNodeHealth(node, problem))).whenComplete((r, e) -> timer.execute(() -> healthPending.remove(node)));
        });
    }

    /** Nothing is active, pending, blocked, in flight or running on {@code node}. */
    private boolean drained(ClusterState s, String node) {
        for (Map<String, ResourceState> perNode : s.resources().values()) {
            ResourceState r = perNode.get(node);
            if (r != null && (r.isActive() || r.pending() || r.blocked())) return false;
        }
        for (InFlight f : inFlight.values()) if (f.node().equals(node)) return false;
        Map<String, String> busy = busyOnNodes.get(node);
        return busy == null || busy.isEmpty();
    }

    /**
     * Since when {@code node} has not been heard from: when its last answer arrived (in this term, else in this node's
     * previous term as leader if that was within node-timeout), else (just elected) when this node last heard from it
     * as its leader, else the start of this term: nobody is declared lost on less evidence.
     */
    private Instant silentSince(String node) {
        Instant a = lastReply.get(node);
        if (a != null) return a;
        Instant prior = priorAck.get(node);
        if (prior != null) return prior;
        Instant heard = heardAsLeader.get(node);
        if (heard != null) return heard;
        Instant since = watched.get(node);
        return since != null && since.isAfter(leaderSince) ? since : leaderSince;
    }

    /**
     * When {@code node} counts as lost if it stays silent: node-timeout after it was last heard; a node this controller
     * has no word of at all gets one node-timeout more, and, when this node itself started less than {@code startup-grace}
     * ago (all nodes starting together, some slower: a cold start of the cluster), until startup-grace after this node
     * started, as Pacemaker's dc-deadtime gives nodes time to come up before a new DC fences them. A member that is not
     * a voter of this controller's lease (a two-node peer this host confirmed off before it went on alone) is not coming
     * up with it: it gets neither.
     */
    private Instant lostAfter(String node, Duration nodeTimeout, Duration startupGrace, boolean voter) {
        boolean noWord = voter && !lastReply.containsKey(node) && !priorAck.containsKey(node) && !heardAsLeader.containsKey(node);
        Instant after = silentSince(node).plus(noWord ? nodeTimeout.multipliedBy(2) : nodeTimeout);
        Instant coldStart = startedAt.plus(startupGrace);
        return noWord && coldStart.isAfter(after) ? coldStart : after;
    }

    /** The cluster property (in {@code properties.other}) for the cold-start grace; default {@link #STARTUP_GRACE}. */
    static final String STARTUP_GRACE_PROPERTY = "startup-grace";
    /** Pacemaker's dc-deadtime default. */
    static final Duration STARTUP_GRACE = Duration.ofSeconds(20);

    static Duration startupGrace(ClusterConfig config) {
        String v = config.properties().other().get(STARTUP_GRACE_PROPERTY);
        if (v == null) return STARTUP_GRACE;
        try {
            return vigil.api.model.Durations.parse(STARTUP_GRACE_PROPERTY, v);
        } catch (RuntimeException e) {
            return STARTUP_GRACE; // ConfigValidator refuses such a value
        }
    }

    /** How this controller hands leadership to one of the given live peers when its own node must be fenced. */
    public void stepDownWith(java.util.function.Consumer<List<String>> r) { this.stepDown = r; }

    /**
     * Which nodes' answers make this controller's majority lease (default: every configured node, which all vote). A
     * two-node cluster's host that runs alone after fencing its peer is the only voter: its own answer is the majority.
     */
    public void leaseVoters(java.util.function.Function<ClusterState, List<String>> voters) { this.leaseVoters = voters; }

    /** Where this node's agent last heard from other nodes (see {@link NodeAgent#lastHeardFrom}). */
    public void livenessHints(Function<String, java.util.Optional<Instant>> hints) {
        this.lastHeard = hints;
    }

    private void expireInFlight(Instant now) {
        inFlight.entrySet().removeIf(e -> {
            if (now.isAfter(e.getValue().deadline())) {
                LOG.warn("{}: {} on {} did not report back in time; re-planning", e.getKey(), e.getValue().action(), e.getValue().node());
                replan = true;
                return true;
            }
            return false;
        });
    }

    private void dispatch(ClusterState s, Transition t, Instant now, Duration nodeTimeout) {
        // a node the plan no longer fences (it rejoined, or was fenced meanwhile) must not stay barred from actions
        Set<String> toFence = new HashSet<>();
        for (PlannedAction a : t.actions()) if (a.kind() == ActionKind.FENCE) toFence.add(a.node());
        fenceTargets = Set.copyOf(toFence);
        fencing.entrySet().removeIf(e -> !e.getValue().running && !toFence.contains(e.getKey()));
        Map<String, String> blocked = new java.util.TreeMap<>();
        for (PlannedAction a : t.actions()) {
            if (!a.after().isEmpty()) continue;
            if (a.kind() == ActionKind.FENCE) {
                fence(s, a, now);
                continue;
            }
            if (a.kind() == ActionKind.MONITOR) continue; // executors run recurring monitors after start / promote themselves
            String wait = heldBecause(s, a, now, nodeTimeout);
            if (wait != null) {
                holds.put(a.resource(), a.kind().text() + " on " + a.node() + " waits: " + wait);
                continue;
            }
            try {
                send(s, a, now);
            } catch (RuntimeException e) {
                // one resource that cannot be sent (its driver fails on this node) must not hold back the others
                InFlight f = inFlight.get(a.resource());
                if (f != null && f.node().equals(a.node())) inFlight.remove(a.resource());
                holds.put(a.resource(), a.kind().text() + " on " + a.node() + " cannot be sent: " + e.getMessage());
                blocked.put(a.resource(), a.kind().text() + " on " + a.node() + " cannot be sent: " + e.getMessage());
            }
        }
        publishBlocked(s, blocked);
        // a hold is logged when it begins (or its reason changes), so a resource that stays stopped says why
        holds.forEach((r, why) -> {
            if (!why.equals(loggedHolds.get(r))) LOG.info("{}: {}", r, why);
        });
        loggedHolds.clear();
        loggedHolds.putAll(holds);
        holds.clear();
    }

    /**
     * Commits which resources cannot be planned or run, and why, when that changed, so that status on every node and the
     * event stream show it (a blocked resource holds back nothing else).
     */
    private void publishBlocked(ClusterState s, Map<String, String> blocked) {
        if (blockedPending) return;
        List<Command> changes = new ArrayList<>();
        blocked.forEach((r, why) -> { if (!why.equals(s.blocked().get(r))) changes.add(new Command.SetBlocked(r, why)); });
        for (String r : s.blocked().keySet()) if (!blocked.containsKey(r)) changes.add(new Command.SetBlocked(r, ""));
        if (changes.isEmpty()) return;
        blocked.forEach((r, why) -> { if (!why.equals(s.blocked().get(r))) LOG.warn("{}: blocked: {}", r, why); });
        blockedPending = true;
        submit.apply(changes).whenComplete((r, e) -> timer.execute(() -> blockedPending = false));
    }

    /** Why {@code a} cannot be sent now, or null when it can. */
    private String heldBecause(ClusterState s, PlannedAction a, Instant now, Duration nodeTimeout) {
        InFlight f = inFlight.get(a.resource());
        if (f != null) return f.action() + " in flight on " + f.node();
        String migration = migrationNeeding(s.config(), a.resource());
        if (migration != null) return migration;
        for (ResourceState r : s.resources().getOrDefault(a.resource(), Map.of()).values()) {
            // its result may have been lost on the way: that node is probed first (a lost node is fenced first)
            // (a probe asked for by a cleanup comes first on its own node too: until it answers, the state there is unknown)
            boolean probe = r.pending() && r.operations().get(r.operations().size() - 1).action().equals("monitor");
            if (r.pending() && (probe || !r.node().equals(a.node())) && s.node(r.node()).membership() == Membership.ONLINE) {
                return "its " + r.operations().get(r.operations().size() - 1).action() + " on " + r.node() + " is not settled yet";
            }
        }
        for (Map.Entry<String, Map<String, String>> b : busyOnNodes.entrySet()) {
            if (b.getValue().containsKey(a.resource()) && isAlive(b.getKey(), now, nodeTimeout)) return "an operation still runs on " + b.getKey();
        }
        if (!isAlive(a.node(), now, nodeTimeout)) return a.node() + " has not answered within node-timeout";
        if (!Boolean.TRUE.equals(ready.get(a.node()))) return a.node() + " has not finished probing";
        if (fencing.containsKey(a.node())) return a.node() + " is being fenced";
        return null;
    }

    /**
     * The live migration in flight that needs {@code resource} where it goes ({@link MigrationNeeds}), or null: one this
     * controller sent, or one a node says runs there (a previous leader sent it).
     */
    private String migrationNeeding(ClusterConfig config, String resource) {
        for (Map.Entry<String, InFlight> e : inFlight.entrySet()) {
            InFlight m = e.getValue();
            if (MigrationNeeds.isMigration(m.action()) && MigrationNeeds.needs(config, e.getKey(), resource)) {
                return "the live migration of " + e.getKey() + " on " + m.node() + " is in flight (" + m.action() + ")";
            }
        }
        for (Map.Entry<String, Map<String, String>> b : busyOnNodes.entrySet()) {
            for (Map.Entry<String, String> op : b.getValue().entrySet()) {
                if (MigrationNeeds.isMigration(op.getValue()) && MigrationNeeds.needs(config, op.getKey(), resource)) {
                    return "the live migration of " + op.getKey() + " on " + b.getKey() + " is in flight (" + op.getValue() + ")";
                }
            }
        }
        return null;
    }

    private void send(ClusterState s, PlannedAction a, Instant now) {
        Duration timeout = timeoutOf(s.config(), a);
        NodeTransport.ActionRequest req = new NodeTransport.ActionRequest(term, self, a.resource(), a.kind().text(), a.interval(), a.peer(), timeout,
                s.configVersion());
        inFlight.put(a.resource(), new InFlight(a.node(), a.kind().text(), now.plus(timeout).plusSeconds(10)));
        if (a.peer().isEmpty()) LOG.info("{}: {} on {} ({})", a.resource(), a.kind().text(), a.node(), a.reason());
        else LOG.info("{}: {} on {} (peer {}) ({})", a.resource(), a.kind().text(), a.node(), a.peer(), a.reason());
        long myTerm = term;
        // An action that can make the resource active is first committed as pending: if its result never comes (the
        // node dies or is cut off, this controller dies), the resource counts as active there until the node reports
        // or is fenced, and is not started anywhere else meanwhile.
        CompletableFuture<?> recorded = ACTIVATING.contains(a.kind())
                ? submit.apply(List.of(new Command.RecordOperation(a.resource(), a.node(), a.kind().text(), a.interval(), OcfCode.PENDING,
                        Duration.ZERO, "", a.peer(), OptionalInt.empty())))
                : CompletableFuture.completedFuture(null);
        recorded.whenComplete((ok, notRecorded) -> timer.execute(() -> {
            if (myTerm != term) return;
            if (notRecorded != null) {
                LOG.warn("{}: {} on {} not sent: its pending record was not committed ({})", a.resource(), a.kind().text(), a.node(),
                        notRecorded.toString());
                finished(a.resource(), a.node());
                return;
            }
            execute(a.node(), req);
        }));
    }

    private void execute(String node, NodeTransport.ActionRequest req) {
        long myTerm = term;
        transport.execute(node, req).whenComplete((reply, err) -> timer.execute(() -> {
            if (myTerm != term) return;
            if (err != null) {
                LOG.warn("{}: {} on {} could not be delivered: {}", req.resource(), req.action(), node, err.toString());
            } else if (!reply.accepted()) {
                LOG.warn("{}: {} on {} refused: {}", req.resource(), req.action(), node, reply.rejection());
            }
            finished(req.resource(), node);
        }));
    }

    private void finished(String resource, String node) {
        InFlight f = inFlight.get(resource);
        if (f != null && f.node().equals(node)) inFlight.remove(resource);
        Map<String, String> busy = busyOnNodes.get(node);
        if (busy != null) busy.remove(resource);
        replan = true;
    }

    /**
     * A pending record with nothing in flight for it (the action was refused or lost, or a previous controller sent
     * it) is settled by probing the resource on its node, once that node answers and has probed.
     */
    private void probePending(ClusterState s, Instant now, Duration nodeTimeout) {
        for (Map<String, ResourceState> perNode : s.resources().values()) {
            for (ResourceState r : perNode.values()) {
                if (!r.pending() || inFlight.containsKey(r.resource())) continue;
                List<OperationRecord> ops = r.operations();
                String node = r.node();
                if (!isAlive(node, now, nodeTimeout) || !Boolean.TRUE.equals(ready.get(node)) || fencing.containsKey(node)) continue;
                Map<String, String> busy = busyOnNodes.get(node);
                if (busy != null && busy.containsKey(r.resource())) continue;
                Duration timeout = DEFAULT_OP_TIMEOUT;
                inFlight.put(r.resource(), new InFlight(node, "probe", now.plus(timeout).plusSeconds(10)));
                LOG.info("{}: probe on {} (its {} is pending with nothing in flight)", r.resource(), node, ops.get(ops.size() - 1).action());
                execute(node, new NodeTransport.ActionRequest(term, self, r.resource(), "monitor", Duration.ZERO, "", timeout, s.configVersion()));
            }
        }
    }

    private Duration timeoutOf(ClusterConfig config, PlannedAction a) {
        Primitive p = config.primitives().filter(x -> x.id().equals(a.resource())).findFirst().orElse(null);
        if (p == null) return DEFAULT_OP_TIMEOUT;
        String action = a.kind().text();
        for (Operation op : p.operations()) if (op.name().equals(action) && !op.isRecurring()) return op.timeout();
        Duration d;
        try {
            d = defaultTimeouts.apply(p.type() + "/" + action);
        } catch (RuntimeException e) {
            // the driver cannot say (e.g. the agent is not installed here): the node that runs it reports what is wrong
            d = null;
        }
        return d == null ? DEFAULT_OP_TIMEOUT : d;
    }

    private void fence(ClusterState s, PlannedAction a, Instant now) {
        String target = a.node();
        if (target.equals(self) && s.node(self).reason().startsWith(SILENCE)) return; // it rejoins instead (updateMembership)
        FenceAttempt attempt = fencing.computeIfAbsent(target, k -> new FenceAttempt());
        Duration nodeTimeout = s.config().properties().nodeTimeout();
        Optional<Instant> selfFenced = target.equals(self) ? Optional.empty()
                : watchdogs.selfFencedAt(target, s.watchdog(target), leaderSince, nodeTimeout);
        boolean watchdogReset = selfFenced.isPresent() && !now.isBefore(selfFenced.get());
        if (attempt.running || now.isBefore(attempt.nextTry) && !watchdogReset) return;
        if (target.equals(self)) {
            // a controller that switched its own node off could not commit the result: hand over, a survivor fences us
            LOG.error("{}: must be fenced ({}); handing leadership to another node so that it fences this one", self, a.reason());
            attempt.nextTry = now.plusSeconds(10);
            List<String> alivePeers = new ArrayList<>();
            for (Node n : s.config().nodes()) if (!n.id().equals(self) && isAlive(n.id(), now, nodeTimeout)) alivePeers.add(n.id());
            // a transfer to a dead or lagging peer would stall every write until it times out
            if (!alivePeers.isEmpty()) fenceWorkers.execute(() -> stepDown.accept(alivePeers));
            return;
        }
        ClusterConfig config = s.config();
        if (watchdogReset) {
            // its own watchdog has reset it by now (safety rule 2; see WatchdogFencing): no device needs to confirm it
            attempt.running = true;
            String said = watchdogs.lastReport(target).map(r -> r.resetting() ? "it stopped feeding its watchdog (reset due within "
                    + r.resetWithin().toMillis() + " ms of its last reply)" : "its last reply advertised a watchdog armed with "
                    + r.timeout().toMillis() + " ms").orElse("it committed a watchdog armed with " + s.watchdog(target).toMillis() + " ms");
            FenceEvent e = new FenceEvent(target, "watchdog", List.of("watchdog"), self, true, clock.instant(),
                    "self-fenced: " + said + ", and it has been silent long enough for that watchdog to reset it");
            commitFence(target, attempt, e);
            return;
        }
        boolean hasDevice = config.fenceDevices().stream().anyMatch(d -> d.canFence(target));
        if (!hasDevice && selfFenced.isPresent()) {
            LOG.warn("{}: waiting {} ms for its watchdog to reset it ({})", target,
                    Duration.between(now, selfFenced.get()).toMillis(), a.reason());
            attempt.nextTry = selfFenced.get();
            return;
        }
        attempt.running = true;
        String action = config.properties().other().getOrDefault("stonith-action", "reboot");
        LOG.warn("{}: fencing ({}): {}", target, action, a.reason());
        CompletableFuture.supplyAsync(() -> fencer.fence(config, target, action, self), fenceWorkers)
                .exceptionally(err -> new FenceEvent(target, action, List.of(), self, false, clock.instant(), "fencing failed: " + err))
                .thenAccept(e -> timer.execute(() -> commitFence(target, attempt, e)));
    }

    private CompletableFuture<?> commitFence(String target, FenceAttempt attempt, FenceEvent e) {
        if (e.success()) {
            LOG.warn("{}: fenced by {}: {}", target, e.devices(), e.detail());
            // forget what the fenced incarnation said (before the fence is applied, so no tick in between can take it
            // back online): the node must answer anew, and probe, before it counts as joined
            fencedAt.put(target, monotonic.instant());
            watchdogs.forget(target);
            lastAck.remove(target);
            lastReply.remove(target);
            priorAck.remove(target);
            ready.remove(target);
            busyOnNodes.remove(target);
        } else {
            LOG.error("{}: fencing failed (attempt {}): {}; its resources stay blocked", target, attempt.failures + 1, e.detail());
        }
        CompletableFuture<?> committed = submit.apply(List.of(new Command.RecordFence(e)));
        committed.whenComplete((r, err) -> timer.execute(() -> {
            attempt.running = false;
            if (e.success() && err == null) {
                fencing.remove(target);
            } else {
                attempt.failures++;
                long backoff = Math.min(30_000, 1000L << Math.min(attempt.failures - 1, 5));
                attempt.nextTry = monotonic.instant().plusMillis(backoff);
            }
            replan = true;
        }));
        return committed;
    }

    /**
     * Commits the fences confirmed outside this controller ({@link #fenceConfirmedOutside}) as its own results. A target
     * heard since its confirmation is left to the usual way: declared lost when it falls silent, then fenced. A commit
     * that fails is not retried: the target is then fenced again, which is slower but as safe.
     */
    private void commitFencesConfirmedOutside(ClusterState s) {
        for (java.util.Iterator<ConfirmedFence> it = confirmedOutside.iterator(); it.hasNext(); ) {
            ConfirmedFence f = it.next();
            String target = f.event().target();
            if (membershipPending.contains(target)) continue;
            it.remove();
            if (target.equals(self) || s.config().node(target).isEmpty()) continue;
            Optional<Instant> heard = lastContact(target);
            if (heard.isPresent() && !heard.get().isBefore(f.confirmedAt())) {
                LOG.info("{}: answered after its fence was confirmed ({}): that fence does not count", target, f.event().detail());
                continue;
            }
            LOG.warn("{}: fenced before this controller led ({} by {}): recorded as its fence, not fenced again", target,
                    f.event().devices(), f.event().executor());
            FenceAttempt attempt = fencing.computeIfAbsent(target, k -> new FenceAttempt());
            attempt.running = true;
            // nothing declares it lost meanwhile: applied after the fence, that would make it unclean again
            membershipPending.add(target);
            commitFence(target, attempt, f.event()).whenComplete((r, e) -> timer.execute(() -> membershipPending.remove(target)));
        }
    }

    /** When this controller last heard from {@code node} (see {@link #silentSince}), if at all. */
    private Optional<Instant> lastContact(String node) {
        return java.util.stream.Stream.of(lastReply.get(node), priorAck.get(node), heardAsLeader.get(node))
                .filter(java.util.Objects::nonNull).max(Instant::compareTo);
    }

    /** Devices that could fence {@code node}, for status messages. */
    public static List<String> devicesFor(ClusterConfig config, String node) {
        List<String> out = new ArrayList<>();
        for (FenceDevice d : config.fenceDevices()) if (d.canFence(node)) out.add(d.id());
        return out;
    }

    @Override
    public void close() {
        timer.execute(() -> stop("closed"));
    }
}
