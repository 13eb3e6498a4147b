package vigil.daemon.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import vigil.api.Cluster;
import vigil.api.ConfigException;
import vigil.api.model.Primitive;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ResourceMetadata;

/**
 * {@code resource create} and {@code update} check a primitive against what its agent or driver declares on a cluster
 * node, as {@code pcs resource create} does: the type must exist there, every parameter must be one the agent knows
 * ({@code name@NODE}, a per-node value, counts as {@code name}), and every required one must be set. {@code --force}
 * skips the check.
 */
final class AgentParams {
    private AgentParams() {}

    /**
     * @param changed the parameters this command sets (all of them on create); the required ones are checked on the
     *                whole primitive
     */
    static void check(Cluster cluster, Primitive p, Collection<String> changed) {
        String field = "resources." + p.id();
        ResourceMetadata md;
        try {
            md = cluster.resourceType(p.type());
        } catch (ConfigException e) {
            throw new ConfigException(field + ".type", "\"" + p.type() + "\" cannot run: " + e.problem(),
                    (e.fix().isEmpty() ? "" : e.fix() + "; ") + "or pass --force to use it anyway");
        }
        Set<String> known = new TreeSet<>();
        for (ParameterSpec s : md.parameters()) known.add(s.name());
        for (String key : changed) {
            String name = key.contains("@") ? key.substring(0, key.indexOf('@')) : key;
            if (!known.contains(name)) {
                throw new ConfigException(field + ".params." + key, p.type() + " has no parameter \"" + name + "\"",
                        (known.isEmpty() ? "it takes no parameters" : "its parameters: " + String.join(", ", known)) + "; or pass --force to set it anyway");
            }
        }
        List<String> missing = new ArrayList<>();
        for (ParameterSpec s : md.parameters()) if (s.required() && !p.params().containsKey(s.name())) missing.add(s.name());
        if (!missing.isEmpty()) {
            throw new ConfigException(field + ".params." + missing.get(0), p.type() + " requires " + String.join(", ", missing),
                    "set " + (missing.size() == 1 ? "it" : "them") + " as name=value, or pass --force to leave " + (missing.size() == 1 ? "it" : "them") + " out");
        }
    }
}
