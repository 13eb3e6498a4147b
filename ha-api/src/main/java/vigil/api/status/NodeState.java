package vigil.api.status;

import java.time.Instant;
import java.util.Objects;

/**
 * Status of one node. {@code since} is when its membership last changed (leader's clock). {@code degraded} is empty
 * while the node's Raft replica keeps up; else why it does not (damaged storage, a full disk) and what to do.
 */
public record NodeState(String node, Membership membership, boolean standby, boolean maintenance, Instant since, String reason,
                        String degraded) {
    public NodeState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(membership, "membership");
        since = since == null ? Instant.EPOCH : since;
        reason = reason == null ? "" : reason;
        degraded = degraded == null ? "" : degraded;
    }

    /** A node whose replica keeps up. */
    public NodeState(String node, Membership membership, boolean standby, boolean maintenance, Instant since, String reason) {
        this(node, membership, standby, maintenance, since, reason, "");
    }

    public static NodeState offline(String node) { return new NodeState(node, Membership.OFFLINE, false, false, Instant.EPOCH, ""); }

    public NodeState withMembership(Membership m, Instant at, String why) { return new NodeState(node, m, standby, maintenance, at, why, degraded); }

    public NodeState withStandby(boolean s) { return new NodeState(node, membership, s, maintenance, since, reason, degraded); }

    public NodeState withMaintenance(boolean m) { return new NodeState(node, membership, standby, m, since, reason, degraded); }

    public NodeState withDegraded(String problem) { return new NodeState(node, membership, standby, maintenance, since, reason, problem); }

    public boolean isOnline() { return membership == Membership.ONLINE; }

    public boolean isDegraded() { return !degraded.isEmpty(); }
}
