package vigil.api.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ResourceMetadata;

class ConfigValidatorTest {
    private static ClusterConfig.Builder twoNodes() {
        return ClusterConfig.builder().node(Node.member("node1", "10.0.0.1:9870")).node(Node.member("node2", "10.0.0.2:9870"));
    }

    private static ConfigException rejected(ClusterConfig c) {
        return assertThrows(ConfigException.class, () -> ConfigValidator.structural().validate(c));
    }

    @Test
    void validate_drbdVmPattern_accepted() {
        Primitive drbd = Primitive.builder("drbd-vm1", "drbd").param("resource", "vm1").build();
        Primitive vm = Primitive.builder("vm1", "kvm").allowMigrate(true).monitor(Duration.ofSeconds(10), Duration.ofSeconds(20)).build();
        ClusterConfig c = twoNodes()
                .resource(new Clone("drbd-vm1-clone", drbd, Meta.of(Map.of("promoted-max", "1")), true))
                .resource(vm)
                .constraint(new Constraint.Colocation("vm1-on-primary", "vm1", "drbd-vm1-clone", Score.INFINITY, null, Role.PROMOTED))
                .constraint(new Constraint.Order("vm1-after-promote", "drbd-vm1-clone", Action.PROMOTE, "vm1", Action.START, OrderKind.MANDATORY, true))
                .build();
        assertDoesNotThrow(() -> ConfigValidator.structural().validate(c));
    }

    @Test
    void validate_duplicateResourceId_namesIt() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("a", "ocf:heartbeat:Dummy").build())
                .resource(new Group("g", List.of(Primitive.builder("a", "ocf:heartbeat:Dummy").build()), null)).build());
        assertEquals("resources.a", e.field());
        assertTrue(e.getMessage().contains("duplicate resource id"), e.getMessage());
    }

    @Test
    void validate_locationOnUnknownNode_listsKnownNodes() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("a", "ocf:heartbeat:Dummy").build())
                .constraint(new Constraint.Location("l1", "a", "node9", Score.of(100))).build());
        assertEquals("constraints.l1.node", e.field());
        assertTrue(e.fix().contains("node1") && e.fix().contains("node2"), e.fix());
    }

    @Test
    void validate_unknownResourceInColocation_rejected() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("a", "ocf:heartbeat:Dummy").build())
                .constraint(new Constraint.Colocation("c1", "a", "ghost", Score.INFINITY)).build());
        assertEquals("constraints.c1.with-resource", e.field());
    }

    @Test
    void validate_mandatoryOrderCycle_showsThePath() {
        ClusterConfig.Builder b = twoNodes();
        for (String id : List.of("a", "b", "c")) b.resource(Primitive.builder(id, "ocf:heartbeat:Dummy").build());
        ConfigException e = rejected(b.constraint(new Constraint.Order("o1", "a", "b"))
                .constraint(new Constraint.Order("o2", "b", "c"))
                .constraint(new Constraint.Order("o3", "c", "a")).build());
        assertEquals("constraints", e.field());
        assertTrue(e.problem().contains("a -> b -> c -> a"), e.problem());
    }

    @Test
    void validate_optionalOrderCycle_allowed() {
        ClusterConfig.Builder b = twoNodes();
        for (String id : List.of("a", "b")) b.resource(Primitive.builder(id, "ocf:heartbeat:Dummy").build());
        assertDoesNotThrow(() -> ConfigValidator.structural().validate(b.constraint(new Constraint.Order("o1", "a", "b"))
                .constraint(new Constraint.Order("o2", "b", Action.START, "a", Action.START, OrderKind.OPTIONAL, false)).build()));
    }

    @Test
    void validate_negativeMigrationThreshold_saysHowToFix() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("vm1", "kvm").migrationThreshold(-3).build()).build());
        assertEquals("resources.vm1.meta.migration-threshold", e.field());
        assertTrue(e.getMessage().contains("got -3"), e.getMessage());
    }

    @Test
    void validate_badScoreText_rejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> Score.parse("constraints.l1.score", "lots"));
        assertTrue(e.getMessage().contains("invalid score \"lots\""), e.getMessage());
    }

    @Test
    void validate_promotedRoleOnPlainPrimitive_rejected() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("a", "ocf:heartbeat:Dummy").build())
                .resource(Primitive.builder("b", "ocf:heartbeat:Dummy").build())
                .constraint(new Constraint.Colocation("c1", "a", "b", Score.INFINITY, null, Role.PROMOTED)).build());
        assertEquals("constraints.c1.with-role", e.field());
    }

    @Test
    void validate_missingRequiredParam_namesParameterAndType() {
        ResourceMetadata md = new ResourceMetadata("ocf:heartbeat:IPaddr2",
                List.of(new ParameterSpec("ip", true, false, "", "IPv4 address")), Map.of("start", Duration.ofSeconds(20)));
        ConfigValidator v = new ConfigValidator(t -> t.equals("ocf:heartbeat:IPaddr2") ? Optional.of(md) : Optional.empty());
        ConfigException e = assertThrows(ConfigException.class,
                () -> v.validate(twoNodes().resource(Primitive.builder("vip", "ocf:heartbeat:IPaddr2").build()).build()));
        assertEquals("resources.vip.params.ip", e.field());
        assertTrue(e.fix().contains("IPv4 address"), e.fix());
    }

    @Test
    void validate_badNodeAddress_rejected() {
        ConfigException e = rejected(ClusterConfig.builder().node(Node.member("n1", "no-port")).build());
        assertEquals("nodes.n1.address", e.field());
    }

    @Test
    void validate_fencingLevelWithUnknownDevice_rejected() {
        ConfigException e = rejected(twoNodes().fencingLevel(new FencingLevel("node1", 1, List.of("ipmi-node1"))).build());
        assertEquals("fencing-topology.node1.1.devices", e.field());
    }

    @Test
    void validate_fenceDeviceAndLevelNamingANodeThatIsNotAMember_accepted_likePacemakersHostMap() {
        ClusterConfig c = twoNodes()
                .fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of("node1", "node3"), Map.of("node1", "p1", "node3", "p3"), null))
                .fencingLevel(new FencingLevel("node3", 1, List.of("kill"))).build();
        ConfigValidator.structural().validate(c);
        ConfigException e = rejected(twoNodes().fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("-x", "p"), null)).build());
        assertEquals("fence-devices.kill.host-map", e.field());
    }

    @Test
    void fenceDevice_toString_masksPassword() {
        FenceDevice d = new FenceDevice("ipmi-node1", "ipmi", Map.of("ip", "10.0.0.11", "password", "hunter2"), List.of("node1"), Map.of(), null);
        assertTrue(!d.toString().contains("hunter2") && d.toString().contains("10.0.0.11"), d.toString());
    }
}
