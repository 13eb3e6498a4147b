package vigil.raft.runtime;

import vigil.api.status.ClusterState;

/**
 * What one node knows on its own, without asking the cluster (it answers at once, also in a partition without
 * quorum, like crm_mon on a node cut off from the majority).
 *
 * @param node    this node
 * @param leader  the controller this node hears, empty when it hears none with a majority behind it
 * @param term    the current Raft term as this node knows it
 * @param quorate this node heard a controller holding a majority's lease within node-timeout
 * @param state   the replicated state as this node has applied it (may be stale without quorum)
 */
public record LocalView(String node, String leader, long term, boolean quorate, ClusterState state) {
    public LocalView {
        leader = leader == null ? "" : leader;
    }
}
