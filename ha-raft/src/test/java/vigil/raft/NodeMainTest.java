package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeMainTest {
    @Test
    void run_insecureAsTheLastArgument_isAFlagAndTheNextProblemIsReported() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // the deadline guards against the parser looping on a trailing flag (it did, spinning a core)
        int rc = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> NodeMain.run(new String[] {"--id", "n1", "--bogus", "x", "--insecure"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --bogus"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void run_trailingInsecure_withNothingElseWrong_reachesTheBuilder() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> NodeMain.run(new String[] {"--id", "n1", "--insecure"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(1, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cluster name is missing"), err.toString(StandardCharsets.UTF_8));
    }
}
