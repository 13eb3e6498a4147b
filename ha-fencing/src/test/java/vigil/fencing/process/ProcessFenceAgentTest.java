package vigil.fencing.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.FenceAgents;

class ProcessFenceAgentTest {
    @TempDir
    Path dir;

    private FenceAgent agent(Map<String, String> map) {
        return FenceAgents.create(new FenceDevice("proc", "process", Map.of(), List.of(), map, null));
    }

    private static FenceRequest req(String node) { return new FenceRequest(node, null, Duration.ofSeconds(10)); }

    @Test
    void off_killsTheProcessInThePidFile_andStatusFollows() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        try {
            Path pid = dir.resolve("n1.pid");
            Files.writeString(pid, Long.toString(p.pid()));
            FenceAgent a = agent(Map.of("n1", pid.toString()));
            assertInstanceOf(FenceResult.On.class, a.status(req("n1")));
            FenceResult off = a.off(req("n1"));
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertEquals(137, p.waitFor());
            assertInstanceOf(FenceResult.Off.class, a.status(req("n1")));
            assertInstanceOf(FenceResult.Failed.class, a.on(req("n1")));
            assertEquals(List.of("n1"), a.list(Duration.ofSeconds(1)));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void missingPidFile_meansNotRunning_garbageIsAFailure_unmappedNodeIsAFailure() throws Exception {
        Path garbage = dir.resolve("g.pid");
        Files.writeString(garbage, "not-a-pid");
        FenceAgent a = agent(Map.of("n1", dir.resolve("absent.pid").toString(), "n2", garbage.toString()));
        assertInstanceOf(FenceResult.Off.class, a.off(req("n1")));
        FenceResult g = a.off(req("n2"));
        assertInstanceOf(FenceResult.Failed.class, g);
        assertTrue(g.detail().contains("does not hold a pid"), g.detail());
        FenceResult u = a.status(req("n3"));
        assertInstanceOf(FenceResult.Failed.class, u);
        assertTrue(u.detail().contains("no pid file for node n3"), u.detail());
    }

    @Test
    void match_stalePidOfAnotherProgram_isLeftAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            Path pid = dir.resolve("n1.pid");
            Files.writeString(pid, Long.toString(other.pid()));
            FenceAgent a = FenceAgents.create(new FenceDevice("proc", "process", Map.of("match", "vigil-node"), List.of(), Map.of("n1", pid.toString()), null));
            assertInstanceOf(FenceResult.Off.class, a.status(req("n1")));
            assertInstanceOf(FenceResult.Off.class, a.off(req("n1")));
            assertTrue(other.isAlive(), "an unrelated process must not be killed");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void match_afterTheFirst4096BytesOfTheCommandLine_stillFindsTheNode() throws Exception {
        // a node JVM's class path alone is often longer than what ProcessHandle.Info shows of a command line
        String longClassPath = "/opt/vigil/lib/a-library-with-a-long-name.jar:".repeat(120);
        Process node = new ProcessBuilder("sh", "-c", "sleep 600", "sh", longClassPath, "--dir", "/var/lib/vigil-node-7").start();
        try {
            Path pid = dir.resolve("n1.pid");
            Files.writeString(pid, Long.toString(node.pid()));
            FenceAgent a = FenceAgents.create(new FenceDevice("proc", "process", Map.of("match", "/var/lib/vigil-node-7"), List.of(),
                    Map.of("n1", pid.toString()), null));
            assertInstanceOf(FenceResult.On.class, a.status(req("n1")));
            FenceResult off = a.off(req("n1"));
            assertInstanceOf(FenceResult.Off.class, off, off.detail());
            assertEquals(137, node.waitFor(), "the node was killed, not taken for another program");
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void emptyHostMap_isAConfigError() {
        assertEquals("fence-devices.proc.host-map", assertThrows(ConfigException.class, () -> agent(Map.of())).field());
    }
}
