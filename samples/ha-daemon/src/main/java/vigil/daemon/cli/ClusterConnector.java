package vigil.daemon.cli;

import java.util.List;
import vigil.api.Cluster;

/** Opens the failover API of a running cluster: the gRPC admin client in production, anything else in an embedding tool. */
@FunctionalInterface
public interface ClusterConnector {
    /**
     * @param targets admin addresses (host:port) to try in order
     * @param token   the cluster token; never logged or printed
     */
    Cluster connect(List<String> targets, String token);
}
