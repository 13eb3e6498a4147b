package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import vigil.api.spi.ProcessRunner;

/** Compares Vigil with the real crm_simulate (pacemaker-cli-utils) on the recorded CIBs. */
class CompareCommandIT {
    /** Runs the comparison on a directory of test resources; returns the output and the four counts. */
    private static Matcher compare(String resourceDir, StringBuilder output) {
        assumeTrue(ProcessRunner.local().run(List.of("crm_simulate", "--version"), Duration.ofSeconds(30)).ok(), "crm_simulate not installed");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String dir = SimulateCommandTest.resource(resourceDir).getParent().toString();
        int code = CompareCommand.run(new String[] {"--dir", dir}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        output.append(o);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String[] lines = o.strip().split("\n");
        Matcher m = Pattern.compile("agree=(\\d+) disagree=(\\d+) unsupported=(\\d+) total=(\\d+)").matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), o);
        return m;
    }

    @Test
    void compare_pacemakerCorpus_mostAgreeWithCrmSimulate() {
        StringBuilder o = new StringBuilder();
        Matcher m = compare("pacemaker-cts/NOTICE", o);
        System.out.println(o);
        assertEquals(166, Integer.parseInt(m.group(4)), o.toString());
        assertEquals(0, Integer.parseInt(m.group(3)), "the selection holds only CIBs Vigil imports: " + o);
        // 100 of 166 agreed when this was written; a drop is a regression in import or scheduling
        assertTrue(Integer.parseInt(m.group(1)) >= 90, o.toString());
    }

    @Test
    void compare_recordedCibs_countsAgreementWithCrmSimulate() {
        StringBuilder out = new StringBuilder();
        Matcher m = compare("cib/d1-monitor-failed.xml", out);
        String o = out.toString();
        assertEquals(6, Integer.parseInt(m.group(4)), o);
        assertEquals(0, Integer.parseInt(m.group(3)), o);
        // the failed monitor (Recover d1) and the settled cluster (nothing to do) agree
        assertTrue(Integer.parseInt(m.group(1)) >= 2, o);
        assertEquals(6, Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)), o);
    }
}
