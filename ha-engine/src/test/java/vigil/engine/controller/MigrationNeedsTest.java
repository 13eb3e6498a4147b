package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;

class MigrationNeedsTest {
    private static Primitive p(String id) { return Primitive.builder(id, "ocf:heartbeat:Dummy").build(); }

    private static final ClusterConfig TWO_HOSTS = ClusterConfig.builder()
            .resource(new Clone("vm1-disk", p("vm1-drbd"), Meta.of(Map.of(Meta.PROMOTED_MAX, "1")), true))
            .resource(p("vm1"))
            .resource(p("vip"))
            .resource(new Clone("storage", new Group("storage-stack", List.of(p("lvm"), p("fs")), Meta.EMPTY), Meta.EMPTY, false))
            .resource(p("vm2"))
            .constraint(new Constraint.Colocation("vm1-with-disk", "vm1", "vm1-disk", Score.INFINITY, null, Role.PROMOTED))
            .constraint(new Constraint.Order("disk-then-vm1", "vm1-disk", Action.PROMOTE, "vm1", Action.START, OrderKind.MANDATORY, true))
            .constraint(new Constraint.Colocation("vip-with-vm1", "vip", "vm1", Score.INFINITY))
            .constraint(new Constraint.Order("storage-then-vm2", "storage", "vm2"))
            .build();

    @Test
    void aVmNeedsTheDiskItIsColocatedWithAndOrderedAfter_throughItsPromotableClone() {
        assertTrue(MigrationNeeds.needs(TWO_HOSTS, "vm1", "vm1-drbd"));
    }

    @Test
    void anOrderAloneCounts_throughACloneOfAGroup() {
        assertTrue(MigrationNeeds.needs(TWO_HOSTS, "vm2", "fs"));
        assertTrue(MigrationNeeds.needs(TWO_HOSTS, "vm2", "lvm"));
    }

    @Test
    void whatDependsOnTheMigratingResource_andUnrelatedOnes_areNotNeeded() {
        assertFalse(MigrationNeeds.needs(TWO_HOSTS, "vm1", "vip"), "vip depends on vm1, not the other way");
        assertFalse(MigrationNeeds.needs(TWO_HOSTS, "vm1-drbd", "vm1"));
        assertFalse(MigrationNeeds.needs(TWO_HOSTS, "vm1", "fs"));
        assertFalse(MigrationNeeds.needs(TWO_HOSTS, "vm1", "vm1"));
    }

    @Test
    void anInstanceOfAUniqueClone_countsAsItsPrimitive() {
        assertTrue(MigrationNeeds.needs(TWO_HOSTS, "vm2", "lvm:1"));
    }
}
