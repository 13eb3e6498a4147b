package vigil.storage;

import java.util.Map;
import java.util.Objects;
import vigil.api.model.Action;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Clone;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;

/**
 * The resource pattern for a VM on a DRBD-replicated disk: a promotable clone of the {@code drbd} primitive (one
 * instance per replica, one Promoted), the VM colocated with the Promoted instance at INFINITY, and started only
 * after the promote (and stopped before the demote, since the order is symmetrical). See the package documentation.
 */
public final class DrbdVmPattern {
    private DrbdVmPattern() {}

    /** The id of the clone wrapping {@code drbdPrimitiveId}. */
    public static String cloneId(String drbdPrimitiveId) { return drbdPrimitiveId + "-clone"; }

    /**
     * Adds the clone, the VM and the two constraints to {@code config}.
     *
     * @param drbd     a primitive of type {@code drbd}
     * @param vm       the VM primitive (type {@code kvm}); give it {@code allow-migrate=true} for live migration
     * @param replicas how many nodes hold a copy (clone-max)
     */
    public static ClusterConfig.Builder add(ClusterConfig.Builder config, Primitive drbd, Primitive vm, int replicas) {
        Objects.requireNonNull(drbd, "drbd");
        Objects.requireNonNull(vm, "vm");
        if (!DrbdDriver.TYPE.equals(drbd.type())) throw new IllegalArgumentException(drbd.id() + " is of type " + drbd.type() + ", not drbd");
        if (replicas < 2) throw new IllegalArgumentException("a replicated disk needs at least 2 replicas, got " + replicas);
        String clone = cloneId(drbd.id());
        Meta meta = Meta.of(Map.of(Meta.CLONE_MAX, Integer.toString(replicas), Meta.CLONE_NODE_MAX, "1",
                Meta.PROMOTED_MAX, "1", Meta.PROMOTED_NODE_MAX, "1"));
        config.resource(new Clone(clone, drbd, meta, true));
        config.resource(vm);
        config.constraint(new Constraint.Colocation("col-" + vm.id() + "-on-" + clone, vm.id(), clone, Score.INFINITY, null, Role.PROMOTED));
        config.constraint(new Constraint.Order("ord-" + clone + "-before-" + vm.id(), clone, Action.PROMOTE, vm.id(), Action.START,
                OrderKind.MANDATORY, true));
        return config;
    }
}
