package vigil.raft.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import vigil.testkit.LabDir;

/** {@code bench commits} runs a real three-process cluster and ends with the one line other tools parse (no timing asserted). */
class CommitBenchIT {
    @Test
    void run_shortBench_endsWithTheResultLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = CommitBench.run(new String[] {"--seconds", "2", "--warmup", "1", "--dir", LabDir.create("vigil-bench-").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text + err.toString(StandardCharsets.UTF_8));
        String[] lines = text.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.matches("commits_per_s=\\d+ p50_ms=\\d+\\.\\d+ p99_ms=\\d+\\.\\d+ plaintext_commits_per_s=\\d+ ratis_commits_per_s=\\d+"), last);
        assertTrue(!last.startsWith("commits_per_s=0 ") && !last.endsWith(" ratis_commits_per_s=0"), "some changes were committed: " + text);
    }

    @Test
    void run_unknownOption_isRejectedWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = CommitBench.run(new String[] {"--bogus"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--seconds"));
    }
}
