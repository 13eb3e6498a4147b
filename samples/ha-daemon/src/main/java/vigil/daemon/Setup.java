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
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.JoinClient;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.tls.ClusterCa;
import java.util.UUID;

/**
 * {@code vigil init} (bootstrap a cluster on its first node) and {@code vigil join} (add a host to a running
 * cluster), like kubeadm init / join: both write the node config ({@code DIR/node.yaml}) that {@code vigil daemon
 * --config} reads. Init makes the cluster's random id, its CA, the first node's certificate and the cluster token;
 * join checks the cluster against the CA pin of a one-time join token, makes its own key and receives its certificate
 * (no key is copied by hand); its daemon then asks to be admitted as a Raft voter.
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
        if (cmd.equals("init")) valued.addAll(Set.of("cluster-config", "cluster-name")); else valued.addAll(Set.of("cluster", "token", "token-file"));
        Args a = Args.parse(cmd, argv, valued, Set.of("witness", "force", "insecure")).atMost(0);
        String node = required(a, "node", "this node's id, e.g. kvm1");
        String raft = required(a, "raft", "this node's Raft address host:port, e.g. 10.0.0.1:9870");
        String admin = required(a, "admin", "this node's admin API address host:port, e.g. 10.0.0.1:9871");
        NodeRole role = a.flag("witness") ? NodeRole.WITNESS : NodeRole.MEMBER;
        boolean insecure = a.flag("insecure");
        Path dir = Path.of(a.option("dir").orElse("/etc/vigil"));
        Path dataDir = Path.of(a.option("data-dir").orElse(dir.resolve("data").toString()));
        String http = a.option("http").orElse("");
        Path nodeFile = dir.resolve("node.yaml");
        Path pki = dir.resolve("pki");
        if (Files.exists(nodeFile) && !a.flag("force")) {
            throw new VigilException(nodeFile + " exists already: this host is set up (remove it, or pass --force to overwrite)");
        }
        Node self = new Node(node, raft, role, Map.of(ADMIN_ADDRESS, admin, AgentAddresses.ATTRIBUTE, admin));
        Path tokenFile = dir.resolve("token");
        Map<String, NodeConfig.Peer> peers = new LinkedHashMap<>();
        Path clusterFile;
        NodeConfig.ClusterId cluster;
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
            // a random id per cluster: it is also the Raft group id, so no two clusters ever accept each other's messages
            cluster = new NodeConfig.ClusterId(a.option("cluster-name").orElse("vigil"), UUID.randomUUID());
            mkdirs(dir);
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                write(tokenFile, HexFormat.of().formatHex(random) + "\n");
            }
            if (!insecure) {
                ClusterCa ca = ClusterCa.create(cluster.name(), cluster.id());
                ca.save(pki);
                ca.issueNode(node, hosts(raft, admin)).save(pki);
            }
            if (!clusterFile.equals(Path.of(a.option("cluster-config").orElse("")).toAbsolutePath())) {
                write(clusterFile, "# Cluster configuration applied when the cluster is first started; afterwards use 'vigil config apply'.\n"
                        + ConfigYaml.format(bootstrap));
            }
        } else {
            String target = a.option("cluster").orElse(env.get("VIGIL_CLUSTER"));
            if (target == null) throw new UsageException("join: missing --cluster HOST:PORT (the admin address of the member that made the token)");
            List<Node> members;
            String adminToken;
            if (insecure) {
                String given = a.option("token-file").orElse(env.get("VIGIL_TOKEN_FILE"));
                if (given == null) throw new UsageException("join --insecure: missing --token-file FILE (a copy of the insecure cluster's token file)");
                adminToken = TokenAuth.readTokenFile(Path.of(given));
                ClusterConfig before;
                try (Cluster c = connector.connect(List.of(target.split(",")), AdminClient.Credentials.insecure(adminToken))) {
                    before = c.status().config();
                }
                members = before.nodes();
                cluster = NodeConfig.ClusterId.DEFAULT;
                requireNew(before, node, raft);
            } else {
                String token = a.option("token").orElseThrow(() -> new UsageException(
                        "join: missing --token TOKEN (run 'vigil token create' on a member; it prints the token)"));
                JoinClient.Joined joined = JoinClient.join(target.split(",")[0].trim(), token, self, java.time.Duration.ofSeconds(60));
                mkdirs(dir);
                joined.ca().save(pki);
                joined.tls().save(pki);
                members = joined.members();
                adminToken = joined.adminToken();
                cluster = new NodeConfig.ClusterId(joined.clusterName(), joined.clusterId());
            }
            for (Node n : members) if (!n.id().equals(node)) peers.put(n.id(), peer(n, null));
            peers.put(node, new NodeConfig.Peer(raft, admin, role));
            mkdirs(dir);
            if (!adminToken.isEmpty()) write(tokenFile, adminToken + "\n");
            clusterFile = null;
        }
        NodeConfig config = new NodeConfig(node, role, dataDir, tokenFile, http, peers, clusterFile, cluster, insecure ? null : pki, insecure,
                cmd.equals("join"));
        write(nodeFile, config.format());
        if (cmd.equals("init")) {
            out.println("initialized cluster " + cluster.name() + " (id " + cluster.id() + ") with " + node + ": wrote " + nodeFile + ", " + tokenFile
                    + (insecure ? "" : " and " + pki + "/ (the cluster CA and this node's certificate; ca.key never leaves the members)"));
            if (insecure) out.println("WARNING: INSECURE (--insecure): no TLS on any port; for a lab only");
            out.println("start the node with: vigil daemon --config " + nodeFile);
            out.println("add a host: on this node 'vigil token create' prints a one-time token; on the new host run "
                    + "'vigil join --node ID --raft HOST:PORT --admin HOST:PORT --cluster " + admin + " --token TOKEN'");
        } else {
            out.println("joined cluster " + cluster.name() + " as " + node + ": wrote " + nodeFile + (insecure ? "" : ", " + pki + "/ (its own key and certificate)")
                    + " and " + tokenFile);
            out.println("start the node with: vigil daemon --config " + nodeFile + " (it becomes a voting member once it caught up)");
        }
        return 0;
    }

    private static void requireNew(ClusterConfig before, String node, String raft) {
        Node existing = before.node(node).orElse(null);
        if (existing != null) {
            throw new ConfigException("node", "a node \"" + node + "\" with address " + existing.address() + " is already a member",
                    "pick another --node id, or remove that node first (vigil node remove " + node + ")");
        }
        for (Node n : before.nodes()) {
            if (n.address().equals(raft)) throw new ConfigException("raft", "address " + raft + " is already used by node " + n.id(), "give this host its own --raft address");
        }
    }

    /** The hosts a node's certificate names: those of its Raft and admin addresses. */
    static List<String> hosts(String raft, String admin) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        out.add(raft.substring(0, raft.lastIndexOf(':')));
        out.add(admin.substring(0, admin.lastIndexOf(':')));
        return List.copyOf(out);
    }

    private static NodeConfig.Peer peer(Node n, String adminOverride) {
        String admin = adminOverride != null ? adminOverride : n.attributes().getOrDefault(ADMIN_ADDRESS, n.attributes().get(AgentAddresses.ATTRIBUTE));
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
