package vigil.daemon.cli;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;

/** {@code vigil stonith ...}: fence devices and fencing, like {@code pcs stonith}. */
@Command(name = "stonith", description = "Fence device types, the configured devices and who they fence, and the fencing history (like pcs stonith).")
public final class StonithCommand {
    @Spec CommandSpec spec;

    @Command(name = "list", description = "The fence device types this host can run (built in, and ClusterLabs fence_* agents installed here).")
    int list(@Parameters(arity = "0..1", paramLabel = "FILTER", description = "Only types containing this text.") String filter) {
        for (String t : Agents.fenceTypes()) if (filter == null || t.contains(filter)) out().println(t);
        return 0;
    }

    @Command(name = "status", description = "Whether fencing is enabled, the devices, and which devices (by level) can fence each member.")
    int status(@Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ClusterConfig cfg = c.status().config();
            PrintStream out = out();
            out.println("stonith-enabled: " + cfg.properties().stonithEnabled());
            out.println("Fence devices:");
            if (cfg.fenceDevices().isEmpty()) out.println("  * none configured");
            for (FenceDevice d : cfg.fenceDevices()) {
                out.println("  * " + d.id() + " (" + d.type() + ")" + (d.hostList().isEmpty() ? "" : ": fences " + String.join(", ", d.hostList())));
            }
            out.println("Fencing of members:");
            for (Node n : cfg.nodes()) {
                if (!n.runsResources()) continue;
                List<String> levels = levels(cfg, n.id());
                out.println("  * " + n.id() + ": " + (levels.isEmpty()
                        ? (cfg.properties().stonithEnabled() ? "NO device can fence it: its resources cannot be recovered after it fails" : "no device")
                        : String.join("; then ", levels)));
            }
        }
        return 0;
    }

    @Command(name = "history", description = "Fence operations, newest first (of one node, or all).")
    int history(@Parameters(arity = "0..1", paramLabel = "NODE", description = "only fencing of this node") String node, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ClusterState s = c.status();
            if (node != null) ConfigEdits.requireNode(s.config(), node, false);
            List<FenceEvent> events = s.fenceHistory().stream().filter(f -> node == null || f.target().equals(node)).toList();
            if (events.isEmpty()) out().println("no fencing" + (node == null ? "" : " of " + node));
            for (int i = events.size() - 1; i >= 0; i--) out().println("  * " + StatusView.fenceLine(events.get(i)));
        }
        return 0;
    }

    /** The levels tried to fence {@code node}, as the fencer tries them: its topology, else every device that can fence it. */
    private static List<String> levels(ClusterConfig cfg, String node) {
        List<FencingLevel> explicit = cfg.fencingLevels().stream().filter(l -> l.node().equals(node)).sorted(Comparator.comparingInt(FencingLevel::index)).toList();
        if (!explicit.isEmpty()) return explicit.stream().map(l -> "level " + l.index() + ": " + String.join(" + ", l.devices())).toList();
        return cfg.fenceDevices().stream().filter(d -> d.canFence(node)).map(FenceDevice::id).toList();
    }

    private PrintStream out() { return CliContext.of(spec).out(); }
}
