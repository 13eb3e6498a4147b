package vigil.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import vigil.daemon.cli.CliContext;
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

    private Setup() {}

    /** What init and join both take: this host's identity, addresses and directories. */
    static final class HostOptions {
        @Option(names = "--node", required = true, paramLabel = "ID", description = "this node's id, e.g. kvm1") String node;
        @Option(names = "--raft", required = true, paramLabel = "HOST:PORT", description = "this node's Raft address host:port, e.g. 10.0.0.1:9870") String raft;
        @Option(names = "--admin", required = true, paramLabel = "HOST:PORT", description = "this node's admin API address host:port, e.g. 10.0.0.1:9871") String admin;
        @Option(names = "--http", paramLabel = "HOST:PORT", description = "Where to serve the status page and /metrics (default: not served).") String http;
        @Option(names = "--witness", description = "A witness: votes, runs no resources.") boolean witness;
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/etc/vigil", description = "Where node.yaml (and the token) go (default: ${DEFAULT-VALUE}).") Path dir;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "The Raft log and snapshots (default: DIR/data).") Path dataDir;
        @Option(names = "--force", description = "Overwrite an existing node.yaml.") boolean force;

        Path nodeFile() { return dir.resolve("node.yaml"); }

        Node self() { return new Node(node, raft, witness ? NodeRole.WITNESS : NodeRole.MEMBER, Map.of(ADMIN_ADDRESS, admin)); }

        void refuseOverwrite() {
            if (Files.exists(nodeFile()) && !force) {
                throw new VigilException(nodeFile() + " exists already: this host is set up (remove it, or pass --force to overwrite)");
            }
        }
    }

    @Command(name = "init", description = "Bootstrap a cluster on its first node: write DIR/node.yaml and a new cluster token.")
    static final class Init implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin HostOptions host;
        @Option(names = "--cluster-config", paramLabel = "FILE", description = "The cluster configuration to start with (default: this node alone, written to DIR/cluster.yaml).")
        Path clusterConfig;

        @Override
        public Integer call() {
            host.refuseOverwrite();
            Node self = host.self();
            Path tokenFile = host.dir.resolve("token");
            ClusterConfig bootstrap;
            Path clusterFile;
            if (clusterConfig != null) {
                Path given = clusterConfig.toAbsolutePath();
                bootstrap = ConfigYaml.read(given);
                if (bootstrap.node(host.node).isEmpty()) bootstrap = bootstrap.toBuilder().node(self).build();
                clusterFile = given;
            } else {
                bootstrap = ClusterConfig.builder().node(self).build();
                clusterFile = host.dir.resolve("cluster.yaml");
            }
            Map<String, NodeConfig.Peer> peers = new LinkedHashMap<>();
            for (Node n : bootstrap.nodes()) peers.put(n.id(), peer(n, n.id().equals(host.node) ? host.admin : null));
            mkdirs(host.dir);
            if (!Files.exists(tokenFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                writePrivate(tokenFile, HexFormat.of().formatHex(random) + "\n");
            }
            if (clusterConfig == null) {
                write(clusterFile, "# Cluster configuration applied when the cluster is first started; afterwards use 'vigil config apply'.\n"
                        + ConfigYaml.format(bootstrap));
            }
            return finish(spec, host, peers, tokenFile, clusterFile,
                    "initialized cluster with " + host.node + ": wrote " + host.nodeFile() + " and " + tokenFile + " (copy it to every host that joins)");
        }
    }

    @Command(name = "join", description = "Add this host to a running cluster and write its DIR/node.yaml.")
    static final class Join implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin HostOptions host;
        @Option(names = "--cluster", paramLabel = "HOST:PORT,...", description = "The admin address of a running node (default: env VIGIL_CLUSTER).")
        String cluster;
        @Option(names = "--token-file", paramLabel = "FILE", description = "A copy of the cluster's token file (default: env VIGIL_TOKEN_FILE).")
        String tokenFileGiven;

        @Override
        public Integer call() {
            host.refuseOverwrite();
            CliContext ctx = CliContext.of(spec);
            String targets = cluster != null ? cluster : ctx.env().get("VIGIL_CLUSTER");
            String given = tokenFileGiven != null ? tokenFileGiven : ctx.env().get("VIGIL_TOKEN_FILE");
            if (targets == null) throw new UsageException("join: missing --cluster HOST:PORT (the admin address of a running node)");
            if (given == null) throw new UsageException("join: missing --token-file FILE (a copy of the cluster's token file)");
            String token = TokenAuth.readTokenFile(Path.of(given));
            Node self = host.self();
            ClusterConfig after;
            try (Cluster c = ctx.connector().connect(List.of(targets.split(",")), token)) {
                ClusterConfig before = c.status().config();
                Node existing = before.node(host.node).orElse(null);
                if (existing != null && !existing.address().equals(host.raft)) {
                    throw new ConfigException("node", "a node \"" + host.node + "\" with address " + existing.address() + " is already a member",
                            "pick another --node id, or remove that node first");
                }
                for (Node n : before.nodes()) if (!n.id().equals(host.node)) peer(n, null);
                c.updateConfig(cfg -> cfg.node(host.node).isPresent() ? cfg : cfg.toBuilder().node(self).build());
                after = c.status().config();
            }
            Map<String, NodeConfig.Peer> peers = new LinkedHashMap<>();
            for (Node n : after.nodes()) peers.put(n.id(), peer(n, n.id().equals(host.node) ? host.admin : null));
            mkdirs(host.dir);
            Path tokenFile = host.dir.resolve("token");
            if (!Path.of(given).toAbsolutePath().equals(tokenFile.toAbsolutePath())) writePrivate(tokenFile, token + "\n");
            return finish(spec, host, peers, tokenFile, null, "joined cluster as " + host.node + ": wrote " + host.nodeFile());
        }
    }

    private static int finish(CommandSpec spec, HostOptions host, Map<String, NodeConfig.Peer> peers, Path tokenFile, Path clusterFile, String done) {
        Path dataDir = host.dataDir != null ? host.dataDir : host.dir.resolve("data");
        NodeConfig config = new NodeConfig(host.node, host.witness ? NodeRole.WITNESS : NodeRole.MEMBER, dataDir, tokenFile,
                host.http == null ? "" : host.http, peers, clusterFile);
        write(host.nodeFile(), config.format());
        PrintStream out = CliContext.of(spec).out();
        out.println(done);
        out.println("start the node with: vigil daemon --config " + host.nodeFile());
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

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new VigilException("cannot write " + file + ": " + e.getMessage());
        }
    }

    private static void writePrivate(Path file, String text) {
        write(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new VigilException("cannot restrict permissions of " + file + " to its owner: " + e.getMessage());
        }
    }
}
