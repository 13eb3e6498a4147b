package vigil.api.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The whole replicated configuration. {@code blobs} are opaque named texts replicated with it, such as a
 * VM's domain XML, so no file needs copying between hosts.
 */
public record ClusterConfig(List<Node> nodes, List<Resource> resources, List<Constraint> constraints,
                            ClusterProperties properties, List<FenceDevice> fenceDevices, List<FencingLevel> fencingLevels,
                            Map<String, String> blobs) {

    public static final ClusterConfig EMPTY = builder().build();

    public ClusterConfig {
        nodes = List.copyOf(nodes);
        resources = List.copyOf(resources);
        constraints = List.copyOf(constraints);
        properties = properties == null ? ClusterProperties.DEFAULTS : properties;
        fenceDevices = List.copyOf(fenceDevices);
        fencingLevels = List.copyOf(fencingLevels);
        blobs = Maps.sorted(blobs);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.nodes.addAll(nodes);
        b.resources.addAll(resources);
        b.constraints.addAll(constraints);
        b.properties = properties;
        b.fenceDevices.addAll(fenceDevices);
        b.fencingLevels.addAll(fencingLevels);
        b.blobs.putAll(blobs);
        return b;
    }

    public Optional<Node> node(String id) { return nodes.stream().filter(n -> n.id().equals(id)).findFirst(); }

    /** A top-level resource by id. */
    public Optional<Resource> resource(String id) { return resources.stream().filter(r -> r.id().equals(id)).findFirst(); }

    /** Every primitive, including group members and clone children. */
    public Stream<Primitive> primitives() { return resources.stream().flatMap(r -> r.primitives().stream()); }

    /** The top-level resource containing the primitive, group or clone with id {@code id}. */
    public Optional<Resource> topLevelOf(String id) {
        for (Resource r : resources) {
            if (r.id().equals(id)) return Optional.of(r);
            if (r instanceof Clone c && c.child().id().equals(id)) return Optional.of(r);
            for (Primitive p : r.primitives()) if (p.id().equals(id)) return Optional.of(r);
        }
        return Optional.empty();
    }

    public Optional<FenceDevice> fenceDevice(String id) { return fenceDevices.stream().filter(d -> d.id().equals(id)).findFirst(); }

    public static final class Builder {
        private final List<Node> nodes = new ArrayList<>();
        private final List<Resource> resources = new ArrayList<>();
        private final List<Constraint> constraints = new ArrayList<>();
        private ClusterProperties properties = ClusterProperties.DEFAULTS;
        private final List<FenceDevice> fenceDevices = new ArrayList<>();
        private final List<FencingLevel> fencingLevels = new ArrayList<>();
        private final Map<String, String> blobs = new LinkedHashMap<>();

        public Builder node(Node n) { nodes.add(Objects.requireNonNull(n)); return this; }
        public Builder resource(Resource r) { resources.add(Objects.requireNonNull(r)); return this; }
        public Builder constraint(Constraint c) { constraints.add(Objects.requireNonNull(c)); return this; }
        public Builder properties(ClusterProperties p) { properties = Objects.requireNonNull(p); return this; }
        public Builder fenceDevice(FenceDevice d) { fenceDevices.add(Objects.requireNonNull(d)); return this; }
        public Builder fencingLevel(FencingLevel l) { fencingLevels.add(Objects.requireNonNull(l)); return this; }
        public Builder blob(String name, String text) { blobs.put(name, text); return this; }

        public Builder removeResource(String id) { resources.removeIf(r -> r.id().equals(id)); return this; }
        public Builder removeConstraint(String id) { constraints.removeIf(c -> c.id().equals(id)); return this; }
        public Builder removeNode(String id) { nodes.removeIf(n -> n.id().equals(id)); return this; }
        public Builder replaceResource(Resource r) {
            for (int i = 0; i < resources.size(); i++) {
                if (resources.get(i).id().equals(r.id())) { resources.set(i, r); return this; }
            }
            return resource(r);
        }

        public ClusterConfig build() {
            return new ClusterConfig(nodes, resources, constraints, properties, fenceDevices, fencingLevels, blobs);
        }
    }
}
