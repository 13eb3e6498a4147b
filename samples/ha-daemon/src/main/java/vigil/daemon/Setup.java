package vigil.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.spi.PrivateFiles;
import vigil.daemon.cli.CliContext;
import vigil.daemon.cli.UsageException;
import vigil.daemon.config.ConfigYaml;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.AdminClient;
import vigil.raft.LearnedNodeTimeout;
import vigil.raft.admin.JoinClient;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.tls.ClusterCa;

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

    private Setup() {}

    /** What init and join both take: this host's identity, addresses and directories. */
    static final class HostOptions {
        @Option(names = "--node", required = true, paramLabel = "ID", description = "this node's id, e.g. kvm1") String node;
        @Option(names = "--raft", required = true, paramLabel = "HOST:PORT", description = "this node's Raft address host:port, e.g. 10.0.0.1:9870") String raft;
        @Option(names = "--admin", required = true, paramLabel = "HOST:PORT", description = "this node's admin API address host:port, e.g. 10.0.0.1:9871") String admin;
        @Option(names = "--http", paramLabel = "HOST:PORT", description = "Where to serve the status page and /metrics (default: not served).") String http;
        @Option(names = "--witness", description = "A witness: votes, runs no resources.") boolean witness;
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/etc/vigil", description = "Where node.yaml, the token and pki/ go (default: ${DEFAULT-VALUE}).") Path dir;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "The Raft log and snapshots (default: DIR/data).") Path dataDir;
        @Option(names = "--insecure", description = "No TLS on any port, for a lab only: anyone on the network can read and forge cluster traffic.") boolean insecure;
        @Option(names = "--force", description = "Overwrite an existing node.yaml.") boolean force;

        /**
         * DIR made absolute: node.yaml resolves relative paths against its own directory, so paths written relative
         * to the working directory of init / join would point elsewhere.
         */
        Path home() { return dir.toAbsolutePath().normalize(); }

        Path nodeFile() { return home().resolve("node.yaml"); }

        Path pki() { return home().resolve("pki"); }

        Path tokenFile() { return home().resolve("token"); }

        NodeRole role() { return witness ? NodeRole.WITNESS : NodeRole.MEMBER; }

        Node self() { return new Node(node, raft, role(), Map.of(ADMIN_ADDRESS, admin, AgentAddresses.ATTRIBUTE, admin)); }

        void refuseOverwrite() {
            if (Files.exists(nodeFile()) && !force) {
                throw new VigilException(nodeFile() + " exists already: this host is set up (remove it, or pass --force to overwrite)");
            }
        }

        /** Writes node.yaml. */
        NodeConfig write(Map<String, NodeConfig.Peer> peers, Path clusterFile, NodeConfig.ClusterId cluster, boolean joined) {
            Path data = dataDir != null ? dataDir.toAbsolutePath().normalize() : home().resolve("data");
            NodeConfig config = new NodeConfig(node, role(), data, tokenFile(), http == null ? "" : http, peers, clusterFile, cluster,
                    insecure ? null : pki(), insecure, joined);
            Setup.write(nodeFile(), config.format());
            return config;
        }
    }

    @Command(name = "init", description = "Bootstrap a cluster on its first node: DIR/node.yaml, a random cluster id, the cluster CA and this node's certificate (DIR/pki), the token.")
    static final class Init implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin HostOptions host;
        @Option(names = "--cluster-config", paramLabel = "FILE", description = "The cluster configuration to start with (default: this node alone, written to DIR/cluster.yaml).")
        Path clusterConfig;
        @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "vigil", description = "The cluster's name (default: ${DEFAULT-VALUE}).")
        String clusterName;

        @Override
        public Integer call() {
            host.refuseOverwrite();
            Node self = host.self();
            Path tokenFile = host.tokenFile();
            ClusterConfig bootstrap;
            Path clusterFile;
            if (clusterConfig != null) {
                Path given = clusterConfig.toAbsolutePath();
                bootstrap = ConfigYaml.read(given);
                if (bootstrap.node(host.node).isEmpty()) bootstrap = bootstrap.toBuilder().node(self).build();
                clusterFile = given;
            } else {
                bootstrap = ClusterConfig.builder().node(self).build();
                clusterFile = host.home().resolve("cluster.yaml");
            }
            Map<String, NodeConfig.Peer> peers = new LinkedHashMap<>();
            for (Node n : bootstrap.nodes()) peers.put(n.id(), peer(n, n.id().equals(host.node) ? host.admin : null));
            // a random id per cluster: it is also the Raft group id, so no two clusters ever accept each other's messages
            NodeConfig.ClusterId cluster = new NodeConfig.ClusterId(clusterName, UUID.randomUUID());
            mkdirs(host.home());
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                write(tokenFile, HexFormat.of().formatHex(random) + "\n");
            }
            if (!host.insecure) {
                ClusterCa ca = ClusterCa.create(cluster.name(), cluster.id());
                ca.save(host.pki());
                ca.issueNode(host.node, hosts(host.raft, host.admin)).save(host.pki());
            }
            if (clusterConfig == null) {
                write(clusterFile, "# Cluster configuration applied when the cluster is first started; afterwards use 'vigil config apply'.\n"
                        + ConfigYaml.format(bootstrap));
            }
            host.write(peers, clusterFile, cluster, false);
            PrintStream out = CliContext.of(spec).out();
            out.println("initialized cluster " + cluster.name() + " (id " + cluster.id() + ") with " + host.node + ": wrote " + host.nodeFile() + ", " + tokenFile
                    + (host.insecure ? "" : " and " + host.pki() + "/ (the cluster CA and this node's certificate; ca.key never leaves the members)"));
            if (host.insecure) out.println("WARNING: INSECURE (--insecure): no TLS on any port; for a lab only");
            out.println("start the node with: vigil daemon --config " + host.nodeFile());
            out.println("add a host: on this node 'vigil token create' prints a one-time token; on the new host run "
                    + "'vigil join --node ID --raft HOST:PORT --admin HOST:PORT --cluster " + host.admin + " --token TOKEN'");
            return 0;
        }
    }

    /**
     * The cluster's config once it lists its members: a cluster just started with init commits its node list a moment
     * after its daemon runs, and a host that joined before then would know no member to ask for admission.
     */
    static ClusterConfig configListingItsMembers(Cluster c) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            ClusterConfig config = c.status().config();
            if (!config.nodes().isEmpty()) return config;
            if (System.nanoTime() > end) {
                throw new VigilException("the cluster is still starting (its config lists no member yet); nothing changed: try again in a few seconds");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VigilException("interrupted; nothing changed");
            }
        }
    }

    @Command(name = "join", description = "Add this host to a running cluster: checks it against the token's CA pin, gets a certificate for its own key, writes its DIR/node.yaml.")
    static final class Join implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin HostOptions host;
        @Option(names = "--cluster", paramLabel = "HOST:PORT", description = "The admin address of the member that made the token (default: env VIGIL_CLUSTER).")
        String cluster;
        @Option(names = "--token", paramLabel = "TOKEN", description = "A one-time join token ('vigil token create' on a member prints it).")
        String token;
        @Option(names = "--token-file", paramLabel = "FILE", description = "With --insecure: a copy of the insecure cluster's token file (default: env VIGIL_TOKEN_FILE).")
        String tokenFileGiven;

        @Override
        public Integer call() {
            host.refuseOverwrite();
            CliContext ctx = CliContext.of(spec);
            String target = cluster != null ? cluster : ctx.env().get("VIGIL_CLUSTER");
            if (target == null) throw new UsageException("join: missing --cluster HOST:PORT (the admin address of the member that made the token)");
            Node self = host.self();
            List<Node> members;
            String adminToken;
            NodeConfig.ClusterId id;
            java.util.Optional<Duration> nodeTimeout;
            if (host.insecure) {
                String given = tokenFileGiven != null ? tokenFileGiven : ctx.env().get("VIGIL_TOKEN_FILE");
                if (given == null) throw new UsageException("join --insecure: missing --token-file FILE (a copy of the insecure cluster's token file)");
                adminToken = TokenAuth.readTokenFile(Path.of(given));
                ClusterConfig before;
                try (Cluster c = ctx.connector().connect(List.of(target.split(",")), AdminClient.Credentials.insecure(adminToken))) {
                    before = configListingItsMembers(c);
                }
                members = before.nodes();
                nodeTimeout = java.util.Optional.of(before.properties().nodeTimeout());
                id = NodeConfig.ClusterId.DEFAULT;
                requireNew(before, host.node, host.raft);
            } else {
                if (token == null) throw new UsageException("join: missing --token TOKEN (run 'vigil token create' on a member; it prints the token)");
                JoinClient.Joined joined = JoinClient.join(target.split(",")[0].trim(), token, self, Duration.ofSeconds(60));
                mkdirs(host.home());
                joined.ca().save(host.pki());
                joined.tls().save(host.pki());
                members = joined.members();
                adminToken = joined.adminToken();
                nodeTimeout = joined.nodeTimeout();
                id = new NodeConfig.ClusterId(joined.clusterName(), joined.clusterId());
            }
            Map<String, NodeConfig.Peer> peers = new LinkedHashMap<>();
            for (Node n : members) if (!n.id().equals(host.node)) peers.put(n.id(), peer(n, null));
            peers.put(host.node, new NodeConfig.Peer(host.raft, host.admin, host.role()));
            mkdirs(host.home());
            if (!adminToken.isEmpty()) write(host.tokenFile(), adminToken + "\n");
            NodeConfig written = host.write(peers, null, id, true);
            if (nodeTimeout.isPresent()) {
                try {
                    LearnedNodeTimeout.write(written.dataDir(), nodeTimeout.get());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create " + written.dataDir(), e);
                }
            }
            PrintStream out = ctx.out();
            out.println("joined cluster " + id.name() + " as " + host.node + ": wrote " + host.nodeFile() + (host.insecure ? "" : ", " + host.pki() + "/ (its own key and certificate)")
                    + " and " + host.tokenFile());
            out.println("start the node with: vigil daemon --config " + host.nodeFile() + " (it becomes a voting member once it caught up)");
            return 0;
        }
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
        Set<String> out = new LinkedHashSet<>();
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
