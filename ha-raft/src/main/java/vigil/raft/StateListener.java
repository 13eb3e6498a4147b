package vigil.raft;

import vigil.api.status.ClusterState;

/** Called with every applied state, in commit order, on the node's event thread. */
@FunctionalInterface
public interface StateListener {
    void applied(long index, ClusterState state);
}
