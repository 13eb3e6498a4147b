package vigil.api;

import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.NodeState;

/** What happened in the cluster, derived from committed state changes. */
public sealed interface ClusterEvent {

    /** Every committed change, with the state after it. */
    record StateChanged(long index, ClusterState state) implements ClusterEvent {}

    /** A resource instance became active on a node in a role (Started, Unpromoted or Promoted). */
    record ResourceActive(String resource, String node, Role role) implements ClusterEvent {}

    /** A resource instance stopped on a node. */
    record ResourceStopped(String resource, String node) implements ClusterEvent {}

    /** A node's membership, standby or maintenance changed. */
    record NodeChanged(NodeState node) implements ClusterEvent {}

    /** A fence operation finished (successfully or not). */
    record Fenced(FenceEvent fence) implements ClusterEvent {}

    /** A new Raft leader (the controller) was elected. */
    record LeaderChanged(String leader, long term) implements ClusterEvent {}

    /** The cluster cannot plan or run {@code resource} anywhere, for {@code reason}; an empty reason: it no longer is blocked. */
    record ResourceBlocked(String resource, String reason) implements ClusterEvent {}

    /** A fence device's periodic check changed its outcome (failed, or works again). */
    record FenceDeviceChecked(vigil.api.status.FenceDeviceStatus status) implements ClusterEvent {}
}
