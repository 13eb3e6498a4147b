package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Role;
import vigil.api.status.ResourceState;

/**
 * Which instances of a promotable clone are promoted (Pacemaker's promotion): each placed instance gets a priority from
 * the promotion score its agent reported on its node (-1 when it reported none, so that it is not promoted without a
 * location preference), plus role-Promoted location constraints and colocations; the clone's own preferences and those
 * of resources colocated with its promoted role are added per node; the best promoted-max instances with a priority of
 * at least 0 are promoted, at most promoted-node-max per node. A copy marked outdated on a node (Vigil's replicated
 * resource-level fencing) gets -INFINITY there.
 */
final class Promotion {
    private Promotion() {}

    static void setRoles(WorkingSet ws, Rsc clone) {
        int[] promotedOn = new int[ws.nodes.length];
        for (Rsc child : clone.children) {
            if (child.state(true) == Role.STARTED) setUnpromoted(child, true);
            SchedNode chosen = child.location();
            if (chosen == null) continue;
            Role next = child.nextRole;
            if (next == null || next == Role.STARTED) {
                child.promotionPriority = outdated(ws, child, chosen) ? -Scores.INF : score(ws, child, chosen, -1);
            } else if (next == Role.UNPROMOTED || next == Role.STOPPED) {
                child.promotionPriority = -Scores.INF;
            }
            applyPromotedLocations(child, child.locations, chosen);
            applyPromotedLocations(child, clone.locations, chosen);
            Rsc dependent = child.isGroup() ? child.children.get(0) : child;
            for (Coloc c : clone.thisWith) {
                if (c.dependentRole != null && Rsc.rank(c.dependentRole) >= Rsc.rank(Role.UNPROMOTED) && dependent.parent == clone && !dependent.provisional) {
                    Colocations.applyToDependent(ws, dependent, c.primary, c);
                }
            }
            child.sortIndex = child.promotionPriority;
            if (next == Role.PROMOTED || promoting(child, chosen)) child.sortIndex = Scores.INF;
        }
        order(ws, clone);
        int promoted = 0;
        for (Rsc child : clone.children) {
            SchedNode chosen = null;
            if (child.sortIndex >= 0 && (promoted < clone.promotedMax || !clone.managed)) chosen = canBePromoted(ws, clone, child, promotedOn);
            if (chosen == null) {
                setUnpromoted(child, false);
                continue;
            }
            if (Rsc.rank(child.role) < Rsc.rank(Role.PROMOTED) && !ws.haveQuorum && ws.noQuorumPolicy == NoQuorumPolicy.FREEZE) {
                setUnpromoted(child, false);
                continue;
            }
            promotedOn[chosen.index]++;
            setPromoted(child);
            promoted++;
        }
    }

    /** Sorts the instances by promotion priority merged with the clone's and its colocations' preferences per node. */
    private static void order(WorkingSet ws, Rsc clone) {
        if (!clone.promotedConstraintsApplied) {
            clone.promotedConstraintsApplied = true;
            clone.merging = true;
            for (Rsc child : clone.children) {
                SchedNode chosen = child.location();
                if (chosen == null || child.sortIndex < 0) continue;
                clone.allowed.add(chosen.index, child.sortIndex);
            }
            for (Coloc c : new ArrayList<>(clone.thisWith)) {
                if (c.dependentRole == Role.PROMOTED) {
                    int flags = c.score == Scores.INF ? 0 : Colocations.ROLLBACK;
                    clone.allowed = Colocations.merge(ws, c.primary, clone.allowed, c.nodeAttribute, c.score / (float) Scores.INF, flags);
                }
            }
            for (Coloc c : new ArrayList<>(clone.withThis)) {
                if (!c.hasInfluence(null)) continue;
                if (c.primaryRole == Role.PROMOTED) {
                    clone.allowed = Colocations.merge(ws, c.dependent, clone.allowed, c.nodeAttribute, c.score / (float) Scores.INF,
                            Colocations.ROLLBACK | Colocations.POSITIVE);
                }
            }
            for (Rsc child : clone.children) {
                SchedNode chosen = child.location();
                if (!child.managed && child.nextRole == Role.PROMOTED) child.sortIndex = Scores.INF;
                else if (chosen != null && child.sortIndex >= 0) child.sortIndex = clone.allowed.has(chosen.index) ? clone.allowed.get(chosen.index) : child.sortIndex;
            }
            clone.merging = false;
        }
        List<Rsc> sorted = new ArrayList<>(clone.children);
        ListSort.sort(sorted, (a, b) -> {
            if (a.sortIndex != b.sortIndex) return a.sortIndex > b.sortIndex ? -1 : 1;
            int ra = Rsc.rank(a.state(true)), rb = Rsc.rank(b.state(true));
            if (ra != rb) return ra > rb ? -1 : 1;
            return CloneAssigner.compareInstances(ws, clone, a, b);
        });
        clone.children.clear();
        clone.children.addAll(sorted);
    }

    /**
     * Whether the instance's copy on {@code node} is marked outdated in the replicated state (resource-level fencing:
     * the Primary lost its link to it): it is never promoted there until the mark is cleared, whatever its promotion
     * score, which the node's own driver may not have lowered yet. A copy already promoted there stays so.
     */
    private static boolean outdated(WorkingSet ws, Rsc child, SchedNode node) {
        if (child.state(true) == Role.PROMOTED && child.activeNode() == node) return false;
        for (Rsc p : child.primitives()) if (ws.state.isOutdated(p.configId, node.id)) return true;
        return false;
    }

    /** Whether a promote of the instance is in flight on {@code node}: it goes on being promoted there. */
    private static boolean promoting(Rsc child, SchedNode node) {
        for (Rsc p : child.primitives()) if (p.promotePending == node) return true;
        return false;
    }

    /** Where the instance can be promoted, or null (Pacemaker's can_be_master). */
    private static SchedNode canBePromoted(WorkingSet ws, Rsc clone, Rsc r, int[] promotedOn) {
        for (Rsc c : r.children) if (canBePromotedPart(c) == null) return null;
        SchedNode node = r.location();
        if (node == null) return null;
        if (!r.managed) {
            if (r.state(true) != Role.PROMOTED) return null;
        } else if (r.promotionPriority < 0 && r.parent == clone) {
            return null;
        } else if (!node.canRunResources()) {
            return null;
        }
        if (!clone.allowed.has(node.index)) return null;
        if (promotedOn[node.index] < clone.promotedNodeMax || !r.managed) return node;
        return null;
    }

    private static SchedNode canBePromotedPart(Rsc member) {
        SchedNode node = member.location();
        if (node == null) return null;
        if (!member.managed && member.state(true) != Role.PROMOTED) return null;
        if (member.managed && member.priority < 0) return null;
        if (!node.canRunResources()) return null;
        return node;
    }

    private static void setUnpromoted(Rsc r, boolean current) {
        if (current) {
            if (r.role == Role.STARTED) r.role = Role.UNPROMOTED;
        } else {
            r.nextRole = r.location() != null ? Role.UNPROMOTED : Role.STOPPED;
            r.nextRoleWhy = "unpromoted instance";
        }
        for (Rsc c : r.children) setUnpromoted(c, current);
    }

    private static void setPromoted(Rsc r) {
        if (r.nextRole == null) {
            r.nextRole = Role.PROMOTED;
            r.nextRoleWhy = "promoted instance";
        }
        for (Rsc c : r.children) setPromoted(c);
    }

    private static void applyPromotedLocations(Rsc child, List<Loc> locations, SchedNode chosen) {
        for (Loc l : locations) {
            if (l.role != Role.PROMOTED || !l.scores.has(chosen.index)) continue;
            child.promotionPriority = Scores.add(child.promotionPriority, l.scores.get(chosen.index));
        }
    }

    /**
     * The promotion score the instance's agent reported on {@code node} ({@code notSet} when none): for a cloned group
     * the sum of its members'. An anonymous instance takes the score only where it is the instance active there, or
     * the clone was probed there.
     */
    static int score(WorkingSet ws, Rsc r, SchedNode node, int notSet) {
        if (!r.isPrimitive()) {
            int score = notSet;
            for (Rsc c : r.children) {
                int s = score(ws, c, node, notSet);
                score = score == notSet ? s : score + s;
            }
            return score;
        }
        Rsc clone = r.cloneParent();
        if (!r.unique && clone != null && anonymousInstanceHere(clone, r, node)) {
            // the instance that counts here
        } else if (!r.runningOn.isEmpty() || !r.knownOn.isEmpty()) {
            if (!r.runningOn.contains(node) && !r.knownOn.contains(node)) return notSet;
        }
        if (!r.allowed.has(node.index) || r.allowed.get(node.index) < 0) return notSet;
        ResourceState rs = ws.record(r.unique ? r.id : r.configId, node.id);
        return rs != null && rs.hasPromotionScore() ? rs.promotionScore() : notSet;
    }

    private static boolean anonymousInstanceHere(Rsc clone, Rsc r, SchedNode node) {
        for (Rsc inst : clone.children) {
            for (Rsc p : inst.primitives()) {
                if (!p.configId.equals(r.configId) || !p.runningOn.contains(node)) continue;
                return p == r;
            }
        }
        for (Rsc inst : clone.children) {
            for (Rsc p : inst.primitives()) if (p.configId.equals(r.configId) && p.knownOn.contains(node)) return true;
        }
        return false;
    }
}
