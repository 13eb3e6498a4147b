package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small run of the benchmark: real separate processes for Vigil and (where installed) crm_simulate. */
class SchedulerBenchCommandIT {
    @Test
    void bench_smallSizes_endsWithTheTimingLine(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SchedulerBenchCommand.run(new String[] {"bench", "scheduler", "--sizes", "20,60", "--nodes", "5", "--dir", dir.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + o);
        String[] lines = o.strip().split("\n");
        assertTrue(lines[lines.length - 1].matches("vigil_s=[0-9.]+ crm_simulate_s=[0-9.]+ ratio=[0-9.]+"), o);
        assertTrue(o.contains("generating 60 primitives on 5 nodes (30 constraints, 30 running)"), o);
    }
}
