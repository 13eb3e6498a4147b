package vigil.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.status.FenceEvent;

/** Topology logic with scripted device outcomes; the real devices are exercised in TopologyFencerIT. */
class TopologyFencerTest {
    private final List<String> calls = new ArrayList<>();
    private final List<Duration> slept = new ArrayList<>();
    private final Instant now = Instant.parse("2026-01-02T03:04:05Z");

    /** A device whose off returns {@code off}, and whose status then returns {@code status}. */
    private FenceAgent scripted(String id, FenceResult off, FenceResult status) {
        return new FenceAgent() {
            public FenceResult off(FenceRequest r) { calls.add(id + ":off:" + r.node() + ":" + r.plug()); return off; }
            public FenceResult on(FenceRequest r) { return new FenceResult.Failed("unused"); }
            public FenceResult reboot(FenceRequest r) { calls.add(id + ":reboot:" + r.node()); return off; }
            public FenceResult status(FenceRequest r) { calls.add(id + ":status"); return status; }
            public List<String> list(Duration t) { return List.of(); }
            public FenceResult monitor(Duration t) { return status; }
        };
    }

    private TopologyFencer fencer(Map<String, FenceAgent> agents) {
        return new TopologyFencer(d -> agents.get(d.id()), InstantSource.fixed(now), slept::add);
    }

    private static FenceDevice dev(String id, List<String> hosts, Map<String, String> map, Duration delay) {
        return new FenceDevice(id, "ipmi", Map.of("password", "pw-" + id), hosts, map, delay);
    }

    private static final FenceResult OFF = new FenceResult.Off("off");

    @Test
    void fence_levelsInIndexOrder_allDevicesOfALevelMustSucceed() {
        ClusterConfig cfg = ClusterConfig.builder()
                .fenceDevice(dev("a", List.of(), Map.of(), null)).fenceDevice(dev("b", List.of(), Map.of(), null)).fenceDevice(dev("c", List.of(), Map.of(), null))
                .fencingLevel(new FencingLevel("n1", 5, List.of("c")))
                .fencingLevel(new FencingLevel("n1", 1, List.of("a", "b")))
                .build();
        FenceEvent e = fencer(Map.of("a", scripted("a", OFF, OFF), "b", scripted("b", new FenceResult.Failed("b: refused, password pw-b"), OFF),
                "c", scripted("c", OFF, OFF))).fence(cfg, "n1", "off", "n2");
        assertTrue(e.success());
        assertEquals(List.of("c"), e.devices());
        assertEquals(List.of("a:off:n1:n1", "a:status", "b:off:n1:n1", "c:off:n1:n1", "c:status"), calls);
        assertEquals(now, e.at());
        assertFalse(e.detail().contains("pw-b"), e.detail());
        assertTrue(e.detail().contains("level 1 failed: b: refused, password ******"), e.detail());
    }

    @Test
    void fence_offNotConfirmedByStatus_isAFailure() {
        ClusterConfig cfg = ClusterConfig.builder().fenceDevice(dev("a", List.of("n1"), Map.of(), null)).build();
        FenceEvent e = fencer(Map.of("a", scripted("a", OFF, new FenceResult.On("still on")))).fence(cfg, "n1", "off", "n2");
        assertFalse(e.success());
        assertTrue(e.detail().contains("not confirmed off after off: still on"), e.detail());
    }

    @Test
    void fence_deviceReportingOn_isNeverASuccess() {
        ClusterConfig cfg = ClusterConfig.builder().fenceDevice(dev("a", List.of("n1"), Map.of(), null)).build();
        FenceEvent e = fencer(Map.of("a", scripted("a", new FenceResult.On("on"), OFF))).fence(cfg, "n1", "reboot", "n2");
        assertFalse(e.success());
    }

    @Test
    void fence_withoutLevels_capableDevicesOneAtATime_withDelayAndPlug() {
        ClusterConfig cfg = ClusterConfig.builder()
                .fenceDevice(dev("other", List.of("n9"), Map.of(), null))
                .fenceDevice(dev("first", List.of(), Map.of("n1", "outlet3"), Duration.ofSeconds(2)))
                .fenceDevice(dev("second", List.of("n1"), Map.of(), null))
                .build();
        FenceEvent e = fencer(Map.of("first", scripted("first", new FenceResult.Failed("nope"), OFF), "second", scripted("second", OFF, OFF)))
                .fence(cfg, "n1", "reboot", "n2");
        assertTrue(e.success(), e.detail());
        assertEquals(List.of("second"), e.devices());
        assertEquals(List.of(Duration.ofSeconds(2)), slept);
        // reboot is not followed by a status check: the target is on again by design
        assertEquals(List.of("first:reboot:n1", "second:reboot:n1"), calls);
    }

    @Test
    void topologyFencer_isProvidedAsNodeFencer_onModulePathAndClassPath() throws Exception {
        Module m = TopologyFencer.class.getModule();
        if (m.isNamed()) {
            assertTrue(m.getDescriptor().provides().stream().anyMatch(p -> p.service().equals("vigil.api.spi.NodeFencer")
                    && p.providers().equals(List.of(TopologyFencer.class.getName()))), m.getDescriptor().toString());
        }
        try (var in = TopologyFencer.class.getResourceAsStream("/META-INF/services/vigil.api.spi.NodeFencer")) {
            assertEquals(TopologyFencer.class.getName(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim());
        }
    }

    @Test
    void fence_noCapableDevice_saysHowToFixIt() {
        ClusterConfig cfg = ClusterConfig.builder().fenceDevice(dev("a", List.of("n9"), Map.of(), null)).build();
        FenceEvent e = fencer(Map.of()).fence(cfg, "n1", "off", "n2");
        assertFalse(e.success());
        assertTrue(e.detail().contains("no fence device can fence n1"), e.detail());
    }

    @Test
    void fence_unknownDeviceInLevel_orBadType_failsThatLevel() {
        ClusterConfig cfg = ClusterConfig.builder()
                .fenceDevice(new FenceDevice("weird", "no-such-type", Map.of(), List.of(), Map.of(), null))
                .fencingLevel(new FencingLevel("n1", 1, List.of("ghost")))
                .fencingLevel(new FencingLevel("n1", 2, List.of("weird")))
                .build();
        FenceEvent e = new TopologyFencer(FenceAgents::create, InstantSource.fixed(now), slept::add).fence(cfg, "n1", "off", "n2");
        assertFalse(e.success());
        assertTrue(e.detail().contains("level 1 failed: ghost: no such fence device"), e.detail());
        assertTrue(e.detail().contains("level 2 failed: weird: cannot use device: fence-devices.weird.type: no fence adapter"), e.detail());
    }
}
