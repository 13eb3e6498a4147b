package vigil.raft;

import java.util.ArrayList;
import java.util.List;
import vigil.api.ConfigException;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.NodeState;

/** Whether stopping a node would leave the cluster without a majority of its voters running. */
final class ShutdownCheck {
    private ShutdownCheck() {}

    /** Throws when the voters that stay online without {@code node} are not a majority of all voters. */
    static void refuseIfQuorumLost(ClusterState s, String node) {
        List<Node> voters = s.config().nodes();
        List<String> staying = new ArrayList<>();
        for (Node n : voters) {
            NodeState ns = s.node(n.id());
            if (!n.id().equals(node) && ns.isOnline() && !ns.shutdown()) staying.add(n.id());
        }
        if (staying.size() * 2 > voters.size()) return;
        throw new ConfigException("node", "stopping " + node + " leaves " + staying.size() + " of " + voters.size() + " voters running "
                + staying + ": the cluster would lose quorum, and every node would apply the no-quorum-policy ("
                + s.config().properties().noQuorumPolicy().text() + ")", "start the other nodes first, or stop it anyway with --force");
    }
}
