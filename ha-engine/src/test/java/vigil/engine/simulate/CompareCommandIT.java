package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Compares Vigil with the real crm_simulate (pacemaker-cli-utils; its absence fails the test) on CIBs made with cibadmin. */
class CompareCommandIT {
    @Test
    void compare_directoryWithoutRecordings_runsCrmSimulateLive() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String dir = SimulateCommandTest.resource("cib/d1-monitor-failed.xml").getParent().toString();
        int code = CompareCommand.run(new String[] {"--dir", dir}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + o);
        assertTrue(o.startsWith("running Pacemaker "), o);
        String[] lines = o.strip().split("\n");
        Matcher m = Pattern.compile("agree=(\\d+) disagree=(\\d+) unsupported=(\\d+) total=(\\d+)").matcher(lines[lines.length - 1]);
        assertTrue(m.matches(), o);
        assertEquals(6, Integer.parseInt(m.group(4)), o);
        assertEquals(0, Integer.parseInt(m.group(3)), o);
        // the failed monitor (Recover d1) and the settled cluster (nothing to do) agree
        assertTrue(Integer.parseInt(m.group(1)) >= 2, o);
    }
}
