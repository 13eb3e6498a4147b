package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The summary lines against output recorded from Pacemaker 2.1.5's {@code crm_simulate -S} on equivalent CIBs
 * (nodes, Dummy primitives, the same status), so column widths and wording are Pacemaker's own.
 */
class TransitionSummaryTest {

    static List<String> summary(String scenario) {
        Scenario sc = Scenario.parse(scenario);
        return TransitionSummary.lines(sc.state, Scheduler.plan(sc.state));
    }

    @Test
    void lines_startWithLongId_widensResourceColumnForAllLines() {
        // crm_simulate: rsc1, a-much-longer-resource and a two-instance clone started on node1/node2
        List<String> got = summary("node node1\nnode node2\n"
                + "primitive rsc1 ocf:heartbeat:Dummy\nprimitive a-much-longer-resource ocf:heartbeat:Dummy\n"
                + "clone ms1 promotable\nprimitive drbd ocf:pacemaker:Stateful in=ms1\n");
        assertEquals(List.of(
                "  * Start      rsc1                       ( node1 )",
                "  * Start      a-much-longer-resource     ( node2 )",
                "  * Start      drbd:0                     ( node1 )",
                "  * Start      drbd:1                     ( node2 )"), got);
    }

    @Test
    void lines_shortIds_useMinimumWidthFive() {
        assertEquals(List.of("  * Start      r       ( node1 )"), summary("node node1\nnode node2\nprimitive r ocf:heartbeat:Dummy\n"));
    }

    @Test
    void lines_widthGrowsOnlyWhenAnIdIsLonger_inLineOrder() {
        // 7 then 6 characters: width 9; 6 then 8 characters: width 8 (8 is not longer than 8)
        assertEquals(List.of("  * Start      abcdefg     ( node1 )", "  * Start      abcdef      ( node2 )"),
                summary("node node1\nnode node2\nprimitive abcdefg ocf:heartbeat:Dummy\nprimitive abcdef ocf:heartbeat:Dummy\n"));
        assertEquals(List.of("  * Start      abcdef     ( node1 )", "  * Start      abcdefgh   ( node2 )"),
                summary("node node1\nnode node2\nprimitive abcdef ocf:heartbeat:Dummy\nprimitive abcdefgh ocf:heartbeat:Dummy\n"));
    }

    @Test
    void lines_moveAndStart_rightAlignDetailsToLongest() {
        List<String> got = summary("node a\nnode bb\n"
                + "primitive r1 ocf:heartbeat:Dummy\nprimitive r2 ocf:heartbeat:Dummy\nprimitive r3 ocf:heartbeat:Dummy\nprimitive r4 ocf:heartbeat:Dummy\n"
                + "location l1 r1 bb INFINITY\nstatus r1 a Started\nstatus r2 bb Started\nstatus r3 a Started\n");
        assertEquals(List.of(
                "  * Move       r1      ( a -> bb )",
                "  * Move       r2      ( bb -> a )",
                "  * Start      r4      (      bb )"), got);
    }

    @Test
    void lines_nodeGoneWithoutFencing_startsElsewhere_andStoppedResourceSaysNodeAvailability() {
        List<String> got = summary("node a offline\nnode bb\n"
                + "primitive r1 ocf:heartbeat:Dummy\nprimitive r2 ocf:heartbeat:Dummy target-role=Stopped\nprimitive r3 ocf:heartbeat:Dummy\nprimitive r4 ocf:heartbeat:Dummy\n"
                + "order o1 r1 r3\nstatus r1 a Started\nstatus r2 bb Started\nstatus r3 a Started\n");
        assertEquals(List.of(
                "  * Start      r1      (    bb )",
                "  * Stop       r2      (    bb )  due to node availability",
                "  * Start      r3      (    bb )",
                "  * Start      r4      (    bb )"), got);
    }

    @Test
    void lines_fenceComesFirst_withReason() {
        List<String> got = summary("property stonith-enabled=true\nnode node1\nnode node2 unclean\nprimitive fencing stonith:fence_ipmilan\n"
                + "primitive rsc1 ocf:heartbeat:Dummy\nstatus fencing node1 Started\nstatus rsc1 node2 Started\n");
        assertEquals(List.of(
                "  * Fence (reboot) node2 'peer is no longer part of the cluster'",
                "  * Move       rsc1    ( node2 -> node1 )"), got);
    }
}
