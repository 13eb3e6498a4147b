package vigil.daemon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;

/** {@code vigil fence NODE}: like {@code pcs stonith fence}. */
@Command(name = "fence", description = "Ask the cluster to fence a node (the result shows in the fencing history of 'vigil status').")
public final class FenceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClusterOptions cluster;

    @Parameters(paramLabel = "NODE", description = "node id of the node to fence")
    String node;

    @Override
    public Integer call() {
        try (Cluster c = cluster.connect()) {
            ConfigEdits.requireNode(c.status().config(), node, false);
            c.fence(node);
        }
        CliContext.of(spec).out().println("fencing of " + node + " requested ('vigil status' shows the result in the fencing history)");
        return 0;
    }
}
