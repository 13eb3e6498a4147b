package vigil.api.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A single resource run by one driver. {@code type} selects the driver: {@code ocf:heartbeat:Dummy},
 * {@code kvm}, {@code drbd}, {@code java:my-service}, ...
 */
public record Primitive(String id, String type, Map<String, String> params, Meta meta, List<Operation> operations)
        implements Resource {
    public Primitive {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        params = Maps.sorted(params);
        meta = meta == null ? Meta.EMPTY : meta;
        operations = List.copyOf(operations == null ? List.of() : operations);
    }

    /** The agent of a Pacemaker Remote connection: such a primitive makes a remote node, named by its id, available. */
    public static final String REMOTE_CONNECTION = "ocf:pacemaker:remote";

    public static Builder builder(String id, String type) { return new Builder(id, type); }

    /** The remote node this primitive connects (its id) when it is a Pacemaker Remote connection; else empty. */
    public Optional<String> remoteNode() { return type.equals(REMOTE_CONNECTION) ? Optional.of(id) : Optional.empty(); }

    /** The guest node this primitive (a VM or container) hosts, from its {@code remote-node} meta; else empty. */
    public Optional<String> guestNode() { return Optional.ofNullable(meta.values().get(Meta.REMOTE_NODE)).filter(s -> !s.isBlank()); }

    @Override
    public List<Primitive> primitives() { return List.of(this); }

    /** The recurring monitor for {@code role} (or any role when none is specific). */
    public Optional<Operation> monitor(Role role) { return Optional.ofNullable(monitorOrNull(role)); }

    /** {@link #monitor}, or null when there is none. */
    public Operation monitorOrNull(Role role) {
        // a loop by index, without an Optional: the scheduler asks this for every resource it plans
        Operation anyRole = null;
        for (int i = 0; i < operations.size(); i++) {
            Operation o = operations.get(i);
            if (!o.name().equals("monitor") || !o.isRecurring()) continue;
            if (o.role() == role) return o;
            if (o.role() == null && anyRole == null) anyRole = o;
        }
        return anyRole;
    }

    /** The configured definition of a non-recurring operation such as {@code start}. */
    public Optional<Operation> operation(String name) {
        return operations.stream().filter(o -> o.name().equals(name) && !o.isRecurring()).findFirst();
    }

    public Primitive withMeta(Meta newMeta) { return new Primitive(id, type, params, newMeta, operations); }

    public Primitive withParams(Map<String, String> newParams) { return new Primitive(id, type, newParams, meta, operations); }

    public static final class Builder {
        private final String id;
        private final String type;
        private final Map<String, String> params = new LinkedHashMap<>();
        private final Map<String, String> meta = new LinkedHashMap<>();
        private final List<Operation> operations = new ArrayList<>();

        private Builder(String id, String type) {
            this.id = id;
            this.type = type;
        }

        public Builder param(String key, String value) { params.put(key, value); return this; }

        public Builder meta(String key, String value) { meta.put(key, value); return this; }

        public Builder stickiness(int score) { return meta(Meta.STICKINESS, Integer.toString(score)); }

        public Builder migrationThreshold(int failures) { return meta(Meta.MIGRATION_THRESHOLD, Integer.toString(failures)); }

        public Builder allowMigrate(boolean allow) { return meta(Meta.ALLOW_MIGRATE, Boolean.toString(allow)); }

        public Builder targetRole(Role role) { return meta(Meta.TARGET_ROLE, role.text()); }

        public Builder monitor(Duration interval, Duration timeout) {
            operations.add(Operation.monitor(interval, timeout));
            return this;
        }

        public Builder operation(Operation op) { operations.add(op); return this; }

        public Primitive build() { return new Primitive(id, type, params, Meta.of(meta), operations); }
    }
}
