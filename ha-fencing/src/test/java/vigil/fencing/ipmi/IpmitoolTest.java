package vigil.fencing.ipmi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.ProcessRunner;
import vigil.fencing.LogCapture;

class IpmitoolTest {
    private static final Ipmitool.Target T = new Ipmitool.Target("ipmitool", "10.0.0.5", 6230, "admin", "administrator", 3, Duration.ofSeconds(2), 1);

    @Test
    void argv_status_passesPasswordByEnvironmentNotArgv() {
        assertEquals(List.of("ipmitool", "-I", "lanplus", "-H", "10.0.0.5", "-p", "6230", "-U", "admin", "-E", "-L", "ADMINISTRATOR",
                "-C", "3", "-N", "2", "-R", "1", "-v", "chassis", "power", "status"), Ipmitool.argv(T, Ipmitool.PowerCommand.STATUS, true));
        assertEquals("off", Ipmitool.argv(T, Ipmitool.PowerCommand.OFF, true).get(21));
    }

    @Test
    void argv_noUsername_omitsU() {
        var t = new Ipmitool.Target("/opt/ipmitool", "h", 623, "", "operator", 17, Duration.ofMillis(300), 0);
        List<String> a = Ipmitool.argv(t, Ipmitool.PowerCommand.CYCLE, false);
        assertFalse(a.contains("-U"));
        assertFalse(a.contains("-E"));
        assertEquals("", a.get(a.indexOf("-P") + 1), "an empty password is given as such, so ipmitool does not prompt");
        assertTrue(String.join(" ", a).contains("-L OPERATOR -C 17 -N 1 -R 0 -v chassis power cycle"), a.toString());
    }

    // recorded from ipmitool 1.8.19 against ipmi_sim (OpenIPMI 2.0.33)
    @Test
    void parseStatus_recordedOutput() {
        assertEquals(Optional.of(true), Ipmitool.parseStatus("Chassis Power is on\n"));
        assertEquals(Optional.of(false), Ipmitool.parseStatus("Chassis Power is off\n"));
        assertEquals(Optional.empty(), Ipmitool.parseStatus("Chassis Power Control: Down/Off\n"));
    }

    @Test
    void explain_recordedErrors_sayWhatToCheck() {
        assertTrue(Ipmitool.explain("Loading IANA PEN Registry...\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session\n", T)
                .contains("rejected the password of user \"admin\""));
        assertTrue(Ipmitool.explain("RAKP 2 message indicates an error : unauthorized name\nError: Unable to establish IPMI v2 / RMCP+ session\n", T)
                .contains("does not know user \"admin\""));
        assertTrue(Ipmitool.explain("Get Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request\n"
                + "Error: Unable to establish IPMI v2 / RMCP+ session\n", T).contains("no answer from BMC 10.0.0.5:6230"));
        assertTrue(Ipmitool.explain("Error in open session response message : invalid authentication algorithm\n", T).contains("cipher suite 3"));
    }

    @Test
    void create_missingIp_namesTheParameter() {
        var d = new FenceDevice("ipmi-n1", "ipmi", Map.of("username", "admin"), List.of("n1"), Map.of(), null);
        ConfigException e = assertThrows(ConfigException.class, () -> IpmiProvider.create(d, ProcessRunner.local()));
        assertEquals("fence-devices.ipmi-n1.params.ip", e.field());
    }

    @Test
    void create_badPrivlvl_isRejected() {
        var d = new FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "h", "privlvl", "root"), List.of(), Map.of(), null);
        ConfigException e = assertThrows(ConfigException.class, () -> IpmiProvider.create(d, ProcessRunner.local()));
        assertTrue(e.getMessage().contains("operator"), e.getMessage());
    }

    @Test
    void off_passwordFromEnvironmentVariable_reachesOnlyTheEnvironment() {
        List<List<String>> argvs = new ArrayList<>();
        List<Map<String, String>> envs = new ArrayList<>();
        boolean[] on = {true};
        ProcessRunner recorder = (argv, env, stdin, timeout) -> {
            argvs.add(argv);
            envs.add(env);
            String cmd = argv.get(argv.size() - 1);
            if (cmd.equals("off")) on[0] = false;
            return new ProcessRunner.ProcessResult(0, cmd.equals("status") ? "Chassis Power is " + (on[0] ? "on" : "off") + "\n" : "", "", false, Duration.ZERO);
        };
        String var = System.getenv().containsKey("PATH") ? "PATH" : "HOME";
        String secret = System.getenv(var);
        var d = new FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "h", "username", "admin", "password_env", var), List.of(), Map.of(), null);
        FenceResult r = IpmiProvider.create(d, recorder).off(new FenceRequest("n1", null, Duration.ofSeconds(5)));
        assertTrue(r instanceof FenceResult.Off, r.toString());
        assertEquals(List.of("status", "off", "status"), argvs.stream().map(a -> a.get(a.size() - 1)).toList());
        for (var a : argvs) assertFalse(String.join(" ", a).contains(secret));
        assertTrue(envs.stream().allMatch(e -> secret.equals(e.get(Ipmitool.PASSWORD_ENV))));
    }

    @Test
    void failures_neverShowThePassword_inResultsOrLogs() {
        String password = "Sup3r-Secret-pw";
        // ipmitool echoing the password back in its error, the worst case
        ProcessRunner leaky = (argv, env, stdin, timeout) ->
                new ProcessRunner.ProcessResult(1, "", "weird failure for password " + env.get(Ipmitool.PASSWORD_ENV) + "\n", false, Duration.ZERO);
        var d = new FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "h", "username", "admin", "password", password), List.of(), Map.of(), null);
        try (LogCapture logs = new LogCapture()) {
            var agent = IpmiProvider.create(d, leaky);
            FenceRequest req = new FenceRequest("n1", null, Duration.ofSeconds(5));
            List<FenceResult> rs = List.of(agent.off(req), agent.on(req), agent.reboot(req), agent.status(req), agent.monitor(Duration.ofSeconds(1)));
            for (FenceResult r : rs) {
                assertTrue(r instanceof FenceResult.Failed, r.toString());
                assertFalse(r.detail().contains(password), r.detail());
                assertTrue(r.detail().contains("******"), r.detail());
            }
            assertTrue(logs.text().contains("n1: ipmi off via ipmi-n1 -> Failed"), logs.text());
            assertFalse(logs.text().contains(password), logs.text());
        }
        assertFalse(d.toString().contains(password));
    }

    @Test
    void timeout_isAFailureNamingTheBmc() {
        ProcessRunner hangs = (argv, env, stdin, timeout) -> new ProcessRunner.ProcessResult(-1, "", "", true, timeout);
        var d = new FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "10.9.9.9", "password", "pw"), List.of(), Map.of(), null);
        FenceResult r = IpmiProvider.create(d, hangs).off(new FenceRequest("n1", null, Duration.ofSeconds(3)));
        assertTrue(r instanceof FenceResult.Failed);
        assertTrue(r.detail().contains("timed out") && r.detail().contains("10.9.9.9:623"), r.detail());
    }
}
