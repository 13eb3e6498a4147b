package vigil.daemon.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Durations;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.daemon.config.ConfigYaml;

/** {@code vigil resource ...}: like {@code pcs resource}. */
@Command(name = "resource", description = "Create, change, move and inspect resources (like pcs resource).")
public final class ResourceCommand {
    @Spec CommandSpec spec;

    @Command(name = "create", description = "Add a primitive (optionally as a clone, a promotable clone, or in a group).")
    int create(@Parameters(index = "0", paramLabel = "ID", description = "resource id (vigil resource create ID TYPE [param=value ...])") String id,
               @Parameters(index = "1", paramLabel = "TYPE", description = "resource type, e.g. ocf:heartbeat:Dummy, kvm or drbd") String type,
               @Parameters(index = "2..*", paramLabel = "PARAM=VALUE", description = "Agent parameters.") List<String> params,
               @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Meta attribute (repeatable).") List<String> meta,
               @Option(names = "--op", paramLabel = "OP", description = "Operation name:interval:timeout[:role], e.g. monitor:10s:20s (repeatable).") List<String> ops,
               @Option(names = "--clone", description = "Run it on every node.") boolean clone,
               @Option(names = "--promotable", description = "A promotable clone (promoted on one node).") boolean promotable,
               @Option(names = "--group", paramLabel = "GROUP", description = "Append it to this group (created if missing).") String group,
               @Option(names = "--force", description = "Add it even when no node has its agent, or the agent does not know or requires a parameter.") boolean force,
               @Mixin ClusterOptions cluster) {
        String name = CliContext.commandName(spec) + " create";
        Primitive.Builder pb = Primitive.builder(id, type);
        for (String kv : list(params)) {
            String[] p = ConfigEdits.keyValue(name, kv, "param");
            pb.param(p[0], p[1]);
        }
        for (String kv : list(meta)) {
            String[] p = ConfigEdits.keyValue(name, kv, "--meta");
            pb.meta(p[0], p[1]);
        }
        for (String op : list(ops)) pb.operation(ConfigEdits.operation(name, op));
        if (clone && promotable) throw new UsageException(name + ": give --clone or --promotable, not both");
        Primitive p = pb.build();
        if (!force) {
            try (Cluster c = cluster.connect()) {
                AgentParams.check(c, p, p.params().keySet());
            }
        }
        Resource r = clone || promotable ? new Clone(id + "-clone", p, null, promotable) : p;
        if (group != null && r instanceof Clone) throw new UsageException(name + ": a clone cannot be put in a group");
        cluster.change(cfg -> {
            if (cfg.topLevelOf(id).isPresent() || cfg.topLevelOf(r.id()).isPresent()) {
                throw new ConfigException("resources." + id, "resource \"" + id + "\" already exists", "use 'vigil resource update' or delete it first");
            }
            if (group == null) return cfg.toBuilder().resource(r).build();
            Resource g = cfg.resource(group).orElse(null);
            if (g != null && !(g instanceof Group)) {
                throw new ConfigException("resources." + group, "\"" + group + "\" is not a group", "name a group, or a new id to create one");
            }
            List<Primitive> members = new ArrayList<>(g == null ? List.of() : ((Group) g).members());
            members.add(p);
            return cfg.toBuilder().replaceResource(new Group(group, members, g == null ? null : g.meta())).build();
        });
        out().println("created " + r.id() + (group == null ? "" : " in group " + group));
        return 0;
    }

    @Command(name = "delete", description = "Stop a resource (like pcs), then delete it and every constraint that names it.")
    int delete(@Parameters(paramLabel = "ID", description = "resource id") String id,
               @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s", description = "How long to wait for it to stop (default: ${DEFAULT-VALUE}).") String waitText,
               @Option(names = "--force", description = "Delete without stopping it first.") boolean force,
               @Mixin ClusterOptions cluster) {
        Duration wait = Durations.parse("--wait", waitText);
        try (Cluster c = cluster.connect()) {
            Resource r = ConfigEdits.requireResource(c.status().config(), id);
            ConfigEdits.deleteResource(c.status().config(), id);
            // like pcs: stop it first, so that deleting never leaves a running orphan behind
            if (!force && isActive(c.status(), r, id)) {
                out().println("stopping " + id + " before deleting it");
                c.disable(id);
                awaitStopped(c, r, id, wait, "not deleted (it stays disabled: see 'vigil status', or delete it anyway with --force)");
            }
        }
        cluster.change(cfg -> ConfigEdits.deleteResource(cfg, id));
        out().println("deleted " + id);
        return 0;
    }

    @Command(name = "update", description = "Change parameters, meta attributes or operations of a primitive (key= removes a key).")
    int update(@Parameters(index = "0", paramLabel = "ID", description = "resource id (vigil resource update ID [param=value ...] [--meta key=value ...])") String id,
               @Parameters(index = "1..*", paramLabel = "PARAM=VALUE", description = "Agent parameters; PARAM= removes one.") List<String> params,
               @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Meta attribute; KEY= removes one (repeatable).") List<String> meta,
               @Option(names = "--op", paramLabel = "OP", description = "Operation to add or replace, name:interval:timeout[:role] (repeatable).") List<String> ops,
               @Option(names = "--force", description = "Set parameters the agent does not know.") boolean force,
               @Mixin ClusterOptions cluster) {
        String name = CliContext.commandName(spec) + " update";
        if (list(params).isEmpty() && list(meta).isEmpty() && list(ops).isEmpty()) {
            throw new UsageException(name + ": nothing to change (give param=value, --meta key=value or --op; 'key=' removes a key)");
        }
        List<Operation> newOps = new ArrayList<>();
        for (String op : list(ops)) newOps.add(ConfigEdits.operation(name, op));
        cluster.change(cfg -> {
            Primitive p = ConfigEdits.primitive(cfg, id);
            Map<String, String> pm = new LinkedHashMap<>(p.params());
            for (String kv : list(params)) ConfigEdits.put(pm, ConfigEdits.keyValue(name, kv, "param"));
            Map<String, String> mm = new LinkedHashMap<>(p.meta().values());
            for (String kv : list(meta)) ConfigEdits.put(mm, ConfigEdits.keyValue(name, kv, "--meta"));
            List<Operation> all = new ArrayList<>(p.operations());
            for (Operation op : newOps) {
                all.removeIf(o -> o.name().equals(op.name()) && o.interval().equals(op.interval()) && o.role() == op.role()
                        || o.name().equals(op.name()) && !op.isRecurring() && !o.isRecurring());
                all.add(op);
            }
            Primitive updated = new Primitive(p.id(), p.type(), pm, Meta.of(mm), all);
            if (!force && !list(params).isEmpty()) {
                List<String> set = new ArrayList<>();
                for (String kv : list(params)) {
                    String[] k = ConfigEdits.keyValue(name, kv, "param");
                    if (!k[1].isEmpty()) set.add(k[0]);
                }
                try (Cluster c = cluster.connect()) {
                    AgentParams.check(c, updated, set);
                }
            }
            return ConfigEdits.replacePrimitive(cfg, updated);
        });
        out().println("updated " + id);
        return 0;
    }

    @Command(name = "move", description = "Prefer NODE with a location constraint that expires (like pcs resource move).")
    int move(@Parameters(index = "0", paramLabel = "ID", description = "resource id") String id,
             @Parameters(index = "1", paramLabel = "NODE", description = "node id (vigil resource move RESOURCE NODE [--lifetime 30min])") String node,
             @Option(names = "--lifetime", paramLabel = "DURATION", description = "How long the preference lasts (default: the move-lifetime property, 1h).") String lifetime,
             @Mixin ClusterOptions cluster) {
        return moveOrBan(true, id, node, lifetime, cluster);
    }

    @Command(name = "ban", description = "Keep a resource off NODE with a location constraint that expires (like pcs resource ban).")
    int ban(@Parameters(index = "0", paramLabel = "ID", description = "resource id") String id,
            @Parameters(index = "1", paramLabel = "NODE", description = "node id (vigil resource ban RESOURCE NODE [--lifetime 30min])") String node,
            @Option(names = "--lifetime", paramLabel = "DURATION", description = "How long the ban lasts (default: the move-lifetime property, 1h).") String lifetime,
            @Mixin ClusterOptions cluster) {
        return moveOrBan(false, id, node, lifetime, cluster);
    }

    private int moveOrBan(boolean move, String id, String node, String lifetimeText, ClusterOptions cluster) {
        Duration lifetime = lifetimeText == null ? null : Durations.parse("--lifetime", lifetimeText);
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
            throw new UsageException(CliContext.commandName(spec) + (move ? " move" : " ban") + ": --lifetime must be positive, e.g. 30min");
        }
        try (Cluster c = cluster.connect()) {
            ClusterConfig cfg = c.status().config();
            ConfigEdits.requireResource(cfg, id);
            ConfigEdits.requireNode(cfg, node, move);
            Duration d = lifetime == null ? cfg.properties().moveLifetime() : lifetime;
            if (move) c.move(id, node, d); else c.ban(id, node, d);
            out().println((move ? "moving " + id + " to " : "banned " + id + " from ") + node + " for " + Durations.format(d)
                    + " ('vigil resource clear " + id + "' removes it earlier)");
        }
        return 0;
    }

    @Command(name = "clear", description = "Remove the move/ban constraints of a resource now.")
    int clear(@Parameters(paramLabel = "ID", description = "resource id") String id, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ConfigEdits.requireResource(c.status().config(), id);
            c.clear(id);
        }
        out().println("cleared move/ban constraints of " + id);
        return 0;
    }

    @Command(name = "enable", description = "Let a resource run (target-role Started).")
    int enable(@Parameters(paramLabel = "ID", description = "resource id") String id, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ConfigEdits.requireResource(c.status().config(), id);
            c.enable(id);
        }
        out().println("enabled " + id);
        return 0;
    }

    @Command(name = "disable", description = "Stop a resource and keep it stopped (target-role Stopped).")
    int disable(@Parameters(paramLabel = "ID", description = "resource id") String id, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ConfigEdits.requireResource(c.status().config(), id);
            c.disable(id);
        }
        out().println("disabled " + id);
        return 0;
    }

    @Command(name = "cleanup", description = "Forget a resource's failed operations (everywhere, or on one node) and probe it again, so that it may run there again.")
    int cleanup(@Parameters(paramLabel = "ID", description = "resource id") String id,
                @Option(names = "--node", paramLabel = "NODE", description = "Only on this node.") String node,
                @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            ClusterConfig cfg = c.status().config();
            ConfigEdits.requireResource(cfg, id);
            if (node != null) ConfigEdits.requireNode(cfg, node, false);
            c.cleanup(id, node);
        }
        out().println("cleaned up " + id + (node == null ? " on all nodes" : " on " + node) + " (its failures are forgotten and it is probed again)");
        return 0;
    }

    @Command(name = "restart", description = "Stop a running resource and start it again where the cluster places it (like pcs resource restart).")
    int restart(@Parameters(paramLabel = "ID", description = "resource id") String id,
                @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s", description = "How long to wait for it to stop (default: ${DEFAULT-VALUE}).") String waitText,
                @Mixin ClusterOptions cluster) {
        Duration wait = Durations.parse("--wait", waitText);
        try (Cluster c = cluster.connect()) {
            ClusterState s = c.status();
            Resource r = ConfigEdits.requireResource(s.config(), id);
            if (r.meta().targetRole().filter(role -> role == Role.STOPPED).isPresent()) {
                throw new VigilException(id + " is disabled; start it with 'vigil resource enable " + id + "'");
            }
            if (!isActive(s, r, id)) throw new VigilException(id + " is not running anywhere; 'vigil status' says why");
            c.disable(id);
            awaitStopped(c, r, id, wait, "it stays disabled: 'vigil resource enable " + id + "' starts it again");
            c.enable(id);
        }
        out().println("restarted " + id + " ('vigil status' shows where it runs)");
        return 0;
    }

    @Command(name = "config", description = "Show a resource's configuration as YAML (as in the cluster configuration file).")
    int config(@Parameters(paramLabel = "ID", description = "resource id") String id, @Mixin ClusterOptions cluster) {
        try (Cluster c = cluster.connect()) {
            Resource r = ConfigEdits.requireResource(c.status().config(), id);
            out().print(ConfigYaml.formatResource(r));
        }
        return 0;
    }

    @Command(name = "agents", description = "The resource types this host can run: the drivers on the class path and the OCF agents installed here.")
    int agents(@Parameters(arity = "0..1", paramLabel = "FILTER", description = "Only types containing this text.") String filter) {
        for (String t : Agents.resourceTypes()) if (filter == null || t.contains(filter)) out().println(t);
        return 0;
    }

    @Command(name = "describe", description = "A resource type's parameters and default operation timeouts, from its driver or OCF agent on this host.")
    int describe(@Parameters(paramLabel = "TYPE", description = "resource type, e.g. ocf:heartbeat:IPaddr2 (see vigil resource agents)") String type) {
        out().print(Agents.describeResource(type));
        return 0;
    }

    private static boolean isActive(ClusterState s, Resource top, String id) {
        List<Primitive> ps = top.id().equals(id) ? top.primitives() : top.primitives().stream().filter(p -> p.id().equals(id)).toList();
        return ps.stream().anyMatch(p -> !s.activeNodes(p.id()).isEmpty());
    }

    private static void awaitStopped(Cluster c, Resource r, String id, Duration wait, String otherwise) {
        long end = System.nanoTime() + wait.toNanos();
        while (isActive(c.status(), r, id)) {
            if (System.nanoTime() > end) throw new VigilException(id + " did not stop within " + Durations.format(wait) + "; " + otherwise);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VigilException("interrupted");
            }
        }
    }

    private java.io.PrintStream out() { return CliContext.of(spec).out(); }

    private static List<String> list(List<String> values) { return Optional.ofNullable(values).orElse(List.of()); }
}
