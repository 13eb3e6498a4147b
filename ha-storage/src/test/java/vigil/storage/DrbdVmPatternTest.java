package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import vigil.api.model.Action;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Clone;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;

/** The VM-on-DRBD pattern of the package documentation; the snippet there is copied from this test. */
class DrbdVmPatternTest {

    @Test
    void pattern_promotableCloneColocatedAndOrdered_validates() {
        Node n1 = Node.member("node1", "10.0.0.1:9000");
        Node n2 = Node.member("node2", "10.0.0.2:9000");
        Primitive disk = Primitive.builder("vm1-disk", "drbd")
                .param("hosts", "node1:10.0.0.1,node2:10.0.0.2")
                .param("device", "/dev/drbd1").param("disk", "/dev/vg0/vm1")
                .param("fencing", "resource-only").build();
        Primitive vm = Primitive.builder("vm1", "kvm").meta(Meta.ALLOW_MIGRATE, "true").build();
        ClusterConfig config = DrbdVmPattern.add(ClusterConfig.builder().node(n1).node(n2), disk, vm, 2).build();

        ConfigValidator.structural().validate(config);
        Clone clone = (Clone) config.resource("vm1-disk-clone").orElseThrow();
        assertTrue(clone.promotable());
        assertEquals(1, clone.meta().promotedMax());
        assertEquals(2, clone.meta().cloneMax().getAsInt());
        assertEquals(List.of(
                new Constraint.Colocation("col-vm1-on-vm1-disk-clone", "vm1", "vm1-disk-clone", Score.INFINITY, null, Role.PROMOTED),
                new Constraint.Order("ord-vm1-disk-clone-before-vm1", "vm1-disk-clone", Action.PROMOTE, "vm1", Action.START,
                        vigil.api.model.OrderKind.MANDATORY, true)), config.constraints());
        DrbdResourceConfig drbd = DrbdResourceConfig.fromCluster(config, "vm1-disk");
        assertEquals(List.of("node1", "node2"), drbd.hosts().stream().map(DrbdResourceConfig.Host::node).toList());
    }

    @Test
    void pattern_wrongTypeOrSingleReplica_rejected() {
        Primitive vm = Primitive.builder("vm1", "kvm").build();
        assertThrows(IllegalArgumentException.class, () -> DrbdVmPattern.add(ClusterConfig.builder(), vm, vm, 2));
        Primitive disk = Primitive.builder("d", "drbd").build();
        assertThrows(IllegalArgumentException.class, () -> DrbdVmPattern.add(ClusterConfig.builder(), disk, vm, 1));
    }
}
