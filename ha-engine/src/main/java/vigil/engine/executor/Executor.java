package vigil.engine.executor;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import vigil.api.ConfigException;
import vigil.api.model.Durations;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Secrets;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;
import vigil.engine.driver.DriverRegistry;

/**
 * Runs resource operations on this node for the leader (Pacemaker's executor, {@code pacemaker-execd}).
 *
 * <ul>
 *   <li>Term fencing: every request carries the leader's term; a request older than the newest term seen is refused
 *       (its future fails with {@link ActionRejectedException}), and a queued request that a newer term overtook is
 *       dropped without running.</li>
 *   <li>At most one operation per resource at a time (requests for a resource run in arrival order), and at most
 *       {@code maxConcurrent} operations on the node.</li>
 *   <li>Each operation has a timeout: then its thread is interrupted (an OCF agent's process tree is killed) and the
 *       result is {@link OcfCode#TIMEOUT}. A callback that ignores the interrupt is abandoned after a grace period, so
 *       the resource's later operations (its stop) are not held up forever.</li>
 *   <li>After a successful start, promote, demote or migrate_from the primitive's recurring monitor for the new role
 *       runs at its interval until the next action on the resource; when its result differs from what the role
 *       expects, the listener gets it.</li>
 *   <li>Quorum loss: {@link #quorumLost} applies the no-quorum-policy (stop everything, demote, or leave it) and
 *       refuses start / promote / migrate_from until {@link #quorumRegained}.</li>
 * </ul>
 *
 * Every result goes to the {@link ResultListener} and completes the future {@link #submit} returned.
 */
public final class Executor implements AutoCloseable {
    public static final int DEFAULT_MAX_CONCURRENT = 4;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

    private final String node;
    private final DriverRegistry drivers;
    private final InstantSource clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final int maxConcurrent;
    private final Duration killGrace;
    private final ResultListener listener;
    private final Ledger ledger;

    // guarded by this
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    private final ArrayDeque<Task> queue = new ArrayDeque<>();
    private int running;
    private long newestTerm;
    private NoQuorumPolicy noQuorum;
    private boolean closed;
    private long localSeq;

    /** What the executor knows about one resource (instance) on this node. */
    private static final class Lane {
        final String key;
        ActionRequest config;
        Role role; // null: unknown, possibly active
        boolean busy;
        Task current;
        Recurring recurring;

        Lane(String key) { this.key = key; }
    }

    private static final class Recurring {
        final ActionRequest request;
        final OcfCode expected;
        OcfCode lastReported;
        OptionalInt lastScore = OptionalInt.empty();
        CompletableFuture<ActionResult> first;
        ScheduledFuture<?> next;
        boolean queued;
        boolean cancelled;

        Recurring(ActionRequest request, OcfCode expected, CompletableFuture<ActionResult> first) {
            this.request = request;
            this.expected = expected;
            this.lastReported = expected;
            this.first = first;
        }
    }

    private static final class Task {
        final ActionRequest request;
        final Lane lane;
        final boolean local;
        final Recurring recurring;
        final CompletableFuture<ActionResult> future = new CompletableFuture<>();
        final AtomicBoolean done = new AtomicBoolean();
        // guarded by the task itself
        Thread thread;
        boolean callReturned;
        boolean timedOut;
        ScheduledFuture<?> timeoutTimer;
        // set by the worker before the timer can fire
        volatile Instant began;
        volatile Duration timeout;
        volatile boolean ledgered;
        CompletableFuture<ActionResult> firstOfRecurring; // set under the executor's lock, completed outside it

        Task(ActionRequest request, Lane lane, boolean local, Recurring recurring) {
            this.request = request;
            this.lane = lane;
            this.local = local;
            this.recurring = recurring;
        }
    }

    private Executor(Builder b) {
        this.node = b.node;
        this.drivers = b.drivers;
        this.clock = b.clock;
        this.timer = b.timer;
        this.maxConcurrent = b.maxConcurrent;
        this.killGrace = b.killGrace;
        this.listener = b.listener;
        this.ledger = b.ledger;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vigil-executor-" + node + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param node    this node's id (in results and the ledger)
     * @param drivers finds the driver for each resource type
     * @param timer   runs timeouts and recurring monitors; the caller owns it
     */
    public static Builder builder(String node, DriverRegistry drivers, ScheduledExecutorService timer) {
        return new Builder(node, drivers, timer);
    }

    public static final class Builder {
        private final String node;
        private final DriverRegistry drivers;
        private final ScheduledExecutorService timer;
        private InstantSource clock = InstantSource.system();
        private int maxConcurrent = DEFAULT_MAX_CONCURRENT;
        private Duration killGrace = DEFAULT_KILL_GRACE;
        private ResultListener listener = r -> { };
        private Ledger ledger;

        private Builder(String node, DriverRegistry drivers, ScheduledExecutorService timer) {
            this.node = Objects.requireNonNull(node, "node");
            this.drivers = Objects.requireNonNull(drivers, "drivers");
            this.timer = Objects.requireNonNull(timer, "timer");
        }

        public Builder clock(InstantSource c) { clock = Objects.requireNonNull(c, "clock"); return this; }

        /** How many operations may run at once on this node (default 4). */
        public Builder maxConcurrent(int n) {
            if (n < 1) throw new IllegalArgumentException("executor max-concurrent must be >= 1, got " + n);
            maxConcurrent = n;
            return this;
        }

        /** How long a timed-out operation may take to react to its interrupt before its thread is abandoned (default 5 s). */
        public Builder killGrace(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("executor kill grace must be >= 0, got " + d);
            killGrace = d;
            return this;
        }

        public Builder listener(ResultListener l) { listener = Objects.requireNonNull(l, "listener"); return this; }

        /** Records every start / stop / promote / demote / migration begin and end (for the fault-injection checker). */
        public Builder ledger(Ledger l) { ledger = l; return this; }

        public Executor build() { return new Executor(this); }
    }

    public String node() { return node; }

    /**
     * Queues {@code request}. The future completes with the result (a recurring monitor's: its first run), or fails
     * with {@link ActionRejectedException} when the request is refused or cancelled without running.
     */
    public CompletableFuture<ActionResult> submit(ActionRequest request) {
        synchronized (this) {
            String what = request.key() + ": " + request.action() + (request.interval().isZero() ? "" : " every " + Durations.format(request.interval()));
            if (closed) return rejected(what + " refused: the executor on " + node + " is closed");
            if (request.term() < newestTerm) {
                LOG.warn("{} refused on {}: term {} is older than {} (request {})", what, node, request.term(), newestTerm, request.requestId());
                return rejected(what + " refused on " + node + ": stale term " + request.term() + " < " + newestTerm);
            }
            newestTerm = request.term();
            if (noQuorum != null && noQuorum != NoQuorumPolicy.IGNORE && request.action().activates()) {
                LOG.warn("{} refused on {}: no quorum (no-quorum-policy {})", what, node, noQuorum.text());
                return rejected(what + " refused on " + node + ": the node has no quorum (no-quorum-policy " + noQuorum.text()
                        + "); it resumes when quorum returns");
            }
            Lane lane = lanes.computeIfAbsent(request.key(), Lane::new);
            if (request.action() == ResourceAction.MONITOR && !request.interval().isZero()) {
                if (lane.config == null) lane.config = request;
                CompletableFuture<ActionResult> first = new CompletableFuture<>();
                startRecurring(lane, request, first);
                return first;
            }
            if (request.action() != ResourceAction.MONITOR && request.action() != ResourceAction.NOTIFY) {
                cancelRecurring(lane);
            }
            if (request.action() != ResourceAction.NOTIFY || lane.config == null) lane.config = request;
            Task t = new Task(request, lane, false, null);
            queue.add(t);
            pump();
            return t.future;
        }
    }

    /** Probes (one-shot monitor) each of {@code resources}, to learn what runs here. */
    public CompletableFuture<List<ActionResult>> probeAll(long term, Collection<Primitive> resources) {
        List<CompletableFuture<ActionResult>> all = new ArrayList<>();
        for (Primitive p : resources) all.add(submit(ActionRequest.probe("probe-" + term + "-" + p.id(), term, p)));
        return collect(all);
    }

    /** Raises the newest term seen (from a leader's heartbeat); queued requests of older terms will not run. */
    public synchronized long observeTerm(long term) {
        if (term > newestTerm) newestTerm = term;
        return newestTerm;
    }

    public synchronized long newestTerm() { return newestTerm; }

    /**
     * The node lost quorum: {@code stop} and {@code suicide} stop every resource that may be active here, {@code demote}
     * demotes promoted ones, {@code freeze} and {@code ignore} leave them running. Until {@link #quorumRegained}, every
     * policy but {@code ignore} refuses start, promote and migrate_from.
     */
    public CompletableFuture<List<ActionResult>> quorumLost(NoQuorumPolicy policy) {
        synchronized (this) {
            noQuorum = Objects.requireNonNull(policy, "policy");
        }
        LOG.warn("{}: lost quorum; no-quorum-policy {}", node, policy.text());
        switch (policy) {
            case STOP:
            case SUICIDE:
                return stopAll("lost quorum, no-quorum-policy " + policy.text());
            case DEMOTE:
                return deactivate("lost quorum, no-quorum-policy demote", true);
            default:
                return CompletableFuture.completedFuture(List.of());
        }
    }

    public synchronized void quorumRegained() {
        if (noQuorum != null) LOG.info("{}: quorum regained; accepting actions again", node);
        noQuorum = null;
    }

    /**
     * Stops every resource that may be active here (demoting promoted ones first), after the operations running now.
     * Queued requests are cancelled and recurring monitors end.
     */
    public CompletableFuture<List<ActionResult>> stopAll(String reason) { return deactivate(reason, false); }

    private CompletableFuture<List<ActionResult>> deactivate(String reason, boolean demoteOnly) {
        List<CompletableFuture<ActionResult>> all = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Task> it = queue.iterator(); it.hasNext(); ) {
                Task t = it.next();
                if (t.local || demoteOnly) continue;
                it.remove();
                failLater(t.future, new ActionRejectedException(t.request.key() + ": " + t.request.action()
                        + " cancelled on " + node + ": stopping everything (" + reason + ")", newestTerm));
            }
            int n = 0;
            for (Lane lane : lanes.values()) {
                // a lane busy with an operation may be starting the resource right now: stop it after that too
                if (lane.config == null || (lane.role == Role.STOPPED && lane.current == null)) continue;
                // a promoted instance must be demoted before it stops (Stateful refuses to stop while promoted); so must
                // one whose role is unknown or that is being promoted right now
                boolean promoting = lane.current != null && lane.current.request.action() == ResourceAction.PROMOTE;
                boolean promoted = lane.role == Role.PROMOTED
                        || (lane.config.isPromotable() && (lane.role == null || promoting));
                if (demoteOnly && !promoted) continue;
                cancelRecurring(lane);
                long seq = ++localSeq;
                if (promoted) all.add(enqueueLocal(lane, ResourceAction.DEMOTE, "stop-all-" + seq));
                if (!demoteOnly) all.add(enqueueLocal(lane, ResourceAction.STOP, "stop-all-" + seq));
                n++;
            }
            LOG.warn("{}: {} {} resource(s): {}", node, demoteOnly ? "demoting" : "stopping", n, reason);
            pump();
        }
        return collect(all);
    }

    private CompletableFuture<ActionResult> enqueueLocal(Lane lane, ResourceAction action, String id) {
        ActionRequest c = lane.config;
        ActionRequest r = new ActionRequest(id, newestTerm, c.resource(), c.instance(), action, Duration.ZERO, null, "", Map.of(), c.meta(),
                c.blobs(), "", "");
        Task t = new Task(r, lane, true, null);
        queue.add(t);
        return t.future;
    }

    /** Operations running now, as {@code resource/action}. */
    public synchronized List<String> inFlight() {
        List<String> out = new ArrayList<>();
        for (Lane l : lanes.values()) if (l.current != null) out.add(l.key + "/" + l.current.request.action().text());
        return out;
    }

    /**
     * The role the last operation left the resource in here ({@code resource} or {@code resource:n} for a clone
     * instance); empty when unknown (never seen, or a failed operation left it possibly active).
     */
    public synchronized Optional<Role> role(String key) {
        Lane l = lanes.get(key);
        return l == null ? Optional.empty() : Optional.ofNullable(l.role);
    }

    /** The recurring monitors running now: resource (instance) key -> interval. */
    public synchronized Map<String, Duration> recurringMonitors() {
        Map<String, Duration> out = new TreeMap<>();
        for (Lane l : lanes.values()) if (l.recurring != null) out.put(l.key, l.recurring.request.interval());
        return out;
    }

    /** Whether it still takes work ({@link #close} not called). */
    public synchronized boolean isOpen() { return !closed; }

    /**
     * Whether nothing can be active here until {@link #quorumRegained}: every activation is refused (quorum lost, a
     * policy other than {@code ignore}), no operation is queued or running, and every resource this executor ever ran an
     * operation for (probes included: every resource configured when the node joined) is known stopped here.
     */
    public synchronized boolean runsNothing() {
        if (noQuorum == null || noQuorum == NoQuorumPolicy.IGNORE || !queue.isEmpty()) return false;
        for (Lane l : lanes.values()) {
            if (l.busy || l.current != null || (l.config != null && l.role != Role.STOPPED)) return false;
        }
        return true;
    }

    /** Resources that may be active here: known active, or unknown after a failure. */
    public synchronized List<String> possiblyActive() {
        List<String> out = new ArrayList<>();
        for (Lane l : lanes.values()) if (l.config != null && l.role != Role.STOPPED) out.add(l.key);
        return out;
    }

    // ---- scheduling (all under the lock)

    private void pump() {
        for (Iterator<Task> it = queue.iterator(); it.hasNext() && running < maxConcurrent && !closed; ) {
            Task t = it.next();
            if (t.lane.busy) continue;
            it.remove();
            if (t.recurring != null) {
                t.recurring.queued = false;
                if (t.recurring.cancelled || t.recurring != t.lane.recurring) continue;
            } else if (!t.local && t.request.term() < newestTerm) {
                LOG.warn("{}: dropped queued {} on {}: term {} was overtaken by {}", t.request.key(), t.request.action(), node, t.request.term(),
                        newestTerm);
                failLater(t.future, new ActionRejectedException(t.request.key() + ": " + t.request.action() + " dropped on "
                        + node + ": term " + t.request.term() + " was overtaken by " + newestTerm + " before it ran", newestTerm));
                continue;
            }
            t.lane.busy = true;
            t.lane.current = t;
            running++;
            workers.execute(() -> run(t));
        }
    }

    private boolean hasQueued(Lane lane) {
        for (Task t : queue) if (t.lane == lane && t.recurring == null) return true;
        return false;
    }

    private void startRecurring(Lane lane, ActionRequest monitor, CompletableFuture<ActionResult> first) {
        cancelRecurring(lane);
        OcfCode expected = lane.role == Role.PROMOTED ? OcfCode.RUNNING_PROMOTED : OcfCode.SUCCESS;
        Recurring rec = new Recurring(monitor, expected, first);
        lane.recurring = rec;
        enqueueRecurring(lane, rec);
    }

    private void enqueueRecurring(Lane lane, Recurring rec) {
        if (rec.queued || rec.cancelled || closed) return;
        rec.queued = true;
        queue.add(new Task(rec.request, lane, true, rec));
        pump();
    }

    private void cancelRecurring(Lane lane) {
        Recurring rec = lane.recurring;
        if (rec == null) return;
        rec.cancelled = true;
        if (rec.next != null) rec.next.cancel(false);
        if (rec.first != null) {
            failLater(rec.first, new ActionRejectedException(lane.key + ": monitor every " + Durations.format(rec.request.interval())
                    + " cancelled on " + node + " before its first result", newestTerm));
        }
        lane.recurring = null;
    }

    /** The primitive's recurring monitor for the lane's new role, if it defines one. */
    private void startConfiguredMonitor(Lane lane) {
        if (lane.config == null || lane.role == null || hasQueued(lane)) return;
        Optional<Operation> op = lane.config.resource().monitor(lane.role);
        if (op.isEmpty()) return;
        ActionRequest c = lane.config;
        ActionRequest monitor = new ActionRequest(c.requestId(), c.term(), c.resource(), c.instance(), ResourceAction.MONITOR,
                op.get().interval(), op.get().timeout(), "", Map.of(), c.meta(), c.blobs(), "", "");
        startRecurring(lane, monitor, null);
    }

    // ---- running (worker threads)

    private void run(Task t) {
        synchronized (t) {
            t.thread = Thread.currentThread();
        }
        t.began = clock.instant();
        ActionRequest req = t.request;
        OperationResult res;
        try {
            Optional<ResourceDriver> driver = drivers.find(req.resource().type());
            if (driver.isEmpty()) {
                res = OperationResult.of(OcfCode.ERR_INSTALLED, DriverRegistry.noDriver(req.resource().id(), req.resource().type()));
            } else {
                t.timeout = timeoutFor(req, driver.get());
                ResourceInstance inst = instance(req, t.timeout);
                if (ledger != null && req.action().ledgered()) {
                    try {
                        ledger.begin(node, req.key(), req.action().text());
                    } catch (RuntimeException e) {
                        throw new LedgerFailure(e);
                    }
                    t.ledgered = true;
                }
                synchronized (t) {
                    t.timeoutTimer = timer.schedule(() -> onTimeout(t), t.timeout.toNanos(), TimeUnit.NANOSECONDS);
                }
                res = call(driver.get(), req, inst);
            }
        } catch (ConfigException e) {
            res = OperationResult.of(OcfCode.ERR_CONFIGURED, req.key() + ": " + Secrets.scrub(e.getMessage(), req.resource().params()));
        } catch (LedgerFailure e) {
            // nothing ran: the executor itself could not record the operation
            res = OperationResult.of(OcfCode.EXEC_ERROR, req.key() + ": " + req.action() + " could not run on " + node + ": " + e.getCause());
        } catch (RuntimeException | Error e) {
            // the driver failed (it could not be loaded, or threw): a failure of this resource on this node, recorded and
            // handled like any failed operation, so that the resource is recovered or kept off this node with the reason
            res = OperationResult.of(OcfCode.ERR_GENERIC, req.key() + ": " + req.action() + " failed on " + node + ": the driver for "
                    + req.resource().type() + " threw " + Secrets.scrub(e.toString(), req.resource().params()));
        }
        synchronized (t) {
            t.callReturned = true;
            if (t.timeoutTimer != null) t.timeoutTimer.cancel(false);
        }
        Thread.interrupted(); // an interrupt meant for this operation must not hit the next one on this thread
        finish(t, res, false);
    }

    private void onTimeout(Task t) {
        synchronized (t) {
            if (t.callReturned) return;
            t.timedOut = true;
            t.thread.interrupt();
        }
        LOG.warn("{}: {} on {} timed out after {}; interrupting it", t.request.key(), t.request.action(), node, Durations.format(t.timeout));
        timer.schedule(() -> {
            synchronized (t) {
                if (t.callReturned) return;
            }
            LOG.error("{}: {} on {} ignored its interrupt for {}; abandoning its thread {}", t.request.key(), t.request.action(), node,
                    Durations.format(killGrace), t.thread.getName());
            finish(t, null, true);
        }, killGrace.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void finish(Task t, OperationResult res, boolean abandoned) {
        if (!t.done.compareAndSet(false, true)) return;
        boolean timedOut;
        synchronized (t) {
            timedOut = t.timedOut;
        }
        ActionRequest req = t.request;
        OcfCode code;
        String message;
        OptionalInt score;
        if (timedOut) {
            code = OcfCode.TIMEOUT;
            message = req.action() + " did not finish within " + Durations.format(t.timeout)
                    + (abandoned ? "; it ignored the interrupt and its thread was abandoned" : "; it was interrupted and counts as failed");
            score = OptionalInt.empty();
        } else {
            code = res.code();
            message = res.message();
            score = res.promotionScore();
        }
        if (t.ledgered) {
            try {
                ledger.end(node, req.key(), req.action().text(), code.code());
            } catch (RuntimeException e) {
                LOG.error("{}: cannot record the end of {} in the ledger: {}", req.key(), req.action(), e.getMessage());
            }
        }
        Instant now = clock.instant();
        ActionResult result;
        boolean report;
        synchronized (this) {
            long term = t.local ? newestTerm : req.term();
            result = new ActionResult(req.requestId(), term, req.resource().id(), req.instance(), node, req.action(), req.interval(),
                    code, message, Duration.between(t.began, now), score, now);
            running--;
            t.lane.busy = false;
            t.lane.current = null;
            report = apply(t, result);
            pump();
        }
        if (report) {
            try {
                listener.onResult(result);
            } catch (RuntimeException e) {
                LOG.error("{}: result listener failed on {}", req.key(), result, e);
            }
        }
        t.future.complete(result);
        if (t.firstOfRecurring != null) t.firstOfRecurring.complete(result);
    }

    /** Updates what the lane knows from a result; returns whether the listener hears of it. Under the lock. */
    private boolean apply(Task t, ActionResult r) {
        Lane lane = t.lane;
        if (t.recurring != null) {
            Recurring rec = t.recurring;
            if (rec.cancelled || rec != lane.recurring) return false; // Pacemaker too discards a cancelled op's result
            if (rec.first != null) {
                t.firstOfRecurring = rec.first;
                rec.first = null;
            }
            // a new promotion score is news too (what crm_master does from an OCF agent's monitor): a DRBD peer that
            // resynced becomes promotable again, one that fell behind stops being so
            boolean changed = r.code() != rec.lastReported || r.promotionScore().isPresent() && !r.promotionScore().equals(rec.lastScore);
            rec.lastReported = r.code();
            if (r.promotionScore().isPresent()) rec.lastScore = r.promotionScore();
            if (changed) {
                LOG.atLevel(r.code() == rec.expected ? Level.INFO : Level.WARN).log("{}: recurring monitor on {} -> {} (expected {}){}{}",
                        lane.key, node, r.code(), rec.expected, r.message().isEmpty() ? "" : ": ", r.message());
            }
            if (r.code() == OcfCode.NOT_RUNNING) lane.role = Role.STOPPED;
            else if (r.code() != rec.expected) lane.role = null;
            if (!closed) {
                rec.next = timer.schedule(() -> {
                    synchronized (Executor.this) {
                        if (rec == lane.recurring) enqueueRecurring(lane, rec);
                    }
                }, rec.request.interval().toNanos(), TimeUnit.NANOSECONDS);
            }
            return changed;
        }
        ResourceAction a = t.request.action();
        if (a == ResourceAction.NOTIFY) return true;
        if (a == ResourceAction.MONITOR) {
            lane.role = roleFromProbe(r.code(), lane.config != null && lane.config.isPromotable());
            return true;
        }
        if (!r.isSuccess()) {
            lane.role = null;
            return true;
        }
        switch (a) {
            case START:
                lane.role = t.request.isPromotable() ? Role.UNPROMOTED : Role.STARTED;
                break;
            case PROMOTE:
                lane.role = Role.PROMOTED;
                break;
            case DEMOTE:
                lane.role = Role.UNPROMOTED;
                break;
            case MIGRATE_FROM:
                lane.role = Role.STARTED;
                break;
            case STOP:
                lane.role = Role.STOPPED;
                return true;
            default: // migrate_to: a stop follows; until then the source may still hold it
                lane.role = null;
                return true;
        }
        if (!t.local) startConfiguredMonitor(lane);
        return true;
    }

    private static Role roleFromProbe(OcfCode code, boolean promotable) {
        switch (code) {
            case NOT_RUNNING:
            case ERR_INSTALLED: // as in Pacemaker: what cannot be run here is not running here
                return Role.STOPPED;
            case SUCCESS:
                return promotable ? Role.UNPROMOTED : Role.STARTED;
            case RUNNING_PROMOTED:
                return Role.PROMOTED;
            default:
                return null;
        }
    }

    private Duration timeoutFor(ActionRequest req, ResourceDriver driver) {
        if (req.timeout() != null) return req.timeout();
        Primitive p = req.resource();
        Optional<Operation> op;
        if (req.action() == ResourceAction.MONITOR) {
            op = p.operations().stream().filter(o -> o.name().equals("monitor") && o.interval().equals(req.interval())).findFirst();
            if (op.isEmpty()) op = p.operations().stream().filter(o -> o.name().equals("monitor")).findFirst();
        } else {
            op = p.operation(req.action().text());
        }
        if (op.isPresent()) return op.get().timeout();
        try {
            Optional<Duration> d = driver.metadata().defaultTimeout(req.action().text());
            if (d.isPresent()) return d.get();
        } catch (RuntimeException e) {
            LOG.debug("{}: no default timeout from the driver's metadata ({}); using {}", req.key(), e.getMessage(), DEFAULT_TIMEOUT);
        }
        return DEFAULT_TIMEOUT;
    }

    private ResourceInstance instance(ActionRequest req, Duration timeout) {
        Map<String, String> meta = new TreeMap<>(req.effectiveMeta());
        if (req.action() == ResourceAction.MONITOR) meta.put("interval", Long.toString(req.interval().toMillis()));
        Primitive p = req.resource();
        return new ResourceInstance(p.id(), p.type(), req.instance(), p.params(), meta, node, timeout, req.peerNode(),
                req.peerAttributes(), req.blobs());
    }

    /** The ledger could not record an operation: the executor, not the driver, failed, and nothing ran. */
    private static final class LedgerFailure extends RuntimeException {
        LedgerFailure(RuntimeException cause) { super(cause); }
    }

    private static OperationResult call(ResourceDriver d, ActionRequest req, ResourceInstance inst) {
        switch (req.action()) {
            case START: return d.start(inst);
            case STOP: return d.stop(inst);
            case MONITOR: return d.monitor(inst);
            case PROMOTE: return d.promote(inst);
            case DEMOTE: return d.demote(inst);
            case MIGRATE_TO: return d.migrateTo(inst);
            case MIGRATE_FROM: return d.migrateFrom(inst);
            case NOTIFY: return d.notify(inst, req.notifyType(), req.notifyOperation());
            default: throw new IllegalStateException("unhandled action " + req.action());
        }
    }

    /**
     * Fails {@code f} on another thread: its dependents must not run under the executor's lock (they may call back
     * into the node agent or the Raft client).
     */
    private static void failLater(CompletableFuture<ActionResult> f, Throwable e) {
        ForkJoinPool.commonPool().execute(() -> f.completeExceptionally(e));
    }

    private CompletableFuture<ActionResult> rejected(String message) {
        return CompletableFuture.failedFuture(new ActionRejectedException(message, newestTerm));
    }

    private static CompletableFuture<List<ActionResult>> collect(List<CompletableFuture<ActionResult>> all) {
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<ActionResult> out = new ArrayList<>();
            for (CompletableFuture<ActionResult> f : all) out.add(f.join());
            return out;
        });
    }

    /** Stops taking and scheduling work; running operations finish on their own. Resources are left as they are. */
    @Override
    public void close() {
        List<Task> cancelled;
        long term;
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (Lane lane : lanes.values()) cancelRecurring(lane);
            cancelled = new ArrayList<>(queue);
            queue.clear();
            term = newestTerm;
        }
        for (Task t : cancelled) {
            t.future.completeExceptionally(new ActionRejectedException(t.request.key() + ": " + t.request.action()
                    + " cancelled: the executor on " + node + " closed", term));
        }
        workers.shutdown();
    }
}
