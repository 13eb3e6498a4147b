package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.NoQuorumPolicy;

/**
 * Fencing: which nodes are fenced and why (the first reason found wins: "peer is no longer part of the cluster",
 * "rsc failed there", "rsc is thought to be active there"), and how fencing orders everything else. What ran on a
 * fenced node stops with it (its stop becomes implied), and every start of a resource that needs fencing waits
 * for every fence.
 */
final class Fencing {
    private Fencing() {}

    /** Marks {@code node} for fencing (Pacemaker's pe_fence_node); a node already unclean keeps its first reason. */
    static void fence(WorkingSet ws, SchedNode node, String reason) {
        if (node.isGuest()) {
            GuestNodes.fence(ws, node, reason);
            return;
        }
        if (node.unclean && !node.fenceReason.isEmpty()) return;
        node.unclean = true;
        node.fenceReason = reason;
        if (node.unavailable == null || !node.online) node.unavailable = "node is unclean (" + reason + ")";
    }

    /** Whether this partition may fence {@code node}: fencing is on, a device exists, and quorum (or the policy) allows it. */
    static boolean canFence(WorkingSet ws, SchedNode node) {
        if (!ws.stonithEnabled || !ws.haveFenceDevice) return false;
        if (ws.haveQuorum || ws.noQuorumPolicy == NoQuorumPolicy.IGNORE) return true;
        return node.online;
    }

    /** Creates the fence actions for unclean nodes and orders resource actions around them. */
    static void schedule(WorkingSet ws) {
        List<Act> fences = new ArrayList<>();
        for (SchedNode n : ws.nodes) {
            if (n.isGuest()) {
                // fenced by recovering its container, with or without fence devices
                if (n.resetRequired && GuestNodes.canFence(ws, n)) {
                    Act f = GuestNodes.fenceAction(ws, n);
                    n.fence = true;
                    for (Rsc r : ws.resources) orderAround(ws, r, f);
                }
                continue;
            }
            if (!n.unclean || !canFence(ws, n)) continue;
            Act f = ws.nodeAction("stonith", n, false);
            f.fenceAction = ws.stonithAction;
            f.reason = n.fenceReason.isEmpty() ? "node is unclean" : n.fenceReason;
            n.fence = true;
            fences.add(f);
            for (Rsc r : ws.resources) orderAround(ws, r, f);
        }
    }

    private static void orderAround(WorkingSet ws, Rsc rsc, Act fence) {
        if (!rsc.isPrimitive()) {
            for (Rsc c : rsc.children) orderAround(ws, c, fence);
            return;
        }
        if (!rsc.managed) return;
        SchedNode target = fence.node;
        for (Act a : new ArrayList<>(rsc.actions)) {
            Act.Needs needs = a.needs();
            if (needs == Act.Needs.FENCING) {
                WorkingSet.orderActions(fence, a, Ordering.OPTIONAL);
            } else if (needs == Act.Needs.QUORUM && a.task.equals("start") && rsc.allowed.has(target.index) && !rsc.knownOn.contains(target)) {
                WorkingSet.orderActions(fence, a, Ordering.OPTIONAL | Ordering.RUNNABLE_LEFT);
            }
        }
        boolean implicit = rsc.needsFencing;
        Act parentStop = implicit ? WorkingSet.first(rsc.top(), "stop", null) : null;
        for (Act stop : WorkingSet.find(rsc, "stop", target, false)) {
            stop.set(Act.PSEUDO | Act.RUNNABLE);
            if (implicit) {
                WorkingSet.orderActions(fence, stop, Ordering.OPTIONAL);
                if (parentStop != null) WorkingSet.orderActions(fence, parentStop, Ordering.OPTIONAL);
            }
        }
        for (Act demote : WorkingSet.find(rsc, "demote", target, false)) {
            if (!demote.node.online || demote.node.unclean || rsc.failed) {
                demote.set(Act.PSEUDO | Act.RUNNABLE);
                if (implicit) WorkingSet.orderActions(fence, demote, Ordering.PRESERVE | Ordering.OPTIONAL);
            }
        }
    }
}
