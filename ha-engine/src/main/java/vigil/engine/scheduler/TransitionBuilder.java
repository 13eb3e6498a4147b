package vigil.engine.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import vigil.api.model.Constraint;
import vigil.api.model.Role;

/**
 * Turns a run's actions into the {@link Transition} the controller executes: the required, runnable actions that
 * touch a node (fences, starts, stops, promotes, demotes, migrations, notifications, monitors), each waiting for the
 * actions it is ordered after (through the pseudo actions in between), numbered so that an action's prerequisites
 * come before it; with the transition summary ({@link Summary}) and, for every resource left stopped, why each node
 * was refused.
 */
final class TransitionBuilder {
    private TransitionBuilder() {}

    static Transition build(WorkingSet ws) {
        // the transition summary and why resources are not placed: one pass over the resources for both
        Summary summary = new Summary(ws);
        NotPlaced notPlaced = new NotPlaced(ws);
        for (Rsc r : ws.resources) {
            summary.add(r);
            notPlaced.add(r);
        }
        int count = ws.actions.size();
        // one pass over the actions: the real ones (by their rank among them, which follows their ids), what each
        // waits for, all in one array: after[afterFrom[r] .. afterFrom[r + 1]) for the r-th, as action ids at first;
        // and its resource's name and its reason, read while its resource is at hand (what is left to read later is
        // in the action)
        Prerequisites prerequisites = new Prerequisites(ws);
        Reasons reasons = new Reasons(ws);
        int[] real = new int[count];
        int[] rank = new int[count];
        int[] afterFrom = new int[count + 1];
        String[] resources = new String[count];
        String[] why = new String[count];
        int realCount = 0;
        for (int id = 0; id < count; id++) {
            Act a = ws.actions.get(id);
            if (!prerequisites.inPlan(a) || kind(a) == null) continue;
            prerequisites.add(a);
            Rsc rsc = a.rsc;
            resources[realCount] = rsc == null ? "" : rsc.unique || rsc.cloneParent() == null ? rsc.id : rsc.configId;
            why[realCount] = reasons.of(a);
            rank[id] = realCount;
            real[realCount++] = id;
            afterFrom[realCount] = prerequisites.size;
        }
        int[] after = prerequisites.ids;
        int edges = prerequisites.size;
        // from here on by rank: what waits for the r-th, dependents[dependentsFrom[r] .. dependentsFrom[r + 1]), and how
        // many of its prerequisites are not numbered yet
        int[] dependentsFrom = new int[realCount + 1];
        for (int k = 0; k < edges; k++) {
            after[k] = rank[after[k]];
            dependentsFrom[after[k]]++;
        }
        // where each one's range ends; filling a range from its end leaves dependentsFrom[r] where it starts
        for (int r = 1; r < realCount; r++) dependentsFrom[r] += dependentsFrom[r - 1];
        dependentsFrom[realCount] = edges;
        int[] dependents = new int[edges];
        int[] waiting = new int[realCount];
        for (int r = 0; r < realCount; r++) {
            waiting[r] = afterFrom[r + 1] - afterFrom[r];
            for (int k = afterFrom[r]; k < afterFrom[r + 1]; k++) dependents[--dependentsFrom[after[k]]] = r;
        }
        // number them so that prerequisites come first, ties in creation order: the lowest ready one each time. A scan
        // in creation order finds most; one that becomes ready after the scan passed it waits in a heap, and all
        // those are lower than where the scan is
        int[] number = new int[realCount];
        IdHeap passed = new IdHeap();
        int scan = 0;
        int numbers = 0;
        while (true) {
            int r;
            if (!passed.isEmpty()) {
                r = passed.poll();
            } else {
                while (scan < realCount && waiting[scan] > 0) scan++;
                if (scan == realCount) break;
                r = scan++;
            }
            number[r] = numbers++;
            for (int i = dependentsFrom[r]; i < dependentsFrom[r + 1]; i++) {
                int d = dependents[i];
                if (--waiting[d] == 0 && d < scan) passed.add(d);
            }
        }
        if (numbers < realCount) {
            List<String> stuck = new ArrayList<>();
            for (int r = 0; r < realCount; r++) if (waiting[r] > 0) stuck.add(ws.actions.get(real[r]).toString());
            throw new IllegalStateException("order constraints form a cycle among " + stuck
                    + "; remove or relax one of the order constraints between these resources");
        }
        // made in creation order, each in its place by number
        PlannedAction[] out = new PlannedAction[realCount];
        Duration recurring = Duration.ZERO; // the last monitor's: monitors mostly share an interval
        for (int r = 0; r < realCount; r++) {
            Act a = ws.actions.get(real[r]);
            Duration interval = Duration.ZERO;
            if (a.intervalMs != 0) {
                if (recurring.toMillis() != a.intervalMs) recurring = Duration.ofMillis(a.intervalMs);
                interval = recurring;
            }
            for (int k = afterFrom[r]; k < afterFrom[r + 1]; k++) after[k] = number[after[k]];
            out[number[r]] = new PlannedAction(number[r], kind(a), resources[r], a.node.id, a.peer == null ? "" : a.peer.id, interval,
                    ActionIds.of(after, afterFrom[r], afterFrom[r + 1]), why[r]);
        }
        // an immutable list, which the transition keeps rather than copies
        return new Transition(List.of(out), ws.withScores ? ws.scores : Map.of(), notPlaced.reasons, summary.changes());
    }

    /**
     * Ranks of actions, smallest first: a binary heap of ints, which reads no action to compare two. It starts small:
     * mostly it holds a few at a time.
     */
    private static final class IdHeap {
        private int[] heap = new int[16];
        private int size;

        boolean isEmpty() { return size == 0; }

        void add(int id) {
            if (size == heap.length) heap = Arrays.copyOf(heap, 2 * size);
            int i = size++;
            while (i > 0 && heap[(i - 1) / 2] > id) {
                heap[i] = heap[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            heap[i] = id;
        }

        int poll() {
            int smallest = heap[0];
            int last = heap[--size];
            int i = 0;
            while (2 * i + 1 < size) {
                int child = 2 * i + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) child++;
                if (last <= heap[child]) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return smallest;
        }
    }

    /**
     * The real actions each action waits for, looking through pseudo actions (an ordering on an action not taken is
     * void), remembered by action id for the pseudo actions many others look through. Whether an action is in the plan
     * is worked out as first asked.
     */
    private static final class Prerequisites {
        private static final Act[] NONE = new Act[0];
        private static final byte UNKNOWN = 0, OUT = 1, IN = 2;
        private final byte[] inPlan;
        private final Act[][] through;
        private final boolean[] visiting;
        /** By action id: the last list that took the action (a number per list), to take each action once. */
        private final int[] takenBy;
        private int lists;
        /** The actions found so far, a stack shared by the nested calls of {@link #collect}. */
        private Act[] found = new Act[64];
        private int top;
        /** The ids {@link #add} added, one list after another: {@code ids[0 .. size)}. */
        int[] ids;
        int size;

        Prerequisites(WorkingSet ws) {
            int count = ws.actions.size();
            inPlan = new byte[count];
            through = new Act[count][];
            visiting = new boolean[count];
            takenBy = new int[count];
            ids = new int[Math.max(16, count)];
        }

        boolean inPlan(Act a) {
            if (inPlan[a.id] == UNKNOWN) inPlan[a.id] = TransitionBuilder.inPlan(a) ? IN : OUT;
            return inPlan[a.id] == IN;
        }

        /** Adds the ids of {@link #of} to {@link #ids}, leaving out {@code a} itself. */
        void add(Act a) {
            int start = collect(a);
            if (size + top - start > ids.length) ids = Arrays.copyOf(ids, Math.max(2 * ids.length, size + top - start));
            for (int i = start; i < top; i++) {
                // through pseudo actions back to itself (a guest's container stop, the guest's fence, the stops it
                // implies, what they are ordered before): an ordering that would make a loop is left out, as Pacemaker does
                if (found[i] != a) ids[size++] = found[i].id;
            }
            top = start;
        }

        Act[] of(Act a) {
            int start = collect(a);
            Act[] out = top == start ? NONE : Arrays.copyOfRange(found, start, top);
            top = start;
            return out;
        }

        /**
         * Puts {@code a}'s prerequisites on the stack above its caller's finds, each once in the order first found,
         * and returns where they start; the caller takes them off again.
         */
        private int collect(Act a) {
            int start = top;
            if (a.before().isEmpty() || visiting[a.id]) return start;
            visiting[a.id] = true;
            for (int i = 0; i < a.before().size(); i++) {
                if (a.before().type(i) == Ordering.NONE) continue;
                Act f = a.before().other(i);
                if (!inPlan(f) && !(f.pseudo() && f.runnable() && !f.optional())) continue;
                if (f.node != null && !f.pseudo() && kind(f) != null) {
                    push(f);
                } else {
                    if (through[f.id] == null) through[f.id] = of(f);
                    for (Act t : through[f.id]) push(t);
                }
            }
            visiting[a.id] = false;
            // each action once, in the order first found
            int list = ++lists;
            int kept = start;
            for (int i = start; i < top; i++) {
                Act f = found[i];
                if (takenBy[f.id] == list) continue;
                takenBy[f.id] = list;
                found[kept++] = f;
            }
            top = kept;
            return start;
        }

        private void push(Act f) {
            if (top == found.length) found = Arrays.copyOf(found, 2 * top);
            found[top++] = f;
        }
    }

    /**
     * Whether the action happens: required and runnable (pseudo ones only link others). A start still in flight
     * (recorded pending on a node that is up) stays in the plan, so that what is ordered after it waits for its
     * result; the controller does not send it twice.
     */
    static boolean inPlan(Act a) {
        boolean pending = a.rsc != null && a.rsc.startPending && a.task.equals("start") && a.node == a.rsc.pendingNode;
        // an unmanaged resource is left alone, whatever orderings would want of it
        if (a.rsc != null && !a.rsc.managed && !a.pseudo() && a.intervalMs == 0) return false;
        // a recurring monitor needs the resource running there: not after a start that cannot run
        if (a.intervalMs > 0 && a.rsc != null && a.node != null) {
            Act start = WorkingSet.first(a.rsc, "start", a.node);
            if (start != null && !start.runnable() && !start.optional()) return false;
        }
        return (!a.optional() || pending) && a.runnable() && a.node != null;
    }

    private static ActionKind kind(Act a) {
        if (a.pseudo()) return null;
        return switch (a.task) {
            case "stonith" -> ActionKind.FENCE;
            case "start" -> ActionKind.START;
            case "stop" -> ActionKind.STOP;
            case "promote" -> ActionKind.PROMOTE;
            case "demote" -> ActionKind.DEMOTE;
            case "migrate_to" -> ActionKind.MIGRATE_TO;
            case "migrate_from" -> ActionKind.MIGRATE_FROM;
            case "monitor" -> ActionKind.MONITOR;
            default -> null;
        };
    }

    /** Why the scheduler chose an action; a text that names a node is made once per node, not once per action. */
    private static final class Reasons {
        private final String[] moveTo;
        private final String[] migrateTo;
        private final String[] migratedFrom;

        Reasons(WorkingSet ws) {
            moveTo = new String[ws.nodes.length];
            migrateTo = new String[ws.nodes.length];
            migratedFrom = new String[ws.nodes.length];
        }

        String of(Act a) {
            Rsc r = a.rsc;
            if (a.task.equals("stonith")) return a.reason == null ? "" : a.reason;
            String why = a.reason;
            switch (a.task) {
                case "stop":
                    if (why != null) return why;
                    if (r.failed && r.runningOn.contains(a.node)) return "recover after failure";
                    if (r.assigned == null) return "node availability";
                    if (r.assigned != a.node) return text(moveTo, "move to ", r.assigned, "");
                    return "restart";
                case "start":
                    if (why != null) return why;
                    return r.runningOn.isEmpty() ? "placed here" : r.runningOn.contains(a.node) ? "restart" : "recover or move here";
                case "promote":
                    return why != null ? why : "highest promotion score";
                case "demote":
                    return why != null ? why : r.nextRole == Role.STOPPED ? "stop" : "another instance is preferred";
                case "migrate_to":
                    return text(migrateTo, "move to ", a.peer, " (allow-migrate)");
                case "migrate_from":
                    return text(migratedFrom, "migrated from ", a.peer, "");
                case "monitor":
                    return "recurring monitor";
                default:
                    return why == null ? "" : why;
            }
        }

        private static String text(String[] byNode, String prefix, SchedNode node, String suffix) {
            String text = byNode[node.index];
            if (text == null) byNode[node.index] = text = prefix + node.id + suffix;
            return text;
        }
    }

    // ---------------------------------------------------------------- why resources are not placed

    /**
     * For every managed resource that should run but was placed nowhere, why each node was refused: the node's
     * state, a -INFINITY location, failures, a mandatory colocation, or a score that stayed negative.
     */
    private static final class NotPlaced {
        private final WorkingSet ws;
        private final Refusals refusals;
        final Map<String, String> reasons = new TreeMap<>();

        NotPlaced(WorkingSet ws) {
            this.ws = ws;
            this.refusals = new Refusals(ws);
        }

        /** Explains a top-level resource, or what is in it, if it is not placed. */
        void add(Rsc top) {
            if (top.orphan) return;
            if (top.isPrimitive()) {
                if (top.assigned == null) explain(ws, refusals, top, top, reasons, top.id);
                return;
            }
            if (top.isClone()) {
                boolean any = false;
                for (Rsc inst : top.children) if (inst.location() != null) any = true;
                if (!any && top.cloneMax > 0) explain(ws, refusals, top, firstPrimitive(top), reasons, top.id);
                return;
            }
            List<Rsc> primitives = top.primitives();
            for (int i = 0; i < primitives.size(); i++) {
                Rsc p = primitives.get(i);
                if (p.assigned != null) continue;
                explain(ws, refusals, p, p, reasons, top.isGroup() && p == top.children.get(0) ? top.id : p.id);
            }
        }
    }

    /**
     * The location constraints and the mandatory colocations of the resources explained, each list in the order the
     * refusals name them, so that explaining a resource reads only the constraints about it (not every constraint for
     * every node). A resource's own locations are at hand; what needs all of them or all constraints (their order, the
     * colocations by dependent) is indexed at the first resource that asks: mostly every resource is placed.
     */
    private static final class Refusals {
        private final WorkingSet ws;
        private Map<Loc, Integer> locationOrder;
        private Map<Rsc, List<Configured>> colocationsOf;

        /** A mandatory colocation or anti-colocation and its place in the configuration. */
        private record Configured(int order, Constraint.Colocation colocation) {}

        /** One of those with its primary resolved. */
        private record Mandatory(Constraint.Colocation colocation, Rsc primary) {}

        Refusals(WorkingSet ws) { this.ws = ws; }

        /** The locations of no particular role on {@code unit}, on {@code p} or on anything {@code p} is inside, in order. */
        List<Loc> locations(Rsc unit, Rsc p) {
            List<Rsc> constrained = new ArrayList<>();
            constrained.add(unit);
            for (Rsc r = p; r != null; r = r.parent) if (!constrained.contains(r)) constrained.add(r);
            List<Loc> out = new ArrayList<>();
            int sources = 0;
            for (Rsc r : constrained) {
                int before = out.size();
                // a resource's locations are in the order of the working set's
                for (Loc l : r.locations) if (l.role == null) out.add(l);
                if (out.size() > before) sources++;
            }
            if (sources > 1) out.sort(java.util.Comparator.comparingInt(locationOrder()::get));
            return out;
        }

        private Map<Loc, Integer> locationOrder() {
            if (locationOrder == null) {
                locationOrder = new HashMap<>();
                for (Loc l : ws.locations) if (l.role == null) locationOrder.put(l, locationOrder.size());
            }
            return locationOrder;
        }

        /** The mandatory colocations whose dependent is {@code p} or its top-level resource, in configuration order. */
        List<Mandatory> colocations(Rsc p) {
            Map<Rsc, List<Configured>> colocationsOf = colocationsOf();
            List<Configured> configured = new ArrayList<>(colocationsOf.getOrDefault(p, List.of()));
            if (p.top() != p) {
                configured.addAll(colocationsOf.getOrDefault(p.top(), List.of()));
                configured.sort(java.util.Comparator.comparingInt(Configured::order));
            }
            // the primaries are looked up for the resources explained only, not for every mandatory colocation
            List<Mandatory> out = new ArrayList<>(configured.size());
            for (Configured c : configured) {
                Rsc primary = Locations.constrained(ws, c.colocation().withResource());
                if (primary != null) out.add(new Mandatory(c.colocation(), primary));
            }
            return out;
        }

        private Map<Rsc, List<Configured>> colocationsOf() {
            if (colocationsOf != null) return colocationsOf;
            colocationsOf = new HashMap<>();
            List<Constraint> constraints = ws.cfg.constraints();
            for (int i = 0; i < constraints.size(); i++) {
                if (!(constraints.get(i) instanceof Constraint.Colocation col) || !col.score().isInfinity() && !col.score().isMinusInfinity()) continue;
                Rsc dependent = Locations.constrained(ws, col.resource());
                if (dependent != null) colocationsOf.computeIfAbsent(dependent, k -> new ArrayList<>()).add(new Configured(i, col));
            }
            return colocationsOf;
        }
    }

    private static Rsc firstPrimitive(Rsc r) {
        List<Rsc> ps = r.primitives();
        return ps.isEmpty() ? r : ps.get(0);
    }

    private static void explain(WorkingSet ws, Refusals refusals, Rsc unit, Rsc p, Map<String, String> out, String key) {
        if (!p.managed) {
            if (p.unmanagedWhy != null) out.put(key, p.unmanagedWhy);
            return;
        }
        if (p.targetRole == Role.STOPPED) { out.put(key, "target-role=Stopped"); return; }
        if ("on-fail=stop".equals(p.nextRoleWhy)) { out.put(key, p.id + " failed with on-fail=stop"); return; }
        List<Loc> locations = refusals.locations(unit, p);
        List<Refusals.Mandatory> colocations = refusals.colocations(p);
        Map<String, String> perNode = new LinkedHashMap<>();
        for (SchedNode n : ws.nodes) perNode.put(n.id, refusal(ws, p, n, locations, colocations));
        StringBuilder b = new StringBuilder();
        perNode.forEach((n, why) -> b.append(b.length() == 0 ? "" : "; ").append(n).append(": ").append(why));
        out.put(key, b.length() == 0 ? "no nodes" : b.toString());
    }

    private static String refusal(WorkingSet ws, Rsc p, SchedNode n, List<Loc> locations, List<Refusals.Mandatory> colocations) {
        if (!n.canRunResources()) return n.unavailable != null ? n.unavailable : "node cannot run resources";
        if (!p.allowed.has(n.index)) return ws.symmetric ? "not allowed" : "cluster is opt-in (symmetric-cluster=false) and no location allows it";
        for (Rsc r = p; r != null; r = r.parent) {
            if (r.failBanned.contains(n)) {
                int own = r.failCount.getOrDefault(n, 0);
                int fails = r.failuresOn(n);
                String who = own == fails ? r.id : r.id + " and the resources it contains";
                String times = fails == 0 || fails >= Scores.INF ? "" : fails == 1 ? "once " : fails + " times ";
                return who + " failed " + times + "(migration-threshold " + Scores.text(r.migrationThreshold) + ")";
            }
        }
        for (Loc l : locations) {
            if (l.scores.has(n.index) && l.scores.get(n.index) == -Scores.INF) return "-INFINITY from location " + l.id;
        }
        if (p.noRoom.containsKey(n)) return p.noRoom.get(n);
        for (Refusals.Mandatory m : colocations) {
            Constraint.Colocation col = m.colocation();
            Rsc primary = m.primary();
            boolean there = placedOn(primary, n, col.withRole());
            boolean anywhere = placedAnywhere(primary);
            if (col.score().isInfinity() && !there) {
                return "mandatory colocation " + col.id() + ": " + primary.id + (col.withRole() == null ? "" : " (" + col.withRole().text() + ")")
                        + (anywhere ? " is not on this node" : " is not running anywhere");
            }
            if (col.score().isMinusInfinity() && there) return "anti-colocation " + col.id() + " with " + primary.id;
        }
        int w = p.allowed.get(n.index);
        if (w == -Scores.INF) return "-INFINITY";
        if (w < 0) return "score " + Scores.text(w) + " is negative";
        return "score " + Scores.text(w);
    }

    private static boolean placedOn(Rsc r, SchedNode n, Role role) {
        for (Rsc p : r.primitives()) {
            if (p.assigned != n) continue;
            if (role == null || role == Role.STARTED || p.nextRole == role) return true;
        }
        return false;
    }

    private static boolean placedAnywhere(Rsc r) {
        for (Rsc p : r.primitives()) if (p.assigned != null) return true;
        return false;
    }
}
