package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static vigil.lab.LabFixture.assertBefore;
import static vigil.lab.LabFixture.at;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vigil.api.model.Clone;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.executor.Ledger;

/**
 * Node loss on a three-node cluster of separate processes, fenced for real (SIGKILL of the node process): a crash,
 * a paused leader, a promotable clone losing its promoted node, and a node cut off from the quorum. Every scenario
 * ends with the activity checker finding no resource active on more nodes than it may be.
 */
class FailoverIT extends LabClusterIT {
    @Override
    String dirPrefix() { return "vigil-failover-it-"; }

    @BeforeEach
    void healCluster() {
        f.heal();
    }

    @Test
    @Order(1)
    void sigkillOfTheNodeRunningAResourceIsFencedThenTheResourceStartsElsewhere() {
        f.awaitAllOnline();
        f.add(LabFixture.dummy("crash1"));
        String victim = f.runningOn("crash1");
        f.awaitLedger("crash1", victim, "start", "end", Instant.EPOCH);

        Instant killed = c.kill(victim);
        FenceEvent fence = f.awaitFence(victim, killed);
        ClusterState s = f.await("crash1 running on a survivor", st -> st.activeNodes("crash1").size() == 1
                && !st.activeNodes("crash1").get(0).equals(victim));
        String target = s.activeNodes("crash1").get(0);
        Ledger.Entry begin = f.awaitLedger("crash1", target, "start", "begin", killed);
        Ledger.Entry end = f.awaitLedger("crash1", target, "start", "end", killed);
        assertEquals(0, end.rc(), "start on " + target);
        assertBefore(fence.at(), at(begin), "the fence of " + victim + " is confirmed before crash1 starts on " + target);
        f.assertNoDoubleActivity();

        f.restart(victim);
        f.disable("crash1");
    }

    @Test
    @Order(2)
    void thePromotedInstancesNodeDiesAndASurvivorIsPromoted() {
        assumeTrue(Files.isExecutable(LabFixture.STATEFUL), "ocf:pacemaker:Stateful is not installed");
        f.awaitAllOnline();
        Primitive child = Primitive.builder("sf", "ocf:pacemaker:Stateful")
                .operation(new Operation("monitor", Duration.ofSeconds(3), Duration.ofSeconds(20), null, Role.UNPROMOTED))
                .operation(new Operation("monitor", Duration.ofSeconds(2), Duration.ofSeconds(20), null, Role.PROMOTED))
                .build();
        f.add(new Clone("sf-clone", child, Meta.of(Map.of(Meta.PROMOTED_MAX, "1")), true));
        ClusterState s = f.await("one promoted and two unpromoted instances of sf", st -> st.nodeWithRole("sf", Role.PROMOTED).isPresent()
                && c.members().stream().allMatch(n -> st.resource("sf", n).isActive())
                && c.members().stream().filter(n -> st.resource("sf", n).role() == Role.PROMOTED).count() == 1);
        String promoted = s.nodeWithRole("sf", Role.PROMOTED).orElseThrow();
        f.awaitLedger("sf:0", promoted, "promote", "end", Instant.EPOCH);

        Instant killed = c.kill(promoted);
        FenceEvent fence = f.awaitFence(promoted, killed);
        s = f.await("a survivor promoted", st -> st.nodeWithRole("sf", Role.PROMOTED).filter(n -> !n.equals(promoted)).isPresent());
        String survivor = s.nodeWithRole("sf", Role.PROMOTED).orElseThrow();
        assertNotEquals(promoted, survivor);
        Ledger.Entry begin = f.awaitLedger("sf:0", survivor, "promote", "begin", killed);
        assertEquals(0, f.awaitLedger("sf:0", survivor, "promote", "end", killed).rc(), "promote on " + survivor);
        assertBefore(fence.at(), at(begin), "the fence of " + promoted + " is confirmed before " + survivor + " is promoted");
        // the checker also holds promoted-max 1: never promoted on two nodes at once
        f.assertNoDoubleActivity();

        f.restart(promoted);
        f.disable("sf-clone");
    }

    @Test
    @Order(3)
    void aPausedLeaderStopsItsResourcesOnWakingAndTheyRecoverOnlyOnceSafe() {
        ClusterState s0 = f.awaitAllOnline();
        String leader = s0.leader();
        c.admin().updateConfig(cfg -> LocalCluster.withFenceDelay(cfg, Duration.ofSeconds(6)).toBuilder()
                .replaceResource(LabFixture.dummy("pause1"))
                .constraint(new Constraint.Location("pause1-on-leader", "pause1", leader, Score.INFINITY))
                .build());
        try {
            f.await("pause1 running on the leader " + leader, st -> st.activeNodes("pause1").equals(List.of(leader)));
            f.awaitLedger("pause1", leader, "start", "end", Instant.EPOCH);

            Instant paused = Instant.now();
            c.pause(leader);
            Instant resumed;
            try {
                f.awaitWithout(leader, "a new leader that declared " + leader + " unclean", st -> !st.leader().isEmpty()
                        && !st.leader().equals(leader) && st.node(leader).membership() == Membership.UNCLEAN);
            } finally {
                // the fence device waits 6 s before it kills: wake the old leader in between
                c.resume(leader);
                resumed = Instant.now();
            }
            Ledger.Entry stop = f.awaitLedger("pause1", leader, "stop", "end", paused);
            assertEquals(0, stop.rc(), "the woken node stops what it ran");
            assertBefore(resumed.minusMillis(1), at(stop), "the stop follows the wake-up");
            FenceEvent fence = f.awaitFence(leader, paused);
            assertBefore(at(stop), fence.at(), "the woken node stopped pause1 before its fence");
            String target = f.await("pause1 recovered on a survivor", st -> st.activeNodes("pause1").size() == 1
                    && !st.activeNodes("pause1").get(0).equals(leader)).activeNodes("pause1").get(0);
            Ledger.Entry begin = f.awaitLedger("pause1", target, "start", "begin", paused);
            // DESIGN, safety rule 2: recovery waits for a confirmed fence, or for the node itself to have come back and
            // reported the resource stopped; either way the woken node's stop ended before the new start began
            assertBefore(at(stop), at(begin), "pause1 starts on " + target + " only after " + leader + " stopped it");
            f.assertNoDoubleActivity();
        } finally {
            c.admin().updateConfig(cfg -> LocalCluster.withFenceDelay(cfg, Duration.ZERO).toBuilder().removeConstraint("pause1-on-leader").build());
        }
        f.restart(leader);
        f.disable("pause1");
    }

    @Test
    @Order(4)
    void aNodeCutOffFromTheQuorumStopsItsResources() {
        f.awaitAllOnline();
        f.add(LabFixture.dummy("cut1"));
        String lone = f.runningOn("cut1");
        f.awaitLedger("cut1", lone, "start", "end", Instant.EPOCH);
        List<String> others = c.members().stream().filter(n -> !n.equals(lone)).toList();

        Instant cut = Instant.now();
        others.forEach(c::pause);
        Ledger.Entry stop;
        try {
            stop = f.awaitLedger("cut1", lone, "stop", "end", cut);
            assertTrue(c.isAlive(lone), lone + " stopped cut1 itself, nobody fenced it");
        } finally {
            others.forEach(c::resume);
        }
        assertEquals(0, stop.rc(), "the node without quorum stops cut1");

        // the cluster recovers: every member online again and cut1 running on one of them
        c.restartDead();
        f.awaitAllOnline();
        String now = f.runningOn("cut1");
        f.awaitLedger("cut1", now, "start", "end", cut);
        f.assertNoDoubleActivity();
        f.disable("cut1");
    }
}
