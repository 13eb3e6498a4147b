package vigil.daemon.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.VigilException;
import vigil.api.status.ClusterState;
import vigil.raft.admin.AdminClient;

/** {@code vigil status}: like crm_mon. */
@Command(name = "status", description = "Quorum, leader, nodes, resources and where they run, blocked resources, failures, fence history and fence device checks, "
        + "expiring move/ban constraints and warnings (like crm_mon). On a node without quorum: its own view, marked 'partition WITHOUT quorum'.")
public final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClusterOptions cluster;

    @Option(names = "--json", description = "One JSON document instead of text.")
    boolean json;

    @Option(names = "--simple", description = "One line for monitoring, like crm_mon -s; exit 0 OK, 1 WARN, 2 CRIT (UNCLEAN nodes, no quorum), 3 UNKNOWN.")
    boolean simple;

    @Override
    public Integer call() {
        PrintStream out = CliContext.of(spec).out();
        if (simple) {
            ClusterState s;
            try (Cluster c = cluster.connect()) {
                s = c.status();
            } catch (VigilException e) {
                out.println("CLUSTER UNKNOWN: " + e.getMessage());
                return StatusCheck.UNKNOWN;
            }
            StatusCheck.Result r = StatusCheck.of(s);
            out.println(r.line());
            return r.code();
        }
        try (Cluster c = cluster.connect()) {
            ClusterState s;
            AdminClient.ServerInfo server = null;
            if (c instanceof AdminClient ac) {
                var both = ac.statusWithServer();
                s = both.state();
                server = both.server();
            } else {
                s = c.status();
            }
            if (json) {
                out.print(StatusView.json(s) + "\n");
                return 0;
            }
            if (server != null && server.insecure()) {
                out.println("WARNING: INSECURE: " + server.node() + " runs without TLS (insecure: true): anyone on the network can read and forge cluster traffic");
            } else if (server != null && server.certificateExpires() != null) {
                long days = Duration.between(Instant.now(), server.certificateExpires()).toDays();
                out.println("Security: mutual TLS; certificate of " + server.node() + " expires " + server.certificateExpires() + " (in " + days + " days"
                        + (days < 30 ? ": renew it with 'vigil certs rotate'" : "") + ")");
            }
            out.print(StatusView.text(s));
        }
        return 0;
    }
}
