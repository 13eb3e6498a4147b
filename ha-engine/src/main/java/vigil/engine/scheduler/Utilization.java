package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * placement-strategy and utilization ("Pacemaker Explained", Utilization and Placement Strategy): nodes have capacities
 * (cpu, memory, ...), primitives use some of them, and what is placed on a node in this run consumes its capacity.
 * With the strategy "default" none of it counts. With "utilization", "balanced" and "minimal" a primitive only goes
 * where its needs fit into what is left, counting also the resources that must run with it and are not placed yet;
 * the strategies then differ in which of the equally scored nodes comes first (see
 * {@link PrimitiveAssigner#compareNodes}): the fewest resources (utilization), the most capacity left (balanced) or
 * the configured order, filling one node before the next (minimal).
 */
final class Utilization {
    private Utilization() {}

    static boolean counts(WorkingSet ws) { return !ws.placementStrategy.equals("default"); }

    /**
     * Bans {@code rsc} from the nodes without room for it (Pacemaker's check of capacity before a primitive's node is
     * chosen): where some node has room for it together with the unplaced resources that must run with it, from every
     * node without room for all of them; else from every node without room for it alone. Returns {@code prefer}, or null
     * when that node was banned.
     */
    static SchedNode filter(WorkingSet ws, Rsc rsc, SchedNode prefer) {
        if (!counts(ws)) return prefer;
        Map<String, Integer> together = new TreeMap<>();
        List<Rsc> unplaced = unplacedColocated(rsc);
        for (Rsc r : unplaced) add(together, r.utilization);
        boolean roomForAll = false;
        for (SchedNode n : ws.nodes) {
            if (available(rsc, n) && fits(n, together)) {
                roomForAll = true;
                break;
            }
        }
        Map<String, Integer> needed = roomForAll ? together : rsc.utilization;
        for (SchedNode n : ws.nodes) {
            if (available(rsc, n) && !fits(n, needed)) {
                rsc.allowed.set(n.index, -Scores.INF);
                if (rsc.noRoom.isEmpty()) rsc.noRoom = new HashMap<>();
                rsc.noRoom.put(n, "not enough " + String.join(", ", lacking(n, needed)) + " left (placement-strategy " + ws.placementStrategy
                        + (roomForAll && unplaced.size() > 1 ? ", counting what must run with it" : "") + ")");
            }
        }
        return prefer != null && rsc.allowed.has(prefer.index) && rsc.allowed.get(prefer.index) < 0 ? null : prefer;
    }

    /**
     * With a strategy other than default, the order resources are placed in (Pacemaker sorts them only then): higher
     * priority first; then the higher score, its colocations with others counted, on the node where it runs now; then
     * the higher score on the first node where the two differ, nodes taken with the most capacity left first (for
     * "balanced"). So a resource that would keep its node, or that has a stronger claim on the roomiest node, takes its
     * room before the others.
     */
    static void sortResources(WorkingSet ws) {
        if (!counts(ws)) return;
        List<SchedNode> nodes = new ArrayList<>(List.of(ws.nodes));
        ListSort.sort(nodes, (a, b) -> {
            if (ws.placementStrategy.equals("balanced")) {
                int c = compareCapacity(a, b);
                if (c != 0) return c;
            }
            return a.id.compareTo(b.id);
        });
        Map<Rsc, NodeWeights> scores = new java.util.HashMap<>();
        for (Rsc r : ws.resources) scores.put(r, Colocations.merge(ws, r, null, null, 1, Colocations.INIT | Colocations.FORWARD));
        ListSort.sort(ws.resources, (a, b) -> {
            if (a.priority != b.priority) return a.priority > b.priority ? -1 : 1;
            int wa = scoreOnCurrentNode(a, scores.get(a)), wb = scoreOnCurrentNode(b, scores.get(b));
            if (wa != wb) return wa > wb ? -1 : 1;
            for (SchedNode n : nodes) {
                wa = score(scores.get(a), n);
                wb = score(scores.get(b), n);
                if (wa != wb) return wa > wb ? -1 : 1;
            }
            return 0;
        });
    }

    private static int scoreOnCurrentNode(Rsc r, NodeWeights w) {
        List<SchedNode> current = r.currentNodes();
        return current.isEmpty() ? -Scores.INF : score(w, current.get(0));
    }

    private static int score(NodeWeights w, SchedNode n) { return w.has(n.index) ? w.get(n.index) : -Scores.INF; }

    /**
     * Which of two nodes has more capacity left (for "balanced"): negative when {@code a} has more of it in more of the
     * capacities either node has, positive when {@code b} has, 0 when they are even.
     */
    static int compareCapacity(SchedNode a, SchedNode b) {
        int result = 0;
        TreeSet<String> names = new TreeSet<>(a.capacity.keySet());
        names.addAll(b.capacity.keySet());
        for (String name : names) {
            int left = left(a, name), right = left(b, name);
            if (left > right) result--;
            else if (left < right) result++;
        }
        return result;
    }

    /** {@code rsc} was placed on {@code n}: it uses its share of the node's capacities. */
    static void consume(SchedNode n, Rsc rsc) {
        if (!rsc.utilization.isEmpty()) rsc.utilization.forEach((k, v) -> n.used.merge(k, v, Integer::sum));
    }

    /** {@code rsc} was taken off {@code n} again. */
    static void release(SchedNode n, Rsc rsc) { rsc.utilization.forEach((k, v) -> n.used.merge(k, -v, Integer::sum)); }

    private static boolean available(Rsc rsc, SchedNode n) {
        return n.canRunResources() && rsc.allowed.has(n.index) && rsc.allowed.get(n.index) >= 0;
    }

    private static int left(SchedNode n, String name) { return n.capacity.getOrDefault(name, 0) - n.used.getOrDefault(name, 0); }

    static boolean fits(SchedNode n, Map<String, Integer> needs) { return lacking(n, needs).isEmpty(); }

    private static List<String> lacking(SchedNode n, Map<String, Integer> needs) {
        List<String> out = new ArrayList<>();
        needs.forEach((k, v) -> { if (v > left(n, k)) out.add(k); });
        return out;
    }

    private static void add(Map<String, Integer> sum, Map<String, Integer> more) { more.forEach((k, v) -> sum.merge(k, v, Integer::sum)); }

    /**
     * {@code rsc} and the primitives not placed yet that must run on the same node as it: through mandatory colocations
     * in either direction, group members included (they are colocated with the member before them).
     */
    static List<Rsc> unplacedColocated(Rsc rsc) {
        List<Rsc> seen = new ArrayList<>();
        collect(rsc, seen);
        List<Rsc> out = new ArrayList<>();
        for (Rsc r : seen) {
            if (r == rsc) out.add(r);
            else if (r.isPrimitive() && r.provisional) out.add(r);
            else if (!r.isPrimitive() && r.provisional) firstUnplaced(r, out);
        }
        return out;
    }

    private static void collect(Rsc r, List<Rsc> seen) {
        if (seen.contains(r)) return;
        seen.add(r);
        for (Coloc c : r.thisWith) if (mandatoryTogether(c)) collect(c.primary, seen);
        for (Coloc c : r.withThis) if (mandatoryTogether(c)) collect(c.dependent, seen);
    }

    private static boolean mandatoryTogether(Coloc c) {
        return c.score >= Scores.INF && c.nodeAttribute == null && c.dependentRole == null && c.primaryRole == null;
    }

    /** What a group (its unplaced members) or clone (one unplaced instance) adds to the needs. */
    private static void firstUnplaced(Rsc collective, List<Rsc> out) {
        if (collective.isGroup()) {
            for (Rsc m : collective.children) if (m.provisional && !out.contains(m)) out.add(m);
            return;
        }
        for (Rsc instance : collective.children) {
            if (instance.provisional) {
                for (Rsc p : instance.primitives()) if (!out.contains(p)) out.add(p);
                return;
            }
        }
    }
}
