package vigil.daemon.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.raft.tls.ClusterCa;
import vigil.raft.tls.NodeTls;
import vigil.raft.tls.PeerIdentity;

/**
 * {@code vigil certs rotate}: this node gets a new key and certificate (signed by the cluster CA it holds), in use at
 * once. {@code certs issue NODE}: a node certificate for a cluster whose members are listed statically (embedding
 * applications), making the CA first if there is none. {@code certs client NAME}: an administration client certificate.
 */
@Command(name = "certs", description = "Node and client certificates of the cluster CA.")
public final class CertsCommand {
    @Spec CommandSpec spec;

    /** Where the CA is (or is made) and where the issued certificate goes: what issue and client share. */
    static final class Output {
        @Option(names = "--ca-dir", required = true, paramLabel = "DIR", description = "where the cluster CA is, or is made") Path caDir;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the certificate and key go") Path outDir;
        @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "vigil", description = "The name of a CA made here (default: ${DEFAULT-VALUE}).") String clusterName;
    }

    @Command(name = "rotate", description = "This node: a new key and certificate, in use at once, without a restart.")
    int rotate(@Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            var done = ClusterOptions.admin(c, "certs rotate").rotateCertificate();
            CliContext.of(spec).out().println(done.node() + ": new key and certificate in use, valid until " + done.certificateExpires()
                    + " (open connections keep the old one until they reconnect)");
        }
        return 0;
    }

    @Command(name = "issue", description = "A node certificate for a cluster whose members are listed statically (embedding applications); makes the CA in --ca-dir if there is none.")
    int issue(@Parameters(paramLabel = "NODE", description = "node id (vigil certs issue NODE --host HOST --ca-dir DIR --out DIR)") String node,
              @Option(names = "--host", paramLabel = "HOST", description = "a host name or address the certificate names (repeatable)") List<String> hosts,
              @Mixin Output output) {
        ClusterCa ca = ca(output);
        return saved(ca.issueNode(node, hosts == null ? List.of() : hosts), output);
    }

    @Command(name = "client", description = "An administration client certificate (admin role, or read-only); makes the CA in --ca-dir if there is none.")
    int client(@Parameters(paramLabel = "NAME", description = "client name (vigil certs client NAME [--read-only] --ca-dir DIR --out DIR)") String name,
               @Option(names = "--read-only", description = "Status and events only: no secrets, no changes.") boolean readOnly,
               @Mixin Output output) {
        ClusterCa ca = ca(output);
        return saved(ca.issueClient(readOnly ? PeerIdentity.Kind.READ_ONLY : PeerIdentity.Kind.ADMIN, name), output);
    }

    private ClusterCa ca(Output output) {
        if (ClusterCa.existsIn(output.caDir)) return ClusterCa.load(output.caDir);
        ClusterCa ca = ClusterCa.create(output.clusterName, UUID.randomUUID());
        ca.save(output.caDir);
        CliContext.of(spec).out().println("made a new cluster CA in " + output.caDir + " (keep ca.key private)");
        return ca;
    }

    private int saved(NodeTls issued, Output output) {
        issued.save(output.outDir);
        PrintStream out = CliContext.of(spec).out();
        out.println(issued.identity() + ": certificate and key in " + output.outDir + ", valid until " + issued.notAfter());
        return 0;
    }
}
