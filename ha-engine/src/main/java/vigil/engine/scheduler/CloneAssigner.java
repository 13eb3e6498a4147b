package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places a clone's instances (Pacemaker's clone assign): what the clone is colocated with first, then the merged
 * preferences of what is colocated with it; instances are sorted (active ones on usable nodes first), those running
 * keep their node where that is as good as any, the rest go to the best nodes with room (clone-node-max), spread
 * evenly. Promotable clones then choose their promoted instances ({@link Promotion}).
 */
final class CloneAssigner {
    private CloneAssigner() {}

    static SchedNode assign(WorkingSet ws, Rsc clone, SchedNode prefer) {
        if (!clone.provisional || clone.allocating) return null;
        clone.allocating = true;
        for (Coloc c : new ArrayList<>(clone.thisWith)) PrimitiveAssigner.place(ws, c.primary, prefer);
        for (Coloc c : new ArrayList<>(clone.withThis)) {
            if (!c.hasInfluence(null)) continue;
            clone.allowed = Colocations.merge(ws, c.dependent, clone.allowed, c.nodeAttribute, c.score / (float) Scores.INF,
                    Colocations.ROLLBACK | Colocations.POSITIVE);
        }
        Scheduler.recordScores(ws, clone);
        List<SchedNode> nodes = PrimitiveAssigner.sortedNodes(ws, clone.allowed, null);
        clone.instanceCount = new int[ws.nodes.length];
        List<Rsc> children = new ArrayList<>(clone.children);
        ListSort.sort(children, (a, b) -> compareInstances(ws, clone, a, b));
        clone.children.clear();
        clone.children.addAll(children);
        distribute(ws, clone, children, nodes, clone.cloneMax, clone.cloneNodeMax);
        if (!clone.unique) keepInstancesInPlace(clone);
        if (clone.promotable) Promotion.setRoles(ws, clone);
        clone.provisional = false;
        clone.allocating = false;
        return null;
    }

    /**
     * Anonymous instances are interchangeable: when one was assigned the node where another runs, and that other went
     * elsewhere, they trade their assignments, so that no instance stops and starts only to swap nodes with another
     * (the set of nodes is the same). Without it, negative colocations of the clone could have two instances trade
     * places again on every transition.
     */
    private static void keepInstancesInPlace(Rsc clone) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Rsc a : clone.children) {
                SchedNode here = a.activeNode();
                if (!a.isPrimitive() || a.assigned == null || here == null || a.assigned == here || failed(a)) continue;
                for (Rsc b : clone.children) {
                    if (b == a || !b.isPrimitive() || b.assigned != here || b.activeNode() == here || failed(b)) continue;
                    SchedNode there = a.assigned;
                    int weight = a.assignedWeight;
                    NodeWeights allowed = a.allowed;
                    a.assigned = here;
                    a.assignedWeight = b.assignedWeight;
                    a.allowed = b.allowed;
                    b.assigned = there;
                    b.assignedWeight = weight;
                    b.allowed = allowed;
                    changed = true;
                    break;
                }
            }
        }
    }

    private static void distribute(WorkingSet ws, Rsc clone, List<Rsc> children, List<SchedNode> nodes, int max, int perHost) {
        int available = 0;
        for (SchedNode n : nodes) {
            clone.instanceCount[n.index] = 0;
            if (n.canRunResources()) available++;
        }
        boolean allColoc = max < available;
        int loopMax = available > 0 ? Math.max(1, max / available) : 1;
        int allocated = 0;
        for (Rsc child : children) {
            if (allocated >= max) break;
            if (child.runningOn.isEmpty() || !child.provisional || failed(child)) continue;
            SchedNode where = child.activeNode();
            if (where == null || !where.canRunResources()) continue;
            if (clone.allowed.has(where.index) && clone.instanceCount[where.index] >= loopMax) continue;
            if (allocateInstance(ws, clone, child, where, allColoc, perHost)) allocated++;
        }
        for (Rsc child : children) {
            if (!child.provisional) continue;
            if (allocated >= max) {
                Locations.banEverywhere(ws, child);
                continue;
            }
            if (allocateInstance(ws, clone, child, null, allColoc, perHost)) allocated++;
        }
    }

    private static boolean allocateInstance(WorkingSet ws, Rsc clone, Rsc child, SchedNode prefer, boolean allColoc, int limit) {
        if (!child.provisional) return child.location() != null;
        if (child.allocating) return false;
        appendParentColocations(clone, child, allColoc);
        // an instance keeps its node when that is its best one, colocations included: a node where its own score is
        // negative can still be (skipped here, another instance could take that node while this one moves elsewhere,
        // and the same again on every transition)
        if (prefer != null && (!child.allowed.has(prefer.index) || child.allowed.get(prefer.index) == -Scores.INF)) return false;
        for (SchedNode n : ws.nodes) if (child.allowed.has(n.index)) limitOn(clone, child, n, limit);
        NodeWeights backup = child.allowed.copy();
        Map<Rsc, NodeWeights> memberBackup = new HashMap<>();
        for (Rsc m : child.children) memberBackup.put(m, m.allowed.copy());
        SchedNode chosen = PrimitiveAssigner.place(ws, child, prefer);
        if (chosen != null && prefer != null && chosen != prefer) {
            child.allowed = backup;
            for (Rsc m : child.children) m.allowed = memberBackup.get(m);
            undo(ws, child);
            chosen = null;
        }
        if (chosen != null && clone.allowed.has(chosen.index)) clone.instanceCount[chosen.index]++;
        return chosen != null;
    }

    private static void undo(WorkingSet ws, Rsc r) {
        for (Rsc c : r.children) undo(ws, c);
        PrimitiveAssigner.deallocate(ws, r);
        r.provisional = true;
        if (r.isPrimitive() || r.isGroup()) r.nextRole = null;
    }

    /** Where the clone is full (clone-node-max reached), or it may not run, the instance may not go. */
    private static void limitOn(Rsc clone, Rsc child, SchedNode node, int limit) {
        if (!node.canRunResources() || child.orphan || !clone.allowed.has(node.index)) {
            addScore(child, node, -Scores.INF);
            return;
        }
        int parentWeight = clone.allowed.get(node.index);
        if (parentWeight < 0) addScore(child, node, parentWeight);
        // full also where the clone's own score is negative: two instances on one node is never allowed
        if (clone.instanceCount[node.index] >= limit) addScore(child, node, -Scores.INF);
    }

    private static void addScore(Rsc r, SchedNode node, int score) {
        if (r.allowed.has(node.index)) r.allowed.set(node.index, Scores.add(r.allowed.get(node.index), score));
        for (Rsc c : r.children) addScore(c, node, score);
    }

    /**
     * The clone's colocations become the instance's: all of them when not every node gets an instance, otherwise
     * only the mandatory and negative ones (a positive preference cannot change where an instance on every node goes).
     */
    private static void appendParentColocations(Rsc clone, Rsc child, boolean all) {
        for (Coloc c : clone.thisWith) {
            if (all || c.score < 0 || c.score == Scores.INF) {
                child.thisWith = Rsc.editable(child.thisWith);
                child.thisWith.add(0, c);
            }
        }
        for (Coloc c : clone.withThis) {
            if (!c.hasInfluence(child)) continue;
            if (all || c.score < 0) {
                child.withThis = Rsc.editable(child.withThis);
                child.withThis.add(0, c);
            }
        }
    }

    static boolean failed(Rsc r) {
        if (r.failed) return true;
        for (Rsc c : r.children) if (failed(c)) return true;
        return false;
    }

    /**
     * The order in which instances are placed (Pacemaker's sort_clone_instance): active ones first (those on fewer
     * nodes, whose node is still allowed), by priority, on usable nodes, where fewer instances are, failed ones later,
     * then by the scores colocations give their current node, then by id.
     */
    static int compareInstances(WorkingSet ws, Rsc clone, Rsc a, Rsc b) {
        int na = a.runningOn.size(), nb = b.runningOn.size();
        SchedNode ca = a.activeNode(), cb = b.activeNode();
        if (na > 0 && nb > 0 && na != nb) return na < nb ? -1 : 1;
        SchedNode node1 = ca, node2 = cb;
        boolean can1 = true, can2 = true;
        if (node1 != null && (!a.allowed.has(node1.index) || a.allowed.get(node1.index) < 0)) { node1 = null; can1 = false; }
        if (node2 != null && (!b.allowed.has(node2.index) || b.allowed.get(node2.index) < 0)) { node2 = null; can2 = false; }
        if (can1 != can2) return can1 ? -1 : 1;
        if (a.priority != b.priority) return a.priority > b.priority ? -1 : 1;
        if (node1 == null && node2 == null) return 0;
        if (node1 == null) return 1;
        if (node2 == null) return -1;
        can1 = node1.canRunResources();
        can2 = node2.canRunResources();
        if (can1 != can2) return can1 ? -1 : 1;
        boolean allowed1 = clone.allowed.has(node1.index), allowed2 = clone.allowed.has(node2.index);
        if (!allowed1 && !allowed2) return 0;
        if (!allowed1) return 1;
        if (!allowed2) return -1;
        int count1 = clone.instanceCount == null ? 0 : clone.instanceCount[node1.index];
        int count2 = clone.instanceCount == null ? 0 : clone.instanceCount[node2.index];
        if (count1 != count2) return count1 < count2 ? -1 : 1;
        boolean f1 = failed(a), f2 = failed(b);
        if (f1 != f2) return f1 ? 1 : -1;
        if (f1) return 0;
        // the scores colocations give each one's current node
        NodeWeights h1 = single(ws, node1, clone.allowed.get(node1.index));
        NodeWeights h2 = single(ws, node2, clone.allowed.get(node2.index));
        for (Coloc c : clone.thisWith) {
            if (c.score == 0) continue;
            h1 = Colocations.merge(ws, c.primary, h1, c.nodeAttribute, c.score / (float) Scores.INF, 0);
            h2 = Colocations.merge(ws, c.primary, h2, c.nodeAttribute, c.score / (float) Scores.INF, 0);
        }
        for (Coloc c : clone.withThis) {
            if (c.hasInfluence(a)) h1 = Colocations.merge(ws, c.dependent, h1, c.nodeAttribute, c.score / (float) Scores.INF, Colocations.POSITIVE);
            if (c.hasInfluence(b)) h2 = Colocations.merge(ws, c.dependent, h2, c.nodeAttribute, c.score / (float) Scores.INF, Colocations.POSITIVE);
        }
        int w1 = h1.has(node1.index) ? h1.get(node1.index) : 0;
        int w2 = h2.has(node2.index) ? h2.get(node2.index) : 0;
        if (w1 < w2) return w1 < 0 ? -1 : 1;
        if (w1 > w2) return -1;
        int cmp = a.id.compareTo(b.id);
        return cmp;
    }

    private static NodeWeights single(WorkingSet ws, SchedNode n, int weight) {
        NodeWeights w = ws.newWeights();
        w.set(n.index, weight);
        return w;
    }
}
