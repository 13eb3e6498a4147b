package vigil.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vigil.api.Cluster;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.runtime.ClusterNode;
import vigil.raft.tls.NodeTls;

/**
 * The daemon's node: a {@link ClusterNode} (Raft member, executor, node agent, controller) whose gRPC server also
 * serves the admin API on the node's admin address. The bootstrap config (the node config's {@code cluster-config})
 * is applied only to a cluster that was never configured: once, at its first start.
 */
public final class ClusterNodeRuntimeFactory implements NodeRuntimeFactory {

    @Override
    public NodeRuntime start(NodeConfig config, ClusterConfig bootstrap, MeterRegistry meters) {
        List<Node> peers = peers(config);
        ClusterNode.Builder b = ClusterNode.builder().id(config.node()).peers(peers).dataDir(config.dataDir())
                .clusterName(config.cluster().name()).clusterId(config.cluster().id()).joining(config.joined())
                .token(TokenAuth.readTokenFile(config.tokenFile())).meterRegistry(meters);
        if (config.insecure()) b.insecure(); else b.tls(NodeTls.load(config.pkiDir()));
        if (bootstrap != null) b.nodeTimeout(bootstrap.properties().nodeTimeout()).bootstrap(bootstrapConfig(bootstrap, peers));
        if (config.watchdog() != null) b.watchdog(config.watchdog());
        ClusterNode node = b.start();
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
            public boolean restartRequested() { return node.restartRequested(); }

            @Override
            public void close() { node.close(); }
        };
    }

    /** The Raft peers as cluster nodes; each one's admin address is where its node API (agent and admin) listens. */
    static List<Node> peers(NodeConfig config) {
        List<Node> out = new ArrayList<>();
        config.peers().forEach((id, p) -> out.add(new Node(id, p.raft(), p.role(), Map.of(AgentAddresses.ATTRIBUTE, p.admin()))));
        return out;
    }

    /** The bootstrap file's config with every Raft peer as a node, and each node's API address. */
    static ClusterConfig bootstrapConfig(ClusterConfig bootstrap, List<Node> peers) {
        ClusterConfig.Builder want = bootstrap.toBuilder();
        for (Node p : peers) {
            if (bootstrap.node(p.id()).isEmpty()) want.node(p);
        }
        return withApiAddresses(want.build(), peers);
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
