package vigil.daemon;

import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.engine.state.Command;

/** Small in-process clusters for unit tests. */
public final class TestClusters {
    private TestClusters() {}

    /** n1, n2 members and witness w, all online, n1 leading in term 2, and one Dummy resource d1 (stopped). */
    public static StateMachineCluster threeNodes() {
        StateMachineCluster c = new StateMachineCluster(ClusterState.EMPTY);
        c.applyConfig(ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:9001")).node(Node.member("n2", "127.0.0.2:9001"))
                .node(Node.witness("w", "127.0.0.3:9001")).resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build()).build());
        c.commit(new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"),
                new Command.SetMembership("w", Membership.ONLINE, "joined"), new Command.LeaderElected("n1", 2));
        return c;
    }
}
