package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** dist/vigil.service as systemd reads it: {@code systemd-analyze verify} (a test peer: its absence fails the test). */
class SystemdUnitTest {
    static final Path UNIT = Path.of("dist/vigil.service");

    @Test
    void unit_passesSystemdAnalyzeVerify_withoutAWarning() throws Exception {
        Process p = new ProcessBuilder("systemd-analyze", "verify", UNIT.toAbsolutePath().toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip(), "systemd-analyze verify warns");
    }

    @Test
    void unit_givesTheDrainTimeToFinish_andTakesTheSigtermExitAsSuccess() throws IOException {
        String unit = Files.readString(UNIT);
        assertTrue(unit.contains("TimeoutStopSec=25min") && Daemon.STOP_TIMEOUT.toMinutes() < 25, "systemd must not kill a draining daemon");
        assertTrue(unit.contains("SuccessExitStatus=143"), unit);
    }
}
