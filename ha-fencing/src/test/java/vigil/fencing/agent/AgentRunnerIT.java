package vigil.fencing.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.FenceAgents;
import vigil.fencing.Labs;
import vigil.fencing.LogCapture;
import vigil.testkit.IpmiSimLab;
import vigil.testkit.LabDir;
import vigil.testkit.Peer;
import vigil.testkit.SnmpApcLab;

/** ClusterLabs fence agents (fence_ipmilan, fence_apc_snmp, fence_dummy) driven through their stdin protocol. */
class AgentRunnerIT {
    private static final String PASSWORD = "agent-BMC-pw-42";
    private static final Duration T = Duration.ofSeconds(60);
    private static Path lab;
    private static IpmiSimLab bmc;
    private static SnmpApcLab pdu;

    @BeforeAll
    static void start() {
        assumeTrue(Peer.installed("fence_ipmilan") && Peer.installed("fence_apc_snmp") && Peer.installed("fence_dummy"),
                "fence-agents not installed (bin/install-test-peers)");
        assumeTrue(IpmiSimLab.installed() && SnmpApcLab.installed(), "ipmi_sim / snmpd not installed (bin/install-test-peers)");
        lab = LabDir.create("agent");
        bmc = IpmiSimLab.start(lab, "bmc1", "admin", PASSWORD);
        pdu = SnmpApcLab.start(lab, "pdu1");
    }

    @AfterAll
    static void stop() {
        if (bmc != null) bmc.close();
        if (pdu != null) pdu.close();
        Labs.delete(lab);
    }

    private static FenceAgent ipmilan(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(Map.of("ip", bmc.host(), "ipport", Integer.toString(bmc.port()), "username", "admin",
                "password", PASSWORD, "lanplus", "1", "cipher", "3", "power_wait", "0", "host_argument", "none"));
        p.putAll(extra);
        p.values().removeIf(String::isEmpty);
        return FenceAgents.create(new FenceDevice("ipmilan-n1", "agent:fence_ipmilan", p, List.of("n1"), Map.of(), null));
    }

    @Test
    void fenceIpmilan_offOnReboot_changeTheSimulatedPower() {
        bmc.setPower(true);
        FenceRequest req = new FenceRequest("n1", null, T);
        try (FenceAgent a = ipmilan(Map.of())) {
            assertInstanceOf(FenceResult.On.class, a.status(req));
            FenceResult off = a.off(req);
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertFalse(bmc.powerOn());
            FenceResult on = a.on(req);
            assertInstanceOf(FenceResult.On.class, on, on.detail());
            assertTrue(bmc.powerOn());
            assertInstanceOf(FenceResult.Off.class, a.reboot(req));
            assertTrue(bmc.powerOn());
            assertInstanceOf(FenceResult.On.class, a.monitor(T));
        }
    }

    @Test
    void fenceIpmilan_passwordFromEnvironment() throws Exception {
        bmc.setPower(true);
        // the password reaches the agent on stdin only; here it comes from a file to keep the test self-contained
        Path pw = lab.resolve("pw");
        Files.writeString(pw, PASSWORD);
        try (FenceAgent a = ipmilan(Map.of("password", "", "password_file", pw.toString()))) {
            FenceResult off = a.off(new FenceRequest("n1", null, T));
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertFalse(bmc.powerOn());
        }
    }

    @Test
    void fenceIpmilan_wrongPassword_isAFailedFence_withoutTheSecret() {
        bmc.setPower(true);
        String wrong = "wrong-agent-pw-13";
        try (LogCapture logs = new LogCapture(); FenceAgent a = ipmilan(Map.of("password", wrong))) {
            FenceResult r = a.off(new FenceRequest("n1", null, T));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("fence_ipmilan exit 1") && r.detail().contains("Failed"), r.detail());
            assertFalse(r.detail().contains("DeprecationWarning"), r.detail());
            assertFalse(r.detail().contains(wrong) || logs.text().contains(wrong), logs.text());
        }
        assertTrue(bmc.powerOn());
    }

    @Test
    void fenceIpmilan_unreachable_timesOutAsAFailure() {
        // a dead port makes fence_ipmilan retry for ~20 s; a 4 s fence timeout must cut it short and fail
        try (FenceAgent a = ipmilan(Map.of("ipport", "9"))) {
            FenceResult r = a.off(new FenceRequest("n1", null, Duration.ofSeconds(4)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("did not finish within"), r.detail());
        }
    }

    @Test
    void fenceApcSnmp_switchesTheOutletOfItsNode() {
        pdu.setOutlet(2, true);
        var d = new FenceDevice("apc-agent", "agent:fence_apc_snmp", Map.of("ip", pdu.host(), "ipport", Integer.toString(pdu.port()),
                "community", SnmpApcLab.COMMUNITY, "power_wait", "0"), List.of(), Map.of("n2", "2"), null);
        try (FenceAgent a = FenceAgents.create(d)) {
            FenceRequest req = new FenceRequest("n2", d.plugFor("n2"), T);
            assertInstanceOf(FenceResult.On.class, a.status(req));
            FenceResult off = a.off(req);
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertFalse(pdu.outletOn(2));
            assertTrue(pdu.outletOn(1));
            assertInstanceOf(FenceResult.On.class, a.on(req));
            assertTrue(pdu.outletOn(2));
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8"), a.list(T));
        }
    }

    @Test
    void fenceDummy_statusFile() throws Exception {
        Path status = lab.resolve("dummy.status");
        Files.writeString(status, "on");
        var d = new FenceDevice("dummy", "agent:fence_dummy", Map.of("status_file", status.toString()), List.of("n9"), Map.of(), null);
        try (FenceAgent a = FenceAgents.create(d)) {
            FenceRequest req = new FenceRequest("n9", null, T);
            assertInstanceOf(FenceResult.On.class, a.status(req));
            FenceResult off = a.off(req);
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertEquals("off", Files.readString(status));
        }
    }

    @Test
    void unknownParameter_isRejectedWithTheKnownOnes() {
        var d = new FenceDevice("dummy", "agent:fence_dummy", Map.of("stauts_file", "/x"), List.of(), Map.of(), null);
        ConfigException e = assertThrows(ConfigException.class, () -> FenceAgents.create(d));
        assertEquals("fence-devices.dummy.params.stauts_file", e.field());
        assertTrue(e.fix().contains("status_file"), e.fix());
        var missing = new FenceDevice("x", "agent:fence_nosuchagent", Map.of(), List.of(), Map.of(), null);
        assertTrue(assertThrows(ConfigException.class, () -> FenceAgents.create(missing)).getMessage().contains("install fence-agents"));
    }
}
