package vigil.fencing.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ProcessRunner.ProcessResult;
import vigil.fencing.LogCapture;

/**
 * The stdin protocol as fence_apc_snmp would see it, with the agent's recorded metadata and scripted exit codes
 * (AgentRunnerIT runs the real agents).
 */
class FenceAgentRunnerTest {
    private static final String PATH = "/opt/agents/fence_apc_snmp";
    private final List<List<String>> argvs = new ArrayList<>();
    private final List<String> stdins = new ArrayList<>();

    private ProcessRunner agent(int offExit, int statusExit, String stderr) {
        return (argv, env, stdin, timeout) -> {
            argvs.add(argv);
            stdins.add(stdin);
            if (argv.size() == 3 && argv.get(2).equals("metadata")) {
                try {
                    return new ProcessResult(0, AgentMetadataTest.recorded("fence_apc_snmp"), "", false, Duration.ZERO);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            int code = stdin.startsWith("action=status") ? statusExit : offExit;
            return new ProcessResult(code, "", stderr, false, Duration.ZERO);
        };
    }

    private static FenceDevice device(Map<String, String> params) {
        return new FenceDevice("apc1", "agent:fence_apc_snmp", params, List.of(), Map.of("n1", "4"), null);
    }

    @Test
    void off_sendsActionPlugAndParamsOnStdin_secretsNeverOnArgv_thenVerifiesStatus() {
        var d = device(Map.of("agent_path", PATH, "ip", "10.1.1.1", "community", "c0mmunity-x"));
        FenceResult r = FenceAgentRunner.create(d, agent(0, AgentProtocol.STATUS_OFF, "")).off(new FenceRequest("n1", "4", Duration.ofSeconds(5)));
        assertInstanceOf(FenceResult.Off.class, r, r.detail());
        assertEquals(List.of(List.of(PATH, "-o", "metadata"), List.of(PATH), List.of(PATH)), argvs);
        assertEquals("action=off\nplug=4\ncommunity=c0mmunity-x\nip=10.1.1.1\n", stdins.get(1));
        assertTrue(stdins.get(2).startsWith("action=status\nplug=4\n"));
    }

    @Test
    void off_agentSucceedsButStatusSaysOn_isAFailure() {
        var d = device(Map.of("agent_path", PATH + "2", "ip", "h"));
        FenceResult r = FenceAgentRunner.create(d, agent(0, AgentProtocol.STATUS_ON, "")).off(new FenceRequest("n1", "4", Duration.ofSeconds(5)));
        assertInstanceOf(FenceResult.Failed.class, r);
        assertTrue(r.detail().contains("status says on"), r.detail());
    }

    @Test
    void failure_isScrubbedEvenWhenTheAgentEchoesTheSecret() {
        String community = "echoed-community-9";
        var d = device(Map.of("agent_path", PATH + "3", "ip", "h", "community", community));
        try (LogCapture logs = new LogCapture()) {
            FenceResult r = FenceAgentRunner.create(d, agent(1, 1, "2026-01-01 00:00:00,000 ERROR: Failed: bad community " + community + "\n"))
                    .off(new FenceRequest("n1", "4", Duration.ofSeconds(5)));
            assertInstanceOf(FenceResult.Failed.class, r);
            assertEquals("apc1: off of n1 failed: fence_apc_snmp exit 1: ERROR: Failed: bad community ******", r.detail().replace(PATH + "3", "fence_apc_snmp"));
            assertFalse(logs.text().contains(community), logs.text());
        }
    }

    @Test
    void passwordEnv_isReadByVigil_andSentOnStdinOnly() {
        String var = System.getenv().containsKey("HOME") ? "HOME" : "PATH";
        var d = device(Map.of("agent_path", PATH + "4", "ip", "h", "password_env", var));
        FenceAgentRunner.create(d, agent(0, AgentProtocol.STATUS_ON, "")).status(new FenceRequest("n1", "4", Duration.ofSeconds(5)));
        assertTrue(stdins.get(stdins.size() - 1).contains("password=" + System.getenv(var) + "\n"));
        for (var a : argvs) assertFalse(a.contains(System.getenv(var)));
    }

    @Test
    void plugOrActionInParams_isRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> FenceAgentRunner.create(device(Map.of("agent_path", PATH + "5", "plug", "3")), agent(0, 0, "")));
        assertEquals("fence-devices.apc1.params.plug", e.field());
    }

    @Test
    void timeout_isAFailureSayingSo() {
        var d = device(Map.of("agent_path", PATH + "6", "ip", "h"));
        ProcessRunner base = agent(0, 0, "");
        ProcessRunner hangs = (argv, env, stdin, timeout) -> argv.size() == 3 ? base.run(argv, env, stdin, timeout)
                : new ProcessResult(-1, "", "", true, timeout);
        FenceResult r = FenceAgentRunner.create(d, hangs).off(new FenceRequest("n1", "4", Duration.ofSeconds(3)));
        assertInstanceOf(FenceResult.Failed.class, r);
        assertTrue(r.detail().contains("did not finish within 3000 ms"), r.detail());
    }
}
