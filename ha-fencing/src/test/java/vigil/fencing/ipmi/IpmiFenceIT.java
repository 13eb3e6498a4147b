package vigil.fencing.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.FenceAgents;
import vigil.fencing.Labs;
import vigil.fencing.LogCapture;
import vigil.testkit.Await;
import vigil.testkit.IpmiSimLab;
import vigil.testkit.LabDir;

/** The ipmi adapter against OpenIPMI's ipmi_sim: every action really changes the simulated chassis power. */
class IpmiFenceIT {
    private static final String PASSWORD = "s3cret-BMC-pw";
    private static final Duration T = Duration.ofSeconds(30);
    private static Path lab;
    private static IpmiSimLab bmc;

    @BeforeAll
    static void start() {
        assumeTrue(IpmiSimLab.installed(), "ipmi_sim / ipmitool not installed (bin/install-test-peers)");
        lab = LabDir.create("ipmi");
        bmc = IpmiSimLab.start(lab, "bmc1", "admin", PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (bmc != null) bmc.close();
        Labs.delete(lab);
    }

    private static FenceAgent agent(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(Map.of("ip", bmc.host(), "ipport", Integer.toString(bmc.port()), "username", "admin",
                "password", PASSWORD, "cipher", "3", "lan_timeout", "1s", "retries", "1", "power_wait", "200ms"));
        p.putAll(extra);
        return FenceAgents.create(new FenceDevice("ipmi-n1", "ipmi", p, List.of("n1"), Map.of(), null));
    }

    @Test
    void offOnReboot_changeTheSimulatedPower() {
        FenceRequest req = new FenceRequest("n1", null, T);
        try (FenceAgent a = agent(Map.of())) {
            bmc.setPower(true);
            assertInstanceOf(FenceResult.On.class, a.status(req));
            FenceResult off = a.off(req);
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertFalse(bmc.powerOn());
            assertInstanceOf(FenceResult.Off.class, a.status(req));
            FenceResult on = a.on(req);
            assertInstanceOf(FenceResult.On.class, on, on.detail());
            assertTrue(bmc.powerOn());
            FenceResult reboot = a.reboot(req);
            assertInstanceOf(FenceResult.Off.class, reboot, reboot.detail());
            assertTrue(reboot.detail().contains("was off, powered on again"), reboot.detail());
            assertTrue(bmc.powerOn());
            assertInstanceOf(FenceResult.On.class, a.monitor(T));
        }
    }

    @Test
    void reboot_methodCycle_isOnePowerCycle() {
        bmc.setPower(true);
        try (FenceAgent a = agent(Map.of("method", "cycle"))) {
            FenceResult r = a.reboot(new FenceRequest("n1", null, T));
            assertInstanceOf(FenceResult.Off.class, r, r.detail());
            assertTrue(r.detail().contains("power-cycled"), r.detail());
            // ipmi_sim powers the chassis off at once and on again a second later
            Await.until(Duration.ofSeconds(20), "simulated chassis on again after the cycle", bmc::powerOn);
        }
    }

    @Test
    void off_passwordFromFile_andOperatorPrivilege() throws Exception {
        Path pw = lab.resolve("bmc1.pw");
        Files.writeString(pw, PASSWORD + "\n");
        bmc.setPower(true);
        Map<String, String> p = new HashMap<>(Map.of("password", "", "password_file", pw.toString(), "privlvl", "operator"));
        try (FenceAgent a = agent(p)) {
            FenceResult r = a.off(new FenceRequest("n1", null, T));
            assertInstanceOf(FenceResult.Off.class, r, r.detail());
            assertFalse(bmc.powerOn());
        }
    }

    @Test
    void off_wrongPassword_failsClearly_withoutLeakingIt() {
        bmc.setPower(true);
        String wrong = "not-the-Password-9";
        try (LogCapture logs = new LogCapture(); FenceAgent a = agent(Map.of("password", wrong))) {
            FenceResult r = a.off(new FenceRequest("n1", null, T));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("rejected the password of user \"admin\""), r.detail());
            assertFalse(r.detail().contains(wrong));
            assertFalse(logs.text().contains(wrong), logs.text());
            assertTrue(logs.text().contains("ipmi-n1"), logs.text());
        }
        assertTrue(bmc.powerOn(), "a failed fence must not have changed the power");
    }

    @Test
    void off_unreachableBmc_failsWithinTheTimeout() {
        int deadPort = bmc.port() + 1 == 65536 ? 1024 : bmc.port() + 1;
        try (FenceAgent a = agent(Map.of("ipport", Integer.toString(deadPort)))) {
            FenceResult r = a.off(new FenceRequest("n1", null, Duration.ofSeconds(20)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("no answer from BMC 127.0.0.1:" + deadPort), r.detail());
        }
    }

    @Test
    void off_timeoutShorterThanTheBmcNeeds_isAFailure() {
        // 1 s per packet and 3 retries against a dead port cannot finish within 1.5 s
        try (FenceAgent a = agent(Map.of("ipport", "9", "retries", "3"))) {
            FenceResult r = a.off(new FenceRequest("n1", null, Duration.ofMillis(1500)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("timed out"), r.detail());
        }
    }

    @Test
    void wrongCipher_isNamed() {
        try (FenceAgent a = agent(Map.of("cipher", "17"))) {
            FenceResult r = a.status(new FenceRequest("n1", null, T));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertTrue(r.detail().contains("cipher suite 17"), r.detail());
        }
        assertEquals(List.of(), agent(Map.of()).list(T));
    }
}
