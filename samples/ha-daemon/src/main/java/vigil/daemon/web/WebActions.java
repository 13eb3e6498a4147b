package vigil.daemon.web;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.model.Durations;

/**
 * The actions an admin can take from the web page, each one call of the failover API, like the CLI's: node
 * standby / online, resource move (an expiring preference) / clear, cleanup, enable / disable. The form fields are
 * checked first; a bad one is refused with a message naming it, and nothing is changed.
 */
final class WebActions {
    static final Set<String> ACTIONS = Set.of("standby", "online", "move", "clear", "cleanup", "enable", "disable");

    private WebActions() {}

    /** Runs {@code form}'s action and says what was done; throws {@link ConfigException} for a bad field. */
    static String run(Cluster cluster, Map<String, String> form) {
        String action = form.getOrDefault("action", "");
        if (!ACTIONS.contains(action)) {
            throw new ConfigException("action", "unknown action \"" + action + "\"", "use one of " + new java.util.TreeSet<>(ACTIONS));
        }
        switch (action) {
            case "standby" -> {
                String node = required(form, "node");
                cluster.standby(node);
                return "node " + node + " is in standby: its resources move to other nodes";
            }
            case "online" -> {
                String node = required(form, "node");
                cluster.online(node);
                return "node " + node + " is online: it may run resources again";
            }
            case "move" -> {
                String resource = required(form, "resource");
                String node = required(form, "node");
                String life = form.getOrDefault("lifetime", "").trim();
                Duration lifetime = life.isEmpty() ? null : Durations.parse("lifetime", life);
                cluster.move(resource, node, lifetime);
                return resource + " moves to " + node + " (a preference that expires" + (lifetime == null ? " after move-lifetime" : " in " + life)
                        + "; 'clear' removes it)";
            }
            case "clear" -> {
                String resource = required(form, "resource");
                cluster.clear(resource);
                return "move and ban constraints of " + resource + " removed";
            }
            case "cleanup" -> {
                String resource = required(form, "resource");
                String node = form.getOrDefault("node", "").trim();
                cluster.cleanup(resource, node.isEmpty() ? null : node);
                return "failures of " + resource + (node.isEmpty() ? "" : " on " + node) + " forgotten; it is probed again";
            }
            case "enable" -> {
                String resource = required(form, "resource");
                cluster.enable(resource);
                return resource + " enabled (target-role Started)";
            }
            default -> {
                String resource = required(form, "resource");
                cluster.disable(resource);
                return resource + " disabled (target-role Stopped): it stops everywhere";
            }
        }
    }

    private static String required(Map<String, String> form, String field) {
        String v = form.getOrDefault(field, "").trim();
        if (v.isEmpty()) throw new ConfigException(field, "missing", "choose a " + field);
        return v;
    }
}
