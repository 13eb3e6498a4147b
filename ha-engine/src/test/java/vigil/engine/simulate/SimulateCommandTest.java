package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the command on CIBs recorded with cibadmin / crm_simulate (Pacemaker 2.1.5) and on Pacemaker's own scheduler
 * inputs; the expected summaries are crm_simulate's, recorded from {@code crm_simulate -R -x FILE} on this machine.
 */
class SimulateCommandTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path resource(String name) {
        try {
            return Path.of(SimulateCommandTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String summary(String output) {
        return output.substring(output.indexOf("Transition Summary:"));
    }

    @Test
    void simulate_failedMonitor_printsStatusAndCrmSimulatesRecoverLine() throws IOException {
        Result r = run("--cib", resource("cib/d1-monitor-failed.xml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("""
                Current cluster status:
                  * Node List:
                    * Online: [ n1 n2 n3 ]

                  * Full List of Resources:
                """), r.out());
        assertTrue(r.out().contains("    * d1\t(ocf:heartbeat:Dummy):\t Started n2\n"), r.out());
        assertTrue(r.out().contains("    * Resource Group: g1:\n      * ip1\t(ocf:heartbeat:IPaddr2):\t Stopped\n"), r.out());
        assertTrue(r.out().contains("    * Clone Set: ms1 [st1] (promotable):\n      * Unpromoted: [ n1 n2 ]\n      * Stopped: [ n3 ]\n"), r.out());
        assertEquals(Files.readString(resource("cib/d1-monitor-failed.summary")), summary(r.out()));
    }

    @Test
    void simulate_settledCluster_emptySummary() throws IOException {
        Result r = run("simulate", "--cib", resource("cib/three-nodes-started.xml").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(resource("cib/three-nodes-started.summary")), summary(r.out()));
    }

    @Test
    void simulate_pacemakerInputs_sameSummaryAsCrmSimulate() {
        // expected: crm_simulate -R -x FILE (Pacemaker 2.1.5), Transition Summary section
        List<List<String>> cases = List.of(
                List.of("1-a-then-bm-move-b.xml", "  * Migrate    B       ( 18node2 -> 18node1 )"),
                List.of("promoted-notify.xml", "  * Promote    fake:0     ( Unpromoted -> Promoted rhel7-auto1 )"),
                List.of("group1.xml", "  * Start      child_rsc1     ( node1 )\n  * Start      child_rsc2     ( node1 )\n  * Start      child_rsc3     ( node1 )"),
                List.of("migrate-1.xml", "  * Migrate    rsc3    ( node1 -> node2 )"));
        for (List<String> c : cases) {
            Result r = run("--cib", resource("pacemaker-cts/" + c.get(0)).toString());
            assertEquals(0, r.code(), c.get(0) + ": " + r.err());
            assertEquals("Transition Summary:\n" + c.get(1) + "\n", summary(r.out()), c.get(0));
        }
    }

    @Test
    void simulate_lostNode_showsUncleanNode() {
        Result r = run("--cib", resource("cib/n1-unclean.xml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("    * Node n1: UNCLEAN (offline)\n    * Online: [ n2 n3 ]\n"), r.out());
        assertTrue(summary(r.out()).contains("  * Fence (reboot) n1 '"), r.out());
    }

    @Test
    void simulate_showScores_printsAllocationScores() {
        Result r = run("--cib", resource("pacemaker-cts/1-a-then-bm-move-b.xml").toString(), "--show-scores");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Allocation scores:\n"), r.out());
        assertTrue(r.out().contains("pcmk__primitive_assign: B allocation score on 18node1: INFINITY\n"), r.out());
    }

    @Test
    void simulate_unsupportedElement_exit3NamingFileAndElement(@TempDir Path dir) throws IOException {
        Path cib = dir.resolve("bundle.xml");
        Files.writeString(cib, """
                <cib><configuration><crm_config/><nodes/><resources><bundle id="b1"><docker image="x"/></bundle></resources>
                <constraints/></configuration></cib>""");
        Result r = run("--cib", cib.toString());
        assertEquals(3, r.code());
        assertEquals("simulate: " + cib + ": cib/configuration/resources/bundle[@id='b1']: bundles are not supported\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void simulate_badArguments_usageAndExit2(@TempDir Path dir) {
        Result r = run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--cib FILE is required") && r.err().contains(SimulateCommand.USAGE), r.err());
        r = run("--cib", dir.resolve("nope.xml").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nope.xml: no such file"), r.err());
        r = run("--cib");
        assertEquals(2, r.code());
        r = run("--frobnicate");
        assertTrue(r.err().contains("unknown argument \"--frobnicate\""), r.err());
    }

    @Test
    void simulate_brokenXml_exit2NamingFile(@TempDir Path dir) throws IOException {
        Path cib = dir.resolve("broken.xml");
        Files.writeString(cib, "<cib><configuration>");
        Result r = run("--cib", cib.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("simulate: " + cib + ": " + cib + ": not a readable XML document"), r.err());
    }
}
