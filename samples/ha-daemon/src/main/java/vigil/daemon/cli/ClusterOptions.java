package vigil.daemon.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ConfigValidator;
import vigil.daemon.config.NodeConfig;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.TokenAuth;
import vigil.raft.tls.ClusterCa;
import vigil.raft.tls.NodeTls;

/**
 * How a command reaches a running cluster: {@code --cluster} / {@code --token-file} or {@code --cert} / {@code --ca}
 * (or {@code --insecure}), else {@code VIGIL_CLUSTER} / {@code VIGIL_TOKEN_FILE} / {@code VIGIL_CA}, else this host's
 * node config ({@code --node-config}, {@code VIGIL_NODE_CONFIG},
 * {@code /etc/vigil/node.yaml}), which also names the local node.
 */
public final class ClusterOptions {
    static final Path DEFAULT_NODE_CONFIG = Path.of("/etc/vigil/node.yaml");

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--cluster", paramLabel = "HOST:PORT,...",
            description = "Admin API address of any node, several tried in order (default: env VIGIL_CLUSTER, else the node config).")
    String cluster;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The cluster token: admin role (default: env VIGIL_TOKEN_FILE, else the node config).")
    String tokenFile;

    @Option(names = "--cert", paramLabel = "DIR", description = "A client certificate from 'vigil certs client' (admin or read-only role) instead of the token.")
    String certDir;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "The cluster's pki/ca.crt: the server is checked against it before the token is sent (default: env VIGIL_CA, else the node config).")
    String ca;

    @Option(names = "--insecure", description = "Plaintext, for a lab cluster made with --insecure (default: the node config's insecure).")
    boolean insecure;

    @Option(names = {"--node-config", "--config"}, paramLabel = "FILE",
            description = "This host's node config (default: env VIGIL_NODE_CONFIG, else /etc/vigil/node.yaml if readable).")
    String nodeConfig;

    /**
     * Opens the failover API of the cluster; the caller closes it. The server is always checked against the cluster CA
     * before the token is sent, unless the cluster is insecure ({@code --insecure} or {@code insecure: true}).
     */
    public Cluster connect() {
        CliContext ctx = CliContext.of(command);
        String name = CliContext.commandName(command);
        String targetsText = cluster != null ? cluster : ctx.env().get("VIGIL_CLUSTER");
        String token = tokenFile != null ? tokenFile : ctx.env().get("VIGIL_TOKEN_FILE");
        String caFile = ca != null ? ca : ctx.env().get("VIGIL_CA");
        boolean plaintext = insecure;
        if (targetsText == null || token == null && certDir == null || caFile == null && !plaintext) {
            Optional<NodeConfig> nc = nodeConfig(ctx);
            if (nc.isPresent()) {
                if (targetsText == null) targetsText = String.join(",", nc.get().adminTargets());
                if (token == null && certDir == null) token = nc.get().tokenFile().toString();
                if (caFile == null && nc.get().pkiDir() != null) caFile = nc.get().pkiDir().resolve(ClusterCa.CA_CERT).toString();
                plaintext |= nc.get().insecure();
            }
        }
        if (targetsText == null) {
            throw new UsageException(name + ": no cluster given: pass --cluster host:port (the admin address of any node), set VIGIL_CLUSTER, or run on a node with "
                    + DEFAULT_NODE_CONFIG);
        }
        if (token == null && certDir == null) {
            throw new UsageException(name + ": no credentials given: pass --token-file FILE (the cluster token that 'vigil init' wrote), --cert DIR "
                    + "(a client certificate) or set VIGIL_TOKEN_FILE");
        }
        List<String> targets = new ArrayList<>();
        for (String t : targetsText.split(",")) {
            String target = t.trim();
            if (target.isEmpty()) continue;
            int colon = target.lastIndexOf(':');
            if (colon <= 0 || !target.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new UsageException(name + ": --cluster \"" + target + "\" is not host:port (e.g. 10.0.0.1:9871)");
            }
            targets.add(target);
        }
        String secret = token == null ? null : readToken(Path.of(token));
        AdminClient.Credentials credentials;
        if (certDir != null) {
            NodeTls tls = NodeTls.load(Path.of(certDir));
            credentials = new AdminClient.Credentials(tls.trustAnchors(), tls, secret);
        } else if (plaintext) {
            credentials = AdminClient.Credentials.insecure(secret);
        } else if (caFile == null) {
            throw new UsageException(name + ": no CA certificate to check the cluster with: pass --ca FILE (a member's pki/ca.crt) or set VIGIL_CA; "
                    + "the token is never sent to an unchecked server (an insecure lab cluster: --insecure)");
        } else {
            credentials = AdminClient.Credentials.token(secret, ClusterCa.readCertificates(Path.of(caFile)));
        }
        return ctx.connector().connect(targets, credentials);
    }

    /** The admin API behind {@code c}, for what only a cluster node's admin API does (membership, tokens, certificates). */
    public static AdminClient admin(Cluster c, String what) {
        if (c instanceof AdminClient a) return a;
        throw new VigilException(what + " needs the admin API of a cluster node");
    }

    /** Validates the changed config locally (so a bad change fails before any write), then commits it. */
    public void change(UnaryOperator<ClusterConfig> f) {
        try (Cluster c = connect()) {
            ConfigValidator.structural().validate(f.apply(c.status().config()));
            c.updateConfig(cfg -> {
                ClusterConfig next = f.apply(cfg);
                ConfigValidator.structural().validate(next);
                return next;
            });
        }
    }

    /** The node this host runs, from its node config: what {@code node standby} without a node means, as with pcs. */
    public String localNode() {
        CliContext ctx = CliContext.of(command);
        return nodeConfig(ctx).map(NodeConfig::node).orElseThrow(() -> new UsageException(CliContext.commandName(command)
                + ": no node given, and no node config names this host's node: give the node, or pass --node-config FILE (default "
                + DEFAULT_NODE_CONFIG + ")"));
    }

    /** The node this host runs, or null on a host that is not a node. */
    public String localNodeOrNull() { return nodeConfig(CliContext.of(command)).map(NodeConfig::node).orElse(null); }

    private Optional<NodeConfig> nodeConfig(CliContext ctx) {
        Path file = nodeConfig != null ? Path.of(nodeConfig)
                : ctx.env().get("VIGIL_NODE_CONFIG") != null ? Path.of(ctx.env().get("VIGIL_NODE_CONFIG"))
                : Files.isReadable(DEFAULT_NODE_CONFIG) ? DEFAULT_NODE_CONFIG : null;
        return file == null ? Optional.empty() : Optional.of(NodeConfig.read(file));
    }

    /** The token, checked before it is sent anywhere (see {@link TokenAuth#readTokenFile}). */
    static String readToken(Path file) { return TokenAuth.readTokenFile(file); }
}
