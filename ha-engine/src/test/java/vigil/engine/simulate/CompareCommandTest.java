package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompareCommandTest {
    /** Recorded: crm_simulate -R -x n1-unclean.xml (Pacemaker 2.1.5). */
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
        List<String> lines = CompareCommand.summaryLines(CRM_OUTPUT);
        assertEquals(6, lines.size());
        assertTrue(lines.get(0).startsWith("  * Fence (reboot) n1"));
    }

    @Test
    void normalize_collapsesSpacingDropsInstancesReasonsBlockedAndFenceDevices() {
        List<String> n = CompareCommand.normalize(CompareCommand.summaryLines(CRM_OUTPUT), Set.of("fence-n1"));
        assertEquals(List.of(
                "Fence (reboot) n1 'peer is no longer part of the cluster'",
                "Move ip1 (n1 -> n2)",
                "Move st1 (Promoted n1 -> Unpromoted n3)",
                "Stop ping1 (n1)"), n);
    }

    @Test
    void crmSimulateArgv_runModeAtTheSameInstant() {
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        assertEquals(List.of("crm_simulate", "-x", "/d/a.xml", "-R", "-t", "2026-01-02T03:04:05Z"),
                CompareCommand.crmSimulateArgv(Path.of("/d/a.xml"), false, t));
        assertEquals("-S", CompareCommand.crmSimulateArgv(Path.of("/d/a.xml"), true, t).get(3));
    }
}
