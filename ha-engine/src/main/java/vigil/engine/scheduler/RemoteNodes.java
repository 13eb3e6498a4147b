package vigil.engine.scheduler;

import java.util.ArrayList;
import vigil.api.model.Operation;
import vigil.api.model.Role;
import vigil.api.status.OperationRecord;

/**
 * Pacemaker Remote nodes: a node that runs resources without being a cluster member, reached through a connection
 * resource ({@code ocf:pacemaker:remote}, its id names the node) that runs on a cluster node.
 * <ul>
 * <li>the remote node is up while its connection runs and has not failed; its history is read after its connection's;</li>
 * <li>connections are placed before every other resource, never on a remote node (nor are fence devices); once
 *     placed, the node is up for the rest of the plan, or shuts down when its connection will run nowhere;</li>
 * <li>what runs there starts after its connection starts and stops before its connection stops; when the connection
 *     cannot be recovered while resources are active there, the node is fenced.</li>
 * </ul>
 */
final class RemoteNodes {
    private RemoteNodes() {}

    /** The connection state the orderings of a remote node's actions depend on (Pacemaker's remote_connection_state). */
    enum State { UNKNOWN, ALIVE, RESTING, FAILED, STOPPED }

    /** Whether a remote node is up now: its connection is active and did not fail. */
    static void determineOnline(WorkingSet ws, SchedNode node) {
        Rsc conn = node.connection;
        node.online = conn != null && conn.role != Role.STOPPED && !conn.failed;
        if (conn != null && !conn.managed) node.maintenance = true;
        node.unavailable = node.online ? availability(node) : conn != null && conn.failed ? "remote connection failed" : "remote node is not connected";
        if (node.isGuest()) GuestNodes.determineOnline(ws, node);
    }

    private static String availability(SchedNode node) {
        if (node.unclean) return "node is unclean";
        if (node.shutdown) return "remote connection is stopping";
        if (node.standby) return "node is in standby";
        if (node.maintenance) return "node is in maintenance";
        return null;
    }

    /**
     * Whether a connection's failure resets its remote node (Pacemaker's default on-fail for a connection): any failure
     * but a probe's or a start's, unless an on-fail is configured for the operation.
     */
    static boolean resetsRemote(WorkingSet ws, Rsc rsc, OperationRecord failure) {
        if (failure == null || remoteNodeOf(ws, rsc) == null) return false;
        if (failure.action().equals("start") || failure.action().equals("monitor") && failure.interval().isZero()) return false;
        for (Operation o : rsc.primitive().operations()) {
            if (o.name().equals(failure.action()) && o.interval().equals(failure.interval()) && o.onFail() != null) return false;
        }
        return true;
    }

    /**
     * A failed connection: its remote node is fenced (with fencing on), since what runs there is unknown; with a
     * reconnect_interval the connection stays stopped until its failure expires.
     */
    static void resetRemote(WorkingSet ws, Rsc conn) {
        SchedNode node = remoteNodeOf(ws, conn);
        if (ws.stonithEnabled) {
            Fencing.fence(ws, node, "remote connection is unrecoverable");
            node.unseen = false;
        }
        String reconnect = conn.primitive().params().get("reconnect_interval");
        if (reconnect != null && !reconnect.isBlank() && !reconnect.trim().equals("0")) {
            conn.nextRole = Role.STOPPED;
            conn.nextRoleWhy = "remote reset";
        }
    }

    /** Connections and fence devices never run on a remote node. */
    static void internalConstraints(WorkingSet ws) {
        boolean any = false;
        for (SchedNode n : ws.nodes) any |= n.isRemote();
        if (!any) return;
        for (Rsc top : ws.resources) {
            for (Rsc r : top.primitives()) {
                boolean fenceDevice = r.primitive().type().startsWith("stonith:");
                if (!fenceDevice && remoteNodeOf(ws, r) == null) continue;
                for (SchedNode n : ws.nodes) if (n.isRemote()) r.allowed.add(n.index, -Scores.INF);
            }
        }
    }

    /** Places every connection first (a partially migrated one preferring its target), so that its node is known up or not. */
    static void placeConnections(WorkingSet ws) {
        for (Rsc r : ws.resources) {
            if (remoteNodeOf(ws, r) != null) PrimitiveAssigner.place(ws, r, r.migrationTarget);
        }
    }

    /** After a connection is placed: its node is up for the rest of the plan, or shuts down. */
    static void connectionAssigned(WorkingSet ws, Rsc conn) {
        SchedNode node = remoteNodeOf(ws, conn);
        if (node == null) return;
        if (conn.assigned != null && conn.nextRole != Role.STOPPED) {
            node.online = true;
            if (node.unseen) {
                // it was to be fenced for what ran there while unreachable: connecting again is tried first
                node.unclean = false;
                node.fenceReason = "";
            }
        } else {
            node.shutdown = true;
        }
        node.unavailable = availability(node);
    }

    /** The remote node {@code rsc} connects, or null when it is no connection. */
    static SchedNode remoteNodeOf(WorkingSet ws, Rsc rsc) {
        // every top-level connection has its node (StatusUnpacker): without remote nodes there is no connection
        if (!ws.anyRemoteNodes || !rsc.isPrimitive() || rsc.parent != null || rsc.orphan) return null;
        return rsc.primitive().remoteNode().map(ws::node).orElse(null);
    }

    static State state(SchedNode node) {
        Rsc conn = node.connection;
        SchedNode host = conn.currentNode();
        if (conn.nextRole == Role.STOPPED || conn.assigned == null) {
            if (host != null && host.unclean) return State.FAILED;
            if (!conn.failed) return State.STOPPED;
            return State.FAILED;
        }
        if (host == null) return State.UNKNOWN;
        if (host.unclean || !host.online) return State.RESTING;
        if (conn.runningOn.size() > 1 && conn.migrationSource != null && conn.migrationTarget != null) return State.RESTING;
        return State.ALIVE;
    }

    /** Orders every action on a remote node after its connection's start or before its stop (before fencing is decided). */
    static void order(WorkingSet ws) {
        if (!ws.anyRemoteNodes) return; // (a sweep over every action, and a copy of their list, for nothing)
        for (Act a : new ArrayList<>(ws.actions)) {
            if (a.rsc == null || a.node == null || !a.node.isRemote() || a.pseudo() || a.node.connection == null) continue;
            Rsc conn = a.node.connection;
            if (a.task.equals("start")) {
                // a move onto a remote node: the stop elsewhere may wait for the connection
                for (Act other : a.rsc.actions) {
                    if (other.node != null && other.node != a.node && other.task.equals("stop")) {
                        ws.order(conn, "start", null, a.rsc, "stop", other, Ordering.OPTIONAL);
                    }
                }
            }
            if (conn.container != null) GuestNodes.order(ws, a);
            else orderOne(ws, a, conn);
        }
    }

    private static void orderOne(WorkingSet ws, Act a, Rsc conn) {
        State state = state(a.node);
        String task = a.task.equals("migrate_to") || a.task.equals("migrate_from") ? "stop" : a.task;
        switch (task) {
            case "start", "promote" -> startThen(ws, conn, a, state == State.FAILED ? Ordering.IMPLIES_THEN : 0);
            case "stop" -> {
                if (state == State.ALIVE) {
                    thenStop(ws, a, conn, Ordering.IMPLIES_FIRST);
                } else if (state == State.FAILED) {
                    Fencing.fence(ws, a.node, "resources are active but connection is unrecoverable");
                } else if (conn.nextRole == Role.STOPPED) {
                    thenStop(ws, a, conn, Ordering.IMPLIES_FIRST);
                } else {
                    startThen(ws, conn, a, 0);
                }
            }
            case "demote" -> {
                if (state == State.RESTING || state == State.UNKNOWN) startThen(ws, conn, a, 0);
            }
            default -> {
                if (a.intervalMs > 0) {
                    startThen(ws, conn, a, Ordering.IMPLIES_THEN);
                } else {
                    if (task.equals("monitor") && state == State.FAILED) {
                        Fencing.fence(ws, a.node, "resources are in unknown state and connection is unrecoverable");
                    }
                    if (conn.currentNode() != null && state == State.STOPPED) thenStop(ws, a, conn, Ordering.RUNNABLE_LEFT);
                    else startThen(ws, conn, a, 0);
                }
            }
        }
    }

    private static void startThen(WorkingSet ws, Rsc conn, Act then, int extra) {
        ws.order(conn, "start", null, then.rsc, then.task, then, Ordering.PRESERVE | Ordering.RUNNABLE_LEFT | extra);
    }

    private static void thenStop(WorkingSet ws, Act first, Rsc conn, int extra) {
        ws.order(first.rsc, first.task, first, conn, "stop", null, Ordering.PRESERVE | extra);
    }
}
