package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short run of the fault-injection command against three node processes (CI's version of
 * {@code vigil chaos}): three seeded schedules of SIGKILLs, pauses and restarts must end with no violation.
 */
class ChaosSimTest {
    @Test
    void threeSeededSchedulesEndWithoutViolations() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Chaos.run(new String[] {"--schedules", "3", "--seed", "42"}, o, e);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        String report = text + err.toString(StandardCharsets.UTF_8);
        assertEquals("schedules=3 violations=0", lines.isEmpty() ? "" : lines.get(lines.size() - 1), report);
        assertEquals(0, code, report);
    }
}
