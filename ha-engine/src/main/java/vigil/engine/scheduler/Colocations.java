package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.Constraint;
import vigil.api.model.Role;

/**
 * Colocation constraints: how a placed primary changes its dependents' scores (Pacemaker's colocation_match and the
 * promotion-priority variant), and how dependents' preferences pull a primary before it is placed (merging their
 * scores, scaled by the colocation score / INFINITY, through chains of colocations).
 */
final class Colocations {
    /** Marks a node a dependent refused while merging positive-only preferences (Pacemaker's INFINITY_HACK). */
    static final int UNUSABLE = Scores.INF * -100;

    private Colocations() {}

    /** Resolves the configured colocations onto this run's resources. */
    static void unpack(WorkingSet ws) {
        for (Constraint c : ws.cfg.constraints()) {
            if (!(c instanceof Constraint.Colocation col)) continue;
            Rsc dependent = Locations.constrained(ws, col.resource());
            Rsc primary = Locations.constrained(ws, col.withResource());
            if (dependent == null || primary == null) continue;
            add(ws, new Coloc(col.id(), dependent, primary, col.score().value(), role(col.role()), role(col.withRole()), null, dependent.critical));
        }
    }

    private static Role role(Role r) { return r == Role.STARTED ? null : r; }

    /** Registers a colocation in both resources' lists, in the order Pacemaker processes them. */
    static void add(WorkingSet ws, Coloc c) {
        if (c.score == 0) return;
        c.dependent.thisWith = Rsc.editable(c.dependent.thisWith);
        insertSorted(c.dependent.thisWith, c, true);
        c.primary.withThis = Rsc.editable(c.primary.withThis);
        insertSorted(c.primary.withThis, c, false);
        ws.colocations.add(c);
        if (c.score <= -Scores.INF) {
            ws.order(c.dependent, "stop", c.primary, "start", Ordering.ANTI_COLOCATION);
            ws.order(c.primary, "stop", c.dependent, "start", Ordering.ANTI_COLOCATION);
        }
    }

    /**
     * Colocations are processed by the other resource's priority, clones before groups before primitives, promotable
     * clones first, then id; a new one goes before equal ones.
     */
    private static void insertSorted(List<Coloc> list, Coloc c, boolean byPrimary) {
        int i = 0;
        while (i < list.size() && compare(c, list.get(i), byPrimary) > 0) i++;
        list.add(i, c);
    }

    private static int compare(Coloc a, Coloc b, boolean byPrimary) {
        Rsc x = byPrimary ? a.primary : a.dependent;
        Rsc y = byPrimary ? b.primary : b.dependent;
        if (x.priority != y.priority) return x.priority > y.priority ? -1 : 1;
        if (x.variant != y.variant) return x.variant.ordinal() > y.variant.ordinal() ? -1 : 1;
        if (x.isClone() && x.promotable != y.promotable) return x.promotable ? -1 : 1;
        return x.id.compareTo(y.id);
    }

    // ---------------------------------------------------------------- a placed primary's effect on a dependent

    /** Applies {@code c} to {@code dependent} (a primitive) now that {@code primary} is placed. */
    static void applyToDependent(WorkingSet ws, Rsc dependent, Rsc primary, Coloc c) {
        switch (primary.variant) {
            case PRIMITIVE -> withPrimitive(ws, dependent, primary, c);
            case GROUP -> {
                if (c.score == 0 || primary.provisional) return;
                if (primary.children.isEmpty()) return;
                // a mandatory colocation needs the whole group up; an advisory one is happy with its first member
                Rsc member = c.score >= Scores.INF ? primary.children.get(primary.children.size() - 1) : primary.children.get(0);
                applyToDependent(ws, dependent, member, c);
            }
            case CLONE -> withClone(ws, dependent, primary, c);
        }
    }

    private static void withPrimitive(WorkingSet ws, Rsc dependent, Rsc primary, Coloc c) {
        if (primary.provisional) return;
        if (c.dependentRole != null && Rsc.rank(c.dependentRole) >= Rsc.rank(Role.UNPROMOTED) && dependent.inPromotable() && !dependent.provisional) {
            influencePriority(ws, dependent, primary, c);
            return;
        }
        if (!dependent.provisional) return;
        if (c.score > 0 && c.dependentRole != null && c.dependentRole != dependent.nextRole) return;
        if (c.score > 0 && c.primaryRole != null && c.primaryRole != primary.nextRole) return;
        if (c.score < 0 && c.dependentRole != null && c.dependentRole == dependent.nextRole) return;
        if (c.score < 0 && c.primaryRole != null && c.primaryRole == primary.nextRole) return;
        match(ws, dependent, primary, c);
    }

    /** Pacemaker's colocation_match: the dependent's score changes on nodes like (or unlike) the primary's. */
    private static void match(WorkingSet ws, Rsc dependent, Rsc primary, Coloc c) {
        String attr = c.attribute();
        String value = null;
        if (primary.assigned != null) value = primary.assigned.attribute(attr);
        else if (c.score < 0) return;
        // nodes "like the primary's": the same value of the attribute, ignoring case
        int[] valueOf = ws.attributeValues(attr);
        NodeWeights work = dependent.allowed.copy();
        for (SchedNode n : ws.nodes) {
            if (!work.has(n.index)) continue;
            if (primary.assigned == null) {
                work.set(n.index, Scores.add(-c.score, work.get(n.index)));
            } else if (value != null && valueOf[n.index] == valueOf[primary.assigned.index]) {
                if (c.score < Scores.INF) work.set(n.index, Scores.add(c.score, work.get(n.index)));
            } else if (c.score >= Scores.INF) {
                work.set(n.index, Scores.add(-c.score, work.get(n.index)));
            }
        }
        if (work.canRunAny(ws.nodes) || c.score <= -Scores.INF || c.score >= Scores.INF) dependent.allowed = work;
    }

    /** A promotable instance already placed: the colocation changes its promotion priority instead. */
    static void influencePriority(WorkingSet ws, Rsc dependent, Rsc primary, Coloc c) {
        if (primary.assigned == null || dependent.assigned == null) return;
        String attr = c.attribute();
        String dv = dependent.assigned.attribute(attr);
        String pv = primary.assigned.attribute(attr);
        if (dv == null || !dv.equalsIgnoreCase(String.valueOf(pv))) {
            if (c.score >= Scores.INF && c.dependentRole == Role.PROMOTED) dependent.promotionPriority = -Scores.INF;
            return;
        }
        if (c.primaryRole != null && c.primaryRole != primary.nextRole) return;
        int multiplier = c.dependentRole == Role.UNPROMOTED ? -1 : 1;
        dependent.promotionPriority = Scores.add(multiplier * c.score, dependent.promotionPriority);
    }

    /** The primary is a clone (Pacemaker's clone_rsc_colocation_rh and its promotable variant). */
    private static void withClone(WorkingSet ws, Rsc dependent, Rsc clone, Coloc c) {
        if (clone.provisional) return;
        if (clone.promotable && c.primaryRole != null) {
            withPromotable(ws, dependent, clone, c);
            return;
        }
        Rsc depClone = c.dependent.isClone() ? c.dependent : null;
        boolean interleave = false;
        if (depClone != null && depClone.interleave) {
            if (depClone.cloneNodeMax != clone.cloneNodeMax) {
                interleave = false;
            } else {
                interleave = true;
            }
        }
        if (interleave) {
            Rsc instance = compatibleInstance(ws, dependent, clone, null, false);
            if (instance != null) {
                applyToDependent(ws, dependent, instance, c);
            } else if (c.score >= Scores.INF) {
                PrimitiveAssigner.assign(ws, dependent, null, true);
            }
            return;
        }
        if (c.score >= Scores.INF) {
            List<SchedNode> rhs = new ArrayList<>();
            for (Rsc inst : clone.children) {
                SchedNode chosen = inst.location();
                if (chosen != null && !blockedAnywhere(inst)) rhs.add(chosen);
            }
            exclude(dependent.allowed, rhs, null);
            return;
        }
        for (Rsc inst : clone.children) applyToDependent(ws, dependent, inst, c);
    }

    private static boolean blockedAnywhere(Rsc r) {
        if (r.blocked) return true;
        for (Rsc c : r.children) if (blockedAnywhere(c)) return true;
        return false;
    }

    private static void withPromotable(WorkingSet ws, Rsc dependent, Rsc clone, Coloc c) {
        if (dependent.provisional) {
            List<SchedNode> rhs = new ArrayList<>();
            List<Integer> rhsWeights = new ArrayList<>();
            for (Rsc inst : clone.children) {
                SchedNode chosen = inst.location();
                Role next = inst.state(false);
                if (chosen != null && next == c.primaryRole) {
                    if (c.score < Scores.INF) updateOne(ws, dependent.allowed, chosen, c.attribute(), c.score);
                    rhs.add(chosen);
                    rhsWeights.add(instanceWeight(inst, chosen));
                }
            }
            // a Promoted-with-Promoted colocation must not keep unpromoted instances from starting
            if (c.dependentRole != Role.PROMOTED || c.primaryRole != Role.PROMOTED) {
                if (c.score >= Scores.INF) exclude(dependent.allowed, rhs, rhsWeights);
            }
        } else if (c.dependentRole == Role.PROMOTED) {
            Rsc inst = compatibleInstance(ws, dependent, clone, c.primaryRole, false);
            if (inst == null && c.score >= Scores.INF) {
                dependent.promotionPriority = -Scores.INF;
            } else if (inst != null) {
                dependent.promotionPriority = Scores.add(dependent.promotionPriority, c.score);
            }
        }
    }

    /** The score an instance was placed with on its node. */
    private static int instanceWeight(Rsc inst, SchedNode node) {
        Rsc p = inst.isPrimitive() ? inst : inst.children.isEmpty() ? inst : inst.children.get(0);
        return p.assignedWeight;
    }

    /** Adds {@code score} on every node of {@code weights} whose {@code attr} equals that of {@code node}. */
    static void updateOne(WorkingSet ws, NodeWeights weights, SchedNode node, String attr, int score) {
        String v = node.attribute(attr);
        for (SchedNode n : ws.nodes) {
            if (weights.has(n.index) && v != null && v.equalsIgnoreCase(String.valueOf(n.attribute(attr)))) weights.set(n.index, Scores.add(weights.get(n.index), score));
        }
    }

    /**
     * Nodes not in {@code keep} get -INFINITY; with {@code mergeWeights}, those in it get the matching weight added
     * (Pacemaker's node_list_exclude).
     */
    static void exclude(NodeWeights weights, List<SchedNode> keep, List<Integer> mergeWeights) {
        for (int i = 0; i < weights.size(); i++) {
            if (!weights.has(i)) continue;
            int at = -1;
            for (int k = 0; k < keep.size(); k++) if (keep.get(k).index == i) { at = k; break; }
            if (at < 0) weights.set(i, -Scores.INF);
            else if (mergeWeights != null) weights.set(i, Scores.add(weights.get(i), mergeWeights.get(at)));
        }
        for (SchedNode n : keep) if (!weights.has(n.index)) weights.set(n.index, -Scores.INF);
    }

    /**
     * The instance of {@code clone} that an instance of an interleaved clone pairs with: one placed on the same node
     * (in {@code role}, if given), with the best score there.
     */
    static Rsc compatibleInstance(WorkingSet ws, Rsc dependentInstance, Rsc clone, Role role, boolean current) {
        SchedNode node = current ? (dependentInstance.currentNodes().isEmpty() ? null : dependentInstance.currentNodes().get(0)) : dependentInstance.location();
        if (node == null) {
            // not placed yet: any node it may run on, best first (as nodes are chosen: ties go to the least loaded)
            List<SchedNode> candidates = new ArrayList<>();
            for (SchedNode n : ws.nodes) if (dependentInstance.allowed.has(n.index) && dependentInstance.allowed.get(n.index) >= 0 && n.canRunResources()) candidates.add(n);
            ListSort.sort(candidates, (a, b) -> PrimitiveAssigner.compareNodes(ws, dependentInstance.allowed, a, b, null));
            for (SchedNode n : candidates) {
                Rsc r = instanceOn(clone, n, role, current);
                if (r != null) return r;
            }
            return null;
        }
        return instanceOn(clone, node, role, current);
    }

    static Rsc instanceOn(Rsc clone, SchedNode node, Role role, boolean current) {
        for (Rsc inst : clone.children) {
            SchedNode where = current ? (inst.currentNodes().isEmpty() ? null : inst.currentNodes().get(0)) : inst.location();
            if (where != node) continue;
            if (role != null && inst.state(current) != role) continue;
            return inst;
        }
        return null;
    }

    // ---------------------------------------------------------------- dependents' preferences pull the primary

    static final int INIT = 1;
    static final int FORWARD = 2;
    static final int ROLLBACK = 4;
    static final int POSITIVE = 8;

    /**
     * Merges {@code rsc}'s node preferences, scaled by {@code factor}, into {@code nodes} and follows the chain of what
     * is colocated with it (Pacemaker's merge_weights). Returns the new table ({@code nodes} itself on rollback).
     */
    static NodeWeights merge(WorkingSet ws, Rsc rsc, NodeWeights nodes, String attr, float factor, int flags) {
        if (rsc.isGroup()) return mergeGroup(ws, rsc, nodes, attr, factor, flags);
        if (rsc.merging) return nodes;
        rsc.merging = true;
        NodeWeights work;
        if ((flags & INIT) != 0) {
            work = rsc.allowed.copy();
            flags &= ~INIT;
        } else {
            work = nodes.copy();
            addMatching(ws, work, rsc, attr, factor, (flags & POSITIVE) != 0);
        }
        if (work.canRunAny(ws.nodes)) {
            int multiplier = factor < 0 ? -1 : 1;
            List<Coloc> chain = (flags & FORWARD) != 0 ? rsc.thisWith : rsc.withThis;
            for (Coloc c : new ArrayList<>(chain)) {
                Rsc other;
                if ((flags & FORWARD) != 0) other = c.primary;
                else if (!c.hasInfluence(null)) continue;
                else other = c.dependent;
                work = merge(ws, other, work, c.nodeAttribute, multiplier * c.score / (float) Scores.INF, flags | ROLLBACK);
            }
        } else if ((flags & ROLLBACK) != 0) {
            rsc.merging = false;
            return nodes;
        }
        if ((flags & POSITIVE) != 0) {
            for (int i = 0; i < work.size(); i++) if (work.has(i) && work.get(i) == UNUSABLE) work.set(i, 1);
        }
        rsc.merging = false;
        return work;
    }

    private static NodeWeights mergeGroup(WorkingSet ws, Rsc group, NodeWeights nodes, String attr, float factor, int flags) {
        if (group.merging || group.children.isEmpty()) return nodes;
        group.merging = true;
        NodeWeights out = merge(ws, group.children.get(0), nodes, attr, factor, flags);
        for (Coloc c : new ArrayList<>(group.withThis)) {
            if (c.score == 0 || !c.hasInfluence(null)) continue;
            out = merge(ws, c.dependent, out, c.nodeAttribute, (factor < 0 ? -1 : 1) * c.score / (float) Scores.INF, flags | ROLLBACK);
        }
        group.merging = false;
        return out;
    }

    /**
     * Adds to each node of {@code nodes} {@code factor} times {@code rsc}'s best score on a node with the same value of
     * {@code attr} (Pacemaker's add_node_scores_matching_attr).
     */
    private static void addMatching(WorkingSet ws, NodeWeights nodes, Rsc rsc, String attr, float factor, boolean onlyPositive) {
        String a = attr == null ? "#uname" : attr;
        int[] valueOf = ws.attributeValues(a);
        boolean[] hasAttribute = ws.hasAttribute(a);
        int[] best = bestByValue(ws, rsc, valueOf);
        for (SchedNode n : ws.nodes) {
            if (!nodes.has(n.index)) continue;
            int bestThere = best[valueOf[n.index]];
            int score = !hasAttribute[n.index] || bestThere == NO_SCORE ? -Scores.INF : bestThere;
            int current = nodes.get(n.index);
            if (factor < 0 && score < 0) continue; // a double negative does not become a preference
            if (current == UNUSABLE) continue;
            float wf = factor * score;
            int weight = (int) (wf < 0 ? wf - 0.5f : wf + 0.5f);
            if (weight == 0 && score != 0) weight = factor > 0 ? 1 : factor < 0 ? -1 : 0;
            int next = Scores.add(weight, current);
            if (onlyPositive && next < 0 && current > 0) {
                nodes.set(n.index, UNUSABLE);
                continue;
            }
            if (onlyPositive && next < 0 && current == 0) continue;
            nodes.set(n.index, next);
        }
    }

    private static final int NO_SCORE = Integer.MIN_VALUE;

    /**
     * {@code rsc}'s best score among the nodes that can run it, per value of the attribute ({@code valueOf}: see
     * {@link WorkingSet#attributeValues}), {@link #NO_SCORE} for a value no such node has. The array is the working
     * set's, refilled by each call.
     */
    private static int[] bestByValue(WorkingSet ws, Rsc rsc, int[] valueOf) {
        if (ws.bestByValue == null) ws.bestByValue = new int[ws.nodes.length];
        int[] best = ws.bestByValue;
        java.util.Arrays.fill(best, NO_SCORE);
        for (SchedNode n : ws.nodes) {
            if (!rsc.allowed.has(n.index) || !n.canRunResources()) continue;
            int v = valueOf[n.index];
            best[v] = Math.max(best[v], rsc.allowed.get(n.index));
        }
        return best;
    }

    /** Equal for two strings exactly when {@link String#equalsIgnoreCase} holds (it compares char by char the same way). */
    static String foldCase(String s) {
        char[] out = new char[s.length()];
        for (int i = 0; i < out.length; i++) out[i] = Character.toLowerCase(Character.toUpperCase(s.charAt(i)));
        return new String(out);
    }
}
