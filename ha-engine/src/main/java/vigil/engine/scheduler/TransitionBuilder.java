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
 * come before it; and, for every resource left stopped, why each node was refused.
 */
final class TransitionBuilder {
    private TransitionBuilder() {}

    static Transition build(WorkingSet ws, List<Transition.Change> changes) {
        Prerequisites prerequisites = new Prerequisites(ws);
        List<Act> real = new ArrayList<>(ws.actions.size()); // at most all: one array rather than a growing one
        for (Act a : ws.actions) if (prerequisites.inPlan[a.id] && kind(a) != null) real.add(a);
        // what each action waits for, its number of unnumbered prerequisites, what waits for it, and its number: all
        // by action id (its place in ws.actions)
        int count = ws.actions.size();
        int[][] deps = new int[count][];
        for (Act a : real) {
            int[] before = prerequisites.idsOf(a);
            // through pseudo actions back to itself (a guest's container stop, the guest's fence, the stops it
            // implies, what they are ordered before): an ordering that would make a loop is left out, as Pacemaker does
            if (contains(before, a.id)) before = Arrays.stream(before).filter(d -> d != a.id).toArray();
            deps[a.id] = before;
        }
        // number them so that prerequisites come first; ties in creation order
        int[] waiting = new int[count];
        // what waits for action x: dependents[dependentsFrom[x] .. dependentsFrom[x + 1]), in no particular order
        // (the queue below orders them); one array for all rather than one per action
        int[] dependentsFrom = new int[count + 1];
        for (Act a : real) {
            waiting[a.id] = deps[a.id].length;
            for (int d : deps[a.id]) dependentsFrom[d + 1]++;
        }
        for (int i = 0; i < count; i++) dependentsFrom[i + 1] += dependentsFrom[i];
        int[] dependents = new int[dependentsFrom[count]];
        int[] filled = Arrays.copyOf(dependentsFrom, count);
        for (Act a : real) for (int d : deps[a.id]) dependents[filled[d]++] = a.id;
        IdHeap ready = new IdHeap(real.size());
        for (Act a : real) if (waiting[a.id] == 0) ready.add(a.id);
        List<Act> ordered = new ArrayList<>(real.size());
        int[] number = new int[count];
        while (!ready.isEmpty()) {
            Act a = ws.actions.get(ready.poll());
            number[a.id] = ordered.size();
            ordered.add(a);
            for (int i = dependentsFrom[a.id]; i < dependentsFrom[a.id + 1]; i++) if (--waiting[dependents[i]] == 0) ready.add(dependents[i]);
        }
        if (ordered.size() < real.size()) {
            List<String> stuck = new ArrayList<>();
            for (Act a : real) if (!ordered.contains(a)) stuck.add(a.toString());
            throw new IllegalStateException("order constraints form a cycle among " + stuck
                    + "; remove or relax one of the order constraints between these resources");
        }
        List<PlannedAction> out = new ArrayList<>(ordered.size());
        Duration interval = Duration.ZERO; // the last one made: monitors mostly share an interval
        for (Act a : ordered) {
            if (interval.toMillis() != a.intervalMs) interval = Duration.ofMillis(a.intervalMs);
            int[] after = deps[a.id]; // numbered in place: each action's array is its own
            for (int i = 0; i < after.length; i++) after[i] = number[after[i]];
            Rsc r = a.rsc;
            String resource = r == null ? "" : r.unique || r.cloneParent() == null ? r.id : r.configId;
            out.add(new PlannedAction(number[a.id], kind(a), resource, a.node.id, a.peer == null ? "" : a.peer.id, interval,
                    ActionIds.of(after), reason(a)));
        }
        return new Transition(out, ws.withScores ? ws.scores : Map.of(), notPlaced(ws), changes);
    }

    /** Action ids, smallest first: a binary heap of ints, which reads no action to compare two. */
    private static final class IdHeap {
        private final int[] heap;
        private int size;

        /** @param capacity how many ids it will ever hold at once */
        IdHeap(int capacity) { heap = new int[capacity]; }

        boolean isEmpty() { return size == 0; }

        void add(int id) {
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

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) if (x == id) return true;
        return false;
    }

    /**
     * The real actions each action waits for, looking through pseudo actions (an ordering on an action not taken is
     * void), remembered by action id for the pseudo actions many others look through.
     */
    private static final class Prerequisites {
        private static final Act[] NONE = new Act[0];
        /** By action id: {@link #inPlan}, worked out once per action. */
        final boolean[] inPlan;
        private final Act[][] through;
        private final boolean[] visiting;
        /** By action id: the last list that took the action (a number per list), to take each action once. */
        private final int[] takenBy;
        private int lists;
        /** The actions found so far, a stack shared by the nested calls of {@link #collect}. */
        private Act[] found = new Act[64];
        private int top;

        Prerequisites(WorkingSet ws) {
            int count = ws.actions.size();
            inPlan = new boolean[count];
            for (Act a : ws.actions) inPlan[a.id] = TransitionBuilder.inPlan(a);
            through = new Act[count][];
            visiting = new boolean[count];
            takenBy = new int[count];
        }

        Act[] of(Act a) {
            int start = collect(a);
            Act[] out = top == start ? NONE : Arrays.copyOfRange(found, start, top);
            top = start;
            return out;
        }

        /** {@link #of} as action ids, in an array of its own. */
        int[] idsOf(Act a) {
            int start = collect(a);
            int[] out = new int[top - start];
            for (int i = 0; i < out.length; i++) out[i] = found[start + i].id;
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
                if (!inPlan[f.id] && !(f.pseudo() && f.runnable() && !f.optional())) continue;
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

    private static String reason(Act a) {
        Rsc r = a.rsc;
        if (a.task.equals("stonith")) return a.reason == null ? "" : a.reason;
        String why = a.reason;
        switch (a.task) {
            case "stop":
                if (why != null) return why;
                if (r.failed && r.runningOn.contains(a.node)) return "recover after failure";
                if (r.assigned == null) return "node availability";
                if (r.assigned != a.node) return "move to " + r.assigned.id;
                return "restart";
            case "start":
                if (why != null) return why;
                return r.runningOn.isEmpty() ? "placed here" : r.runningOn.contains(a.node) ? "restart" : "recover or move here";
            case "promote":
                return why != null ? why : "highest promotion score";
            case "demote":
                return why != null ? why : r.nextRole == Role.STOPPED ? "stop" : "another instance is preferred";
            case "migrate_to":
                return "move to " + a.peer.id + " (allow-migrate)";
            case "migrate_from":
                return "migrated from " + a.peer.id;
            case "monitor":
                return "recurring monitor";
            default:
                return why == null ? "" : why;
        }
    }

    // ---------------------------------------------------------------- why resources are not placed

    /**
     * For every managed resource that should run but was placed nowhere, why each node was refused: the node's
     * state, a -INFINITY location, failures, a mandatory colocation, or a score that stayed negative.
     */
    static Map<String, String> notPlaced(WorkingSet ws) {
        Map<String, String> out = new TreeMap<>();
        Refusals refusals = new Refusals(ws);
        for (Rsc top : ws.resources) {
            if (top.orphan) continue;
            if (top.isClone()) {
                boolean any = false;
                for (Rsc inst : top.children) if (inst.location() != null) any = true;
                if (!any && top.cloneMax > 0) explain(ws, refusals, top, firstPrimitive(top), out, top.id);
                continue;
            }
            List<Rsc> primitives = top.primitives();
            for (int i = 0; i < primitives.size(); i++) {
                Rsc p = primitives.get(i);
                if (p.assigned != null) continue;
                explain(ws, refusals, p, p, out, top.isGroup() && p == top.children.get(0) ? top.id : p.id);
            }
        }
        return out;
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
        private Map<Rsc, List<Mandatory>> colocationsOf;

        /** A mandatory colocation or anti-colocation, its primary resolved, and its place in the configuration. */
        private record Mandatory(int order, Constraint.Colocation colocation, Rsc primary) {}

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
            Map<Rsc, List<Mandatory>> colocationsOf = colocationsOf();
            List<Mandatory> out = new ArrayList<>(colocationsOf.getOrDefault(p, List.of()));
            if (p.top() != p) {
                out.addAll(colocationsOf.getOrDefault(p.top(), List.of()));
                out.sort(java.util.Comparator.comparingInt(Mandatory::order));
            }
            return out;
        }

        private Map<Rsc, List<Mandatory>> colocationsOf() {
            if (colocationsOf != null) return colocationsOf;
            colocationsOf = new HashMap<>();
            List<Constraint> constraints = ws.cfg.constraints();
            for (int i = 0; i < constraints.size(); i++) {
                if (!(constraints.get(i) instanceof Constraint.Colocation col) || !col.score().isInfinity() && !col.score().isMinusInfinity()) continue;
                Rsc dependent = Locations.constrained(ws, col.resource());
                Rsc primary = Locations.constrained(ws, col.withResource());
                if (dependent == null || primary == null) continue;
                colocationsOf.computeIfAbsent(dependent, k -> new ArrayList<>()).add(new Mandatory(i, col, primary));
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
                Integer fails = r.failCount.get(n);
                return r.id + " failed " + (fails == null || fails >= Scores.INF ? "" : fails + " times ") + "(migration-threshold " + Scores.text(r.migrationThreshold) + ")";
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
