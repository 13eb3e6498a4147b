package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
    /** Recorded: crm_simulate -S -x n1-unclean.xml (Pacemaker 2.1.5). */
    static final String CRM_OUTPUT = """
            Current cluster status:
              * Node List:
                * Node n1: UNCLEAN (offline)
                * Online: [ n2 n3 ]

            Transition Summary:
              * Fence (reboot) n1 'peer is no longer part of the cluster'
              * Move       fence-n1     (                     n1 -> n2 )
              * Move       ip1          (                     n1 -> n2 )
              * Move       st1:0        ( Promoted n1 -> Unpromoted n3 )
              * Stop       ping1:0      (                           n1 )  due to node availability
              * Start      rsc3         (                           n1 )  due to quorum freeze (blocked)

            Executing Cluster Transition:
              * Fencing n1 (reboot)
            """;

    @Test
    void summaryLines_takesOnlyTheSummarySection() {
        List<String> lines = CrmSimulate.summaryLines(CRM_OUTPUT);
        assertEquals(6, lines.size());
        assertTrue(lines.get(0).startsWith("  * Fence (reboot) n1"));
    }

    @Test
    void normalize_keepsReasonsBlockedAndFenceLines_collapsesSpacesAndAnonymousInstanceNumbers() {
        List<String> n = SummaryComparison.normalize(CrmSimulate.summaryLines(CRM_OUTPUT), Map.of("st1", "ms1"));
        assertEquals(List.of(
                "* Fence (reboot) n1 'peer is no longer part of the cluster'",
                "* Move fence-n1 ( n1 -> n2 )",
                "* Move ip1 ( n1 -> n2 )",
                "* Move st1:* ( Promoted n1 -> Unpromoted n3 )",
                "* Stop ping1:0 ( n1 ) due to node availability",
                "* Start rsc3 ( n1 ) due to quorum freeze (blocked)"), n);
    }

    @Test
    void normalize_ordersTheLinesOfOneAnonymousCloneButNothingElse() {
        List<String> a = SummaryComparison.normalize(List.of("  * Start  d:1  ( n2 )", "  * Start  d:0  ( n1 )", "  * Start  x  ( n1 )"), Map.of("d", "c"));
        List<String> b = SummaryComparison.normalize(List.of("  * Start  d:0  ( n1 )", "  * Start  d:1  ( n2 )", "  * Start  x  ( n1 )"), Map.of("d", "c"));
        assertEquals(a, b);
        assertTrue(SummaryComparison.diff(a, b).isEmpty());
        List<String> swapped = SummaryComparison.normalize(List.of("  * Start  x  ( n1 )", "  * Start  d:0  ( n1 )", "  * Start  d:1  ( n2 )"), Map.of("d", "c"));
        assertTrue(!SummaryComparison.diff(a, swapped).isEmpty(), "the order of other lines counts");
        // a globally-unique clone's instances keep their numbers
        assertTrue(!SummaryComparison.diff(SummaryComparison.normalize(List.of("* Start u:0 ( n1 )"), Map.of()),
                SummaryComparison.normalize(List.of("* Start u:1 ( n1 )"), Map.of())).isEmpty());
    }

    @Test
    void crmSimulateArgv_simulatesWithTheCorpusTime() {
        assertEquals(List.of("crm_simulate", "-x", "/d/a.xml", "-S", "-t", "2026-01-01T00:00:00Z"),
                CrmSimulate.argv(Path.of("/d/a.xml"), List.of("-t", "2026-01-01T00:00:00Z")));
    }

    @Test
    void corpusTime_executionDateElseUpstreamTimeElseFixed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.xml"), "<cib epoch=\"1\" execution-date=\"1568992252\" num_updates=\"0\"><configuration/></cib>");
        Files.writeString(dir.resolve("b.xml"), "<cib epoch=\"1\"><configuration/></cib>");
        Files.writeString(dir.resolve("date-1.xml"), "<cib epoch=\"1\"><configuration/></cib>");
        CtsCorpus c = new CtsCorpus(dir);
        assertEquals(List.of(), c.timeArgs("a"));
        assertEquals(Instant.ofEpochSecond(1568992252), c.effectiveTime("a"));
        assertEquals(List.of("-t", CtsCorpus.FIXED_TIME), c.timeArgs("b"));
        assertEquals(Instant.parse(CtsCorpus.FIXED_TIME), c.effectiveTime("b"));
        assertEquals(List.of("-t", "2005-020"), c.timeArgs("date-1"));
        assertEquals(Instant.parse("2005-01-20T00:00:00Z"), c.effectiveTime("date-1"));
        assertEquals(Instant.parse("2005-01-20T12:30:00Z"), CtsCorpus.parseCrmTime("2005-020T12:30"));
        assertEquals(Instant.parse("2014-05-07T00:28:00Z"), CtsCorpus.parseCrmTime("2014-05-07 00:28:00"));
    }

    @Test
    void recordedMode_comparesWithRecordings_andUpdateFloorOnlyAdds(@TempDir Path dir) throws Exception {
        Path cib = SimulateCommandTest.resource("cib/d1-monitor-failed.xml");
        Files.copy(cib, dir.resolve("failed.xml"));
        Files.copy(SimulateCommandTest.resource("cib/three-nodes-started.xml"), dir.resolve("settled.xml"));
        CtsCorpus c = new CtsCorpus(dir);
        List<String> recorded = CrmSimulate.summaryLines(Files.readString(SimulateCommandTest.resource("cib/d1-monitor-failed.summary")));
        c.writeRecording("failed", c.timeArgs("failed"), recorded);
        c.writeRecording("settled", c.timeArgs("settled"), List.of("  * Start      nothing     ( n1 )"));
        String out = run(dir, "--update-floor");
        assertTrue(out.contains("DIFF settled: - * Start nothing ( n1 )"), out);
        assertTrue(out.endsWith("agree=1 disagree=1 unsupported=0 total=2\n"), out);
        assertEquals(java.util.Set.of("failed"), c.floor());
        c.writeRecording("failed", c.timeArgs("failed"), List.of());
        out = run(dir, "--update-floor");
        assertTrue(out.contains("REGRESSION: 1 inputs of the floor"), out);
        assertEquals(java.util.Set.of("failed"), c.floor());
    }

    private static String run(Path dir, String... extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[2 + extra.length];
        args[0] = "--dir";
        args[1] = dir.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        CompareCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                (argv, env, stdin, timeout) -> { throw new AssertionError("crm_simulate must not run in recorded mode: " + argv); }, null);
        return out.toString(StandardCharsets.UTF_8);
    }
}
