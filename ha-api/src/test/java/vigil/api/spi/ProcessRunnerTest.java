package vigil.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local runner against real programs (sh). */
class ProcessRunnerTest {
    private final ProcessRunner runner = ProcessRunner.local();

    @Test
    void run_finishes_returnsExitCodeAndBothStreams() {
        var r = runner.run(List.of("sh", "-c", "read x; echo out:$x:$V; echo err >&2; exit 3"), Map.of("V", "v1"), "in\n", Duration.ofSeconds(10));
        assertEquals(3, r.exitCode());
        assertEquals("out:in:v1\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertFalse(r.timedOut());
    }

    @Test
    void run_pastItsTimeout_isKilledAndReportsTimedOutWithItsOutput_neverThrows() {
        // the JDK closes a killed process's pipes under the reader; repeated because that race is a matter of timing
        for (int i = 0; i < 15; i++) {
            var r = runner.run(List.of("sh", "-c", "echo partial; sleep 30; echo never"), Duration.ofMillis(150));
            assertTrue(r.timedOut(), "run " + i + ": " + r);
            assertEquals(-1, r.exitCode());
        }
    }

    @Test
    void run_unknownProgram_is127WithTheReason() {
        var r = runner.run(List.of("/nonexistent/program"), Duration.ofSeconds(5));
        assertEquals(127, r.exitCode());
        assertTrue(r.stderr().contains("cannot run /nonexistent/program"), r.stderr());
    }
}
