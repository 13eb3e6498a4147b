package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One node as one planning run sees it (Pacemaker's node details): availability, attributes, what is placed there. */
final class SchedNode {
    final String id;
    final int index;
    final boolean member;              // false: a witness, which runs no resources
    boolean online;
    boolean unclean;
    boolean standby;
    boolean maintenance;
    boolean shutdown;
    boolean pending;
    /** Why it is unavailable, for the reasons of unplaced resources ("node is in standby", ...). */
    String unavailable;
    final Map<String, String> attributes = new HashMap<>();
    /** Its place among the run's nodes sorted by id (equal for equal ids): ties compare it instead of the ids. */
    int idOrder;
    /** Resources assigned to it so far in this run (ties go to the node with fewer). */
    int assigned;
    /** Scratch counter: instances of the clone being placed. */
    int count;
    final Map<String, Integer> capacity = new HashMap<>();
    final Map<String, Integer> used = new HashMap<>();
    /** Fencing: whether this run fences it, and why. */
    boolean fence;
    String fenceReason = "";
    final List<Rsc> running = new ArrayList<>();
    /** A Pacemaker Remote node: the id of the connection resource that brings it up (null for a cluster node). */
    final String connectionId;
    /** Its connection resource, once the resources are built. */
    Rsc connection;
    /** A remote node marked for fencing only because something was active there while its connection was down. */
    boolean unseen;
    /** A guest node to be reset by recovering its container (it is not marked unclean: it may run resources again). */
    boolean resetRequired;

    SchedNode(String id, int index, boolean member) {
        this(id, index, member, null);
    }

    SchedNode(String id, int index, boolean member, String connectionId) {
        this.id = id;
        this.index = index;
        this.member = member;
        this.connectionId = connectionId;
    }

    boolean isRemote() { return connectionId != null; }

    /** A guest node: a remote node whose connection runs inside a container (a VM with meta remote-node). */
    boolean isGuest() { return connection != null && connection.container != null; }

    /** Whether resources may be placed here at all (Pacemaker's can_run_resources). */
    boolean canRunResources() {
        return online && member && !shutdown && !unclean && !standby && !maintenance && !pending;
    }

    String attribute(String name) { return attributes.get(name); }

    @Override
    public String toString() { return id; }
}
