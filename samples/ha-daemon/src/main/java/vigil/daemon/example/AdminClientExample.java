package vigil.daemon.example;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.Subscription;
import vigil.api.status.ClusterState;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.TokenAuth;
import vigil.raft.tls.ClusterCa;

/**
 * Uses a running cluster through the admin API, from another program: prints who leads and where each resource
 * runs, then follows the cluster's events for a while.
 *
 * <pre>
 * java -cp vigil.jar vigil.daemon.example.AdminClientExample 10.0.0.1:9871,10.0.0.2:9871 /etc/vigil/token [seconds]
 * </pre>
 */
public final class AdminClientExample {
    private AdminClientExample() {}

    @SuppressWarnings("try")
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3) {
            System.err.println("usage: AdminClientExample HOST:PORT[,HOST:PORT] TOKEN-FILE CA-FILE [SECONDS-TO-WATCH]");
            System.exit(2);
        }
        List<String> targets = List.of(args[0].split(","));
        String token = TokenAuth.readTokenFile(Path.of(args[1]));
        // the cluster CA (a member's /etc/vigil/pki/ca.crt): the token goes only to a node that CA vouches for
        List<java.security.cert.X509Certificate> ca = ClusterCa.readCertificates(Path.of(args[2]));
        Duration watch = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 0);

        try (Cluster cluster = AdminClient.connect(targets, AdminClient.Credentials.token(token, ca), Duration.ofSeconds(30))) {
            ClusterState s = cluster.status();
            System.out.println("leader: " + (s.leader().isEmpty() ? "none" : s.leader()) + " (term " + s.term() + ")");
            s.config().primitives().forEach(p -> System.out.println("resource " + p.id() + " (" + p.type() + "): "
                    + (s.activeNodes(p.id()).isEmpty() ? "stopped" : "active on " + String.join(", ", s.activeNodes(p.id())))));
            if (!watch.isZero()) {
                try (Subscription sub = cluster.subscribe(AdminClientExample::print)) {
                    Thread.sleep(watch.toMillis());
                }
            }
        }
    }

    private static void print(ClusterEvent e) {
        if (e instanceof ClusterEvent.ResourceActive a) System.out.println("event: " + a.resource() + " " + a.role() + " on " + a.node());
        else if (e instanceof ClusterEvent.ResourceStopped r) System.out.println("event: " + r.resource() + " stopped on " + r.node());
        else if (e instanceof ClusterEvent.Fenced f) System.out.println("event: " + f.fence().target() + " fenced (" + (f.fence().success() ? "ok" : "FAILED") + ")");
        else if (e instanceof ClusterEvent.LeaderChanged l) System.out.println("event: leader " + l.leader() + " (term " + l.term() + ")");
        else if (e instanceof ClusterEvent.NodeChanged n) System.out.println("event: node " + n.node().node() + " " + n.node().membership());
    }
}
