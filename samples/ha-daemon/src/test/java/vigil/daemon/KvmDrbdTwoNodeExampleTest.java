package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.ConfigValidator;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ResourceDriver;
import vigil.daemon.config.ConfigUpdate;
import vigil.daemon.config.YamlConfigException;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.driver.JavaServiceDriver;
import vigil.raft.agent.AgentAddresses;
import vigil.storage.DrbdResourceConfig;

/**
 * The two-host sample ({@code examples/kvm-drbd-two-node.yaml}) applied as {@code vigil config apply -f} applies it
 * to a cluster whose two hosts joined with {@code vigil init} / {@code vigil join} (the file has no nodes section):
 * it validates, two-node mode included, every primitive's parameters are ones its driver or agent declares (and the
 * required ones are set), the DRBD resource file can be generated from it, and each fence device can be created by
 * its provider. The IPaddr2 check reads the installed resource-agents' meta-data.
 */
class KvmDrbdTwoNodeExampleTest {
    private static final Path EXAMPLE = Path.of("examples/kvm-drbd-two-node.yaml");

    /** The configuration of two hosts right after {@code vigil init} on kvm1 and {@code vigil join} on kvm2. */
    private static ClusterConfig joined() {
        return ClusterConfig.builder().node(joinedNode("kvm1", "10.0.0.1")).node(joinedNode("kvm2", "10.0.0.2")).build();
    }

    private static Node joinedNode(String id, String ip) {
        return new Node(id, ip + ":9870", NodeRole.MEMBER, Map.of(Setup.ADMIN_ADDRESS, ip + ":9871", AgentAddresses.ATTRIBUTE, ip + ":9871"));
    }

    private static ClusterConfig applied() { return ConfigUpdate.read(EXAMPLE).applyTo(joined()); }

    @Test
    void appliedToTwoJoinedHosts_isAValidTwoNodeClusterWithTheVmOnDrbdPattern() {
        ClusterConfig c = applied();
        new ConfigValidator(t -> java.util.Optional.empty()).validate(c);
        assertTrue(c.properties().twoNode());
        assertTrue(c.properties().stonithEnabled());
        assertEquals(Duration.ofSeconds(10), c.properties().priorityFencingDelay());
        assertEquals(List.of("kvm1", "kvm2"), c.nodes().stream().map(Node::id).toList());

        Clone disk = (Clone) c.resource("vm1-disk").orElseThrow();
        assertTrue(disk.promotable());
        Primitive vm = (Primitive) c.resource("vm1").orElseThrow();
        assertEquals("kvm", vm.type());
        assertEquals("true", vm.meta().get("allow-migrate").orElseThrow());
        Constraint.Colocation with = (Constraint.Colocation) constraint(c, "vm1-with-its-disk-primary");
        assertEquals(List.of("vm1", "vm1-disk", Role.PROMOTED, Score.INFINITY), List.of(with.resource(), with.withResource(), with.withRole(), with.score()));
        Constraint.Order after = (Constraint.Order) constraint(c, "vm1-after-disk-promote");
        assertEquals(List.of("vm1-disk", "promote", "vm1", "start"), List.of(after.first(), after.firstAction().text(), after.then(), after.thenAction().text()));
        Constraint.Colocation vip = (Constraint.Colocation) constraint(c, "vip-with-vm1");
        assertEquals(List.of("vip", "vm1", Score.INFINITY), List.of(vip.resource(), vip.withResource(), vip.score()));
        assertEquals(List.of("kvm1"), c.fenceDevice("ipmi-kvm1").orElseThrow().hostList());
        assertEquals(List.of("kvm2"), c.fenceDevice("ipmi-kvm2").orElseThrow().hostList());
        assertTrue(c.blobs().get("vm1.xml").contains("<source dev='/dev/drbd1'/>"));
    }

    @Test
    void everyPrimitive_setsOnlyParametersItsDriverDeclares_andEveryRequiredOne() {
        DriverRegistry drivers = DriverRegistry.load(new JavaServiceDriver());
        ClusterConfig c = applied();
        List<Primitive> primitives = c.primitives().toList();
        assertEquals(Set.of("vm1-drbd", "vm1", "vip"), Set.copyOf(primitives.stream().map(Primitive::id).toList()));
        for (Primitive p : primitives) {
            ResourceDriver d = drivers.find(p.type()).orElseThrow(() -> new AssertionError(p.id() + ": no driver or agent for " + p.type()));
            Set<String> known = new TreeSet<>();
            for (ParameterSpec s : d.metadata().parameters()) {
                known.add(s.name());
                if (s.required()) assertTrue(p.params().containsKey(s.name()), p.id() + " lacks required " + s.name());
            }
            assertTrue(known.containsAll(p.params().keySet()), p.id() + " sets " + p.params().keySet() + ", " + p.type() + " knows " + known);
        }
        DrbdResourceConfig drbd = DrbdResourceConfig.fromCluster(c, "vm1-drbd");
        assertEquals("vm1", drbd.name());
        assertEquals(List.of("kvm1", "kvm2"), drbd.hosts().stream().map(DrbdResourceConfig.Host::node).toList());
    }

    @Test
    void everyFenceDevice_isCreatedByItsProvider(@TempDir Path etc) throws IOException {
        ClusterConfig c = applied();
        assertEquals(2, c.fenceDevices().size());
        for (FenceDevice d : c.fenceDevices()) {
            // the password file the walk-through writes, here in a temporary directory
            Path secret = Files.writeString(etc.resolve(d.id() + ".password"), "secret\n");
            Map<String, String> params = new HashMap<>(d.params());
            assertTrue(params.containsKey("password_file"), d.id() + " keeps its password in a file");
            params.put("password_file", secret.toString());
            FenceDevice local = new FenceDevice(d.id(), d.type(), params, d.hostList(), d.hostMap(), d.delay());
            FenceAgentProvider provider = ServiceLoader.load(FenceAgentProvider.class).stream().map(ServiceLoader.Provider::get)
                    .filter(p -> p.supports(d.type())).findFirst().orElseThrow(() -> new AssertionError("no provider for " + d.type()));
            provider.create(local);
        }
    }

    @Test
    void beforeTheSecondHostJoined_theFileIsRefused_namingTwoNodeMode() {
        ClusterConfig one = ClusterConfig.builder().node(joinedNode("kvm1", "10.0.0.1")).build();
        YamlConfigException e = assertThrows(YamlConfigException.class, () -> ConfigUpdate.read(EXAMPLE).applyTo(one));
        assertTrue(e.getMessage().contains("two-node mode needs exactly two members"), e.getMessage());
        assertTrue(e.getMessage().contains("add the second host first"), e.getMessage());
    }

    private static Constraint constraint(ClusterConfig c, String id) {
        return c.constraints().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }
}
