package vigil.daemon;

import vigil.api.Cluster;
import vigil.raft.runtime.ClusterNode.LocalView;
import vigil.raft.tls.NodeTls;

/**
 * A running cluster node inside the daemon: its Raft member (or witness), executor and controller, and the failover
 * API over them. The daemon serves the admin API, the status page and /metrics for {@link #cluster()}.
 */
public interface NodeRuntime extends AutoCloseable {

    /** This node's view of the cluster (linearizable reads, committed writes). */
    Cluster cluster();

    /** What this node knows by itself, answered at once (also when it is cut off from the majority). */
    LocalView localView();

    /** This node's TLS identity, which its HTTPS status page serves (null: an insecure lab node). */
    default NodeTls tls() { return null; }

    /** Whether the node already serves the admin API on its admin address (then the daemon does not). */
    default boolean servesAdminApi() { return false; }

    /**
     * Stops the node cleanly before {@link #close()}: announces the stop, waits while the cluster moves or stops what runs
     * here and marks the node offline (so it is never fenced for leaving). Returns whether that happened within
     * {@code timeout}.
     */
    default boolean leave(java.time.Duration timeout) { return false; }

    /** Completes when the node stopped on its own (an administrator ran {@code vigil node stop} for it). */
    default java.util.concurrent.CompletableFuture<Void> stopped() { return new java.util.concurrent.CompletableFuture<>(); }

    /**
     * Whether the node stopped itself to start again at once from the same data directory (two-node mode: its peer is
     * confirmed off and it continues as the only voter).
     */
    default boolean restartRequested() { return false; }

    /** Stops the node at once: whatever still runs here is left to the cluster (a node that did not leave is fenced). */
    @Override
    void close();
}
