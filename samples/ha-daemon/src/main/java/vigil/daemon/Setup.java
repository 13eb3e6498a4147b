package vigil.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.spi.PrivateFiles;
import vigil.daemon.cli.Args;
import vigil.daemon.cli.ClusterConnector;
import vigil.daemon.cli.UsageException;
import vigil.daemon.config.ConfigYaml;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.TokenAuth;

/**
 * {@code vigil init} (bootstrap a cluster on its first node) and {@code vigil join} (add a host to a running
 * cluster), like ha-cluster-init / ha-cluster-join: both write the node config ({@code DIR/node.yaml}) that
 * {@code vigil daemon --config} reads; init also creates the cluster token.
 */
final class Setup {
    /** Node attribute holding a node's admin API address, so joining hosts learn every peer's. */
    static final String ADMIN_ADDRESS = "admin-address";

    private final PrintStream out;
    private final Map<String, String> env;
    private final ClusterConnector connector;

    Setup(PrintStream out, Map<String, String> env, ClusterConnector connector) {
        this.out = out;
        this.env = env;
        this.connector = connector;
    }

    int run(String cmd, List<String> argv) {
        Set<String> valued = new java.util.TreeSet<>(Set.of("node", "raft", "admin", "http", "dir", "data-dir"));
        if (cmd.equals("init")) valued.add("cluster-config"); else valued.addAll(Set.of("cluster", "token-file"));
        Args a = Args.parse(cmd, argv, valued, Set.of("witness", "force")).atMost(0);
        String node = required(a, "node", "this node's id, e.g. kvm1");
        String raft = required(a, "raft", "this node's Raft address host:port, e.g. 10.0.0.1:9870");
        String admin = required(a, "admin", "this node's admin API address host:port, e.g. 10.0.0.1:9871");
        NodeRole role = a.flag("witness") ? NodeRole.WITNESS : NodeRole.MEMBER;
        Path dir = Path.of(a.option("dir").orElse("/etc/vigil"));
        Path dataDir = Path.of(a.option("data-dir").orElse(dir.resolve("data").toString()));
        String http = a.option("http").orElse("");
        Path nodeFile = dir.resolve("node.yaml");
        if (Files.exists(nodeFile) && !a.flag("force")) {
            throw new VigilException(nodeFile + " exists already: this host is set up (remove it, or pass --force to overwrite)");
        }
        Node self = new Node(node, raft, role, Map.of(ADMIN_ADDRESS, admin));
        Path tokenFile = dir.resolve("token");
        Map<String, NodeConfig.Peer> peers = new LinkedHashMap<>();
        Path clusterFile;
        if (cmd.equals("init")) {
            ClusterConfig bootstrap;
            if (a.option("cluster-config").isPresent()) {
                Path given = Path.of(a.option("cluster-config").get()).toAbsolutePath();
                bootstrap = ConfigYaml.read(given);
                if (bootstrap.node(node).isEmpty()) bootstrap = bootstrap.toBuilder().node(self).build();
                clusterFile = given;
            } else {
                bootstrap = ClusterConfig.builder().node(self).build();
                clusterFile = dir.resolve("cluster.yaml");
            }
            for (Node n : bootstrap.nodes()) peers.put(n.id(), peer(n, n.id().equals(node) ? admin : null));
            mkdirs(dir);
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                write(tokenFile, HexFormat.of().formatHex(random) + "\n");
            }
            if (!clusterFile.equals(Path.of(a.option("cluster-config").orElse("")).toAbsolutePath())) {
                write(clusterFile, "# Cluster configuration applied when the cluster is first started; afterwards use 'vigil config apply'.\n"
                        + ConfigYaml.format(bootstrap));
            }
        } else {
            String cluster = a.option("cluster").orElse(env.get("VIGIL_CLUSTER"));
            String given = a.option("token-file").orElse(env.get("VIGIL_TOKEN_FILE"));
            if (cluster == null) throw new UsageException("join: missing --cluster HOST:PORT (the admin address of a running node)");
            if (given == null) throw new UsageException("join: missing --token-file FILE (a copy of the cluster's token file)");
            String token = TokenAuth.readTokenFile(Path.of(given));
            ClusterConfig after;
            try (Cluster c = connector.connect(List.of(cluster.split(",")), token)) {
                ClusterConfig before = c.status().config();
                Node existing = before.node(node).orElse(null);
                if (existing != null && !existing.address().equals(raft)) {
                    throw new ConfigException("node", "a node \"" + node + "\" with address " + existing.address() + " is already a member",
                            "pick another --node id, or remove that node first");
                }
                for (Node n : before.nodes()) if (!n.id().equals(node)) peer(n, null);
                c.updateConfig(cfg -> cfg.node(node).isPresent() ? cfg : cfg.toBuilder().node(self).build());
                after = c.status().config();
            }
            for (Node n : after.nodes()) peers.put(n.id(), peer(n, n.id().equals(node) ? admin : null));
            mkdirs(dir);
            if (!Path.of(given).toAbsolutePath().equals(tokenFile.toAbsolutePath())) write(tokenFile, token + "\n");
            clusterFile = null;
        }
        NodeConfig config = new NodeConfig(node, role, dataDir, tokenFile, http, peers, clusterFile);
        write(nodeFile, config.format());
        out.println((cmd.equals("init") ? "initialized cluster with " : "joined cluster as ") + node + ": wrote " + nodeFile
                + (cmd.equals("init") ? " and " + tokenFile + " (copy it to every host that joins)" : ""));
        out.println("start the node with: vigil daemon --config " + nodeFile);
        return 0;
    }

    private static NodeConfig.Peer peer(Node n, String adminOverride) {
        String admin = adminOverride != null ? adminOverride : n.attributes().get(ADMIN_ADDRESS);
        if (admin == null) {
            throw new ConfigException("nodes." + n.id() + ".attributes." + ADMIN_ADDRESS, "node " + n.id() + " does not say where its admin API listens",
                    "add the attribute " + ADMIN_ADDRESS + ": host:port to node " + n.id());
        }
        return new NodeConfig.Peer(n.address(), admin, n.role());
    }

    private static String required(Args a, String option, String what) {
        return a.option(option).orElseThrow(() -> new UsageException(a.command() + ": missing --" + option + " (" + what + ")"));
    }

    private static void mkdirs(Path dir) {
        try {
            PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /**
     * Every file setup writes is owner-only from the moment it exists, and appears whole (written beside it, then
     * renamed): the token, the node config and the bootstrap cluster config (which may hold fence passwords).
     */
    private static void write(Path file, String text) {
        try {
            PrivateFiles.writeString(file, text);
        } catch (IOException e) {
            throw new VigilException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
