package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import vigil.api.status.ClusterState;

/**
 * Globally-unique clones: each instance ({@code p:0}, {@code p:1}, ...) is a resource of its own with its own status,
 * placed at most clone-node-max to a node ("Pacemaker Explained", Clone Options).
 */
class UniqueCloneProperties {

    /** A unique clone of {@code cloneMax} instances, some of them (and one past clone-max) running on random nodes. */
    static String cluster(int nodes, int cloneMax, int nodeMax, long seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int n = 1; n <= nodes; n++) sb.append("node n").append(n).append(rnd.nextInt(6) == 0 ? " standby" : "").append('\n');
        sb.append("property stonith-enabled=false\n");
        sb.append("clone c globally-unique=true clone-max=").append(cloneMax).append(" clone-node-max=").append(nodeMax).append('\n');
        sb.append("primitive p ocf:heartbeat:Dummy in=c\n");
        for (int i = 0; i <= cloneMax; i++) {
            if (rnd.nextBoolean()) sb.append("status p:").append(i).append(" n").append(1 + rnd.nextInt(nodes)).append(" Started\n");
        }
        if (rnd.nextBoolean()) sb.append("location l c n").append(1 + rnd.nextInt(nodes)).append(" -INFINITY\n");
        return sb.toString();
    }

    @Property(tries = 200)
    void plan_uniqueClone_atMostCloneNodeMaxPerNode_eachInstanceOnOneNode(@ForAll @IntRange(min = 1, max = 6) int nodes,
            @ForAll @IntRange(min = 1, max = 8) int cloneMax, @ForAll @IntRange(min = 1, max = 3) int nodeMax, @ForAll long seed) {
        ClusterState s = Scenario.parse(cluster(nodes, cloneMax, nodeMax, seed)).state;
        Transition t = Scheduler.plan(s);
        assertEquals(t, Scheduler.plan(Scenario.parse(cluster(nodes, cloneMax, nodeMax, seed)).state), "deterministic");
        ClusterState after = TransitionOutcome.apply(s, t);
        Map<String, Integer> perNode = new HashMap<>();
        int running = 0;
        for (int i = 0; i <= cloneMax; i++) {
            List<String> on = after.activeNodes("p:" + i);
            assertTrue(on.size() <= 1, "p:" + i + " active on " + on + "\n" + t);
            if (i == cloneMax) assertTrue(on.isEmpty(), "p:" + i + " is past clone-max " + cloneMax + " and must stop\n" + t);
            for (String n : on) perNode.merge(n, 1, Integer::sum);
            running += on.size();
        }
        assertTrue(running <= cloneMax, running + " instances of clone-max " + cloneMax);
        perNode.forEach((n, k) -> assertTrue(k <= nodeMax, n + " runs " + k + " instances, clone-node-max " + nodeMax + "\n" + t));
    }

    @Test
    void plan_instancesBeyondWhatNodesHold_moveOrStopByNumber() {
        // Pacemaker 2.1.5's crm_simulate on the same cluster (its cts/scheduler input inc2): five instances on node1,
        // two allowed per node; the first two stay, the next two move, the last stops; lines by instance number
        String in = "node node1\nnode node2\nproperty stonith-enabled=false\n"
                + "clone rsc1 globally-unique=true clone-max=5 clone-node-max=2 resource-stickiness=1\n"
                + "primitive child_rsc1 ocf:heartbeat:apache in=rsc1\n"
                + "status child_rsc1:0 node1 Started\nstatus child_rsc1:1 node1 Started\nstatus child_rsc1:2 node1 Started\n"
                + "status child_rsc1:3 node1 Started\nstatus child_rsc1:4 node1 Started\n";
        assertEquals(List.of(
                "  * Move       child_rsc1:2     ( node1 -> node2 )",
                "  * Move       child_rsc1:3     ( node1 -> node2 )",
                "  * Stop       child_rsc1:4     (          node1 )  due to node availability"), TransitionSummaryTest.summary(in));
    }
}
