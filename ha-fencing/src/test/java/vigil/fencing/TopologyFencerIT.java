package vigil.fencing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.status.FenceEvent;
import vigil.testkit.Await;
import vigil.testkit.IpmiSimLab;
import vigil.testkit.LabDir;
import vigil.testkit.SnmpApcLab;

/** Fencing topology against real peers: a level that fails (wrong BMC password) falls back to the next level. */
class TopologyFencerIT {
    private static final String PASSWORD = "topology-pw-7";
    private static final String WRONG = "wrong-topology-pw";
    private static Path lab;
    private static IpmiSimLab bmc;
    private static SnmpApcLab pdu;

    @BeforeAll
    static void start() {
        assumeTrue(IpmiSimLab.installed() && SnmpApcLab.installed(), "ipmi_sim / snmpd not installed (bin/install-test-peers)");
        lab = LabDir.create("topo");
        bmc = IpmiSimLab.start(lab, "bmc1", "admin", PASSWORD);
        pdu = SnmpApcLab.start(lab, "pdu1");
    }

    @AfterAll
    static void stop() {
        if (bmc != null) bmc.close();
        if (pdu != null) pdu.close();
        Labs.delete(lab);
    }

    private static FenceDevice ipmi(String id, String password) {
        return new FenceDevice(id, "ipmi", Map.of("ip", bmc.host(), "ipport", Integer.toString(bmc.port()), "username", "admin",
                "password", password, "lan_timeout", "1s", "retries", "1", "power_wait", "200ms"), List.of("n1"), Map.of(), null);
    }

    /**
     * A PDU device; with a wrong community the agent drops the requests silently, so the device fails after one short
     * timeout, while the right one gets time to answer on a busy machine (snmpd answered after more than 500 ms at a
     * load of 20).
     */
    private static FenceDevice apc(String id, String community) {
        String timeout = community.equals(SnmpApcLab.COMMUNITY) ? "5s" : "500ms";
        return new FenceDevice(id, "apc-snmp", Map.of("ip", pdu.host(), "ipport", Integer.toString(pdu.port()), "community", community,
                "snmp_timeout", timeout, "retries", "0", "power_wait", "100ms"), List.of(), Map.of("n1", "4"), Duration.ofMillis(300));
    }

    private static ClusterConfig.Builder config() {
        return ClusterConfig.builder().properties(ClusterProperties.builder().fenceTimeout(Duration.ofSeconds(20)).build());
    }

    @Test
    void level1WrongPassword_level2BmcAndPdu_succeeds() {
        bmc.setPower(true);
        pdu.setOutlet(4, true);
        ClusterConfig cfg = config()
                .fenceDevice(ipmi("ipmi-bad", WRONG)).fenceDevice(ipmi("ipmi-good", PASSWORD)).fenceDevice(apc("pdu-n1", SnmpApcLab.COMMUNITY))
                .fencingLevel(new FencingLevel("n1", 2, List.of("ipmi-good", "pdu-n1")))
                .fencingLevel(new FencingLevel("n1", 1, List.of("ipmi-bad")))
                .build();
        FenceEvent e;
        try (LogCapture logs = new LogCapture()) {
            e = new TopologyFencer().fence(cfg, "n1", "off", "n2");
            assertFalse(logs.text().contains(WRONG), logs.text());
            assertTrue(logs.text().contains("n1: level 1 [ipmi-bad] failed, trying the next"), logs.text());
        }
        assertTrue(e.success(), e.detail());
        assertEquals(List.of("ipmi-good", "pdu-n1"), e.devices());
        assertEquals("n2", e.executor());
        assertTrue(e.detail().startsWith("level 1 failed: ipmi-bad: off of n1 failed: BMC 127.0.0.1:"), e.detail());
        assertTrue(e.detail().contains("level 2 succeeded"), e.detail());
        assertFalse(e.detail().contains(WRONG) || e.detail().contains(PASSWORD) || e.detail().contains(SnmpApcLab.COMMUNITY), e.detail());
        assertFalse(bmc.powerOn());
        assertFalse(pdu.outletOn(4));
    }

    @Test
    void everyLevelFails_isAFailedEvent_andNothingClaimsOff() {
        bmc.setPower(true);
        pdu.setOutlet(4, true);
        ClusterConfig cfg = config()
                .fenceDevice(ipmi("ipmi-bad", WRONG)).fenceDevice(ipmi("ipmi-good", PASSWORD)).fenceDevice(apc("pdu-bad", "not-the-community"))
                .fencingLevel(new FencingLevel("n1", 1, List.of("ipmi-bad")))
                .fencingLevel(new FencingLevel("n1", 2, List.of("pdu-bad", "ipmi-good")))
                .build();
        FenceEvent e = new TopologyFencer().fence(cfg, "n1", "off", "n2");
        assertFalse(e.success(), e.detail());
        assertTrue(e.detail().contains("level 2 failed: pdu-bad: off of n1 failed: no answer"), e.detail());
        assertFalse(e.detail().contains("not-the-community"), e.detail());
        assertTrue(bmc.powerOn(), "level 2 stops at its first failing device");
        assertTrue(pdu.outletOn(4));
    }

    @Test
    void withoutLevels_triesEachCapableDevice_processDeviceKillsTheNode() throws Exception {
        Process node = new ProcessBuilder("sleep", "600").start();
        try {
            Path pidFile = lab.resolve("n3.pid");
            Files.writeString(pidFile, node.pid() + "\n");
            ClusterConfig cfg = config()
                    .fenceDevice(ipmi("ipmi-bad", WRONG))   // host list n1 only: not used for n3
                    .fenceDevice(new FenceDevice("proc", "process", Map.of(), List.of(), Map.of("n3", pidFile.toString()), null))
                    .build();
            FenceEvent e = new TopologyFencer().fence(cfg, "n3", "off", "n1");
            assertTrue(e.success(), e.detail());
            assertEquals(List.of("proc"), e.devices());
            Await.until(Duration.ofSeconds(10), "sleep process gone", () -> !node.isAlive());
            assertEquals(137, node.waitFor());
        } finally {
            node.destroyForcibly();
        }
    }
}
