package vigil.engine.ocf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.spi.ProcessRunner.ProcessResult;
import vigil.api.spi.ResourceInstance;
import vigil.api.spi.ResourceMetadata;
import vigil.api.status.OcfCode;

class OcfDriverTest {
    private static final Path ROOT = Path.of("/opt/ocf");

    private static ResourceInstance instance(Map<String, String> params, Map<String, String> meta, String peer) {
        return new ResourceInstance("d1", "ocf:heartbeat:Dummy", 0, params, meta, "node1", Duration.ofSeconds(20), peer, Map.of(), Map.of());
    }

    @Test
    void parseType_providerAndAgent() {
        String[] p = OcfDriver.parseType("ocf:heartbeat:Dummy");
        assertEquals("heartbeat", p[0]);
        assertEquals("Dummy", p[1]);
        assertEquals(Path.of("/opt/ocf/resource.d/heartbeat/Dummy"), OcfDriver.agentPath(ROOT, p[0], p[1]));
    }

    @Test
    void parseType_pathTraversalOrMissingPart_rejectedNamingTheType() {
        for (String bad : List.of("ocf:..:x", "ocf:heartbeat", "ocf:heart/beat:Dummy", "lsb:foo:bar", "ocf::Dummy")) {
            ConfigException e = assertThrows(ConfigException.class, () -> OcfDriver.parseType(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void argv_agentThenAction() {
        assertEquals(List.of("/opt/ocf/resource.d/heartbeat/Dummy", "migrate_to"),
                OcfDriver.argv(Path.of("/opt/ocf/resource.d/heartbeat/Dummy"), "migrate_to"));
    }

    @Test
    void environment_paramsMetaTimeoutAndMigrationPeers() {
        var inst = instance(Map.of("state", "/s/d1.state"), Map.of("target-role", "Started", "interval", "10000"), "node2");
        Map<String, String> env = OcfDriver.environment(ROOT, "heartbeat", "Dummy", inst, "migrate_to");
        assertEquals("/opt/ocf", env.get("OCF_ROOT"));
        assertEquals("1", env.get("OCF_RA_VERSION_MAJOR"));
        assertEquals("1", env.get("OCF_RA_VERSION_MINOR"));
        assertEquals("d1", env.get("OCF_RESOURCE_INSTANCE"));
        assertEquals("Dummy", env.get("OCF_RESOURCE_TYPE"));
        assertEquals("heartbeat", env.get("OCF_RESOURCE_PROVIDER"));
        assertEquals("/s/d1.state", env.get("OCF_RESKEY_state"));
        assertEquals("Started", env.get("OCF_RESKEY_CRM_meta_target_role"));
        assertEquals("20000", env.get("OCF_RESKEY_CRM_meta_timeout"));
        assertEquals("10000", env.get("OCF_RESKEY_CRM_meta_interval"));
        assertEquals("migrate_to", env.get("OCF_RESKEY_CRM_meta_name"));
        assertEquals("node1", env.get("OCF_RESKEY_CRM_meta_migrate_source"));
        assertEquals("node2", env.get("OCF_RESKEY_CRM_meta_migrate_target"));
        assertEquals("node1", env.get("OCF_RESKEY_CRM_meta_on_node"));
        assertFalse(env.containsKey("OCF_RESKEY_CRM_meta_clone"));

        Map<String, String> from = OcfDriver.environment(ROOT, "heartbeat", "Dummy", inst, "migrate_from");
        assertEquals("node2", from.get("OCF_RESKEY_CRM_meta_migrate_source"));
        assertEquals("node1", from.get("OCF_RESKEY_CRM_meta_migrate_target"));
    }

    @Test
    void environment_probeHasIntervalZero() {
        Map<String, String> env = OcfDriver.environment(ROOT, "heartbeat", "Dummy", instance(Map.of(), Map.of(), ""), "monitor");
        assertEquals("0", env.get("OCF_RESKEY_CRM_meta_interval"));
    }

    @Test
    void environment_cloneInstance_cloneNumberAndUniqueInstanceName() {
        var anonymous = new ResourceInstance("st", "ocf:pacemaker:Stateful", 1, Map.of(),
                Map.of("clone-max", "2", "promotable", "true", "globally-unique", "false"), "node1", Duration.ofSeconds(5), "", Map.of(), Map.of());
        Map<String, String> env = OcfDriver.environment(ROOT, "pacemaker", "Stateful", anonymous, "start");
        assertEquals("st", env.get("OCF_RESOURCE_INSTANCE"));
        assertEquals("1", env.get("OCF_RESKEY_CRM_meta_clone"));
        assertEquals("2", env.get("OCF_RESKEY_CRM_meta_clone_max"));
        assertEquals("true", env.get("OCF_RESKEY_CRM_meta_promotable"));

        var unique = new ResourceInstance("st", "ocf:pacemaker:Stateful", 3, Map.of(),
                Map.of("clone-max", "4", "globally-unique", "true"), "node1", Duration.ofSeconds(5), "", Map.of(), Map.of());
        assertEquals("st:3", OcfDriver.environment(ROOT, "pacemaker", "Stateful", unique, "start").get("OCF_RESOURCE_INSTANCE"));
    }

    @Test
    void code_undefinedExitIsGenericError_timeoutIsTimeout() {
        assertEquals(OcfCode.NOT_RUNNING, OcfDriver.code(new ProcessResult(7, "", "", false, Duration.ZERO)));
        assertEquals(OcfCode.RUNNING_PROMOTED, OcfDriver.code(new ProcessResult(8, "", "", false, Duration.ZERO)));
        assertEquals(OcfCode.ERR_GENERIC, OcfDriver.code(new ProcessResult(42, "", "", false, Duration.ZERO)));
        assertEquals(OcfCode.TIMEOUT, OcfDriver.code(new ProcessResult(-1, "", "", true, Duration.ZERO)));
    }

    @Test
    void reason_prefersExitReasonOverLastErrorLine() {
        var r = new ProcessResult(7, "", "Nov 23 INFO: x\nocf-exit-reason:No process state file found\nlater\n", false, Duration.ZERO);
        assertEquals("No process state file found", OcfDriver.reason(r));
        assertEquals("second", OcfDriver.reason(new ProcessResult(1, "", "first\nsecond\n", false, Duration.ZERO)));
    }

    @Test
    void metadata_recordedDummy_parametersAndActionTimeouts() throws IOException {
        // recorded output of resource-agents' Dummy meta-data (it declares a DOCTYPE that must not be fetched)
        String xml;
        try (InputStream in = getClass().getResourceAsStream("Dummy-meta-data.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        OcfAgentMetadata md = OcfAgentMetadata.parse("ocf:heartbeat:Dummy", xml);
        assertEquals("Dummy", md.name());
        var state = md.parameter("state").orElseThrow();
        assertTrue(state.unique());
        assertFalse(state.required());
        assertEquals("dummy", md.parameter("fake").orElseThrow().defaultValue());
        ResourceMetadata rm = md.toResourceMetadata("ocf:heartbeat:Dummy");
        assertEquals(Duration.ofSeconds(20), rm.defaultTimeout("start").orElseThrow());
        assertEquals(Duration.ofSeconds(5), rm.defaultTimeout("meta-data").orElseThrow());
        assertTrue(rm.supports("migrate_to"));
        assertFalse(rm.supports("promote"));
        assertEquals(Duration.ofSeconds(10), md.actions().stream().filter(a -> a.name().equals("monitor")).findFirst().orElseThrow().interval());
    }

    @Test
    void metadata_requiredSecretAndPerRoleMonitors() {
        String xml = "<resource-agent name=\"x\"><parameters>"
                + "<parameter name=\"ip\" required=\"1\"><content type=\"string\"/></parameter>"
                + "<parameter name=\"passwd\"><content type=\"string\"/></parameter>"
                + "<parameter name=\"key\" secret=\"1\" unique-group=\"k\"><content type=\"string\"/></parameter>"
                + "</parameters><actions>"
                + "<action name=\"monitor\" timeout=\"20s\" interval=\"10s\" role=\"Promoted\"/>"
                + "<action name=\"monitor\" timeout=\"30s\" interval=\"11s\" role=\"Unpromoted\"/>"
                + "<action name=\"promote\" timeout=\"500ms\"/></actions></resource-agent>";
        OcfAgentMetadata md = OcfAgentMetadata.parse("ocf:test:x", xml);
        assertTrue(md.parameter("ip").orElseThrow().required());
        assertTrue(md.parameter("passwd").orElseThrow().secret());
        var key = md.parameter("key").orElseThrow();
        assertTrue(key.secret());
        assertEquals("k", key.uniqueGroup());
        assertEquals(Duration.ofSeconds(30), md.defaultTimeout("monitor").orElseThrow());
        assertEquals(Duration.ofMillis(500), md.toResourceMetadata("ocf:test:x").defaultTimeout("promote").orElseThrow());
    }

    @Test
    void metadata_notXml_errorNamesTheAgent() {
        VigilException e = assertThrows(VigilException.class, () -> OcfAgentMetadata.parse("ocf:test:x", "usage: x {start|stop}"));
        assertTrue(e.getMessage().startsWith("ocf:test:x: meta-data"), e.getMessage());
    }

    @Test
    void promotionScore_lastSetOrDeleteWins() {
        assertEquals(OptionalInt.of(10), ToolShims.lastScore(List.of("v 5", "v 10")));
        assertEquals(OptionalInt.empty(), ToolShims.lastScore(List.of("v 5", "D")));
        assertEquals(OptionalInt.of(1_000_000), ToolShims.lastScore(List.of("D", "v INFINITY")));
        assertEquals(OptionalInt.of(-1_000_000), ToolShims.lastScore(List.of("v -INFINITY")));
        assertEquals(OptionalInt.empty(), ToolShims.lastScore(List.of("")));
    }
}
