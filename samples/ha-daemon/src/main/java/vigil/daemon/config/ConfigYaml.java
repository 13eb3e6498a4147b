package vigil.daemon.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import vigil.api.ConfigException;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.Durations;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.NodeRole;
import vigil.api.model.OnFail;
import vigil.api.model.Operation;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;

/**
 * The whole {@link ClusterConfig} as YAML, both ways. The format is documented in {@code samples/ha-daemon/README.md};
 * every error names the line, the field and the fix, and an unknown field is an error (a typo must not silently
 * change what the cluster does).
 */
public final class ConfigYaml {
    static final List<String> TOP = List.of("properties", "nodes", "resources", "constraints", "fence-devices", "fencing-topology", "blobs");
    static final List<String> PROPERTIES = List.of("stonith-enabled", "symmetric-cluster", "no-quorum-policy", "node-timeout",
            "watchdog-timeout", "default-resource-stickiness", "start-failure-is-fatal", "maintenance-mode", "move-lifetime",
            "fence-timeout", ClusterProperties.CLUSTER_RECHECK_INTERVAL, "other");
    static final List<String> PRIMITIVE = List.of("type", "params", "meta", "operations");
    static final List<String> OPERATION = List.of("name", "interval", "timeout", "on-fail", "role");

    private ConfigYaml() {}

    /** Reads and validates a cluster config file. */
    public static ClusterConfig read(Path file) {
        return parse(file.getFileName().toString(), readText(file));
    }

    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new YamlConfigException(file.toString(), 0, "", "file not found (check the path)");
        } catch (IOException e) {
            throw new YamlConfigException(file.toString(), 0, "", "cannot read: " + e.getMessage());
        }
    }

    /** Parses and validates (structure and references) a cluster config; {@code source} labels errors. */
    public static ClusterConfig parse(String source, String text) {
        return parse(source, text, ConfigValidator.structural());
    }

    public static ClusterConfig parse(String source, String text, ConfigValidator validator) {
        YamlTree.Mapping root = YamlTree.parse(source, text);
        YamlTree tree = root.tree();
        ClusterConfig config;
        try {
            config = build(root);
        } catch (ConfigException e) {
            throw new YamlConfigException(source, tree.lineOf(e.field()), e.field(), e.problem() + (e.fix().isEmpty() ? "" : " (" + e.fix() + ")"));
        }
        try {
            validator.validate(config);
        } catch (ConfigException e) {
            throw new YamlConfigException(source, tree.lineOf(e.field()), e.field(), e.problem() + (e.fix().isEmpty() ? "" : " (" + e.fix() + ")"));
        }
        return config;
    }

    static ClusterConfig build(YamlTree.Mapping root) {
        root.allow(TOP);
        ClusterConfig.Builder b = ClusterConfig.builder();
        b.properties(properties(root.mapping("properties")));
        YamlTree.Mapping nodes = root.mapping("nodes");
        for (String id : nodes.keys()) {
            YamlTree.Mapping n = nodes.mapping(id).allow("address", "role", "attributes");
            NodeRole role = switch (n.string("role", "member").trim().toLowerCase(Locale.ROOT)) {
                case "member" -> NodeRole.MEMBER;
                case "witness" -> NodeRole.WITNESS;
                default -> throw new ConfigException(n.field("role"), "unknown role \"" + n.string("role") + "\"",
                        "use member (votes and runs resources) or witness (only votes)");
            };
            b.node(new vigil.api.model.Node(id, n.string("address"), role, n.strings("attributes")));
        }
        YamlTree.Mapping resources = root.mapping("resources");
        for (String id : resources.keys()) b.resource(resource(id, resources.mapping(id), root.tree()));
        YamlTree.Mapping constraints = root.mapping("constraints");
        for (String id : constraints.keys()) b.constraint(constraint(id, constraints.mapping(id)));
        YamlTree.Mapping devices = root.mapping("fence-devices");
        for (String id : devices.keys()) {
            YamlTree.Mapping d = devices.mapping(id).allow("type", "params", "host-list", "host-map", "delay");
            Duration delay = d.has("delay") ? Durations.parse(d.field("delay"), d.string("delay")) : Duration.ZERO;
            b.fenceDevice(new FenceDevice(id, d.string("type"), d.strings("params"), d.stringList("host-list"), d.strings("host-map"), delay));
        }
        YamlTree.Mapping topology = root.mapping("fencing-topology");
        for (String node : topology.keys()) {
            YamlTree.Mapping levels = topology.mapping(node);
            for (String index : levels.keys()) {
                int i;
                try {
                    i = Integer.parseInt(index.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigException(levels.field(index), "level \"" + index + "\" is not a number", "number a node's levels 1, 2, ... (tried in that order)");
                }
                b.fencingLevel(new FencingLevel(node, i, levels.stringList(index)));
            }
        }
        root.strings("blobs").forEach(b::blob);
        return b.build();
    }

    private static ClusterProperties properties(YamlTree.Mapping p) {
        p.allow(PROPERTIES);
        ClusterProperties.Builder b = ClusterProperties.DEFAULTS.toBuilder();
        b.other(p.strings("other")); // first: cluster-recheck-interval is kept among the others
        for (String key : PROPERTIES) {
            if (!key.equals("other") && p.has(key)) set(b, p.field(key), key, p.string(key));
        }
        return b.build();
    }

    /** Sets the property {@code key} from its text, as the file spells it; {@code field} names it in errors. */
    private static void set(ClusterProperties.Builder b, String field, String key, String text) {
        switch (key) {
            case "stonith-enabled" -> b.stonithEnabled(bool(field, text));
            case "symmetric-cluster" -> b.symmetricCluster(bool(field, text));
            case "no-quorum-policy" -> b.noQuorumPolicy(NoQuorumPolicy.parse(field, text));
            case "node-timeout" -> b.nodeTimeout(Durations.parse(field, text));
            case "watchdog-timeout" -> b.watchdogTimeout(Durations.parse(field, text));
            case "default-resource-stickiness" -> b.defaultStickiness(Score.parseChecked(field, text));
            case "start-failure-is-fatal" -> b.startFailureIsFatal(bool(field, text));
            case "maintenance-mode" -> b.maintenanceMode(bool(field, text));
            case "move-lifetime" -> b.moveLifetime(Durations.parse(field, text));
            case "fence-timeout" -> b.fenceTimeout(Durations.parse(field, text));
            case ClusterProperties.CLUSTER_RECHECK_INTERVAL -> b.clusterRecheckInterval(Durations.parse(field, text));
            default -> throw new IllegalArgumentException("not a property: " + key);
        }
    }

    private static boolean bool(String field, String text) {
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> { return true; }
            case "false", "no", "off" -> { return false; }
            default -> throw new ConfigException(field, "not a boolean: \"" + text + "\"", "use true or false");
        }
    }

    /**
     * {@code p} with one property set from its text as the file spells it ({@code vigil property set}); {@code other.NAME}
     * sets a free-form one, an empty text removes that.
     */
    public static ClusterProperties withProperty(ClusterProperties p, String key, String text) {
        if (key.startsWith("other.") && key.length() > "other.".length()) {
            Map<String, String> other = new LinkedHashMap<>(p.other());
            if (text.isEmpty()) other.remove(key.substring(6)); else other.put(key.substring(6), text);
            return p.toBuilder().other(other).build();
        }
        if (!PROPERTIES.contains(key) || key.equals("other")) {
            List<String> known = PROPERTIES.stream().filter(k -> !k.equals("other")).toList();
            String closest = YamlTree.closest(key, known);
            throw new ConfigException("properties." + key, "unknown property \"" + key + "\"", (closest == null ? "" : "did you mean \"" + closest + "\"? ")
                    + "known properties: " + String.join(", ", known) + "; other.NAME sets a free-form one");
        }
        ClusterProperties.Builder b = p.toBuilder();
        set(b, "properties." + key, key, text);
        return b.build();
    }

    /** {@code p} with one property back at its default (an {@code other.NAME} one removed). */
    public static ClusterProperties withDefault(ClusterProperties p, String key) {
        if (key.startsWith("other.")) return withProperty(p, key, "");
        Object dflt = properties(ClusterProperties.DEFAULTS).get(key);
        return withProperty(p, key, dflt == null ? "" : dflt.toString());
    }

    /** The cluster properties by the names and in the spelling of the file. */
    public static Map<String, Object> propertyValues(ClusterProperties p) { return properties(p); }

    /** One resource as it appears under {@code resources:} in the file. */
    public static String formatResource(Resource r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put(r.id(), resource(r, false));
        return yaml().dump(root);
    }

    private static Resource resource(String id, YamlTree.Mapping r, YamlTree tree) {
        boolean group = r.has("group");
        boolean clone = r.has("clone");
        boolean promotable = r.has("promotable");
        int kinds = (r.has("type") ? 1 : 0) + (group ? 1 : 0) + (clone ? 1 : 0) + (promotable ? 1 : 0);
        if (kinds != 1) {
            throw new ConfigException(r.path, kinds == 0 ? "says neither what it runs nor what it contains" : "mixes type, group, clone and promotable",
                    "give exactly one of: type (a primitive), group (a list of primitives), clone or promotable (one child)");
        }
        if (group) {
            r.allow("group", "meta");
            return new Group(id, members(r, "group", tree), Meta.of(r.strings("meta")));
        }
        if (clone || promotable) {
            String key = clone ? "clone" : "promotable";
            r.allow(key, "meta");
            YamlTree.Mapping c = r.mapping(key);
            String childId = c.string("id");
            tree.alias("resources." + childId, c.line);
            Resource child;
            if (c.has("group")) {
                c.allow("id", "group", "meta");
                child = new Group(childId, members(c, "group", tree), Meta.of(c.strings("meta")));
            } else {
                child = primitive(childId, c, true);
            }
            return new Clone(id, child, Meta.of(r.strings("meta")), promotable);
        }
        return primitive(id, r, false);
    }

    private static List<Primitive> members(YamlTree.Mapping r, String key, YamlTree tree) {
        List<Primitive> out = new ArrayList<>();
        for (YamlTree.Item item : r.list(key)) {
            YamlTree.Mapping m = item.mapping(item.path);
            String memberId = m.string("id");
            tree.alias("resources." + memberId, m.line);
            out.add(primitive(memberId, m, true));
        }
        return out;
    }

    private static Primitive primitive(String id, YamlTree.Mapping p, boolean withId) {
        List<String> allowed = new ArrayList<>(PRIMITIVE);
        if (withId) allowed.add("id");
        p.allow(allowed);
        List<Operation> ops = new ArrayList<>();
        for (YamlTree.Item item : p.list("operations")) {
            YamlTree.Mapping o = item.mapping(item.path).allow(OPERATION);
            String name = o.string("name");
            Duration interval = o.has("interval") ? Durations.parse(o.field("interval"), o.string("interval")) : Duration.ZERO;
            Duration timeout = o.has("timeout") ? Durations.parse(o.field("timeout"), o.string("timeout")) : null;
            OnFail onFail = o.has("on-fail") ? OnFail.parse(o.field("on-fail"), o.string("on-fail")) : null;
            Role role = o.has("role") ? Role.parse(o.field("role"), o.string("role")) : null;
            ops.add(new Operation(name, interval, timeout, onFail, role));
        }
        return new Primitive(id, p.string("type"), p.strings("params"), Meta.of(p.strings("meta")), ops);
    }

    private static Constraint constraint(String id, YamlTree.Mapping c) {
        String type = c.string("type").trim().toLowerCase(Locale.ROOT);
        switch (type) {
            case "location" -> {
                c.allow("type", "resource", "node", "score", "role", "expires");
                return new Constraint.Location(id, c.string("resource"), c.string("node"), Score.parseChecked(c.field("score"), c.string("score")),
                        c.has("role") ? Role.parse(c.field("role"), c.string("role")) : null, instant(c, "expires"));
            }
            case "colocation" -> {
                c.allow("type", "resource", "with-resource", "score", "role", "with-role");
                return new Constraint.Colocation(id, c.string("resource"), c.string("with-resource"), Score.parseChecked(c.field("score"), c.string("score")),
                        c.has("role") ? Role.parse(c.field("role"), c.string("role")) : null,
                        c.has("with-role") ? Role.parse(c.field("with-role"), c.string("with-role")) : null);
            }
            case "order" -> {
                c.allow("type", "first", "first-action", "then", "then-action", "kind", "symmetrical", "require-all");
                Action firstAction = c.has("first-action") ? Action.parse(c.field("first-action"), c.string("first-action")) : Action.START;
                Action thenAction = c.has("then-action") ? Action.parse(c.field("then-action"), c.string("then-action")) : firstAction;
                OrderKind kind = c.has("kind") ? OrderKind.parse(c.field("kind"), c.string("kind")) : OrderKind.MANDATORY;
                return new Constraint.Order(id, c.string("first"), firstAction, c.string("then"), thenAction, kind, c.bool("symmetrical", true),
                        c.bool("require-all", true));
            }
            default -> throw new ConfigException(c.field("type"), "unknown constraint type \"" + c.string("type") + "\"",
                    "use location, colocation or order");
        }
    }

    private static Instant instant(YamlTree.Mapping c, String key) {
        if (!c.has(key)) return null;
        try {
            return Instant.parse(c.string(key).trim());
        } catch (DateTimeParseException e) {
            throw new ConfigException(c.field(key), "not a UTC time: \"" + c.string(key) + "\"", "write e.g. 2026-01-31T12:00:00Z, or remove it (never expires)");
        }
    }

    // ---- writing --------------------------------------------------------------------------------------------

    /** The config as YAML that {@link #parse} reads back to an equal config. */
    public static String format(ClusterConfig config) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("properties", properties(config.properties()));
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (vigil.api.model.Node n : config.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", n.address());
            if (n.role() == NodeRole.WITNESS) m.put("role", "witness");
            if (!n.attributes().isEmpty()) m.put("attributes", values(n.attributes()));
            nodes.put(n.id(), m);
        }
        root.put("nodes", nodes);
        Map<String, Object> resources = new LinkedHashMap<>();
        for (Resource r : config.resources()) resources.put(r.id(), resource(r, false));
        root.put("resources", resources);
        Map<String, Object> constraints = new LinkedHashMap<>();
        for (Constraint c : config.constraints()) constraints.put(c.id(), constraint(c));
        root.put("constraints", constraints);
        Map<String, Object> devices = new LinkedHashMap<>();
        for (FenceDevice d : config.fenceDevices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", d.type());
            if (!d.params().isEmpty()) m.put("params", values(d.params()));
            if (!d.hostList().isEmpty()) m.put("host-list", d.hostList());
            if (!d.hostMap().isEmpty()) m.put("host-map", values(d.hostMap()));
            if (!d.delay().isZero()) m.put("delay", Durations.format(d.delay()));
            devices.put(d.id(), m);
        }
        root.put("fence-devices", devices);
        Map<String, Object> topology = new LinkedHashMap<>();
        for (FencingLevel l : config.fencingLevels()) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> levels = (Map<Object, Object>) topology.computeIfAbsent(l.node(), k -> new LinkedHashMap<>());
            levels.put(l.index(), l.devices());
        }
        root.put("fencing-topology", topology);
        root.put("blobs", new LinkedHashMap<>(config.blobs()));
        root.values().removeIf(v -> v instanceof Map<?, ?> m && m.isEmpty());
        return yaml().dump(root);
    }

    private static Map<String, Object> properties(ClusterProperties p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stonith-enabled", p.stonithEnabled());
        m.put("symmetric-cluster", p.symmetricCluster());
        m.put("no-quorum-policy", p.noQuorumPolicy().text());
        m.put("node-timeout", Durations.format(p.nodeTimeout()));
        m.put("watchdog-timeout", Durations.format(p.watchdogTimeout()));
        m.put("default-resource-stickiness", score(p.defaultStickiness()));
        m.put("start-failure-is-fatal", p.startFailureIsFatal());
        m.put("maintenance-mode", p.maintenanceMode());
        m.put("move-lifetime", Durations.format(p.moveLifetime()));
        m.put("fence-timeout", Durations.format(p.fenceTimeout()));
        Map<String, String> other = new java.util.TreeMap<>(p.other());
        if (other.remove(ClusterProperties.CLUSTER_RECHECK_INTERVAL) != null) {
            m.put(ClusterProperties.CLUSTER_RECHECK_INTERVAL, Durations.format(p.clusterRecheckInterval()));
        }
        if (!other.isEmpty()) m.put("other", values(other));
        return m;
    }

    private static Map<String, Object> resource(Resource r, boolean withId) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (withId) m.put("id", r.id());
        if (r instanceof Primitive p) {
            m.put("type", p.type());
            if (!p.params().isEmpty()) m.put("params", values(p.params()));
            if (!p.meta().values().isEmpty()) m.put("meta", values(p.meta().values()));
            if (!p.operations().isEmpty()) {
                List<Object> ops = new ArrayList<>();
                for (Operation o : p.operations()) {
                    Map<String, Object> om = new LinkedHashMap<>();
                    om.put("name", o.name());
                    if (!o.interval().isZero()) om.put("interval", Durations.format(o.interval()));
                    om.put("timeout", Durations.format(o.timeout()));
                    if (o.onFail() != null) om.put("on-fail", o.onFail().text());
                    if (o.role() != null) om.put("role", o.role().text());
                    ops.add(om);
                }
                m.put("operations", ops);
            }
        } else if (r instanceof Group g) {
            List<Object> members = new ArrayList<>();
            for (Primitive p : g.members()) members.add(resource(p, true));
            m.put("group", members);
            if (!g.meta().values().isEmpty()) m.put("meta", values(g.meta().values()));
        } else if (r instanceof Clone c) {
            m.put(c.promotable() ? "promotable" : "clone", resource(c.child(), true));
            if (!c.meta().values().isEmpty()) m.put("meta", values(c.meta().values()));
        }
        return m;
    }

    private static Map<String, Object> constraint(Constraint c) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (c instanceof Constraint.Location l) {
            m.put("type", "location");
            m.put("resource", l.resource());
            m.put("node", l.node());
            m.put("score", score(l.score()));
            if (l.role() != null) m.put("role", l.role().text());
            if (l.expires() != null) m.put("expires", l.expires().toString());
        } else if (c instanceof Constraint.Colocation co) {
            m.put("type", "colocation");
            m.put("resource", co.resource());
            m.put("with-resource", co.withResource());
            m.put("score", score(co.score()));
            if (co.role() != null) m.put("role", co.role().text());
            if (co.withRole() != null) m.put("with-role", co.withRole().text());
        } else if (c instanceof Constraint.Order o) {
            m.put("type", "order");
            m.put("first", o.first());
            if (o.firstAction() != Action.START) m.put("first-action", o.firstAction().text());
            m.put("then", o.then());
            if (o.thenAction() != o.firstAction()) m.put("then-action", o.thenAction().text());
            if (o.kind() != OrderKind.MANDATORY) m.put("kind", o.kind().name().charAt(0) + o.kind().name().substring(1).toLowerCase(Locale.ROOT));
            if (!o.symmetrical()) m.put("symmetrical", false);
        }
        return m;
    }

    private static Object score(Score s) {
        return s.isInfinity() || s.isMinusInfinity() ? s.toString() : (Object) s.value();
    }

    /** Plain-looking numbers and booleans are written unquoted; they read back as the same text. */
    private static Map<String, Object> values(Map<String, String> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (v.matches("-?[1-9][0-9]{0,8}|0")) out.put(k, Integer.parseInt(v));
            else if (v.equals("true") || v.equals("false")) out.put(k, Boolean.parseBoolean(v));
            else out.put(k, v);
        });
        return out;
    }

    private static Yaml yaml() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(0);
        o.setWidth(140);
        o.setSplitLines(false);
        Representer r = new Representer(o) {
            @Override
            protected Node representScalar(Tag tag, String value, DumperOptions.ScalarStyle style) {
                if (tag.equals(Tag.STR) && value.contains("\n") && !value.matches("(?s).*[ \t]\n.*")) {
                    return super.representScalar(tag, value, DumperOptions.ScalarStyle.LITERAL);
                }
                return super.representScalar(tag, value, style);
            }
        };
        return new Yaml(r, o);
    }
}
