package vigil.daemon;

import vigil.api.Cluster;

/**
 * A running cluster node inside the daemon: its Raft member (or witness), executor and controller, and the failover
 * API over them. The daemon serves the admin API, the status page and /metrics for {@link #cluster()}.
 */
public interface NodeRuntime extends AutoCloseable {

    /** This node's view of the cluster (linearizable reads, committed writes). */
    Cluster cluster();

    /** Stops the node: resources are left to the cluster's policy, the Raft member leaves cleanly where it can. */
    @Override
    void close();
}
