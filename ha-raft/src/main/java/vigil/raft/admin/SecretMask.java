package vigil.raft.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import vigil.api.ConfigException;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.Group;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Secrets;
import vigil.api.status.ClusterState;

/**
 * Secret parameters (fence device passwords, and any resource parameter {@link Secrets} recognizes) leave a node only
 * as {@link Secrets#MASK}; a configuration written back with a masked value keeps the secret the cluster has.
 */
public final class SecretMask {
    private SecretMask() {}

    public static ClusterState mask(ClusterState s) { return s.withConfig(mask(s.config()), s.configVersion()); }

    public static ClusterConfig mask(ClusterConfig c) {
        return rewrite(c, (where, params) -> {
            Map<String, String> out = new LinkedHashMap<>();
            params.forEach((k, v) -> out.put(k, Secrets.isSecret(k) ? Secrets.MASK : v));
            return out;
        });
    }

    /**
     * {@code next} with every masked secret replaced by the value {@code current} has for the same device or
     * resource and key; a masked value with nothing to restore is refused, naming the field.
     */
    public static ClusterConfig unmask(ClusterConfig next, ClusterConfig current) {
        Map<String, Map<String, String>> known = new LinkedHashMap<>();
        rewrite(current, (where, params) -> {
            known.put(where, params);
            return params;
        });
        return rewrite(next, (where, params) -> {
            if (!params.containsValue(Secrets.MASK)) return params;
            Map<String, String> out = new LinkedHashMap<>();
            params.forEach((k, v) -> {
                if (Secrets.MASK.equals(v)) {
                    String have = known.getOrDefault(where, Map.of()).get(k);
                    if (have == null) {
                        throw new ConfigException(where + ".params." + k, "the value is the mask " + Secrets.MASK + " but the cluster has no secret to keep there",
                                "write the secret itself");
                    }
                    out.put(k, have);
                } else {
                    out.put(k, v);
                }
            });
            return out;
        });
    }

    private static ClusterConfig rewrite(ClusterConfig c, BiFunction<String, Map<String, String>, Map<String, String>> f) {
        List<Resource> resources = new ArrayList<>();
        for (Resource r : c.resources()) resources.add(rewrite(r, f));
        List<FenceDevice> devices = new ArrayList<>();
        for (FenceDevice d : c.fenceDevices()) {
            devices.add(new FenceDevice(d.id(), d.type(), f.apply("fence-devices." + d.id(), d.params()), d.hostList(), d.hostMap(), d.delay()));
        }
        return new ClusterConfig(c.nodes(), resources, c.constraints(), c.properties(), devices, c.fencingLevels(), c.blobs());
    }

    private static Resource rewrite(Resource r, BiFunction<String, Map<String, String>, Map<String, String>> f) {
        if (r instanceof Primitive p) return new Primitive(p.id(), p.type(), f.apply("resources." + p.id(), p.params()), p.meta(), p.operations());
        if (r instanceof Group g) {
            List<Primitive> members = new ArrayList<>();
            for (Primitive p : g.members()) members.add((Primitive) rewrite(p, f));
            return new Group(g.id(), members, g.meta());
        }
        Clone c = (Clone) r;
        return new Clone(c.id(), rewrite(c.child(), f), c.meta(), c.promotable());
    }
}
