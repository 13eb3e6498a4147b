package vigil.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.model.Group;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Operation;
import vigil.api.model.OnFail;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;

class ConfigYamlTest {

    @Test
    void read_kvmDrbdExample_hasTheWholeDeployment() {
        ClusterConfig c = ConfigYaml.read(Path.of("examples/kvm-drbd-cluster.yaml"));
        assertEquals(List.of("kvm1", "kvm2", "witness"), c.nodes().stream().map(Node::id).toList());
        assertEquals(NodeRole.WITNESS, c.node("witness").orElseThrow().role());
        Clone drbd = (Clone) c.resource("drbd-vm1").orElseThrow();
        assertTrue(drbd.promotable());
        assertEquals("drbd", ((Primitive) drbd.child()).type());
        assertEquals("kvm", ((Primitive) c.resource("vm1").orElseThrow()).type());
        assertEquals("ocf:heartbeat:IPaddr2", ((Primitive) c.resource("vip").orElseThrow()).type());
        Constraint.Colocation with = (Constraint.Colocation) c.constraints().stream().filter(x -> x.id().equals("vm1-with-drbd-primary")).findFirst().orElseThrow();
        assertEquals(Role.PROMOTED, with.withRole());
        assertEquals(Score.INFINITY, with.score());
        Constraint.Order after = (Constraint.Order) c.constraints().stream().filter(x -> x.id().equals("vm1-after-drbd-promote")).findFirst().orElseThrow();
        assertEquals("promote", after.firstAction().text());
        assertEquals("start", after.thenAction().text());
        assertEquals(List.of("kvm1"), c.fenceDevice("ipmi-kvm1").orElseThrow().hostList());
        assertEquals(Duration.ofSeconds(15), c.fenceDevice("ipmi-kvm2").orElseThrow().delay());
        assertEquals(2, c.fencingLevels().size());
        assertTrue(c.blobs().get("vm1.xml").contains("<source dev='/dev/drbd1'/>"));
        assertEquals(Duration.ofSeconds(5), c.properties().nodeTimeout());
    }

    @Test
    void formatThenParse_example_givesEqualConfig() {
        ClusterConfig c = ConfigYaml.read(Path.of("examples/kvm-drbd-cluster.yaml"));
        String yaml = ConfigYaml.format(c);
        assertEquals(c, ConfigYaml.parse("again.yaml", yaml));
        assertEquals(yaml, ConfigYaml.format(ConfigYaml.parse("again.yaml", yaml)));
    }

    @Test
    void formatThenParse_everyKindOfField_givesEqualConfig() {
        ClusterConfig c = ClusterConfig.builder()
                .properties(ClusterProperties.builder().stonithEnabled(false).symmetricCluster(false).nodeTimeout(Duration.ofMillis(1500))
                        .watchdogTimeout(Duration.ofSeconds(5)).defaultStickiness(Score.MINUS_INFINITY).startFailureIsFatal(false)
                        .maintenanceMode(true).moveLifetime(Duration.ofMinutes(5)).fenceTimeout(Duration.ofSeconds(30))
                        .other(Map.of("cluster-name", "lab", "batch-limit", "010")).build())
                .node(new Node("n1", "127.0.0.1:9000", NodeRole.MEMBER, Map.of("rack", "1")))
                .node(Node.member("n2", "127.0.0.2:9000"))
                .node(Node.witness("w", "127.0.0.3:9000"))
                .resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").param("state", "/tmp/x y").param("fake", "yes")
                        .meta("target-role", "Stopped").monitor(Duration.ofSeconds(10), Duration.ofSeconds(20))
                        .operation(new Operation("stop", Duration.ZERO, Duration.ofSeconds(5), OnFail.BLOCK, null)).build())
                .resource(new Group("g", List.of(Primitive.builder("g1", "ocf:heartbeat:Dummy").build(),
                        Primitive.builder("g2", "ocf:heartbeat:Dummy").build()), null))
                .resource(new Clone("c", new Group("cg", List.of(Primitive.builder("cg1", "ocf:heartbeat:Dummy").build()), null),
                        vigil.api.model.Meta.of(Map.of("clone-max", "2")), false))
                .constraint(new Constraint.Location("l1", "d1", "n1", Score.of(-20), null, Instant.parse("2030-01-01T00:00:00Z")))
                .constraint(new Constraint.Colocation("co", "g", "d1", Score.of(-100)))
                .constraint(new Constraint.Order("o", "d1", vigil.api.model.Action.STOP, "g", vigil.api.model.Action.START,
                        vigil.api.model.OrderKind.OPTIONAL, false))
                .fenceDevice(new FenceDevice("f1", "agent:fence_ipmilan", Map.of("password", "s3cr3t"), List.of(), Map.of("n1", "plug1"), null))
                .fencingLevel(new FencingLevel("n1", 2, List.of("f1")))
                .blob("text", "line one\nline two\n")
                .build();
        String yaml = ConfigYaml.format(c);
        assertEquals(c, ConfigYaml.parse("c.yaml", yaml), yaml);
    }

    @Test
    void parse_emptyDocument_isTheEmptyConfig() {
        assertEquals(ClusterConfig.EMPTY, ConfigYaml.parse("empty.yaml", "# nothing yet\n"));
    }

    @Test
    void parse_unknownField_namesLineFieldAndClosestName() {
        String yaml = "resources:\n  d1:\n    type: ocf:heartbeat:Dummy\n    parms:\n      state: /tmp/s\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertEquals(4, e.line());
        assertEquals("resources.d1.parms", e.field());
        assertTrue(e.getMessage().startsWith("c.yaml:4: resources.d1.parms: unknown field \"parms\" (did you mean \"params\"?"), e.getMessage());
    }

    @Test
    void parse_unknownTopLevelSection_isAnError() {
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", "propertys:\n  stonith-enabled: false\n"));
        assertTrue(e.getMessage().contains("did you mean \"properties\""), e.getMessage());
    }

    @Test
    void parse_invalidScore_namesLineAndFix() {
        String yaml = "nodes:\n  n1: {address: 127.0.0.1:9000}\nresources:\n  d1: {type: ocf:heartbeat:Dummy}\n"
                + "constraints:\n  l1:\n    type: location\n    resource: d1\n    node: n1\n    score: lots\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertEquals("c.yaml:10: constraints.l1.score: invalid score \"lots\" (give an integer or INFINITY / -INFINITY)", e.getMessage());
    }

    @Test
    void parse_validatorError_isMappedToTheLineOfTheField() {
        String yaml = "nodes:\n  n1: {address: 127.0.0.1:9000}\nresources:\n  d1:\n    type: ocf:heartbeat:Dummy\n    meta:\n"
                + "      migration-threshold: -3\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertEquals(7, e.line());
        assertTrue(e.getMessage().contains("resources.d1.meta.migration-threshold: must be >= 0, got -3"), e.getMessage());
    }

    @Test
    void parse_unknownNodeInLocation_namesTheKnownNodes() {
        String yaml = "nodes:\n  n1: {address: 127.0.0.1:9000}\nresources:\n  d1: {type: ocf:heartbeat:Dummy}\n"
                + "constraints:\n  l1: {type: location, resource: d1, node: n9, score: 10}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertEquals("c.yaml:6: constraints.l1.node: unknown node \"n9\" (use one of [n1])", e.getMessage());
    }

    @Test
    void parse_orderCycle_isRejected() {
        String yaml = "resources:\n  a: {type: ocf:heartbeat:Dummy}\n  b: {type: ocf:heartbeat:Dummy}\n"
                + "constraints:\n  o1: {type: order, first: a, then: b}\n  o2: {type: order, first: b, then: a}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertTrue(e.getMessage().contains("mandatory orders form a cycle: a -> b -> a"), e.getMessage());
    }

    @Test
    void parse_malformedYaml_namesTheLine() {
        String yaml = "nodes:\n  n1: {address: 127.0.0.1:9000\nresources: {}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("bad.yaml", yaml));
        assertTrue(e.getMessage().startsWith("bad.yaml:"), e.getMessage());
        assertTrue(e.line() > 0);
        assertTrue(e.getMessage().contains("malformed YAML"), e.getMessage());
    }

    @Test
    void parse_duplicateKey_isAnError() {
        String yaml = "nodes:\n  n1: {address: 127.0.0.1:9000}\n  n1: {address: 127.0.0.2:9000}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertEquals("c.yaml:3: nodes.n1: \"n1\" is given twice (remove one of them)", e.getMessage());
    }

    @Test
    void parse_resourceWithoutType_saysWhatToGive() {
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", "resources:\n  d1:\n    params: {a: b}\n"));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("give exactly one of: type"), e.getMessage());
    }

    @Test
    void parse_groupMemberError_pointsAtTheMember() {
        String yaml = "resources:\n  g:\n    group:\n      - id: m1\n        type: ocf:heartbeat:Dummy\n      - id: m2\n"
                + "        type: ocf:heartbeat:Dummy\n        meta: {allow-migrate: maybe}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", yaml));
        assertEquals(6, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("resources.m2.meta.allow-migrate: not a boolean"), e.getMessage());
    }

    @Test
    void parse_badDuration_namesFieldAndExamples() {
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigYaml.parse("c.yaml", "properties:\n  node-timeout: soon\n"));
        assertEquals("c.yaml:2: properties.node-timeout: invalid duration \"soon\" (write e.g. 20s, 500ms, 5min or 1h)", e.getMessage());
    }

    @Test
    void nodeConfig_example_parsesAndRoundTrips() {
        NodeConfig n = NodeConfig.read(Path.of("examples/node-kvm1.yaml"));
        assertEquals("kvm1", n.node());
        assertEquals(Path.of("/var/lib/vigil"), n.dataDir());
        assertEquals(List.of("10.0.0.1:9871", "10.0.0.2:9871", "10.0.0.3:9871"), n.adminTargets());
        assertEquals(Path.of("/dev/watchdog"), n.watchdog());
        assertEquals(n, NodeConfig.parse("again.yaml", n.format(), Path.of("/")));
        String without = "node: a\ndata-dir: d\ntoken-file: t\npki-dir: pki\npeers:\n  a: {raft: h:1, admin: h:2}\n";
        assertEquals(null, NodeConfig.parse("node.yaml", without, Path.of("/")).watchdog(), "no watchdog unless one is named");
    }

    @Test
    void nodeConfig_nodeNotAmongPeers_saysHowToAddIt() {
        String yaml = "node: x\ndata-dir: d\ntoken-file: t\npeers:\n  a: {raft: h:1, admin: h:2}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> NodeConfig.parse("node.yaml", yaml, Path.of("/")));
        assertTrue(e.getMessage().startsWith("node.yaml:4: peers: this node \"x\" is not among the peers [a]"), e.getMessage());
    }

    @Test
    void nodeConfig_badAddress_isRejected() {
        String yaml = "node: a\ndata-dir: d\ntoken-file: t\npeers:\n  a: {raft: nohost, admin: h:2}\n";
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> NodeConfig.parse("node.yaml", yaml, Path.of("/")));
        assertEquals("node.yaml:5: peers.a.raft: \"nohost\" is not host:port (write e.g. 192.168.1.10:9870)", e.getMessage());
    }

    /** The README's format reference is a valid config and node config: documentation examples must work. */
    @Test
    void readmeExamples_parse() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("README.md"));
        List<String> blocks = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(.*?)```", java.util.regex.Pattern.DOTALL).matcher(readme);
        while (m.find()) blocks.add(m.group(1));
        assertEquals(2, blocks.size());
        ClusterConfig c = ConfigYaml.parse("README.md", blocks.get(0));
        assertEquals(3, c.resources().size());
        assertEquals(Duration.ofSeconds(15), c.fenceDevice("ipmi-kvm1").orElseThrow().delay());
        NodeConfig n = NodeConfig.parse("README.md", blocks.get(1), Path.of("/"));
        assertEquals(3, n.peers().size());
    }
}
