package vigil.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * Status of one node. {@code since} is when its membership last changed (leader's clock). {@code shutdown}: the node
 * announced a clean stop (like Pacemaker's shutdown attribute): nothing is placed there any more, and once nothing
 * runs there the controller marks it OFFLINE instead of waiting for it to fall silent; re-joining clears it.
 * {@code degraded} is empty while the node's Raft replica keeps up; else why it does not (damaged storage, a full
 * disk) and what to do.
 */
public record NodeState(String node, Membership membership, boolean standby, boolean maintenance, Instant since, String reason,
                        boolean shutdown, String degraded) {
    public NodeState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(membership, "membership");
        since = since == null ? Instant.EPOCH : since;
        reason = reason == null ? "" : reason;
        degraded = degraded == null ? "" : degraded;
    }

    /** A node whose replica keeps up. */
    public NodeState(String node, Membership membership, boolean standby, boolean maintenance, Instant since, String reason,
                     boolean shutdown) {
        this(node, membership, standby, maintenance, since, reason, shutdown, "");
    }

    /** A node that announced no shutdown and whose replica keeps up. */
    public NodeState(String node, Membership membership, boolean standby, boolean maintenance, Instant since, String reason) {
        this(node, membership, standby, maintenance, since, reason, false);
    }

    public static NodeState offline(String node) { return new NodeState(node, Membership.OFFLINE, false, false, Instant.EPOCH, ""); }

    /** The membership changed; joining (ONLINE) ends an announced shutdown. */
    public NodeState withMembership(Membership m, Instant at, String why) {
        return new NodeState(node, m, standby, maintenance, at, why, shutdown && m != Membership.ONLINE, degraded);
    }

    public NodeState withStandby(boolean s) { return new NodeState(node, membership, s, maintenance, since, reason, shutdown, degraded); }

    public NodeState withMaintenance(boolean m) { return new NodeState(node, membership, standby, m, since, reason, shutdown, degraded); }

    public NodeState withShutdown(boolean s) { return new NodeState(node, membership, standby, maintenance, since, reason, s, degraded); }

    public NodeState withDegraded(String problem) { return new NodeState(node, membership, standby, maintenance, since, reason, shutdown, problem); }

    public boolean isOnline() { return membership == Membership.ONLINE; }

    public boolean isDegraded() { return !degraded.isEmpty(); }
}
