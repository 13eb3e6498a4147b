package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;

/** Resource configuration from cluster parameters, its validation, and the rendered resource file. */
class DrbdResourceConfigTest {

    static Map<String, String> params() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hosts", "node1=host-a:10.0.0.1,node2=host-b:10.0.0.2");
        p.put("device", "/dev/drbd0");
        p.put("disk", "/dev/vg0/vm1");
        p.put("disk@node2", "/dev/vg1/vm1");
        p.put("net.max-buffers", "8000");
        p.put("handler.fence-peer", "/usr/lib/vigil/fence-peer");
        p.put("quorum", "majority");
        p.put("after-sb-0pri", "discard-zero-changes");
        p.put("after-sb-1pri", "discard-secondary");
        return p;
    }

    @Test
    void fromParams_assignsNodeIdsInOrderAndPerNodeDisks() {
        DrbdResourceConfig c = DrbdResourceConfig.fromParams("vm1-disk", params());
        assertEquals("vm1-disk", c.name());
        assertEquals(0, c.host("node1").nodeId());
        assertEquals(1, c.host("node2").nodeId());
        assertEquals("host-b", c.host("node2").hostname());
        assertEquals("/dev/vg1/vm1", c.host("node2").disk().get(0));
        assertEquals("/dev/vg0/vm1", c.host("node1").disk().get(0));
        assertEquals(FencingPolicy.RESOURCE_ONLY, c.fencing());
        assertEquals("C", c.protocol());
        assertEquals(7789, c.host("node1").port());
    }

    @Test
    void render_containsEverySettingInDrbd9Syntax() {
        String f = DrbdResourceFile.render(DrbdResourceConfig.fromParams("vm1-disk", params()));
        for (String want : new String[] {"resource vm1-disk {", "quorum majority;", "on-no-quorum suspend-io;", "protocol C;",
                "fencing resource-only;", "after-sb-0pri discard-zero-changes;", "after-sb-1pri discard-secondary;",
                "after-sb-2pri disconnect;", "allow-two-primaries no;", "max-buffers 8000;", "fence-peer \"/usr/lib/vigil/fence-peer\";",
                "device /dev/drbd0;", "meta-disk internal;", "on host-a {", "node-id 0;", "address 10.0.0.1:7789;", "disk /dev/vg0/vm1;",
                "on host-b {", "node-id 1;", "address 10.0.0.2:7789;", "disk /dev/vg1/vm1;"}) {
            assertTrue(f.contains(want), "missing `" + want + "` in\n" + f);
        }
        assertTrue(!f.contains("connection-mesh"), "two hosts need no connection-mesh");
    }

    @Test
    void render_threeHostsAndIpv6_addsMeshAndIpv6Syntax() {
        Map<String, String> p = params();
        p.put("hosts", "a:10.0.0.1,b:10.0.0.2,c:fd00::3");
        String f = DrbdResourceFile.render(DrbdResourceConfig.fromParams("r0", p));
        assertTrue(f.contains("connection-mesh {\n    hosts a b c;\n  }"), f);
        assertTrue(f.contains("address ipv6 [fd00::3]:7789;"), f);
    }

    @Test
    void fromCluster_takesHostsFromMemberNodes() {
        ClusterConfig cc = ClusterConfig.builder()
                .node(new Node("n1", "10.1.0.1:9000", null, Map.of("hostname", "alpha")))
                .node(new Node("n2", "10.1.0.2:9000", null, Map.of("drbd-address", "192.168.5.2")))
                .node(Node.witness("w", "10.1.0.3:9000"))
                .resource(Primitive.builder("disk1", "drbd").param("device", "/dev/drbd5").param("disk", "/dev/sdb").build())
                .build();
        DrbdResourceConfig c = DrbdResourceConfig.fromCluster(cc, "disk1");
        assertEquals(2, c.hosts().size());
        assertEquals("alpha", c.host("n1").hostname());
        assertEquals("10.1.0.1", c.host("n1").address());
        assertEquals("n2", c.host("n2").hostname());
        assertEquals("192.168.5.2", c.host("n2").address());
    }

    @Test
    void invalidSettings_failNamingFieldValueAndFix() {
        Map<String, String> p = params();
        p.put("after-sb-2pri", "discard-secondary");
        ConfigException e = assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", p));
        assertEquals("after-sb-2pri", e.field());
        assertTrue(e.getMessage().contains("discard-secondary") && e.getMessage().contains("call-pri-lost-after-sb"), e.getMessage());

        Map<String, String> q = params();
        q.put("protocol", "A");
        assertEquals("resources.r0.protocol", assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", q)).field());

        Map<String, String> h = params();
        h.put("hosts", "node1:10.0.0.1");
        assertTrue(assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", h)).getMessage().contains("at least 2 hosts"));

        Map<String, String> d = params();
        d.put("disk", "/dev/sdb; rm -rf /");
        d.remove("disk@node2");
        assertTrue(assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", d)).field().startsWith("resources.r0.disk@"));

        Map<String, String> n = params();
        n.put("net.allow-two-primaries", "yes");
        assertEquals("resources.r0.net.allow-two-primaries", assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", n)).field());

        Map<String, String> f = params();
        f.put("fencing", "stonith");
        assertEquals("resources.r0.fencing", assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", f)).field());

        Map<String, String> ids = params();
        ids.put("node-id@node2", "0");
        assertTrue(assertThrows(ConfigException.class, () -> DrbdResourceConfig.fromParams("r0", ids)).getMessage().contains("used twice"));
    }

    @Test
    void withAllowTwoPrimaries_rendersYes() {
        DrbdResourceConfig c = DrbdResourceConfig.fromParams("r0", params()).withAllowTwoPrimaries(true);
        assertTrue(DrbdResourceFile.render(c).contains("allow-two-primaries yes;"));
    }
}
