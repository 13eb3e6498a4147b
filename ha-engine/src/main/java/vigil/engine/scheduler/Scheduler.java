package vigil.engine.scheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Node;
import vigil.api.model.OnFail;
import vigil.api.model.Operation;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Pacemaker's placement model as a pure function: {@code plan(state)} depends on nothing but {@code state}
 * ({@code state.now()} is its only clock) and returns the same transition, action for action, for equal states.
 *
 * <p>Semantics follow <a href="https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/">Pacemaker
 * Explained</a>: scores from location constraints, stickiness and failures; colocation and order constraints;
 * groups, clones and promotable clones. Nodes with a negative score are not used. Ties go to the node with
 * fewer resources assigned so far, then to the node already running the resource, then to the lowest node id.
 *
 * <p>Known simplifications: one instance of a clone per node (clone-node-max above 1 is treated as 1, because
 * status is kept per primitive per node); a migration is migrate_to + migrate_from without a separate stop.
 */
public final class Scheduler {
    static final int INF = Score.INFINITY_VALUE;
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private Scheduler() {}

    /** Plans without recording every resource's score on every node (see {@link #plan(ClusterState, boolean)}). */
    public static Transition plan(ClusterState state) { return plan(state, false); }

    /**
     * @param withScores also fill {@link Transition#scores()} with every placement unit's score on every node
     *                   (what {@code simulate --show-scores} prints; costs one map entry per resource and node)
     */
    public static Transition plan(ClusterState state, boolean withScores) {
        return new Run(state, withScores).plan();
    }

    static boolean isFailure(OperationRecord op) { return Run.isFailure(op); }

    static int add(int a, int b) {
        if (a == -INF || b == -INF) return -INF;
        if (a == INF || b == INF) return INF;
        long s = (long) a + b;
        return (int) Math.max(-INF, Math.min(INF, s));
    }

    /** A unit placed as a whole: a top-level primitive, a group, or a clone. */
    private static final class Unit {
        final int index;
        final Resource res;
        final Primitive prim;  // top-level primitive or clone child primitive
        final Group group;     // top-level group or clone child group
        final Clone clone;
        final List<Primitive> members;
        final int[] score;
        final String[] why;
        boolean managed = true;
        boolean wanted = true;
        String notWantedWhy = "";
        int node = -1;                       // primitive/group: chosen node
        boolean[] on;                        // clone: chosen nodes
        boolean[] promoted;                  // promotable clone: promoted nodes
        int[] promoScore;
        final List<Constraint.Colocation> withs = new ArrayList<>();      // this with other
        final List<Constraint.Colocation> dependents = new ArrayList<>(); // other with this
        int priority;
        int order;

        Unit(int index, Resource res, int nodes) {
            this.index = index;
            this.res = res;
            this.clone = res instanceof Clone ? (Clone) res : null;
            Resource body = clone != null ? clone.child() : res;
            this.prim = body instanceof Primitive ? (Primitive) body : null;
            this.group = body instanceof Group ? (Group) body : null;
            this.members = res.primitives();
            this.score = new int[nodes];
            this.why = new String[nodes];
            this.priority = res.meta().priority();
        }

        boolean promotable() { return clone != null && clone.promotable(); }

        boolean placedOn(int n) {
            if (clone != null) return on != null && on[n];
            return node == n;
        }

        boolean placedWithRole(int n, Role role) {
            if (role == null || role == Role.STARTED) return placedOn(n);
            if (!placedOn(n)) return false;
            if (!promotable()) return role != Role.PROMOTED || false;
            boolean p = promoted != null && promoted[n];
            return role == Role.PROMOTED ? p : !p;
        }

        boolean placedAnywhere() {
            if (clone == null) return node >= 0;
            if (on == null) return false;
            for (boolean b : on) if (b) return true;
            return false;
        }

        void ban(int n, String reason) {
            if (score[n] != -INF) why[n] = reason;
            score[n] = -INF;
        }

        void addScore(int n, int s, String reason) {
            if (s == -INF) ban(n, reason);
            else score[n] = add(score[n], s);
        }
    }

    /** What one primitive has on one node now. */
    private record Current(int node, Role role, boolean failed, OnFail onFail, boolean unclean, boolean blocked) {}

    private static final class Run {
        final ClusterState st;
        final ClusterConfig cfg;
        final ClusterProperties props;
        final boolean withScores;
        final String[] nodeIds;
        final Map<String, Integer> nodeIndex = new HashMap<>();
        final boolean[] usable;          // may run resources
        final String[] unusableWhy;
        final boolean[] fenced;          // will be fenced in this transition
        final String[] fenceWhy;
        final boolean[] frozen;          // maintenance: leave everything there alone
        final boolean[] onFailStandby;
        final List<Unit> units = new ArrayList<>();
        final Map<String, Unit> unitById = new HashMap<>();
        final Map<String, List<Current>> current = new HashMap<>();
        final int[] count;
        final boolean quorumStop;
        final boolean quorumFreeze;
        final boolean quorumDemote;
        final Map<String, String> notPlaced = new TreeMap<>();
        final Map<String, Map<String, Score>> scores = new TreeMap<>();
        // planned target per primitive: node index -> role
        final Map<String, TreeMap<Integer, Role>> target = new HashMap<>();
        final Map<String, String> restartWhy = new HashMap<>();

        Run(ClusterState st, boolean withScores) {
            this.st = st;
            this.cfg = st.config();
            this.props = cfg.properties();
            this.withScores = withScores;
            List<Node> nodes = new ArrayList<>(cfg.nodes());
            nodes.sort((a, b) -> a.id().compareTo(b.id()));
            int n = nodes.size();
            nodeIds = new String[n];
            usable = new boolean[n];
            unusableWhy = new String[n];
            fenced = new boolean[n];
            fenceWhy = new String[n];
            frozen = new boolean[n];
            onFailStandby = new boolean[n];
            count = new int[n];
            for (int i = 0; i < n; i++) {
                Node node = nodes.get(i);
                nodeIds[i] = node.id();
                nodeIndex.put(node.id(), i);
                NodeState ns = st.node(node.id());
                frozen[i] = ns.maintenance() && ns.membership() == Membership.ONLINE;
                if (!node.runsResources()) unusableWhy[i] = "witness node runs no resources";
                else if (ns.membership() == Membership.UNCLEAN) unusableWhy[i] = "node is unclean";
                else if (ns.membership() == Membership.OFFLINE) unusableWhy[i] = "node is offline";
                else if (ns.standby()) unusableWhy[i] = "node is in standby";
                else if (ns.maintenance()) unusableWhy[i] = "node is in maintenance";
                usable[i] = unusableWhy[i] == null;
                // as Pacemaker: a partition without quorum fences nobody, unless told to ignore quorum
                boolean mayFence = st.hasQuorum() || props.noQuorumPolicy() == NoQuorumPolicy.IGNORE;
                if (ns.membership() == Membership.UNCLEAN && props.stonithEnabled() && mayFence) {
                    fenced[i] = true;
                    fenceWhy[i] = ns.reason().isEmpty() ? "peer is no longer part of the cluster" : ns.reason();
                }
            }
            boolean noQuorum = !st.hasQuorum();
            NoQuorumPolicy nqp = props.noQuorumPolicy();
            quorumStop = noQuorum && (nqp == NoQuorumPolicy.STOP || nqp == NoQuorumPolicy.SUICIDE);
            quorumFreeze = noQuorum && nqp == NoQuorumPolicy.FREEZE;
            quorumDemote = noQuorum && nqp == NoQuorumPolicy.DEMOTE;
        }

        int nodeIdx(String id) {
            Integer i = nodeIndex.get(id);
            return i == null ? -1 : i;
        }

        Transition plan() {
            buildUnits();
            readCurrent();
            indexConstraints();
            List<Unit> orderOfAllocation = allocationOrder();
            // A running dependent's stickiness pulls the unit it follows toward its node. When the dependent does not
            // end up there after all (banned by a unit placed later, stopped by a mandatory order), the pull was a
            // wish it could not act on: the next plan, with the dependent gone from that node, would not have it
            // and would move the unit. Allocate again without such pulls until every pull used is honoured.
            for (int round = 0; ; round++) {
                for (Unit u : orderOfAllocation) allocate(u);
                enforceMandatory();
                boolean denied = false;
                for (long pull : usedPulls) {
                    Unit a = units.get((int) (pull / nodeIds.length));
                    int node = (int) (pull % nodeIds.length);
                    if (!a.placedOn(node) && deniedPulls.add(pull)) denied = true;
                }
                if (!denied || round > units.size()) break;
                resetAllocation();
            }
            for (Unit u : units) setTargets(u);
            // A live migration counts as both a start and a stop in order constraints, so it sits after everything its
            // resource waits for and before everything that waits for it; when a chain of orders then leads from one of
            // the latter to one of the former (a clone demoting here and promoting there, an instance recovering, ...)
            // the plan has a cycle. Such resources stop and start instead (plan again without their migration).
            Map<String, String> restarts = new HashMap<>(restartWhy);
            java.util.Set<String> noMigration = new java.util.TreeSet<>();
            while (true) {
                ActionBuilder b = new ActionBuilder(this, noMigration);
                Transition t = b.build();
                if (t != null) return t;
                noMigration.addAll(b.cycleMigrations);
                restartWhy.clear();
                restartWhy.putAll(restarts);
            }
        }

        // ---------------------------------------------------------------- units and current status

        void buildUnits() {
            int i = 0;
            for (Resource r : cfg.resources()) {
                Unit u = new Unit(i, r, nodeIds.length);
                u.order = i++;
                units.add(u);
                unitById.put(r.id(), u);
                if (r instanceof Clone c) {
                    unitById.putIfAbsent(c.child().id(), u);
                }
                for (Primitive p : r.primitives()) unitById.putIfAbsent(p.id(), u);
                if (r instanceof Clone c && c.child() instanceof Group g) unitById.putIfAbsent(g.id(), u);
                Meta meta = r.meta();
                boolean managed = meta.isManaged() && !props.maintenanceMode();
                if (r instanceof Clone c) managed &= c.child().meta().isManaged();
                u.managed = managed;
            }
        }

        static boolean isFailure(OperationRecord op) {
            OcfCode c = op.code();
            if (c == OcfCode.SUCCESS || c == OcfCode.RUNNING_PROMOTED || c == OcfCode.DEGRADED || c == OcfCode.DEGRADED_PROMOTED) return false;
            if (c == OcfCode.PENDING) return false; // sent, no result yet: counts as active, not as failed
            // a probe (one-off monitor) finding the resource stopped is not a failure
            return !(c == OcfCode.NOT_RUNNING && op.action().equals("monitor") && op.interval().isZero());
        }

        OnFail onFailOf(Primitive p, OperationRecord op) {
            for (Operation o : p.operations()) {
                if (o.name().equals(op.action()) && o.interval().equals(op.interval()) && o.onFail() != null) return o.onFail();
            }
            if (op.action().equals("stop")) return props.stonithEnabled() ? OnFail.FENCE : OnFail.BLOCK;
            return OnFail.RESTART;
        }

        final java.util.Set<String> stoppedByFailure = new java.util.HashSet<>();

        /** The role a pending operation would leave the resource in (null: that operation cannot activate it). */
        static Role pendingRole(OperationRecord op, ResourceState rs, boolean promotable) {
            return switch (op.action()) {
                case "start", "migrate_from" -> rs.role() == Role.PROMOTED ? Role.PROMOTED : promotable ? Role.UNPROMOTED : Role.STARTED;
                case "promote" -> Role.PROMOTED;
                default -> null;
            };
        }

        static OperationRecord lastFailure(ResourceState rs) {
            for (int i = rs.operations().size() - 1; i >= 0; i--) if (isFailure(rs.operations().get(i))) return rs.operations().get(i);
            return null;
        }

        boolean expired(Primitive p, ResourceState rs) {
            Duration ft = p.meta().failureTimeout();
            if (ft.isZero()) {
                Unit u = unitById.get(p.id());
                if (u != null && u.res != p) ft = u.res.meta().failureTimeout();
            }
            return !ft.isZero() && Duration.between(rs.lastFailure(), st.now()).compareTo(ft) >= 0;
        }

        void readCurrent() {
            for (Unit u : units) {
                for (Primitive p : u.members) {
                    Map<String, ResourceState> per = st.resources().get(p.id());
                    if (per == null) continue;
                    List<Current> cur = new ArrayList<>();
                    for (ResourceState rs : per.values()) {
                        int n = nodeIdx(rs.node());
                        if (n < 0) continue;
                        NodeState ns = st.node(rs.node());
                        OperationRecord last = rs.operations().isEmpty() ? null : rs.operations().get(rs.operations().size() - 1);
                        boolean failed = false;
                        OnFail onFail = null;
                        if (last != null && isFailure(last)) {
                            onFail = onFailOf(p, last);
                            failed = onFail != OnFail.IGNORE;
                        }
                        // on-fail=stop and on-fail=standby last until the failure expires or is cleaned up
                        OperationRecord sticky = lastFailure(rs);
                        if (sticky != null && !expired(p, rs) && u.managed) {
                            OnFail f = onFailOf(p, sticky);
                            if (f == OnFail.STOP) stoppedByFailure.add(p.id());
                            if (f == OnFail.STANDBY && !frozen[n] && ns.membership() == Membership.ONLINE) onFailStandby[n] = true;
                        }
                        boolean unclean = ns.membership() == Membership.UNCLEAN;
                        // a start or promote sent to a node that was lost before answering may have happened there:
                        // it counts as done until the node is fenced (on a live node the controller waits for it)
                        Role pendingRole = unclean && last != null && last.code() == OcfCode.PENDING ? pendingRole(last, rs, u.promotable()) : null;
                        if (!rs.isActive() && !rs.blocked() && pendingRole == null) continue;
                        if (ns.membership() == Membership.OFFLINE) continue;
                        if (unclean && !props.stonithEnabled()) continue;
                        boolean blocked = rs.blocked();
                        if (blocked && props.stonithEnabled() && !fenced[n] && u.managed && !frozen[n]) {
                            fenced[n] = true;
                            fenceWhy[n] = p.id() + " failed there";
                        }
                        if (failed && u.managed && !frozen[n] && !unclean) {
                            if (onFail == OnFail.FENCE && props.stonithEnabled()) {
                                if (!fenced[n]) { fenced[n] = true; fenceWhy[n] = p.id() + " failed there"; }
                            } else if (onFail == OnFail.STANDBY) {
                                onFailStandby[n] = true;
                            }
                        }
                        Role role = pendingRole != null ? pendingRole : rs.isActive() ? rs.role() : Role.STARTED;
                        cur.add(new Current(n, role, failed, onFail, unclean, blocked));
                    }
                    if (!cur.isEmpty()) current.put(p.id(), cur);
                    if (u.clone == null) for (Current c : cur) if (frozen[c.node()]) u.managed = false;
                }
            }
            for (int n = 0; n < nodeIds.length; n++) {
                if (fenced[n]) {
                    usable[n] = false;
                    if (unusableWhy[n] == null) unusableWhy[n] = "node is being fenced";
                } else if (onFailStandby[n] && usable[n]) {
                    usable[n] = false;
                    unusableWhy[n] = "node is in standby after a failure (on-fail=standby)";
                }
            }
        }

        List<Current> cur(String primitive) { return current.getOrDefault(primitive, List.of()); }

        /** Current copies that still count as active: not on a node being fenced. */
        boolean survives(Current c) { return !fenced[c.node()]; }

        /** then-unit id -> mandatory orders that make it wait for another unit's start or promote. */
        final Map<String, List<Constraint.Order>> mandatoryBefore = new HashMap<>();
        /** then-unit id -> every order (any kind) naming it as then. */
        final Map<String, List<Constraint.Order>> ordersBefore = new HashMap<>();

        void indexConstraints() {
            for (Constraint c : cfg.constraints()) {
                if (c instanceof Constraint.Order o) {
                    Unit f = unitById.get(o.first());
                    Unit t = unitById.get(o.then());
                    if (f != null && t != null && f != t) ordersBefore.computeIfAbsent(t.res.id(), k -> new ArrayList<>()).add(o);
                }
                if (c instanceof Constraint.Order o && o.kind() == OrderKind.MANDATORY
                        && (o.firstAction() == Action.START || o.firstAction() == Action.PROMOTE)
                        && (o.thenAction() == Action.START || o.thenAction() == Action.PROMOTE)) {
                    Unit f = unitById.get(o.first());
                    Unit t = unitById.get(o.then());
                    if (f != null && t != null && f != t) mandatoryBefore.computeIfAbsent(t.res.id(), k -> new ArrayList<>()).add(o);
                }
                if (c instanceof Constraint.Colocation col) {
                    Unit a = unitById.get(col.resource());
                    Unit b = unitById.get(col.withResource());
                    if (a == null || b == null || a == b) continue;
                    a.withs.add(col);
                    b.dependents.add(col);
                }
            }
        }

        List<Unit> allocationOrder() {
            // a unit is placed after the units it is colocated with; otherwise by priority, then config order
            int n = units.size();
            int[] indeg = new int[n];
            List<List<Unit>> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(new ArrayList<>());
            for (Unit u : units) {
                for (Constraint.Colocation col : u.withs) {
                    Unit b = unitById.get(col.withResource());
                    out.get(b.index).add(u);
                    indeg[u.index]++;
                }
                for (Constraint.Order o : mandatoryBefore.getOrDefault(u.res.id(), List.of())) {
                    Unit f = unitById.get(o.first());
                    out.get(f.index).add(u);
                    indeg[u.index]++;
                }
            }
            java.util.Comparator<Unit> cmp = (x, y) -> x.priority != y.priority ? Integer.compare(y.priority, x.priority) : Integer.compare(x.order, y.order);
            PriorityQueue<Unit> ready = new PriorityQueue<>(cmp);
            for (Unit u : units) if (indeg[u.index] == 0) ready.add(u);
            List<Unit> order = new ArrayList<>(n);
            boolean[] done = new boolean[n];
            while (order.size() < n) {
                if (ready.isEmpty()) {
                    // colocation cycle: take the best remaining unit
                    Unit best = null;
                    for (Unit u : units) if (!done[u.index] && (best == null || cmp.compare(u, best) < 0)) best = u;
                    indeg[best.index] = 0;
                    ready.add(best);
                }
                Unit u = ready.poll();
                if (done[u.index]) continue;
                done[u.index] = true;
                order.add(u);
                for (Unit d : out.get(u.index)) if (!done[d.index] && --indeg[d.index] == 0) ready.add(d);
            }
            return order;
        }

        // ---------------------------------------------------------------- scores

        int stickiness(Resource r) {
            Optional<Score> s = r.meta().stickiness();
            if (s.isPresent()) return s.get().value();
            if (r instanceof Clone) return Math.max(1, props.defaultStickiness().value());
            return props.defaultStickiness().value();
        }

        int stickinessOf(Unit u, Primitive p) {
            if (u.clone != null) {
                Optional<Score> s = p.meta().stickiness();
                if (s.isPresent()) return s.get().value();
                if (u.group != null) { s = u.group.meta().stickiness(); if (s.isPresent()) return s.get().value(); }
                return stickiness(u.clone);
            }
            if (u.group != null) {
                Optional<Score> s = p.meta().stickiness();
                if (s.isPresent()) return s.get().value();
                return stickiness(u.group);
            }
            return stickiness(p);
        }

        int migrationThreshold(Unit u, Primitive p) {
            if (p.meta().get(Meta.MIGRATION_THRESHOLD).isPresent()) return p.meta().migrationThreshold();
            if (u.group != null && u.group.meta().get(Meta.MIGRATION_THRESHOLD).isPresent()) return u.group.meta().migrationThreshold();
            if (u.clone != null) return u.clone.meta().migrationThreshold();
            return p.meta().migrationThreshold();
        }

        Optional<Role> targetRole(Unit u) {
            Optional<Role> r = u.res.meta().targetRole();
            if (u.clone != null && r.isEmpty()) r = u.clone.child().meta().targetRole();
            return r;
        }

        /** Base scores: node availability, symmetry, locations, failures, stickiness. */
        void baseScores(Unit u) {
            int n = nodeIds.length;
            for (int i = 0; i < n; i++) {
                u.score[i] = props.symmetricCluster() ? 0 : -INF;
                u.why[i] = props.symmetricCluster() ? null : "cluster is opt-in (symmetric-cluster=false) and no location allows it";
            }
            for (Constraint c : locationsOf(u)) {
                Constraint.Location l = (Constraint.Location) c;
                if (l.role() == Role.PROMOTED || l.role() == Role.UNPROMOTED) continue; // role-specific: promotion only
                int ni = nodeIdx(l.node());
                if (ni < 0) continue;
                if (laterMember(u, l.resource()) && l.score().isMinusInfinity()) continue; // stops that member only
                if (!props.symmetricCluster() && u.score[ni] == -INF && l.score().value() != -INF) {
                    u.score[ni] = l.score().value();
                    u.why[ni] = null;
                } else {
                    u.addScore(ni, l.score().value(), "-INFINITY from location " + l.id());
                }
            }
            for (Primitive p : u.members) {
                int threshold = migrationThreshold(u, p);
                Map<String, ResourceState> per = st.resources().get(p.id());
                if (per != null) {
                    for (ResourceState rs : per.values()) {
                        int ni = nodeIdx(rs.node());
                        if (ni < 0 || expired(p, rs)) continue;
                        OperationRecord last = rs.operations().isEmpty() ? null : rs.operations().get(rs.operations().size() - 1);
                        boolean fatalStart = props.startFailureIsFatal() && last != null && last.action().equals("start") && isFailure(last);
                        int fails = fatalStart ? INF : rs.failCount();
                        if (fails > 0 && fails >= threshold && (u.group == null || p == u.members.get(0) || u.clone != null)) {
                            u.ban(ni, p.id() + " failed " + (fatalStart ? "to start" : fails + " times") + " (migration-threshold " + threshold + ")");
                        }
                    }
                }
                int stick = stickinessOf(u, p);
                if (stick != 0) {
                    for (Current c : cur(p.id())) {
                        if (survives(c) && !(c.failed() && c.onFail() != OnFail.RESTART) && !groupStopsFrom(u, p, c.node())) u.addScore(c.node(), stick, "stickiness");
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (!usable[i]) u.ban(i, unusableWhy[i]);
            }
        }

        final Map<String, List<Constraint>> locationIndex = new HashMap<>();
        boolean locationIndexed;

        List<Constraint> locationsOf(Unit u) {
            if (!locationIndexed) {
                for (Constraint c : cfg.constraints()) {
                    if (c instanceof Constraint.Location l) {
                        if (l.expiredAt(st.now())) continue;
                        Unit target = unitById.get(l.resource());
                        if (target == null) continue;
                        locationIndex.computeIfAbsent(target.res.id(), k -> new ArrayList<>()).add(l);
                    }
                }
                locationIndexed = true;
            }
            return locationIndex.getOrDefault(u.res.id(), List.of());
        }

        /** Adds the scores of units colocated with {@code u} (they follow it, so their wishes pull it). */
        void dependentScores(Unit u) {
            for (Constraint.Colocation col : u.dependents) {
                if (col.withRole() == Role.PROMOTED) continue; // handled as promotion preference
                Unit a = unitById.get(col.resource());
                if (a.node >= 0 || (a.on != null)) continue; // already placed: no pull
                int s = col.score().value();
                if (s <= 0 || s == -INF) continue;
                for (Constraint c : locationsOf(a)) {
                    Constraint.Location l = (Constraint.Location) c;
                    if (l.role() != null && l.role() != Role.STARTED) continue;
                    int ni = nodeIdx(l.node());
                    if (ni < 0 || !dependentMayRun(a, u, ni)) continue;
                    int v = scaled(l.score().value(), s);
                    u.score[ni] = add(u.score[ni], clampFinite(v));
                }
                for (Primitive p : a.members) {
                    int stick = stickinessOf(a, p);
                    int pull = clampFinite(scaled(stick, s));
                    if (pull == 0) continue;
                    for (Current c : cur(p.id())) {
                        if (survives(c) && dependentMayRun(a, u, c.node()) && stickinessPulls(a, c.node())) u.score[c.node()] = add(u.score[c.node()], pull);
                    }
                }
            }
        }

        /**
         * Whether dependent {@code a} could still run on {@code node} given its mandatory colocations with units
         * already placed (other than {@code u}): a wish it cannot act on must not pull {@code u} there.
         */
        boolean dependentMayRun(Unit a, Unit u, int node) {
            for (Constraint.Colocation col : a.withs) {
                int s = col.score().value();
                if (s != INF && s != -INF) continue;
                Unit b = unitById.get(col.withResource());
                if (b == u || b == null || !allocatedYet(b)) continue;
                boolean there = b.placedWithRole(node, col.withRole());
                if (s == INF ? !there : there) return false;
            }
            return true;
        }

        boolean allocatedYet(Unit b) { return allocated != null && allocated[b.index]; }

        /** Stickiness pulls (dependent unit index * nodes + node) used in this allocation, and those found unfounded. */
        final java.util.Set<Long> usedPulls = new java.util.HashSet<>();
        final java.util.Set<Long> deniedPulls = new java.util.HashSet<>();

        /** Whether dependent {@code a}'s stickiness on {@code node} may pull the unit it follows (and records the use). */
        boolean stickinessPulls(Unit a, int node) {
            long key = (long) a.index * nodeIds.length + node;
            if (deniedPulls.contains(key)) return false;
            usedPulls.add(key);
            return true;
        }

        void resetAllocation() {
            for (Unit u : units) {
                u.wanted = true;
                u.notWantedWhy = "";
                u.node = -1;
                u.on = null;
                u.promoted = null;
                u.promoScore = null;
            }
            Arrays.fill(count, 0);
            notPlaced.clear();
            scores.clear();
            usedPulls.clear();
            allocated = null;
        }

        static int clampFinite(int v) { return Math.max(-(INF - 1), Math.min(INF - 1, v)); }

        static int scaled(int value, int factor) {
            if (factor >= INF) return value;
            if (value == -INF || value == INF) return value > 0 ? factor : -factor;
            return (int) ((long) value * factor / INF);
        }

        /** Applies this unit's colocations with units already placed. */
        void colocationScores(Unit u) {
            for (Constraint.Colocation col : u.withs) {
                if (col.role() == Role.PROMOTED && u.promotable()) continue; // applies to promotion
                Unit b = unitById.get(col.withResource());
                int s = col.score().value();
                boolean bPlaced = b.placedAnywhere();
                for (int i = 0; i < nodeIds.length; i++) {
                    boolean there = b.placedWithRole(i, col.withRole());
                    if (s == INF) {
                        if (!there) u.ban(i, "mandatory colocation " + col.id() + ": " + b.res.id()
                                + (col.withRole() == null ? "" : " (" + col.withRole().text() + ")") + (bPlaced ? " is not on this node" : " is not running anywhere"));
                    } else if (s == -INF) {
                        if (there) u.ban(i, "anti-colocation " + col.id() + " with " + b.res.id());
                    } else if (there) {
                        u.score[i] = add(u.score[i], s);
                    }
                }
            }
        }

        // ---------------------------------------------------------------- allocation

        boolean[] allocated;

        void allocate(Unit u) {
            if (allocated == null) allocated = new boolean[units.size()];
            allocated[u.index] = true;
            baseScores(u);
            colocationScores(u);
            dependentScores(u);
            if (withScores) recordScores(u);
            Optional<Role> tr = targetRole(u);
            if (tr.isPresent() && tr.get() == Role.STOPPED) {
                u.wanted = false;
                u.notWantedWhy = "target-role=Stopped";
            } else if (quorumStop && u.managed) {
                u.wanted = false;
                u.notWantedWhy = "no quorum (no-quorum-policy=" + props.noQuorumPolicy().text() + ")";
            } else if (quorumDemote && u.managed && !u.promotable()) {
                u.wanted = false;
                u.notWantedWhy = "no quorum (no-quorum-policy=demote)";
            }
            for (Constraint.Order o : mandatoryBefore.getOrDefault(u.res.id(), List.of())) {
                if (o.thenAction() != Action.START || !u.wanted) continue;
                Unit f = unitById.get(o.first());
                boolean ok = o.firstAction() == Action.PROMOTE ? hasPromoted(f) : f.placedAnywhere();
                if (!ok && (f.on != null || f.node >= 0 || allocated[f.index])) {
                    u.wanted = false;
                    u.notWantedWhy = "mandatory order " + o.id() + ": " + f.res.id() + " cannot " + o.firstAction().text();
                }
            }
            for (Primitive p : u.members) {
                if (stoppedByFailure.contains(p.id())) {
                    u.wanted = false;
                    u.notWantedWhy = p.id() + " failed with on-fail=stop";
                }
            }
            if (!u.managed || isBlocked(u)) {
                keepCurrent(u);
                return;
            }
            if (quorumFreeze) {
                // freeze: nothing new starts; running resources stay where they are
                keepCurrent(u);
                if (!u.placedAnywhere()) { u.wanted = false; u.notWantedWhy = "no quorum (no-quorum-policy=freeze): nothing new starts"; }
                return;
            }
            if (!u.wanted) {
                if (u.clone == null) u.node = -1; else { u.on = new boolean[nodeIds.length]; u.promoted = new boolean[nodeIds.length]; }
                return;
            }
            if (u.clone != null) allocateClone(u);
            else allocateSingle(u);
        }

        boolean isBlocked(Unit u) {
            for (Primitive p : u.members) {
                for (Current c : cur(p.id())) {
                    if (c.blocked() && !fenced[c.node()]) return true;
                    if (c.failed() && c.onFail() == OnFail.BLOCK) return true;
                }
                // multiple-active=block
                if (u.clone == null && "block".equals(p.meta().multipleActive()) && activeCount(p) > 1) return true;
            }
            return false;
        }

        int activeCount(Primitive p) {
            int k = 0;
            for (Current c : cur(p.id())) if (survives(c)) k++;
            return k;
        }

        void keepCurrent(Unit u) {
            if (u.clone == null) {
                u.node = -1;
                for (Current c : cur(u.members.get(0).id())) if (survives(c)) { u.node = c.node(); break; }
                if (u.node >= 0) count[u.node] += u.members.size();
            } else {
                u.on = new boolean[nodeIds.length];
                u.promoted = new boolean[nodeIds.length];
                for (Current c : cur(u.members.get(0).id())) {
                    if (!survives(c)) continue;
                    u.on[c.node()] = true;
                    if (c.role() == Role.PROMOTED) u.promoted[c.node()] = !quorumDemote;
                    count[c.node()]++;
                }
            }
        }

        int currentNode(Unit u) {
            for (Current c : cur(u.members.get(0).id())) if (survives(c)) return c.node();
            return -1;
        }

        void allocateSingle(Unit u) {
            int curNode = currentNode(u);
            int best = -1;
            for (int i = 0; i < nodeIds.length; i++) {
                if (u.score[i] < 0) continue;
                if (best < 0 || better(u.score[i], i, u.score[best], best, curNode)) best = i;
            }
            u.node = best;
            if (best >= 0) {
                count[best] += u.members.size();
            } else {
                notPlaced.put(u.res.id(), reasons(u));
            }
        }

        boolean better(int s1, int n1, int s2, int n2, int curNode) {
            if (s1 != s2) return s1 > s2;
            if (count[n1] != count[n2]) return count[n1] < count[n2];
            if (n1 == curNode) return true;
            if (n2 == curNode) return false;
            return n1 < n2;
        }

        String reasons(Unit u) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < nodeIds.length; i++) {
                if (sb.length() > 0) sb.append("; ");
                sb.append(nodeIds[i]).append(": ");
                if (u.score[i] == -INF) sb.append(u.why[i] == null ? "-INFINITY" : u.why[i]);
                else sb.append("score ").append(Score.of(u.score[i])).append(" is negative");
            }
            if (sb.length() == 0) sb.append("no nodes");
            return sb.toString();
        }

        int cloneMax(Unit u) {
            java.util.OptionalInt m = u.clone.meta().cloneMax();
            if (m.isPresent()) return m.getAsInt();
            int k = 0;
            for (Node n : cfg.nodes()) if (n.runsResources()) k++;
            return k;
        }

        void allocateClone(Unit u) {
            int n = nodeIds.length;
            u.on = new boolean[n];
            u.promoted = new boolean[n];
            int max = cloneMax(u);
            int placed = 0;
            // instances stay where they run when they may
            TreeSet<Integer> curNodes = new TreeSet<>();
            for (Current c : cur(u.members.get(0).id())) {
                if (frozen[c.node()]) { u.on[c.node()] = true; placed++; count[c.node()]++; continue; }
                if (survives(c) && !(c.failed() && c.onFail() != OnFail.RESTART)) curNodes.add(c.node());
            }
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < n; i++) if (u.score[i] >= 0) candidates.add(i);
            for (int i : curNodes) {
                if (placed >= max) break;
                if (u.score[i] >= 0) { u.on[i] = true; placed++; count[i]++; }
            }
            while (placed < max) {
                int best = -1;
                for (int i : candidates) {
                    if (u.on[i]) continue;
                    if (best < 0 || better(u.score[i], i, u.score[best], best, -1)) best = i;
                }
                if (best < 0) break;
                u.on[best] = true;
                placed++;
                count[best]++;
            }
            if (placed == 0 && max > 0) notPlaced.put(u.res.id(), reasons(u));
            if (u.promotable()) promote(u);
        }

        void promote(Unit u) {
            int n = nodeIds.length;
            u.promoScore = new int[n];
            Optional<Role> tr = targetRole(u);
            boolean mayPromote = !(tr.isPresent() && (tr.get() == Role.UNPROMOTED || tr.get() == Role.STARTED && false)) && !quorumDemote;
            boolean[] eligible = new boolean[n];
            boolean[] wasPromoted = new boolean[n];
            for (int i = 0; i < n; i++) {
                if (!u.on[i]) continue;
                int s = 0;
                for (Primitive p : u.members) {
                    ResourceState rs = st.resource(p.id(), nodeIds[i]);
                    s = add(s, rs.promotionScore());
                    if (rs.role() == Role.PROMOTED && !fenced[i]) wasPromoted[i] = true;
                }
                u.promoScore[i] = s;
                eligible[i] = true;
            }
            for (Constraint c : locationsOf(u)) {
                Constraint.Location l = (Constraint.Location) c;
                if (l.role() != Role.PROMOTED) continue;
                int i = nodeIdx(l.node());
                if (i < 0 || !u.on[i]) continue;
                u.promoScore[i] = add(u.promoScore[i], l.score().value());
            }
            // this clone's promoted role colocated with others
            for (Constraint.Colocation col : u.withs) {
                if (col.role() != Role.PROMOTED) continue;
                Unit b = unitById.get(col.withResource());
                int s = col.score().value();
                for (int i = 0; i < n; i++) {
                    if (!u.on[i]) continue;
                    boolean there = b.placedWithRole(i, col.withRole());
                    if (s == INF && !there || s == -INF && there) u.promoScore[i] = -INF;
                    else if (there) u.promoScore[i] = add(u.promoScore[i], s);
                }
            }
            // resources that follow the promoted instance pull it toward the nodes they prefer
            for (Constraint.Colocation col : u.dependents) {
                if (col.withRole() != Role.PROMOTED) continue;
                Unit a = unitById.get(col.resource());
                int s = col.score().value();
                if (s <= 0) continue;
                for (Constraint c : locationsOf(a)) {
                    Constraint.Location l = (Constraint.Location) c;
                    int i = nodeIdx(l.node());
                    if (i < 0 || !u.on[i] || u.promoScore[i] == -INF) continue;
                    u.promoScore[i] = add(u.promoScore[i], clampFinite(scaled(l.score().value(), s)));
                }
                for (Primitive p : a.members) {
                    int pull = clampFinite(scaled(stickinessOf(a, p), s));
                    if (pull == 0) continue;
                    for (Current c : cur(p.id())) {
                        if (!survives(c) || !u.on[c.node()] || u.promoScore[c.node()] == -INF || !stickinessPulls(a, c.node())) continue;
                        u.promoScore[c.node()] = add(u.promoScore[c.node()], pull);
                    }
                }
            }
            int max = u.clone.meta().promotedMax();
            int already = 0;
            for (int i = 0; i < n; i++) {
                if (u.on[i] && frozen[i]) {
                    eligible[i] = false;
                    u.promoted[i] = wasPromoted[i];
                    if (wasPromoted[i]) already++;
                }
            }
            if (!mayPromote) return;
            for (int k = already; k < max; k++) {
                int best = -1;
                for (int i = 0; i < n; i++) {
                    if (!eligible[i] || u.promoted[i]) continue;
                    int s = u.promoScore[i];
                    if (s < 0 || (s == 0 && !wasPromoted[i])) continue;
                    if (best < 0) { best = i; continue; }
                    int sb = u.promoScore[best];
                    if (s != sb ? s > sb : (wasPromoted[i] != wasPromoted[best] ? wasPromoted[i] : i < best)) best = i;
                }
                if (best < 0) break;
                u.promoted[best] = true;
            }
        }

        void recordScores(Unit u) {
            Map<String, Score> m = new LinkedHashMap<>();
            for (int i = 0; i < nodeIds.length; i++) m.put(nodeIds[i], Score.of(u.score[i]));
            scores.put(u.res.id(), m);
        }

        /** Mandatory orders and colocations whose first / with resource ends up stopped stop their dependents too. */
        void enforceMandatory() {
            List<Constraint.Order> orders = new ArrayList<>();
            for (Constraint c : cfg.constraints()) {
                if (c instanceof Constraint.Order o && o.kind() == OrderKind.MANDATORY) orders.add(o);
            }
            boolean changed = true;
            int rounds = 0;
            while (changed && rounds++ < units.size() + 1) {
                changed = false;
                for (Constraint.Order o : orders) {
                    Unit first = unitById.get(o.first());
                    Unit then = unitById.get(o.then());
                    if (first == null || then == null || first == then || !then.managed) continue;
                    if (o.thenAction() != Action.START && o.thenAction() != Action.PROMOTE) continue;
                    boolean firstOk = o.firstAction() == Action.PROMOTE ? hasPromoted(first) : first.placedAnywhere();
                    if (o.firstAction() == Action.STOP || o.firstAction() == Action.DEMOTE) firstOk = true;
                    if (firstOk) continue;
                    if (o.thenAction() == Action.START && then.placedAnywhere()) {
                        unplace(then, "mandatory order " + o.id() + ": " + first.res.id() + " cannot " + o.firstAction().text());
                        changed = true;
                    } else if (o.thenAction() == Action.PROMOTE && hasPromoted(then)) {
                        Arrays.fill(then.promoted, false);
                        changed = true;
                    }
                }
                for (Unit a : units) {
                    if (!a.managed || !a.placedAnywhere()) continue;
                    for (Constraint.Colocation col : a.withs) {
                        if (col.score().value() != INF) continue;
                        if (col.role() == Role.PROMOTED && a.promotable()) continue;
                        Unit b = unitById.get(col.withResource());
                        boolean ok = true;
                        if (a.clone == null) ok = b.placedWithRole(a.node, col.withRole());
                        else for (int i = 0; i < nodeIds.length; i++) if (a.on[i] && !frozen[i] && !b.placedWithRole(i, col.withRole())) ok = false;
                        if (!ok) {
                            if (a.clone == null) unplace(a, "mandatory colocation " + col.id() + " with " + b.res.id() + " (which is not running)");
                            else for (int i = 0; i < nodeIds.length; i++) if (a.on[i] && !frozen[i] && !b.placedWithRole(i, col.withRole())) { a.on[i] = false; if (a.promoted != null) a.promoted[i] = false; }
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }

        boolean hasPromoted(Unit u) {
            if (!u.promotable()) return u.placedAnywhere();
            if (u.promoted == null) return false;
            for (boolean b : u.promoted) if (b) return true;
            return false;
        }

        void unplace(Unit u, String why) {
            if (u.clone == null) {
                if (u.node >= 0) count[u.node] -= u.members.size();
                u.node = -1;
            } else {
                Arrays.fill(u.on, false);
                Arrays.fill(u.promoted, false);
            }
            notPlaced.put(u.res.id(), why);
        }

        // ---------------------------------------------------------------- targets per primitive

        void setTargets(Unit u) {
            if (u.clone == null) {
                if (u.node < 0) {
                    if (u.wanted && !notPlaced.containsKey(u.res.id()) && u.managed) notPlaced.put(u.res.id(), reasons(u));
                    if (!u.wanted && u.managed) notPlaced.put(u.res.id(), u.notWantedWhy);
                    return;
                }
                boolean stopRest = false;
                for (Primitive p : u.members) {
                    if (u.group != null && !stopRest && p != u.members.get(0)) {
                        // a later member that may not run on the group's node stops, with every member after it
                        if (memberBanned(u, p, u.node) != null || targetRoleStopped(p)) {
                            stopRest = true;
                            notPlaced.put(p.id(), targetRoleStopped(p) ? "target-role=Stopped" : memberBanned(u, p, u.node));
                        }
                    }
                    if (stopRest) continue;
                    Role role = Role.STARTED;
                    if (!u.managed) {
                        Current c = firstSurvivor(p);
                        if (c == null) continue;
                        role = c.role();
                        target.computeIfAbsent(p.id(), k -> new TreeMap<>()).put(c.node(), role);
                        continue;
                    }
                    target.computeIfAbsent(p.id(), k -> new TreeMap<>()).put(u.node, role);
                }
                if (u.group == null && targetRoleStopped(u.prim)) target.remove(u.prim.id());
                return;
            }
            if (!u.wanted && u.managed) notPlaced.put(u.res.id(), u.notWantedWhy);
            for (Primitive p : u.members) {
                TreeMap<Integer, Role> t = new TreeMap<>();
                for (int i = 0; i < nodeIds.length; i++) {
                    if (!u.on[i]) continue;
                    Role role = u.promotable() ? (u.promoted[i] ? Role.PROMOTED : Role.UNPROMOTED) : Role.STARTED;
                    if (!u.managed) {
                        for (Current c : cur(p.id())) if (c.node() == i) role = c.role();
                    }
                    t.put(i, role);
                }
                if (!t.isEmpty()) target.put(p.id(), t);
            }
        }

        boolean targetRoleStopped(Primitive p) {
            return p.meta().targetRole().map(r -> r == Role.STOPPED).orElse(false);
        }

        /** Whether {@code id} is a member of {@code u}'s group other than the first. */
        static boolean laterMember(Unit u, String id) {
            if (u.group == null || u.clone != null) return false;
            for (int i = 1; i < u.members.size(); i++) if (u.members.get(i).id().equals(id)) return true;
            return false;
        }

        /**
         * Whether group member {@code p} would be stopped if the group stayed on {@code node}: it or an earlier member
         * (other than the first, which moves the whole group) may not run there. Its stickiness does not hold the
         * group there then: once it is stopped it has none, and the next plan would move the group.
         */
        boolean groupStopsFrom(Unit u, Primitive p, int node) {
            if (u.group == null || u.clone != null || p == u.members.get(0)) return false;
            for (int i = 1; i < u.members.size(); i++) {
                Primitive m = u.members.get(i);
                if (memberBanned(u, m, node) != null || targetRoleStopped(m)) return true;
                if (m == p) break;
            }
            return false;
        }

        String memberBanned(Unit u, Primitive p, int node) {
            for (Constraint c : locationsOf(u)) {
                Constraint.Location l = (Constraint.Location) c;
                if (l.resource().equals(p.id()) && l.score().isMinusInfinity() && l.node().equals(nodeIds[node])) {
                    return nodeIds[node] + ": -INFINITY from location " + l.id();
                }
            }
            int threshold = migrationThreshold(u, p);
            ResourceState rs = st.resource(p.id(), nodeIds[node]);
            if (expired(p, rs)) return null;
            OperationRecord last = rs.operations().isEmpty() ? null : rs.operations().get(rs.operations().size() - 1);
            boolean fatalStart = props.startFailureIsFatal() && last != null && last.action().equals("start") && isFailure(last);
            int fails = fatalStart ? INF : rs.failCount();
            if (fails > 0 && fails >= threshold) return nodeIds[node] + ": " + p.id() + " failed (migration-threshold " + threshold + ")";
            return null;
        }

        Current firstSurvivor(Primitive p) {
            for (Current c : cur(p.id())) if (survives(c)) return c;
            return null;
        }
    }

    // ==================================================================== actions

    private static final class ActionBuilder {
        final Run r;
        final List<PlannedAction> actions = new ArrayList<>();
        final List<TreeSet<Integer>> deps = new ArrayList<>();
        // (primitive, kind) -> action ids
        final Map<String, List<Integer>> byRes = new HashMap<>();
        final int[] fenceId;
        // dual-primary windows of this transition: promotable clone primitive -> the live migration that needs it
        final Map<String, Window> windows = new HashMap<>();

        /** {@code vm} live-migrates from {@code src} to {@code dest} while {@code disk} is Promoted on both. */
        record Window(String vm, String disk, int src, int dest) {}

        /** Resources that must not live-migrate in this plan (their migration was part of an order cycle). */
        final java.util.Set<String> noMigration;
        /** After a {@link #build()} that found a cycle through migrations: the migrating resources on it. */
        final java.util.Set<String> cycleMigrations = new java.util.TreeSet<>();

        ActionBuilder(Run r, java.util.Set<String> noMigration) {
            this.r = r;
            this.noMigration = noMigration;
            this.fenceId = new int[r.nodeIds.length];
            Arrays.fill(fenceId, -1);
        }

        int add(ActionKind kind, String rsc, int node, String peer, Duration interval, String reason) {
            int id = actions.size();
            actions.add(new PlannedAction(id, kind, rsc, r.nodeIds[node], peer, interval, null, reason));
            deps.add(new TreeSet<>());
            if (!rsc.isEmpty()) byRes.computeIfAbsent(rsc + "|" + kind, k -> new ArrayList<>()).add(id);
            return id;
        }

        List<Integer> of(String rsc, ActionKind kind) { return byRes.getOrDefault(rsc + "|" + kind, List.of()); }

        void after(int then, int first) { if (then != first && then >= 0 && first >= 0) deps.get(then).add(first); }

        void afterAll(List<Integer> thens, List<Integer> firsts) {
            for (int t : thens) for (int f : firsts) after(t, f);
        }

        Transition build() {
            for (int n = 0; n < r.nodeIds.length; n++) {
                if (r.fenced[n]) fenceId[n] = add(ActionKind.FENCE, "", n, "", Duration.ZERO, r.fenceWhy[n]);
            }
            restartsForOrders();
            findWindows();
            for (Unit u : r.units) {
                if (!u.managed) continue;
                if (r.isBlocked(u)) continue;
                if (r.quorumFreeze) {
                    // frozen: only stops of what must stop (failed, on-fail=stop) happen; nothing starts
                    continue;
                }
                for (Primitive p : u.members) primitiveActions(u, p);
                if (u.group != null) groupOrder(u);
            }
            if (!r.quorumFreeze && !r.props.maintenanceMode()) orphanStops();
            orderConstraints();
            for (Window w : windows.values()) {
                // the window opens before the migration and closes after it, whatever orders are configured
                afterAll(of(w.vm(), ActionKind.MIGRATE_TO), of(w.disk(), ActionKind.PROMOTE));
                afterAll(of(w.disk(), ActionKind.DEMOTE), of(w.vm(), ActionKind.MIGRATE_FROM));
            }
            List<PlannedAction> out = new ArrayList<>(actions.size());
            for (PlannedAction a : actions) {
                out.add(new PlannedAction(a.id(), a.kind(), a.resource(), a.node(), a.peer(), a.interval(), deps.get(a.id()), a.reason()));
            }
            List<PlannedAction> cycle = findCycle(out);
            if (cycle != null) {
                for (PlannedAction a : cycle) {
                    if ((a.kind() == ActionKind.MIGRATE_TO || a.kind() == ActionKind.MIGRATE_FROM) && !noMigration.contains(a.resource())) {
                        cycleMigrations.add(a.resource());
                    }
                }
                if (!cycleMigrations.isEmpty()) {
                    LOG.debug("{}: no live migration, its order constraints form a cycle: {}", cycleMigrations, cycle);
                    return null;
                }
                List<String> names = new ArrayList<>();
                for (PlannedAction a : cycle) names.add(a.toString());
                throw new IllegalStateException("order constraints form a cycle: " + String.join(" <- ", names)
                        + "; remove or relax one of the order constraints between these resources");
            }
            if (LOG.isDebugEnabled()) {
                for (PlannedAction a : out) LOG.debug("{}: {} ({})", a.resource().isEmpty() ? a.node() : a.resource(), a, a.reason());
            }
            return new Transition(out, r.withScores ? r.scores : Map.of(), r.notPlaced);
        }

        /**
         * Resources still active somewhere but no longer configured are stopped (Pacemaker's stop-orphan-resources):
         * deleting a resource from the config stops it. Orphans on a node being fenced stop with the node.
         */
        void orphanStops() {
            for (var e : r.st.resources().entrySet()) {
                if (r.unitById.containsKey(e.getKey())) continue;
                for (var rs : e.getValue().values()) {
                    if (!rs.isActive()) continue;
                    int n = r.nodeIdx(rs.node());
                    if (n < 0 || r.fenced[n] || r.frozen[n] || !r.st.node(rs.node()).isOnline()) continue;
                    int demote = rs.role() == Role.PROMOTED ? add(ActionKind.DEMOTE, e.getKey(), n, "", Duration.ZERO, "orphan: no longer configured") : -1;
                    int stop = add(ActionKind.STOP, e.getKey(), n, "", Duration.ZERO, "orphan: no longer configured");
                    after(stop, demote);
                }
            }
        }

        /** A mandatory start order whose first restarts or moves restarts its running then-resource too. */
        void restartsForOrders() {
            ArrayDeque<String> work = new ArrayDeque<>();
            Map<String, List<Constraint.Order>> byFirst = new HashMap<>();
            for (Constraint c : r.cfg.constraints()) {
                if (c instanceof Constraint.Order o && o.kind() == OrderKind.MANDATORY && o.firstAction() == Action.START && o.thenAction() == Action.START) {
                    Unit f = r.unitById.get(o.first());
                    if (f == null) continue;
                    byFirst.computeIfAbsent(f.res.id(), k -> new ArrayList<>()).add(o);
                }
            }
            for (Unit u : r.units) if (u.group != null && u.clone == null) groupRestarts(u);
            if (byFirst.isEmpty()) return;
            for (Unit u : r.units) if (stopsSomewhere(u)) work.add(u.res.id());
            java.util.Set<String> seen = new java.util.HashSet<>(work);
            while (!work.isEmpty()) {
                String f = work.poll();
                for (Constraint.Order o : byFirst.getOrDefault(f, List.of())) {
                    Unit t = r.unitById.get(o.then());
                    if (t == null || !t.managed || seen.contains(t.res.id())) continue;
                    boolean any = false;
                    for (Primitive p : t.members) {
                        TreeMap<Integer, Role> tg = r.target.get(p.id());
                        if (tg == null) continue;
                        for (Current c : r.cur(p.id())) {
                            if (r.survives(c) && tg.containsKey(c.node())) {
                                r.restartWhy.put(p.id(), "required " + r.unitById.get(o.first()).res.id() + " start");
                                any = true;
                            }
                        }
                    }
                    if (any) { seen.add(t.res.id()); work.add(t.res.id()); }
                }
            }
        }

        /** A group member that stops (and is not moving the whole group) makes the running members after it restart. */
        void groupRestarts(Unit u) {
            if (!u.managed || r.isBlocked(u) || r.quorumFreeze) return;
            String stopping = null;
            for (Primitive p : u.members) {
                TreeMap<Integer, Role> tg = r.target.get(p.id());
                for (Current c : r.cur(p.id())) {
                    if (!r.survives(c) || r.frozen[c.node()]) continue;
                    boolean stays = tg != null && tg.containsKey(c.node()) && !c.failed();
                    if (stays && stopping != null) r.restartWhy.put(p.id(), "required " + stopping + " start");
                    else if (!stays) stopping = p.id();
                }
                if (r.restartWhy.containsKey(p.id())) stopping = p.id();
            }
        }

        /** Whether any primitive of {@code u} starts, stops or changes role in this transition. */
        boolean changes(Unit u) {
            if (!u.managed || r.isBlocked(u) || r.quorumFreeze) return false;
            for (Primitive p : u.members) {
                if (r.restartWhy.containsKey(p.id())) return true;
                TreeMap<Integer, Role> tg = r.target.getOrDefault(p.id(), new TreeMap<>());
                int kept = 0;
                for (Current c : r.cur(p.id())) {
                    if (r.frozen[c.node()]) continue;
                    if (!r.survives(c) || c.failed()) return true;
                    Role want = tg.get(c.node());
                    if (want == null) return true;
                    Role have = c.role() == Role.STARTED && u.promotable() ? Role.UNPROMOTED : c.role();
                    if (want != have && !(want == Role.STARTED && have == Role.STARTED)) return true;
                    kept++;
                }
                if (kept != tg.size()) return true;
            }
            return false;
        }

        /** Whether the last operation of {@code p} on {@code node} was a successful migrate_to (migrate_from still to run). */
        boolean migratedAway(Primitive p, int node) {
            List<OperationRecord> ops = r.st.resource(p.id(), r.nodeIds[node]).operations();
            for (int i = ops.size() - 1; i >= 0; i--) {
                OperationRecord op = ops.get(i);
                if (op.action().equals("monitor") && !op.interval().isZero()) continue;
                return op.action().equals("migrate_to") && op.code() == OcfCode.SUCCESS;
            }
            return false;
        }

        boolean windowFor(String vm) {
            for (Window w : windows.values()) if (w.vm().equals(vm)) return true;
            return false;
        }

        /**
         * Finds the planned moves that become a live migration inside a dual-primary window: an allow-migrate
         * primitive moving from one node to another whose only unsettled dependency is a promotable clone
         * (promoted-max 1) that is Promoted on the source and Unpromoted on the target and is to swap roles there, such
         * as a VM on DRBD. The clone is promoted on the target first (its driver then allows two Primaries), the VM
         * migrates, and the source is demoted last (closing the window), instead of stopping the VM for the swap.
         */
        void findWindows() {
            if (r.quorumFreeze) return;
            for (Unit u : r.units) {
                if (u.clone != null || u.group != null || !u.managed || r.isBlocked(u)) continue;
                Primitive p = u.members.get(0);
                TreeMap<Integer, Role> tg = r.target.getOrDefault(p.id(), new TreeMap<>());
                List<Current> cur = r.cur(p.id());
                if (!p.meta().allowMigrate() || noMigration.contains(p.id()) || r.restartWhy.containsKey(p.id()) || tg.size() != 1 || cur.size() != 1) continue;
                Current c = cur.get(0);
                int dest = tg.firstKey();
                if (!r.survives(c) || c.failed() || dest == c.node() || r.frozen[c.node()] || !r.st.node(r.nodeIds[c.node()]).isOnline()) continue;
                if (dependenciesSettled(u, dest)) continue;
                List<Window> found = new ArrayList<>();
                boolean otherwiseSettled = true;
                for (Constraint.Order o : r.ordersBefore.getOrDefault(u.res.id(), List.of())) {
                    Unit f = r.unitById.get(o.first());
                    Role role = o.firstAction() == Action.PROMOTE ? Role.PROMOTED : null;
                    if (settledFor(f, dest, role)) continue;
                    Window w = role == Role.PROMOTED ? swapsPromotion(f, p.id(), c.node(), dest) : null;
                    if (w == null) otherwiseSettled = false; else found.add(w);
                }
                for (Constraint.Colocation col : u.withs) {
                    if (col.score().value() != INF) continue;
                    Unit f = r.unitById.get(col.withResource());
                    if (settledFor(f, dest, col.withRole())) continue;
                    Window w = col.withRole() == Role.PROMOTED ? swapsPromotion(f, p.id(), c.node(), dest) : null;
                    if (w == null) otherwiseSettled = false; else found.add(w);
                }
                if (!otherwiseSettled || found.isEmpty()) continue;
                for (Window w : found) {
                    Window prev = windows.get(w.disk());
                    if (prev != null && !prev.equals(w)) { otherwiseSettled = false; break; } // two VMs moving on one disk: no window
                }
                if (otherwiseSettled) for (Window w : found) windows.put(w.disk(), w);
            }
        }

        /** The window for {@code vm} when clone {@code f} swaps its single Promoted instance from {@code src} to {@code dest}. */
        Window swapsPromotion(Unit f, String vm, int src, int dest) {
            if (f == null || !f.promotable() || f.members.size() != 1 || f.clone.meta().promotedMax() != 1 || !f.managed || r.isBlocked(f)) return null;
            Primitive q = f.members.get(0);
            if (r.restartWhy.containsKey(q.id())) return null;
            TreeMap<Integer, Role> tg = r.target.getOrDefault(q.id(), new TreeMap<>());
            if (tg.get(dest) != Role.PROMOTED || tg.get(src) == null || tg.get(src) == Role.PROMOTED) return null;
            boolean srcPromoted = false;
            boolean destUnpromoted = false;
            for (Current c : r.cur(q.id())) {
                if (!r.survives(c) || c.failed()) return null;
                if (c.node() == src && c.role() == Role.PROMOTED) srcPromoted = true;
                if (c.node() == dest && (c.role() == Role.UNPROMOTED || c.role() == Role.STARTED)) destUnpromoted = true;
            }
            return srcPromoted && destUnpromoted ? new Window(vm, q.id(), src, dest) : null;
        }

        /**
         * Live migration needs what the resource depends on (mandatory orders and colocations) to stay put: a
         * primitive or group must not change at all, a clone must already run, in the needed role, on the target
         * node and stay so (dual-primary DRBD under a VM).
         */
        boolean dependenciesSettled(Unit u, int dest) {
            for (Constraint.Order o : r.ordersBefore.getOrDefault(u.res.id(), List.of())) {
                if (!settledFor(r.unitById.get(o.first()), dest, o.firstAction() == Action.PROMOTE ? Role.PROMOTED : null)) return false;
            }
            for (Constraint.Colocation col : u.withs) {
                if (col.score().value() == INF && !settledFor(r.unitById.get(col.withResource()), dest, col.withRole())) return false;
            }
            return true;
        }

        boolean settledFor(Unit f, int dest, Role role) {
            if (f.clone == null) return !changes(f);
            // a clone that both stops and starts instances (a recovery, a restart, a move) would have to finish its
            // starts before the migrate_to and its stops after it: stop and start the migrating resource instead
            if (stopsSomewhere(f) && startsSomewhere(f)) return false;
            for (Primitive p : f.members) {
                if (r.restartWhy.containsKey(p.id())) return false;
                Role want = r.target.getOrDefault(p.id(), new TreeMap<>()).get(dest);
                if (want == null || (role == Role.PROMOTED && want != Role.PROMOTED)) return false;
                boolean ok = false;
                for (Current c : r.cur(p.id())) {
                    if (c.node() == dest && r.survives(c) && !c.failed() && (c.role() == want || want == Role.STARTED)) ok = true;
                }
                if (!ok) return false;
            }
            return true;
        }

        boolean startsSomewhere(Unit u) {
            if (!u.managed || r.isBlocked(u) || r.quorumFreeze) return false;
            for (Primitive p : u.members) {
                if (r.restartWhy.containsKey(p.id())) return true;
                for (int node : r.target.getOrDefault(p.id(), new TreeMap<>()).keySet()) {
                    boolean running = false;
                    for (Current c : r.cur(p.id())) if (c.node() == node && r.survives(c) && !c.failed()) running = true;
                    if (!running) return true;
                }
            }
            return false;
        }

        boolean stopsSomewhere(Unit u) {
            if (!u.managed || r.isBlocked(u) || r.quorumFreeze) return false;
            for (Primitive p : u.members) {
                TreeMap<Integer, Role> tg = r.target.get(p.id());
                for (Current c : r.cur(p.id())) {
                    if (!r.survives(c) || r.frozen[c.node()]) continue;
                    if (tg == null || !tg.containsKey(c.node()) || c.failed() || r.restartWhy.containsKey(p.id())) return true;
                }
            }
            return false;
        }

        void primitiveActions(Unit u, Primitive p) {
            TreeMap<Integer, Role> tg = r.target.getOrDefault(p.id(), new TreeMap<>());
            List<Current> cur = r.cur(p.id());
            List<Integer> stops = new ArrayList<>();
            List<Integer> fences = new ArrayList<>();
            boolean multi = u.clone == null && countSurvivors(cur) > 1;
            String ma = p.meta().multipleActive();
            boolean restart = r.restartWhy.containsKey(p.id());
            // migration: a single healthy copy moving to a single new node
            if (u.clone == null && u.group == null && p.meta().allowMigrate() && !noMigration.contains(p.id()) && !multi && !restart && tg.size() == 1 && cur.size() == 1
                    && (dependenciesSettled(u, tg.firstKey()) || windowFor(p.id()))) {
                Current c = cur.get(0);
                int dest = tg.firstKey();
                if (r.survives(c) && !c.failed() && dest != c.node() && r.st.node(r.nodeIds[c.node()]).isOnline()) {
                    // the controller re-plans after every result: a migrate_to that already succeeded is not repeated
                    int to = migratedAway(p, c.node()) ? -1
                            : add(ActionKind.MIGRATE_TO, p.id(), c.node(), r.nodeIds[dest], Duration.ZERO, "move to " + r.nodeIds[dest] + " (allow-migrate)");
                    int from = add(ActionKind.MIGRATE_FROM, p.id(), dest, r.nodeIds[c.node()], Duration.ZERO, "migrated from " + r.nodeIds[c.node()]);
                    after(from, to);
                    monitor(p, dest, Role.STARTED, from);
                    return;
                }
            }
            for (Current c : cur) {
                if (r.frozen[c.node()]) continue;
                if (!r.survives(c)) { fences.add(fenceId[c.node()]); continue; }
                Role want = tg.get(c.node());
                boolean stop = want == null || c.failed() || restart || (multi && !"stop_unexpected".equals(ma));
                if (stop) {
                    int demote = -1;
                    if (c.role() == Role.PROMOTED) {
                        demote = add(ActionKind.DEMOTE, p.id(), c.node(), "", Duration.ZERO, c.failed() ? "recover" : "stop");
                    }
                    String why = c.failed() ? "recover after failure" : restart ? "restart: " + r.restartWhy.get(p.id())
                            : multi ? "active on several nodes (multiple-active=" + ma + ")" : "no longer placed here";
                    int s = add(ActionKind.STOP, p.id(), c.node(), "", Duration.ZERO, why);
                    after(s, demote);
                    stops.add(s);
                } else if (c.role() != want) {
                    Window w = windows.get(p.id());
                    if (c.role() == Role.PROMOTED) {
                        int d = add(ActionKind.DEMOTE, p.id(), c.node(), "", Duration.ZERO, w != null && w.src() == c.node()
                                ? "after the live migration of " + w.vm() + " (dual-primary window closes)" : "another instance is preferred");
                        monitor(p, c.node(), Role.UNPROMOTED, d);
                    } else if (want == Role.PROMOTED) {
                        // a promote with a peer opens a dual-primary window: the peer stays Promoted until the migration ends
                        boolean opens = w != null && w.dest() == c.node();
                        int pr = add(ActionKind.PROMOTE, p.id(), c.node(), opens ? r.nodeIds[w.src()] : "", Duration.ZERO, opens
                                ? "dual-primary window for the live migration of " + w.vm() + " from " + r.nodeIds[w.src()] : "highest promotion score");
                        monitor(p, c.node(), Role.PROMOTED, pr);
                    }
                }
            }
            if (multi && "stop_only".equals(ma)) return;
            for (Map.Entry<Integer, Role> e : tg.entrySet()) {
                int n = e.getKey();
                if (r.frozen[n]) continue;
                boolean running = false;
                for (Current c : cur) {
                    if (c.node() == n && r.survives(c) && !c.failed() && !restart && !(multi && !"stop_unexpected".equals(ma))) running = true;
                }
                if (running) continue;
                int s = add(ActionKind.START, p.id(), n, "", Duration.ZERO, stops.isEmpty() && fences.isEmpty() ? "placed here" : "recover or move here");
                for (int st : stops) after(s, st);
                for (int f : fences) after(s, f);
                int last = s;
                if (e.getValue() == Role.PROMOTED) {
                    last = add(ActionKind.PROMOTE, p.id(), n, "", Duration.ZERO, "highest promotion score");
                    after(last, s);
                }
                monitor(p, n, e.getValue() == Role.PROMOTED ? Role.PROMOTED : (u.promotable() ? Role.UNPROMOTED : Role.STARTED), last);
            }
            // a clone's promotion waits for demotions elsewhere (in a dual-primary window the demotion comes last)
            if (u.promotable()) {
                if (!windows.containsKey(p.id())) afterAll(of(p.id(), ActionKind.PROMOTE), of(p.id(), ActionKind.DEMOTE));
                afterAll(of(p.id(), ActionKind.PROMOTE), fences);
            }
        }

        int countSurvivors(List<Current> cur) {
            int k = 0;
            for (Current c : cur) if (r.survives(c)) k++;
            return k;
        }

        void monitor(Primitive p, int node, Role role, int after) {
            Optional<Operation> m = p.monitor(role);
            if (m.isEmpty()) return;
            int id = add(ActionKind.MONITOR, p.id(), node, "", m.get().interval(), "recurring monitor");
            after(id, after);
        }

        void groupOrder(Unit u) {
            List<Primitive> ms = u.members;
            for (int i = 1; i < ms.size(); i++) {
                List<Integer> prevStart = new ArrayList<>(of(ms.get(i - 1).id(), ActionKind.START));
                prevStart.addAll(of(ms.get(i - 1).id(), ActionKind.MIGRATE_FROM));
                afterAll(of(ms.get(i).id(), ActionKind.START), prevStart);
                afterAll(of(ms.get(i - 1).id(), ActionKind.STOP), of(ms.get(i).id(), ActionKind.STOP));
            }
        }

        static ActionKind kindOf(Action a) {
            switch (a) {
                case START: return ActionKind.START;
                case STOP: return ActionKind.STOP;
                case PROMOTE: return ActionKind.PROMOTE;
                default: return ActionKind.DEMOTE;
            }
        }

        static Action inverse(Action a) {
            switch (a) {
                case START: return Action.STOP;
                case STOP: return Action.START;
                case PROMOTE: return Action.DEMOTE;
                default: return Action.PROMOTE;
            }
        }

        boolean migrates(Unit u) {
            for (Primitive p : u.members) if (!of(p.id(), ActionKind.MIGRATE_TO).isEmpty()) return true;
            return false;
        }

        List<Integer> actionsOf(Unit u, Action a) { return actionsOf(u, a, true); }

        /** @param migrations whether a migration counts (it both starts the resource on the target and stops it on the source) */
        List<Integer> actionsOf(Unit u, Action a, boolean migrations) {
            List<Integer> out = new ArrayList<>();
            for (Primitive p : u.members) {
                out.addAll(of(p.id(), kindOf(a)));
                if (migrations && (a == Action.START || a == Action.STOP)) {
                    out.addAll(of(p.id(), ActionKind.MIGRATE_TO));
                    out.addAll(of(p.id(), ActionKind.MIGRATE_FROM));
                }
            }
            return out;
        }

        void orderConstraints() {
            for (Constraint c : r.cfg.constraints()) {
                if (!(c instanceof Constraint.Order o)) continue;
                Unit first = r.unitById.get(o.first());
                Unit then = r.unitById.get(o.then());
                if (first == null || then == null || first == then) continue;
                afterAll(actionsOf(then, o.thenAction()), actionsOf(first, o.firstAction()));
                if (o.symmetrical() && o.kind() != OrderKind.SERIALIZE) {
                    // when both sides migrate, the forward order already covers the migrations; counting them as
                    // stops in reverse too would order them both ways
                    boolean both = migrates(first) && migrates(then);
                    afterAll(actionsOf(first, inverse(o.firstAction()), !both), actionsOf(then, inverse(o.thenAction()), !both));
                }
            }
        }

        /** An order cycle among {@code out} (each action listed after the one it waits for), or null. */
        static List<PlannedAction> findCycle(List<PlannedAction> out) {
            int n = out.size();
            int[] state = new int[n];
            Integer[][] succ = new Integer[n][];
            for (int i = 0; i < n; i++) succ[i] = out.get(i).after().toArray(new Integer[0]);
            for (int s = 0; s < n; s++) {
                if (state[s] != 0) continue;
                ArrayDeque<int[]> stack = new ArrayDeque<>();
                stack.push(new int[] {s, 0});
                state[s] = 1;
                while (!stack.isEmpty()) {
                    int[] top = stack.peek();
                    Integer[] ds = succ[top[0]];
                    if (top[1] < ds.length) {
                        int d = ds[top[1]++];
                        if (state[d] == 1) {
                            List<PlannedAction> cycle = new ArrayList<>();
                            for (int[] f : stack) { cycle.add(0, out.get(f[0])); if (f[0] == d) break; }
                            return cycle;
                        }
                        if (state[d] == 0) { state[d] = 1; stack.push(new int[] {d, 0}); }
                    } else {
                        state[top[0]] = 2;
                        stack.pop();
                    }
                }
            }
            return null;
        }
    }
}
