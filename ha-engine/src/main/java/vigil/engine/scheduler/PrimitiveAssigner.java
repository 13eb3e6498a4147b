package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Role;

/**
 * Places one primitive (Pacemaker's primitive assign): first what it is colocated with, then the preferences of what
 * is colocated with it, then the best node: highest score, then fewest resources placed so far, then the node it runs
 * on, then the node name. A tie with its current node keeps it there.
 */
final class PrimitiveAssigner {
    private PrimitiveAssigner() {}

    /** Places any resource (dispatching on its variant); returns where it went (null: nowhere or a clone). */
    static SchedNode place(WorkingSet ws, Rsc rsc, SchedNode prefer) {
        return switch (rsc.variant) {
            case PRIMITIVE -> assign(ws, rsc, prefer);
            case GROUP -> GroupAssigner.assign(ws, rsc, prefer);
            case CLONE -> CloneAssigner.assign(ws, rsc, prefer);
        };
    }

    static SchedNode assign(WorkingSet ws, Rsc rsc, SchedNode prefer) {
        if (rsc.parent != null && !rsc.parent.allocating) {
            // a member is never placed on its own: its group or clone places it
            place(ws, rsc.parent, prefer);
            return rsc.assigned;
        }
        return assign(ws, rsc, prefer, false);
    }

    /** With {@code stopHere}: Pacemaker's assign-to-nothing (an interleaved instance without a partner). */
    static SchedNode assign(WorkingSet ws, Rsc rsc, SchedNode prefer, boolean stopHere) {
        if (stopHere) {
            assignNode(ws, rsc, null, true);
            return null;
        }
        if (!rsc.provisional) return rsc.assigned;
        if (rsc.allocating) return null; // a colocation loop
        rsc.allocating = true;
        applyPrimaries(ws, rsc);
        mergeDependents(ws, rsc);
        if (rsc.nextRole == Role.STOPPED) {
            Locations.banEverywhere(ws, rsc);
        } else if (rsc.nextRole != null && Rsc.rank(rsc.nextRole) > Rsc.rank(rsc.role) && !ws.haveQuorum && ws.noQuorumPolicy == NoQuorumPolicy.FREEZE) {
            rsc.nextRole = rsc.role;
        }
        Scheduler.recordScores(ws, rsc);
        if (ws.stonithEnabled && !ws.haveFenceDevice) {
            rsc.managed = false;
            rsc.unmanagedWhy = "stonith-enabled is set but no fence device is configured: resources that may need fencing do not start";
        }
        if (!rsc.managed) {
            rsc.nextRole = rsc.role;
            assignNode(ws, rsc, rsc.currentNode(), true);
        } else if (ws.stopEverything) {
            assignNode(ws, rsc, null, true);
        } else if (rsc.provisional) {
            choose(ws, rsc, prefer);
        }
        rsc.allocating = false;
        RemoteNodes.connectionAssigned(ws, rsc);
        return rsc.assigned;
    }

    /** Places what {@code rsc} is colocated with, and applies each such colocation to it. */
    private static void applyPrimaries(WorkingSet ws, Rsc rsc) {
        if (rsc.thisWith.isEmpty()) return;
        for (Coloc c : List.copyOf(rsc.thisWith)) {
            NodeWeights archive = c.dependentRole == Role.PROMOTED || c.score < 0 && c.score > -Scores.INF ? rsc.allowed.copy() : null;
            place(ws, c.primary, null);
            Colocations.applyToDependent(ws, rsc, c.primary, c);
            if (archive != null && !rsc.allowed.canRunAny(ws.nodes)) rsc.allowed = archive;
        }
    }

    /** Merges the preferences of what is colocated with {@code rsc} into its scores. */
    private static void mergeDependents(WorkingSet ws, Rsc rsc) {
        if (rsc.withThis.isEmpty()) return;
        for (Coloc c : List.copyOf(rsc.withThis)) {
            if (!c.hasInfluence(null)) continue;
            rsc.allowed = Colocations.merge(ws, c.dependent, rsc.allowed, c.nodeAttribute, c.score / (float) Scores.INF, Colocations.ROLLBACK);
        }
    }

    /** Picks the best node and assigns it (Pacemaker's native_choose_node). */
    private static void choose(WorkingSet ws, Rsc rsc, SchedNode prefer) {
        prefer = Utilization.filter(ws, rsc, prefer);
        if (!rsc.provisional) return;
        SchedNode current = rsc.currentNode();
        SchedNode best = bestNode(ws, rsc.allowed, current);
        SchedNode chosen = null;
        if (prefer != null && best != null) {
            if (!rsc.allowed.has(prefer.index)) chosen = null;
            else if (rsc.allowed.get(prefer.index) < weight(rsc.allowed, best)) chosen = null;
            else if (!prefer.canRunResources()) chosen = null;
            else chosen = prefer;
        }
        if (chosen == null && best != null) {
            chosen = best;
            Rsc clone = rsc.cloneParent();
            boolean uniqueClone = clone != null && clone.unique;
            // a tie with the node it runs on keeps it there
            if (!uniqueClone && weight(rsc.allowed, chosen) > 0 && chosen.canRunResources() && current != null && current.canRunResources()
                    && rsc.allowed.has(current.index) && weight(rsc.allowed, current) == weight(rsc.allowed, chosen)) {
                chosen = current;
            }
        }
        assignNode(ws, rsc, chosen, false);
    }

    /** A node's score for sorting: -INFINITY when it cannot run resources. */
    static int weight(NodeWeights w, SchedNode n) {
        return n.canRunResources() ? w.get(n.index) : -Scores.INF;
    }

    /**
     * The first of {@link #sortedNodes}, in one pass over the nodes instead of a sort per resource. That is the same
     * node whenever the comparison is a ranking; "balanced" compares capacities by majority over the capacities,
     * which is not transitive, so there the nodes are sorted as Pacemaker sorts them.
     */
    static SchedNode bestNode(WorkingSet ws, NodeWeights w, SchedNode active) {
        if (ws.balancedPlacement) {
            List<SchedNode> sorted = sortedNodes(ws, w, active);
            return sorted.isEmpty() ? null : sorted.get(0);
        }
        SchedNode best = null;
        int bestWeight = 0;
        for (SchedNode n : ws.nodes) {
            if (!w.has(n.index)) continue;
            int weight = weight(w, n);
            if (best == null || weight > bestWeight || weight == bestWeight && compareEqualWeights(ws, n, best, active) < 0) {
                best = n;
                bestWeight = weight;
            }
        }
        return best;
    }

    /** The present nodes, best first (Pacemaker's sort_node_weight). */
    static List<SchedNode> sortedNodes(WorkingSet ws, NodeWeights w, SchedNode active) {
        List<SchedNode> nodes = new ArrayList<>();
        for (SchedNode n : ws.nodes) if (w.has(n.index)) nodes.add(n);
        ListSort.sort(nodes, (a, b) -> compareNodes(ws, w, a, b, active));
        return nodes;
    }

    static int compareNodes(WorkingSet ws, NodeWeights w, SchedNode a, SchedNode b, SchedNode active) {
        int wa = weight(w, a), wb = weight(w, b);
        if (wa != wb) return wa > wb ? -1 : 1;
        return compareEqualWeights(ws, a, b, active);
    }

    /** {@link #compareNodes} of two nodes with the same score. */
    private static int compareEqualWeights(WorkingSet ws, SchedNode a, SchedNode b, SchedNode active) {
        if (!ws.minimalPlacement) {
            if (ws.balancedPlacement) {
                int c = Utilization.compareCapacity(a, b);
                if (c != 0) return c;
            }
            if (a.assigned != b.assigned) return a.assigned < b.assigned ? -1 : 1;
            if (active != null && active == a) return -1;
            if (active != null && active == b) return 1;
        }
        return Integer.compare(a.idOrder, b.idOrder);
    }

    /**
     * Assigns {@code rsc} to {@code chosen} (Pacemaker's native_assign_node); unless {@code force}, a node it may not
     * run on is refused. Nowhere means Stopped: its stop is then required, its start and monitors cannot run.
     */
    static boolean assignNode(WorkingSet ws, Rsc rsc, SchedNode chosen, boolean force) {
        if (!force && chosen != null && (rsc.allowed.has(chosen.index) && rsc.allowed.get(chosen.index) < 0 || !rsc.allowed.has(chosen.index) || !chosen.canRunResources())) {
            chosen = null;
        }
        deallocate(ws, rsc);
        rsc.provisional = false;
        if (chosen == null) {
            rsc.nextRole = Role.STOPPED;
            if (rsc.nextRoleWhy.isEmpty()) rsc.nextRoleWhy = "no node";
            for (Act a : rsc.actions) {
                if (a.task.equals("stop") && a.intervalMs == 0) a.clear(Act.OPTIONAL);
                else if (a.task.equals("start") && a.intervalMs == 0) a.clear(Act.RUNNABLE);
                else if (a.intervalMs > 0 && !a.is(Act.STOPPED_MONITOR)) a.clear(Act.RUNNABLE);
            }
            return false;
        }
        rsc.assigned = chosen;
        rsc.assignedWeight = rsc.allowed.has(chosen.index) ? rsc.allowed.get(chosen.index) : 0;
        chosen.assigned++;
        Utilization.consume(chosen, rsc);
        return true;
    }

    static void deallocate(WorkingSet ws, Rsc rsc) {
        if (rsc.assigned != null) {
            rsc.assigned.assigned--;
            Utilization.release(rsc.assigned, rsc);
            rsc.assigned = null;
            rsc.provisional = true;
        }
    }
}
