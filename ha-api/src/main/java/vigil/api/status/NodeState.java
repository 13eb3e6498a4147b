package vigil.api.status;

import java.time.Instant;
import java.util.Objects;

/** Status of one node. {@code since} is when its membership last changed (leader's clock). */
public record NodeState(String node, Membership membership, boolean standby, boolean maintenance, Instant since, String reason) {
    public NodeState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(membership, "membership");
        since = since == null ? Instant.EPOCH : since;
        reason = reason == null ? "" : reason;
    }

    public static NodeState offline(String node) { return new NodeState(node, Membership.OFFLINE, false, false, Instant.EPOCH, ""); }

    public NodeState withMembership(Membership m, Instant at, String why) { return new NodeState(node, m, standby, maintenance, at, why); }

    public NodeState withStandby(boolean s) { return new NodeState(node, membership, s, maintenance, since, reason); }

    public NodeState withMaintenance(boolean m) { return new NodeState(node, membership, standby, m, since, reason); }

    public boolean isOnline() { return membership == Membership.ONLINE; }
}
