package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the fault-injection command against three node processes (CI's version of
 * {@code vigil chaos}): three seeded schedules must end with no violation. Seed 3 draws kills of the leader and of
 * the node running the ticker, restarts, a node isolated from the others and single links cut; the nodes run in
 * their own network namespaces (this machine's test peers include iproute2 and nftables, and CI runs as root).
 */
class ChaosSimTest {
    @Test
    void threeSeededSchedulesEndWithoutViolations() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Chaos.run(new String[] {"--schedules", "3", "--seed", "3"}, o, e);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        String report = text + err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("faults include network cuts"), "network cuts not in use: " + report);
        assertTrue(text.contains("isolate ") && text.contains("cut "), "no cut was injected: " + report);
        assertEquals("schedules=3 violations=0", lines.isEmpty() ? "" : lines.get(lines.size() - 1), report);
        assertEquals(0, code, report);
    }
}
