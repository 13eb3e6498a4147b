package vigil.daemon.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.model.Durations;

/** {@code vigil node ...}: like {@code pcs node}; without a node id it means this host's node (from its node config). */
@Command(name = "node", description = "Put a node in standby or maintenance, or back online, stop it cleanly, remove a member, "
        + "or confirm a two-node peer down (like pcs node).")
public final class NodeCommand {
    @Spec CommandSpec spec;

    @Command(name = "standby", description = "Move every resource off a node and keep them off (default: this host's node).")
    int standby(@Parameters(arity = "0..1", paramLabel = "NODE", description = "node id (default: this host's node)") String node, @Mixin ClusterOptions cluster) {
        return change("standby", Optional.ofNullable(node).orElseGet(cluster::localNode), cluster, true);
    }

    @Command(name = "online", description = "Let a node run resources again and end its maintenance (default: this host's node).")
    int online(@Parameters(arity = "0..1", paramLabel = "NODE", description = "node id (default: this host's node)") String node, @Mixin ClusterOptions cluster) {
        return change("online", Optional.ofNullable(node).orElseGet(cluster::localNode), cluster, true);
    }

    @Command(name = "maintenance", description = "Stop managing a node's resources (they keep running, unmonitored) or resume (default: this host's node, on).")
    int maintenance(@Parameters(arity = "0..2", hideParamSyntax = true, paramLabel = "[NODE] [on|off]", description = "node id (default: this host's node), then on (default) or off") List<String> args,
                    @Mixin ClusterOptions cluster) {
        List<String> a = args == null ? List.of() : args;
        String last = a.isEmpty() ? null : a.get(a.size() - 1);
        boolean hasState = "on".equals(last) || "off".equals(last);
        if (a.size() == 2 && !hasState) {
            throw new UsageException(CliContext.commandName(spec) + " maintenance: expected on or off, got \"" + last + "\"");
        }
        String node = a.size() - (hasState ? 1 : 0) == 1 ? a.get(0) : cluster.localNode();
        return change(hasState && last.equals("off") ? "maintenance off" : "maintenance on", node, cluster, !(hasState && last.equals("off")));
    }

    @Command(name = "stop", description = "Stop a node cleanly, like pcs cluster stop: its resources move or stop, it leaves and its daemon exits; "
            + "it is never fenced for it (default: this host's node). Refused when the nodes left would lose quorum.")
    int stop(@Parameters(arity = "0..1", paramLabel = "NODE", description = "node id (default: this host's node)") String node,
             @Option(names = "--force", description = "Stop it even when the nodes left lose quorum.") boolean force,
             @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "5min", description = "How long to wait until it has left (default: ${DEFAULT-VALUE}).") String waitText,
             @Mixin ClusterOptions cluster) {
        String target = Optional.ofNullable(node).orElseGet(cluster::localNode);
        try (Cluster c = cluster.connect()) {
            return NodeStop.run(c, target, force, Durations.parse("--wait", waitText), CliContext.of(spec).out());
        }
    }

    @Command(name = "remove", description = "Take a member out of the configuration and the Raft group (refused while it runs resources or without an online majority).")
    int remove(@Parameters(paramLabel = "NODE", description = "node id") String node, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ConfigEdits.requireNode(c.status().config(), node, false);
            ClusterOptions.admin(c, CliContext.commandName(spec) + " remove").removeMember(node);
        }
        CliContext.of(spec).out().println(node + ": removed from the cluster (its certificate is refused from now on; to replace the host, join a new one with an empty data dir)");
        return 0;
    }

    @Command(name = "confirm-down", description = "Two-node mode: tell the other host (its admin address in --cluster) that NODE is down, "
            + "powered off by hand, so that it continues alone (like pcs stonith confirm). Only when NODE surely runs nothing.")
    int confirmDown(@Parameters(paramLabel = "NODE", description = "the node that is down") String node, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ClusterOptions.admin(c, CliContext.commandName(spec) + " confirm-down").confirmPeerDown(node);
        }
        CliContext.of(spec).out().println(node + ": confirmed down; its peer continues alone");
        return 0;
    }

    private int change(String what, String node, ClusterOptions cluster, boolean on) {
        try (Cluster c = cluster.connect()) {
            ConfigEdits.requireNode(c.status().config(), node, false);
            switch (what) {
                case "standby" -> c.standby(node);
                case "online" -> c.online(node);
                default -> c.maintenance(node, on);
            }
        }
        CliContext.of(spec).out().println(node + ": " + what);
        return 0;
    }
}
