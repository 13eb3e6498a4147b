package vigil.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import vigil.api.model.ClusterConfig;
import vigil.daemon.config.NodeConfig;

/**
 * Starts a {@link NodeRuntime} from a node config. Found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/vigil.daemon.NodeRuntimeFactory}), so the daemon does not depend on how a node is
 * assembled (Raft member, node agent, executor, controller, drivers).
 */
public interface NodeRuntimeFactory {

    /**
     * @param node      who this node is, where it keeps its data, its peers
     * @param bootstrap the cluster config to apply when this start creates the cluster (null: none, or joining)
     * @param meters    where the node registers its meters (served at /metrics)
     */
    NodeRuntime start(NodeConfig node, ClusterConfig bootstrap, MeterRegistry meters);
}
