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
    void validate_remoteAndGuestNodes_rejectedNamingTheField() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("rn1", Primitive.REMOTE_CONNECTION).build()).build());
        assertEquals("resources.rn1.type", e.field());
        e = rejected(twoNodes().resource(Primitive.builder("vm1", "kvm").meta(Meta.REMOTE_NODE, "guest1").build()).build());
        assertEquals("resources.vm1.meta.remote-node", e.field());
    }

    @Test
    void validate_utilization_wholeNumbersAndAKnownPlacementStrategy() {
        Primitive vm = Primitive.builder("vm1", "kvm").meta(Meta.UTILIZATION + "cpu", "2").meta(Meta.UTILIZATION + "memory", "4096").build();
        ClusterConfig ok = ClusterConfig.builder()
                .node(new Node("node1", "10.0.0.1:9870", NodeRole.MEMBER, Map.of(Meta.UTILIZATION + "cpu", "8", Meta.UTILIZATION + "memory", "65536")))
                .resource(vm).properties(ClusterProperties.builder().other(Map.of("placement-strategy", "balanced")).build()).build();
        assertDoesNotThrow(() -> ConfigValidator.structural().validate(ok));

        ConfigException e = rejected(ok.toBuilder().replaceResource(vm.withMeta(vm.meta().with(Meta.UTILIZATION + "cpu", "1.5"))).build());
        assertEquals("resources.vm1.meta.utilization.cpu", e.field());
        e = rejected(ok.toBuilder().removeNode("node1")
                .node(new Node("node1", "10.0.0.1:9870", NodeRole.MEMBER, Map.of(Meta.UTILIZATION + "cpu", "-8"))).build());
        assertEquals("nodes.node1.attributes.utilization.cpu", e.field());
        e = rejected(ok.toBuilder().properties(ClusterProperties.builder().other(Map.of("placement-strategy", "balance")).build()).build());
        assertEquals("properties.other.placement-strategy", e.field());
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

    @Test
    void validate_typeThatIsAPath_isRejectedNamingTheField() {
        ConfigException e = rejected(twoNodes().resource(Primitive.builder("r1", "ocf:heartbeat:../../../tmp/x").build()).build());
        assertEquals("resources.r1.type", e.field());
        assertTrue(e.getMessage().contains("no path"), e.getMessage());
        assertEquals("fence-devices.f1.type", rejected(twoNodes().fenceDevice(new FenceDevice("f1", "agent:/usr/bin/touch", Map.of(), List.of(),
                Map.of(), Duration.ZERO)).build()).field());
    }

    @Test
    void validate_lineBreakInAFenceParameter_isRejected_itWouldAddParametersOnTheAgentsStdin() {
        FenceDevice d = new FenceDevice("f1", "agent:fence_ipmilan", Map.of("ip", "10.0.0.9\naction=off"), List.of(), Map.of(), Duration.ZERO);
        ConfigException e = rejected(twoNodes().fenceDevice(d).build());
        assertEquals("fence-devices.f1.params.ip", e.field());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
    }

    @Test
    void validate_oversizedIdsNamesAndValues_areRejected() {
        String longId = "r".repeat(ConfigValidator.MAX_ID + 1);
        assertEquals("resources." + longId + ".id", rejected(twoNodes().resource(Primitive.builder(longId, "kvm").build()).build()).field());
        assertEquals("resources.r1.params.domain", rejected(twoNodes().resource(Primitive.builder("r1", "kvm")
                .param("domain", "x".repeat(ConfigValidator.MAX_VALUE + 1)).build()).build()).field());
        ConfigException badName = rejected(twoNodes().resource(Primitive.builder("r1", "kvm").param("a=b", "1").build()).build());
        assertTrue(badName.field().startsWith("resources.r1.params."), badName.field());
    }

    @Test
    void validate_scoresAndDurationsOutOfRange_areRejectedWithTheFix() {
        ConfigException score = rejected(twoNodes().resource(Primitive.builder("r1", "kvm").meta(Meta.STICKINESS, "5000000").build()).build());
        assertEquals("resources.r1.meta.resource-stickiness", score.field());
        assertTrue(score.getMessage().contains("out of range") && score.getMessage().contains("INFINITY"), score.getMessage());
        assertDoesNotThrow(() -> ConfigValidator.structural().validate(twoNodes().resource(Primitive.builder("r1", "kvm")
                .meta(Meta.STICKINESS, "INFINITY").build()).build()));
        ConfigException timeout = rejected(twoNodes().resource(Primitive.builder("r1", "kvm").monitor(Duration.ofSeconds(10), Duration.ofDays(30)).build())
                .build());
        assertTrue(timeout.field().endsWith(".timeout") && timeout.getMessage().contains("at most"), timeout.getMessage());
        assertEquals("properties.move-lifetime", rejected(twoNodes().properties(ClusterProperties.DEFAULTS.toBuilder()
                .moveLifetime(Duration.ofDays(40_000)).build()).build()).field());
        assertEquals("x", assertThrows(ConfigException.class, () -> Durations.parse("x", "9223372036854775807d")).field());
    }

    private static ClusterProperties twoNodeMode(boolean stonith) {
        return ClusterProperties.builder().stonithEnabled(stonith).other(Map.of(ClusterProperties.TWO_NODE, "true")).build();
    }

    private static FenceDevice ipmiFor(String node) {
        return new FenceDevice("ipmi-" + node, "ipmi", Map.of("ip", "10.0.1.1"), List.of(node), Map.of(), null);
    }

    @Test
    void validate_twoNode_acceptedWithAFenceDevicePerMember() {
        ClusterConfig c = twoNodes().properties(twoNodeMode(true)).fenceDevice(ipmiFor("node1")).fenceDevice(ipmiFor("node2")).build();
        assertDoesNotThrow(() -> ConfigValidator.structural().validate(c));
        assertTrue(c.properties().twoNode());
        assertTrue(twoNodes().build().properties().twoNode() == false);
    }

    @Test
    void validate_twoNode_refusedWithoutFencingNamingTheFieldAndTheReason() {
        ConfigException none = rejected(twoNodes().properties(twoNodeMode(true)).build());
        assertEquals("fence-devices", none.field());
        assertTrue(none.getMessage().contains("node1") && none.getMessage().contains("watchdog"), none.getMessage());
        ConfigException one = rejected(twoNodes().properties(twoNodeMode(true)).fenceDevice(ipmiFor("node1")).build());
        assertTrue(one.getMessage().contains("node2"), one.getMessage());
        ConfigException watchdogOnly = rejected(twoNodes().properties(twoNodeMode(true).toBuilder().watchdogTimeout(Duration.ofSeconds(5)).build()).build());
        assertEquals("fence-devices", watchdogOnly.field());
        ConfigException noStonith = rejected(twoNodes().properties(twoNodeMode(false)).fenceDevice(ipmiFor("node1")).fenceDevice(ipmiFor("node2")).build());
        assertEquals("properties.other.two-node", noStonith.field());
        assertTrue(noStonith.getMessage().contains("stonith-enabled"), noStonith.getMessage());
    }

    @Test
    void validate_twoNode_refusedWithAWitnessOrAThirdMemberOrABadValue() {
        ClusterConfig.Builder fenced = twoNodes().fenceDevice(ipmiFor("node1")).fenceDevice(ipmiFor("node2"));
        ConfigException witness = rejected(fenced.node(Node.witness("w", "10.0.0.3:9870")).properties(twoNodeMode(true)).build());
        assertEquals("properties.other.two-node", witness.field());
        assertTrue(witness.getMessage().contains("witness"), witness.getMessage());
        ConfigException three = rejected(twoNodes().node(Node.member("node3", "10.0.0.3:9870")).properties(twoNodeMode(true)).build());
        assertTrue(three.getMessage().contains("exactly two"), three.getMessage());
        ConfigException typo = rejected(twoNodes().properties(ClusterProperties.builder().other(Map.of("two-node", "yes")).build()).build());
        assertEquals("properties.other.two-node", typo.field());
        ConfigException delay = rejected(twoNodes().properties(ClusterProperties.builder().other(Map.of("priority-fencing-delay", "-5s")).build()).build());
        assertEquals("properties.other.priority-fencing-delay", delay.field());
    }
}
