package vigil.daemon.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.model.Node;
import vigil.api.model.Resource;

/**
 * A cluster config file applied as an update, like {@code crm configure load update}: only the sections it holds
 * change, and in them only the ids it names (a node, resource, constraint, fence device or blob with the same id is
 * replaced, a new id is added, every other one is kept); properties change one by one; in {@code fencing-topology} the
 * levels of each node named replace that node's levels. Nothing is removed: deleting goes through the commands
 * ({@code resource delete}, {@code constraint remove}) or a whole-config {@code --replace}.
 */
public final class ConfigUpdate {
    private final String source;
    private final ClusterConfig part;
    private final Set<String> sections;
    private final Set<String> properties;
    private final YamlTree tree;

    private ConfigUpdate(String source, ClusterConfig part, Set<String> sections, Set<String> properties, YamlTree tree) {
        this.source = source;
        this.part = part;
        this.sections = sections;
        this.properties = properties;
        this.tree = tree;
    }

    public static ConfigUpdate read(Path file) {
        return parse(file.getFileName().toString(), ConfigYaml.readText(file));
    }

    /** Parses a (partial) config file; references to what it does not hold are checked once it is applied to a config. */
    public static ConfigUpdate parse(String source, String text) {
        YamlTree.Mapping root = YamlTree.parse(source, text);
        ClusterConfig part;
        try {
            part = ConfigYaml.build(root);
        } catch (ConfigException e) {
            throw new YamlConfigException(source, root.tree().lineOf(e.field()), e.field(), e.problem() + (e.fix().isEmpty() ? "" : " (" + e.fix() + ")"));
        }
        Set<String> sections = new LinkedHashSet<>();
        for (String s : root.keys()) if (root.has(s)) sections.add(s);
        Set<String> props = new LinkedHashSet<>(root.mapping("properties").keys());
        return new ConfigUpdate(source, part, sections, props, root.tree());
    }

    /** The sections the file holds, in its order. */
    public Set<String> sections() { return sections; }

    /** {@code current} with this file's sections and ids applied; validated, errors name the file's line. */
    public ClusterConfig applyTo(ClusterConfig current) {
        ClusterConfig next = new ClusterConfig(
                sections.contains("nodes") ? byId(current.nodes(), part.nodes(), Node::id) : current.nodes(),
                sections.contains("resources") ? byId(current.resources(), part.resources(), Resource::id) : current.resources(),
                sections.contains("constraints") ? byId(current.constraints(), part.constraints(), Constraint::id) : current.constraints(),
                sections.contains("properties") ? properties(current.properties()) : current.properties(),
                sections.contains("fence-devices") ? byId(current.fenceDevices(), part.fenceDevices(), FenceDevice::id) : current.fenceDevices(),
                sections.contains("fencing-topology") ? levels(current.fencingLevels()) : current.fencingLevels(),
                sections.contains("blobs") ? blobs(current.blobs()) : current.blobs());
        try {
            ConfigValidator.structural().validate(next);
        } catch (ConfigException e) {
            int line = tree.lineOf(e.field());
            String where = line > 0 ? "" : " (in the cluster's configuration, with this file applied)";
            throw new YamlConfigException(source, line, e.field(), e.problem() + (e.fix().isEmpty() ? "" : " (" + e.fix() + ")") + where);
        }
        return next;
    }

    private static <T> List<T> byId(List<T> current, List<T> given, java.util.function.Function<T, String> id) {
        Map<String, T> byId = new LinkedHashMap<>();
        for (T t : current) byId.put(id.apply(t), t);
        for (T t : given) byId.put(id.apply(t), t); // replaces in place, or appends
        return new ArrayList<>(byId.values());
    }

    private ClusterProperties properties(ClusterProperties current) {
        ClusterProperties p = part.properties();
        ClusterProperties.Builder b = current.toBuilder();
        for (String key : properties) {
            switch (key) {
                case "stonith-enabled" -> b.stonithEnabled(p.stonithEnabled());
                case "symmetric-cluster" -> b.symmetricCluster(p.symmetricCluster());
                case "no-quorum-policy" -> b.noQuorumPolicy(p.noQuorumPolicy());
                case "node-timeout" -> b.nodeTimeout(p.nodeTimeout());
                case "watchdog-timeout" -> b.watchdogTimeout(p.watchdogTimeout());
                case "default-resource-stickiness" -> b.defaultStickiness(p.defaultStickiness());
                case "start-failure-is-fatal" -> b.startFailureIsFatal(p.startFailureIsFatal());
                case "maintenance-mode" -> b.maintenanceMode(p.maintenanceMode());
                case "move-lifetime" -> b.moveLifetime(p.moveLifetime());
                case "fence-timeout" -> b.fenceTimeout(p.fenceTimeout());
                case "other" -> {
                    Map<String, String> other = new TreeMap<>(current.other());
                    other.putAll(p.other());
                    b.other(other);
                }
                default -> throw new IllegalStateException("property " + key + " passed the parser but is not applied"); // ConfigYaml.PROPERTIES
            }
        }
        return b.build();
    }

    private List<FencingLevel> levels(List<FencingLevel> current) {
        Set<String> named = new LinkedHashSet<>();
        for (FencingLevel l : part.fencingLevels()) named.add(l.node());
        List<FencingLevel> out = new ArrayList<>();
        for (FencingLevel l : current) if (!named.contains(l.node())) out.add(l);
        out.addAll(part.fencingLevels());
        return out;
    }

    private Map<String, String> blobs(Map<String, String> current) {
        Map<String, String> out = new TreeMap<>(current);
        out.putAll(part.blobs());
        return out;
    }
}
