package vigil.daemon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.status.ClusterState;

/** {@code vigil status}: like crm_mon. */
@Command(name = "status", description = "Quorum, leader, nodes, resources and where they run, failures, fence history and expiring move/ban constraints (like crm_mon).")
public final class StatusCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClusterOptions cluster;

    @Option(names = "--json", description = "One JSON document instead of text.")
    boolean json;

    @Override
    public Integer call() {
        try (Cluster c = cluster.connect()) {
            ClusterState s = c.status();
            CliContext.of(spec).out().print(json ? StatusView.json(s) + "\n" : StatusView.text(s));
        }
        return 0;
    }
}
