package vigil.fencing.apc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.FenceAgents;
import vigil.fencing.Labs;
import vigil.fencing.LogCapture;
import vigil.testkit.LabDir;
import vigil.testkit.SnmpApcLab;

/** The apc-snmp adapter against net-snmp's snmpd emulating PowerNet-MIB rPDU outlets: outlets really switch. */
class ApcSnmpIT {
    private static final Duration T = Duration.ofSeconds(20);
    private static Path lab;
    private static SnmpApcLab pdu;

    @BeforeAll
    static void start() {
        assumeTrue(SnmpApcLab.installed(), "snmpd / python3 not installed (bin/install-test-peers)");
        lab = LabDir.create("apc");
        pdu = SnmpApcLab.start(lab, "pdu1");
    }

    @AfterAll
    static void stop() {
        if (pdu != null) pdu.close();
        Labs.delete(lab);
    }

    private static FenceAgent agent(Map<String, String> params) {
        // A generous per-request timeout: these tests check what the PDU does, and snmpd's SNMPv3 crypto plus the
        // outlet script can take over a second per request on a loaded machine. The timeout paths set their own.
        Map<String, String> p = new HashMap<>(Map.of("ip", pdu.host(), "ipport", Integer.toString(pdu.port()), "power_wait", "100ms",
                "snmp_timeout", "5s"));
        p.putAll(params);
        return FenceAgents.create(new FenceDevice("pdu1", "apc-snmp", p, List.of(), Map.of("n1", "3", "n2", "outlet5", "n3", "9"), null));
    }

    private static FenceRequest req(String node, String plug) { return new FenceRequest(node, plug, T); }

    @Test
    void v1_offOnReboot_switchTheOutlet() {
        pdu.setOutlet(3, true);
        try (FenceAgent a = agent(Map.of("community", SnmpApcLab.COMMUNITY))) {
            assertInstanceOf(FenceResult.On.class, a.status(req("n1", "3")));
            FenceResult off = a.off(req("n1", "3"));
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertFalse(pdu.outletOn(3));
            assertTrue(pdu.outletOn(2), "only the mapped outlet switches");
            assertInstanceOf(FenceResult.Off.class, a.status(req("n1", "3")));
            FenceResult on = a.on(req("n1", "3"));
            assertInstanceOf(FenceResult.On.class, on, on.detail());
            assertTrue(pdu.outletOn(3));
            FenceResult reboot = a.reboot(req("n1", "3"));
            assertInstanceOf(FenceResult.Off.class, reboot, reboot.detail());
            assertTrue(pdu.outletOn(3));
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8"), a.list(T));
            assertInstanceOf(FenceResult.On.class, a.monitor(T));
        }
    }

    @Test
    void v2c_outletByName() {
        pdu.setOutlet(5, true);
        try (FenceAgent a = agent(Map.of("snmp_version", "2c", "community", SnmpApcLab.COMMUNITY))) {
            FenceResult off = a.off(req("n2", "outlet5"));
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertTrue(off.detail().contains("outlet 5"), off.detail());
            assertFalse(pdu.outletOn(5));
        }
    }

    @Test
    void v3_authPriv_switchesTheOutlet() {
        pdu.setOutlet(6, true);
        try (FenceAgent a = agent(Map.of("snmp_version", "3", "username", SnmpApcLab.V3_USER, "auth_protocol", "SHA",
                "password", SnmpApcLab.V3_AUTH, "priv_protocol", "AES", "priv_password", SnmpApcLab.V3_PRIV))) {
            FenceResult off = a.off(req("n6", "6"));
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertFalse(pdu.outletOn(6));
        }
    }

    @Test
    void v3_wrongPassPhrase_failsClearly_withoutLeakingIt() {
        pdu.setOutlet(7, true);
        String wrong = "wrong-auth-phrase-77";
        try (LogCapture logs = new LogCapture(); FenceAgent a = agent(Map.of("snmp_version", "3", "username", SnmpApcLab.V3_USER,
                "password", wrong, "priv_password", SnmpApcLab.V3_PRIV))) {
            FenceResult r = a.off(req("n7", "7"));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("rejected the SNMPv3 pass phrases of user \"vigil\""), r.detail());
            assertFalse(r.detail().contains(wrong) || logs.text().contains(wrong) || logs.text().contains(SnmpApcLab.V3_PRIV), logs.text());
        }
        assertTrue(pdu.outletOn(7));
    }

    @Test
    void wrongCommunity_isAFailedFence_neverASuccess() {
        pdu.setOutlet(4, true);
        try (LogCapture logs = new LogCapture(); FenceAgent a = agent(Map.of("community", "guessed-community", "snmp_timeout", "500ms", "retries", "0"))) {
            FenceResult r = a.off(new FenceRequest("n4", "4", Duration.ofSeconds(3)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("no answer from PDU 127.0.0.1:" + pdu.port()) && r.detail().contains("community"), r.detail());
            assertFalse(r.detail().contains("guessed-community") || logs.text().contains("guessed-community"), logs.text());
        }
        assertTrue(pdu.outletOn(4));
    }

    @Test
    void unknownOutlet_isNamed() {
        try (FenceAgent a = agent(Map.of("community", SnmpApcLab.COMMUNITY))) {
            FenceResult r = a.off(req("n3", "9"));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("wrong outlet number"), r.detail());
            FenceResult byName = a.status(req("n3", "no-such-outlet"));
            assertTrue(byName.detail().contains("no outlet named \"no-such-outlet\""), byName.detail());
        }
    }
}
