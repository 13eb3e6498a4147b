package vigil.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.runtime.ClusterNode;
import vigil.raft.tls.NodeTls;

/**
 * The daemon's node: a {@link ClusterNode} (Raft member, executor, node agent, controller) whose gRPC server also
 * serves the admin API on the node's admin address. On a fresh cluster the bootstrap config (the node config's
 * {@code cluster-config}) is applied once a leader is elected.
 */
public final class ClusterNodeRuntimeFactory implements NodeRuntimeFactory {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNodeRuntimeFactory.class);

    @Override
    public NodeRuntime start(NodeConfig config, ClusterConfig bootstrap, MeterRegistry meters) {
        List<Node> peers = peers(config);
        ClusterNode.Builder b = ClusterNode.builder().id(config.node()).peers(peers).dataDir(config.dataDir())
                .clusterName(config.cluster().name()).clusterId(config.cluster().id()).joining(config.joined())
                .token(TokenAuth.readTokenFile(config.tokenFile())).meterRegistry(meters);
        if (config.insecure()) b.insecure(); else b.tls(NodeTls.load(config.pkiDir()));
        if (bootstrap != null) b.nodeTimeout(bootstrap.properties().nodeTimeout());
        if (config.watchdog() != null) b.watchdog(config.watchdog());
        ClusterNode node = b.start();
        Thread bootstrapper = null;
        if (bootstrap != null) {
            bootstrapper = new Thread(() -> applyBootstrap(node.cluster(), bootstrap, peers), "vigil-bootstrap");
            bootstrapper.setDaemon(true);
            bootstrapper.start();
        }
        Thread started = bootstrapper;
        return new NodeRuntime() {
            @Override
            public Cluster cluster() { return node.cluster(); }

            @Override
            public ClusterNode.LocalView localView() { return node.localView(); }

            @Override
            public NodeTls tls() { return node.tls(); }

            @Override
            public boolean servesAdminApi() { return true; }

            @Override
            public boolean leave(java.time.Duration timeout) { return node.leave(timeout); }

            @Override
            public java.util.concurrent.CompletableFuture<Void> stopped() { return node.stopped(); }

            @Override
            public void close() {
                if (started != null) started.interrupt();
                node.close();
            }
        };
    }

    /** The Raft peers as cluster nodes; each one's admin address is where its node API (agent and admin) listens. */
    static List<Node> peers(NodeConfig config) {
        List<Node> out = new ArrayList<>();
        config.peers().forEach((id, p) -> out.add(new Node(id, p.raft(), p.role(), Map.of(AgentAddresses.ATTRIBUTE, p.admin()))));
        return out;
    }

    /**
     * Applies the bootstrap config when the cluster has none yet (no resources, constraints or fence devices),
     * keeping the Raft peers as nodes. Retried until a leader accepts it; any node may do it, the first one wins.
     */
    static void applyBootstrap(Cluster cluster, ClusterConfig bootstrap, List<Node> peers) {
        ClusterConfig.Builder want = bootstrap.toBuilder();
        for (Node p : peers) {
            if (bootstrap.node(p.id()).isEmpty()) want.node(p);
        }
        ClusterConfig target = withApiAddresses(want.build(), peers);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                cluster.updateConfig(c -> c.resources().isEmpty() && c.constraints().isEmpty() && c.fenceDevices().isEmpty() && !target.equals(c) ? target : c);
                LOG.info("bootstrap: cluster configuration in place ({} resources)", target.resources().size());
                return;
            } catch (VigilException e) {
                LOG.debug("bootstrap: not yet: {}", e.getMessage());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static ClusterConfig withApiAddresses(ClusterConfig c, List<Node> peers) {
        ClusterConfig.Builder b = ClusterConfig.builder().properties(c.properties());
        for (Node n : c.nodes()) {
            Node peer = peers.stream().filter(p -> p.id().equals(n.id())).findFirst().orElse(null);
            if (peer != null && !n.attributes().containsKey(AgentAddresses.ATTRIBUTE)) {
                java.util.Map<String, String> attrs = new java.util.TreeMap<>(n.attributes());
                attrs.put(AgentAddresses.ATTRIBUTE, peer.attributes().get(AgentAddresses.ATTRIBUTE));
                b.node(new Node(n.id(), n.address(), n.role(), attrs));
            } else {
                b.node(n);
            }
        }
        c.resources().forEach(b::resource);
        c.constraints().forEach(b::constraint);
        c.fenceDevices().forEach(b::fenceDevice);
        c.fencingLevels().forEach(b::fencingLevel);
        c.blobs().forEach(b::blob);
        return b.build();
    }
}
