package vigil.api.model;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A resource's meta attributes (Pacemaker names), with typed accessors. Unknown keys are kept so that
 * imported CIBs round-trip; known keys are checked by {@link ConfigValidator}.
 */
public record Meta(Map<String, String> values) {
    public static final String STICKINESS = "resource-stickiness";
    public static final String MIGRATION_THRESHOLD = "migration-threshold";
    public static final String FAILURE_TIMEOUT = "failure-timeout";
    public static final String ALLOW_MIGRATE = "allow-migrate";
    public static final String TARGET_ROLE = "target-role";
    public static final String PRIORITY = "priority";
    public static final String IS_MANAGED = "is-managed";
    public static final String MULTIPLE_ACTIVE = "multiple-active";
    public static final String CLONE_MAX = "clone-max";
    public static final String CLONE_NODE_MAX = "clone-node-max";
    public static final String PROMOTED_MAX = "promoted-max";
    public static final String PROMOTED_NODE_MAX = "promoted-node-max";
    public static final String INTERLEAVE = "interleave";
    public static final String ORDERED = "ordered";
    public static final String MAINTENANCE = "maintenance";
    /** On a VM or container primitive: the name of the guest node (Pacemaker Remote inside it) it hosts. */
    public static final String REMOTE_NODE = "remote-node";
    /** On a primitive: the remote connection or VM whose node it runs inside (Pacemaker's container meta). */
    public static final String CONTAINER = "container";
    /**
     * Prefix of what a resource uses of a node's capacities ({@code utilization.cpu = 2} in its meta attributes) and of a
     * node's capacities ({@code utilization.cpu = 8} in its attributes): counted when the cluster property
     * placement-strategy is utilization, balanced or minimal.
     */
    public static final String UTILIZATION = "utilization.";

    public static final Meta EMPTY = new Meta(Maps.sorted(Map.of()));

    public Meta {
        values = Maps.sorted(values);
    }

    public static Meta of(Map<String, String> values) { return new Meta(values); }

    public Optional<String> get(String key) { return Optional.ofNullable(values.get(key)); }

    public Meta with(String key, String value) {
        var m = new java.util.TreeMap<>(values);
        if (value == null) m.remove(key); else m.put(key, value);
        return new Meta(m);
    }

    public Meta without(String key) { return with(key, null); }

    /** resource-stickiness, when set on the resource. */
    public Optional<Score> stickiness() { return get(STICKINESS).map(v -> Score.parse(STICKINESS, v)); }

    /** migration-threshold; 0 (and absent) mean no threshold (INFINITY). */
    public int migrationThreshold() {
        return get(MIGRATION_THRESHOLD).map(v -> Score.parse(MIGRATION_THRESHOLD, v).value()).filter(v -> v > 0).orElse(Score.INFINITY_VALUE);
    }

    /** failure-timeout; zero means failures never expire. */
    public Duration failureTimeout() {
        return get(FAILURE_TIMEOUT).map(v -> Durations.parse(FAILURE_TIMEOUT, v)).orElse(Duration.ZERO);
    }

    public boolean allowMigrate() { return bool(ALLOW_MIGRATE, false); }

    public Optional<Role> targetRole() { return get(TARGET_ROLE).map(v -> Role.parse(TARGET_ROLE, v)); }

    public int priority() { return get(PRIORITY).map(v -> Score.parse(PRIORITY, v).value()).orElse(0); }

    public boolean isManaged() { return bool(IS_MANAGED, true) && !bool(MAINTENANCE, false); }

    public String multipleActive() { return get(MULTIPLE_ACTIVE).orElse("stop_start"); }

    public OptionalInt cloneMax() { return integer(CLONE_MAX); }

    public int cloneNodeMax() { return integer(CLONE_NODE_MAX).orElse(1); }

    public int promotedMax() {
        return integer(PROMOTED_MAX).orElse(integer("master-max").orElse(1));
    }

    public int promotedNodeMax() {
        return integer(PROMOTED_NODE_MAX).orElse(integer("master-node-max").orElse(1));
    }

    public boolean interleave() { return bool(INTERLEAVE, false); }

    public boolean bool(String key, boolean dflt) {
        return get(key).map(v -> switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1", "y" -> true;
            default -> false;
        }).orElse(dflt);
    }

    public OptionalInt integer(String key) {
        Optional<String> v = get(key);
        if (v.isEmpty()) return OptionalInt.empty();
        return OptionalInt.of(Score.parse(key, v.get()).value());
    }
}
