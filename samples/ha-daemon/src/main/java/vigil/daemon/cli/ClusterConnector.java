package vigil.daemon.cli;

import java.util.List;
import vigil.api.Cluster;
import vigil.raft.admin.AdminClient;

/** Opens the failover API of a running cluster: the gRPC admin client in production, anything else in an embedding tool. */
@FunctionalInterface
public interface ClusterConnector {
    /**
     * @param targets     admin addresses (host:port) to try in order
     * @param credentials the cluster CA to check servers against, and the client certificate or cluster token (never
     *                    logged or printed)
     */
    Cluster connect(List<String> targets, AdminClient.Credentials credentials);
}
