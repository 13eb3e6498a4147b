package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.Operation;
import vigil.api.model.Role;
import vigil.api.status.OperationRecord;

/**
 * Guest nodes and containers ("Pacemaker Explained", Guest Nodes): a primitive with meta remote-node=NAME (a VM or
 * container) runs Pacemaker Remote inside; an implicit connection resource NAME, whose container is that primitive,
 * makes node NAME. A primitive with meta container=X is X's filler (or, when X hosts a guest node, runs on it).
 * <ul>
 * <li>the container starts before its connection (or filler) and stops after it, on the same node; a container never
 *     runs on a remote or guest node;</li>
 * <li>the guest node is up while both run and neither failed; it needs a reset when its container failed or the
 *     container's host is lost; its history is read only once both are known to run;</li>
 * <li>fencing a guest node is recovering its container: a pseudo fence after the container's stop (or the host's
 *     fence), which implies the stops of what ran there; nothing is marked unclean, so the guest runs resources again
 *     in the same plan;</li>
 * <li>what starts on a guest node starts after its container and its connection; what stops there stops before the
 *     connection does, unless the container failed (then the fence implies it).</li>
 * </ul>
 */
final class GuestNodes {
    private GuestNodes() {}

    /** Resolves every primitive's container meta to the resource (called once the resources are built). */
    static void link(WorkingSet ws) {
        if (!ws.anyContainer) return;
        for (Rsc top : ws.resources) {
            List<Rsc> primitives = top.primitives();
            for (int i = 0; i < primitives.size(); i++) {
                Rsc r = primitives.get(i);
                String id = r.containerId;
                if (id == null || r.cloneParent() != null) continue;
                r.container = ws.rsc(id);
                if (r.container.fillers.isEmpty()) r.container.fillers = new ArrayList<>();
                r.container.fillers.add(r);
            }
        }
    }

    /**
     * Whether a failure of a contained resource restarts its container (Pacemaker's default on-fail restart-container
     * for a resource with a container, a failed stop included), unless an on-fail is configured for the operation.
     */
    static boolean restartsContainer(Rsc rsc, OperationRecord failure) {
        if (rsc.container == null || failure == null) return false;
        for (Operation o : rsc.primitive().operations()) {
            if (o.name().equals(failure.action()) && o.interval().equals(failure.interval()) && o.onFail() != null) return false;
        }
        return true;
    }

    /** The guest node {@code container} hosts (the node of the connection it contains), or null. */
    static SchedNode hostedBy(WorkingSet ws, Rsc container) {
        for (SchedNode n : ws.nodes) if (n.isGuest() && n.connection.container == container) return n;
        return null;
    }

    /** After the remote-node checks: a guest is also down while its container is stopped, failed or on a lost host. */
    static void determineOnline(WorkingSet ws, SchedNode node) {
        Rsc container = node.connection.container;
        SchedNode host = node.connection.runningOn.size() == 1 ? node.connection.runningOn.get(0) : null;
        if (container.failed) {
            node.online = false;
            node.resetRequired = true;
        } else if (!node.connection.failed && (node.connection.role == Role.STOPPED || container.role == Role.STOPPED)) {
            node.online = false;
            node.resetRequired = false;
        } else if (!node.connection.failed && host != null && !host.online && host.unclean) {
            node.online = false;
            node.resetRequired = true;
        }
        if (!node.online && node.unavailable == null) node.unavailable = "guest node is not running";
    }

    /** Without fencing, a guest's history is read only once its connection and its container are known to run. */
    static boolean historyReadable(SchedNode node) {
        return node.connection.role != Role.STOPPED && node.connection.container.role != Role.STOPPED;
    }

    /** Containers stay with what they contain, start first and stop last; nothing nests on a remote or guest node. */
    static void internalConstraints(WorkingSet ws) {
        if (!ws.anyContainer) return;
        for (Rsc top : ws.resources) {
            List<Rsc> primitives = top.primitives();
            for (int i = 0; i < primitives.size(); i++) {
                Rsc r = primitives.get(i);
                if (r.container == null) continue;
                Rsc container = r.container;
                SchedNode guest = RemoteNodes.remoteNodeOf(ws, container) != null ? RemoteNodes.remoteNodeOf(ws, container) : hostedBy(ws, container);
                if (RemoteNodes.remoteNodeOf(ws, r) == null && guest != null) {
                    // a resource inside a guest's container runs on that guest node
                    for (SchedNode n : ws.nodes) if (n != guest) r.allowed.add(n.index, -Scores.INF);
                    continue;
                }
                if (RemoteNodes.remoteNodeOf(ws, r) != null) {
                    for (SchedNode n : ws.nodes) if (n.isRemote()) container.allowed.add(n.index, -Scores.INF);
                }
                ws.order(container, "start", r, "start", Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
                ws.order(r, "stop", container, "stop", Ordering.IMPLIES_FIRST);
                Colocations.add(ws, new Coloc("resource-with-container", r, container, Scores.INF, null, null, null, true));
            }
        }
    }

    /**
     * Fencing a guest node (Pacemaker's pe_fence_node for a guest): its container is recovered, unless it is unmanaged
     * or already failed.
     */
    static void fence(WorkingSet ws, SchedNode node, String reason) {
        Rsc container = node.connection.container;
        if (container.failed || !container.managed) return;
        node.resetRequired = true;
        container.failed = true;
        container.stopToRecover = true;
    }

    /** A guest can be fenced when every host of its container is up or can be fenced itself. */
    static boolean canFence(WorkingSet ws, SchedNode node) {
        for (SchedNode host : node.connection.container.runningOn) {
            if (!host.online && !Fencing.canFence(ws, host)) return false;
        }
        return true;
    }

    /**
     * The pseudo fence of a guest node: "reboot" when its container starts again, else "off"; after the container's
     * stop, or after the fence of the container's lost host when that stop is implied by it.
     */
    static Act fenceAction(WorkingSet ws, SchedNode node) {
        Rsc container = node.connection.container;
        Act stop = WorkingSet.first(container, "stop", null);
        Act f = ws.nodeAction("stonith", node, false);
        f.fenceAction = WorkingSet.first(container, "start", null) != null ? "reboot" : "off";
        f.reason = "guest is unclean";
        f.set(Act.PSEUDO | Act.RUNNABLE);
        if (stop != null && stop.pseudo() && stop.node != null) {
            WorkingSet.orderActions(ws.nodeAction("stonith", stop.node, false), f, Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN);
        } else if (stop != null) {
            WorkingSet.orderActions(stop, f, Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN);
        } else {
            Act connStop = WorkingSet.first(node.connection, "stop", null);
            if (connStop != null) WorkingSet.orderActions(connStop, f, Ordering.OPTIONAL);
        }
        return f;
    }

    /** Orders an action on a guest node around its container and connection (Pacemaker's container ordering). */
    static void order(WorkingSet ws, Act a) {
        Rsc conn = a.node.connection;
        Rsc container = conn.container;
        if (container.failed) Fencing.fence(ws, a.node, "container failed");
        String task = a.task.equals("migrate_to") || a.task.equals("migrate_from") ? "stop" : a.task;
        switch (task) {
            case "start", "promote" -> {
                ws.order(container, "start", null, a.rsc, a.task, a, Ordering.PRESERVE | Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN);
                ws.order(conn, "start", null, a.rsc, a.task, a, Ordering.PRESERVE | Ordering.RUNNABLE_LEFT);
            }
            case "stop", "demote" -> {
                if (!container.failed) ws.order(a.rsc, a.task, a, conn, "stop", null, Ordering.PRESERVE | Ordering.IMPLIES_FIRST);
            }
            default -> ws.order(conn, "start", null, a.rsc, a.task, a,
                    Ordering.PRESERVE | Ordering.RUNNABLE_LEFT | (a.intervalMs > 0 ? Ordering.IMPLIES_THEN : 0));
        }
    }
}
