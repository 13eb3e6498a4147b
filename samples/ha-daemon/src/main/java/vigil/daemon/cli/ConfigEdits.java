package vigil.daemon.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import vigil.api.ConfigException;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.Durations;
import vigil.api.model.Group;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;

/**
 * Reading and editing a {@link ClusterConfig} for the commands: lookups that fail with the ids one could have meant,
 * and the edits that keep groups, clones and constraints consistent.
 */
final class ConfigEdits {
    private ConfigEdits() {}

    static Resource requireResource(ClusterConfig cfg, String id) {
        return cfg.topLevelOf(id).orElseThrow(() -> {
            Set<String> ids = new TreeSet<>();
            for (Resource r : cfg.resources()) {
                ids.add(r.id());
                if (r instanceof Clone c) ids.add(c.child().id());
                r.primitives().forEach(p -> ids.add(p.id()));
            }
            return new ConfigException("resource", "unknown resource \"" + id + "\"", ids.isEmpty() ? "no resources are configured yet; create one with 'vigil resource create'"
                    : "use one of " + ids);
        });
    }

    static void requireNode(ClusterConfig cfg, String node, boolean mustRunResources) {
        var n = cfg.node(node).orElseThrow(() -> new ConfigException("node", "unknown node \"" + node + "\"",
                "use one of " + cfg.nodes().stream().map(vigil.api.model.Node::id).toList()));
        if (mustRunResources && !n.runsResources()) {
            throw new ConfigException("node", "\"" + node + "\" is a witness and runs no resources", "name a member node");
        }
    }

    static Primitive primitive(ClusterConfig cfg, String id) {
        requireResource(cfg, id);
        return cfg.primitives().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new ConfigException("resources." + id,
                "\"" + id + "\" is a group or clone, not a primitive",
                "update one of its primitives: " + cfg.resource(id).map(r -> r.primitives().stream().map(Primitive::id).toList()).orElse(List.of())));
    }

    /** Deletes a resource (or a group member) and every constraint that names it. */
    static ClusterConfig deleteResource(ClusterConfig cfg, String id) {
        Resource top = requireResource(cfg, id);
        Set<String> gone = new TreeSet<>();
        ClusterConfig.Builder b = cfg.toBuilder();
        if (top.id().equals(id)) {
            b.removeResource(id);
            gone.add(id);
            top.primitives().forEach(p -> gone.add(p.id()));
            if (top instanceof Clone c) gone.add(c.child().id());
        } else if (top instanceof Group g) {
            List<Primitive> members = new ArrayList<>(g.members());
            members.removeIf(p -> p.id().equals(id));
            if (members.isEmpty()) b.removeResource(g.id()); else b.replaceResource(new Group(g.id(), members, g.meta()));
            gone.add(id);
        } else {
            throw new ConfigException("resources." + id, "\"" + id + "\" is the child of clone \"" + top.id() + "\"", "delete the clone " + top.id());
        }
        for (Constraint c : cfg.constraints()) {
            boolean names = c instanceof Constraint.Location l && gone.contains(l.resource())
                    || c instanceof Constraint.Colocation co && (gone.contains(co.resource()) || gone.contains(co.withResource()))
                    || c instanceof Constraint.Order o && (gone.contains(o.first()) || gone.contains(o.then()));
            if (names) b.removeConstraint(c.id());
        }
        return b.build();
    }

    /** Replaces a primitive wherever it is: top level, in a group, or in a clone. */
    static ClusterConfig replacePrimitive(ClusterConfig cfg, Primitive p) {
        ClusterConfig.Builder b = cfg.toBuilder();
        Resource top = cfg.topLevelOf(p.id()).orElseThrow();
        if (top instanceof Primitive) {
            b.replaceResource(p);
        } else if (top instanceof Group g) {
            b.replaceResource(new Group(g.id(), g.members().stream().map(m -> m.id().equals(p.id()) ? p : m).toList(), g.meta()));
        } else if (top instanceof Clone c) {
            Resource child = c.child() instanceof Group g
                    ? new Group(g.id(), g.members().stream().map(m -> m.id().equals(p.id()) ? p : m).toList(), g.meta()) : p;
            b.replaceResource(new Clone(c.id(), child, c.meta(), c.promotable()));
        }
        return b.build();
    }

    /** A constraint id like pcs makes them ({@code location-d1-n3-100}), made unique with a numeric suffix. */
    static String constraintId(ClusterConfig cfg, String base) {
        Set<String> taken = new TreeSet<>();
        cfg.constraints().forEach(c -> taken.add(c.id()));
        cfg.resources().forEach(r -> taken.add(r.id()));
        String id = base;
        for (int i = 1; taken.contains(id); i++) id = base + "-" + i;
        return id;
    }

    static String[] keyValue(String command, String kv, String what) {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageException(command + ": expected " + what + " as key=value, got \"" + kv + "\"");
        return new String[] {kv.substring(0, eq), kv.substring(eq + 1)};
    }

    /** Applies {@code key=value} to {@code m}; an empty value removes the key. */
    static void put(Map<String, String> m, String[] kv) {
        if (kv[1].isEmpty()) m.remove(kv[0]); else m.put(kv[0], kv[1]);
    }

    /** {@code name[:interval[:timeout[:role]]]}, e.g. {@code monitor:10s:20s} or {@code start::90s}. */
    static Operation operation(String command, String spec) {
        String[] p = spec.split(":", -1);
        if (p.length > 4 || p[0].isEmpty()) {
            throw new UsageException(command + ": --op expects name[:interval[:timeout[:role]]], e.g. monitor:10s:20s, got \"" + spec + "\"");
        }
        Duration interval = p.length > 1 && !p[1].isEmpty() ? Durations.parse("--op " + p[0] + " interval", p[1]) : Duration.ZERO;
        Duration timeout = p.length > 2 && !p[2].isEmpty() ? Durations.parse("--op " + p[0] + " timeout", p[2]) : null;
        Role role = p.length > 3 && !p[3].isEmpty() ? Role.parse("--op " + p[0] + " role", p[3]) : null;
        return new Operation(p[0], interval, timeout, null, role);
    }
}
