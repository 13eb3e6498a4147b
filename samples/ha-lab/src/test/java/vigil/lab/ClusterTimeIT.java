package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Primitive;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.engine.state.StateTransitions;

/**
 * Time on three node processes: a wall-clock step on one node (an hour ahead, an hour back) fences nothing, stops
 * nothing and does not move the cluster's time; and an idle cluster's time still advances, so a move's lifetime ends.
 *
 * <p>The machine's clock cannot be stepped here (every process on it shares it): the harness steps one node's own
 * wall clock instead, through the offset file its {@link SteppedClock} reads ({@link LocalCluster#stepClock}). Vigil
 * reads wall time only through that clock; the JVM's and the libraries' clocks do not move.
 */
class ClusterTimeIT extends LabClusterIT {
    private static final Duration RECHECK = Duration.ofSeconds(2);

    @Override
    String dirPrefix() { return "vigil-time-it-"; }

    private void recheckEvery(Duration d) {
        c.admin().updateConfig(cfg -> cfg.toBuilder().properties(cfg.properties().toBuilder().clusterRecheckInterval(d).build()).build());
    }

    @Test
    @Order(1)
    void steppingOneNodesWallClockAnHourAheadOrBackFencesNothingStopsNothingAndLeavesTheClusterTime() {
        ClusterState s0 = f.awaitAllOnline();
        recheckEvery(RECHECK);
        String leader = s0.leader();
        String follower = c.members().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        c.admin().updateConfig(cfg -> cfg.toBuilder().replaceResource(LabFixture.dummy("clock1"))
                .constraint(new Constraint.Location("clock1-on-" + follower, "clock1", follower, Score.INFINITY)).build());
        f.await("clock1 running on " + follower, s -> s.activeNodes("clock1").equals(List.of(follower)));
        f.awaitLedger("clock1", follower, "start", "end", Instant.EPOCH);
        Instant from = Instant.now();
        int fences = f.await("a status", x -> true).fenceHistory().size();

        for (String node : List.of(follower, leader)) {
            for (Duration step : List.of(Duration.ofHours(1), Duration.ofHours(-1))) {
                c.stepClock(node, step);
                // several node-timeouts with the step in place: any silence the step faked would have been acted on
                LocalCluster.sleep(LabFixture.NODE_TIMEOUT.multipliedBy(4));
                ClusterState s = f.await("a status", x -> true);
                String what = node + "'s clock " + step + " off: ";
                assertTrue(c.members().stream().allMatch(n -> s.node(n).membership() == Membership.ONLINE), what + s.nodes());
                assertEquals(fences, s.fenceHistory().size(), what + "nobody fenced: " + s.fenceHistory());
                assertEquals(List.of(follower), s.activeNodes("clock1"), what + "clock1 still runs where it ran");
                Duration off = Duration.between(Instant.now(), s.now());
                assertTrue(off.abs().compareTo(Duration.ofMinutes(1)) < 0, what + "the cluster time is " + off + " off the machine's");
                c.stepClock(node, Duration.ZERO);
            }
        }
        assertTrue(f.ledger("clock1").stream().noneMatch(e -> e.action().equals("stop") && e.epochNanos() > LocalCluster.nanos(from)),
                "clock1 was never stopped: " + f.ledger("clock1"));
        // No assertion on the Raft leader: elections run on Ratis' monotonic timers, which no wall-clock step reaches, and
        // on a loaded machine a 400 ms election timeout changes leaders on its own (seen in a full test run: terms 2 to 10 in 20 s,
        // before any step). What a step could wrongly cause - a fence, a stop, a cluster time off - is asserted above.
        f.assertNoDoubleActivity();
        f.disable("clock1");
    }

    @Test
    @Order(2)
    void anIdleClustersTimeAdvancesSoThatAMovesLifetimeEnds() {
        f.awaitAllOnline();
        recheckEvery(RECHECK);
        String home = c.members().get(0);
        String away = c.members().get(1);
        c.admin().updateConfig(cfg -> cfg.toBuilder().replaceResource(Primitive.builder("idle1", "ocf:heartbeat:Dummy").build())
                .constraint(new Constraint.Location("idle1-home", "idle1", home, Score.of(1000))).build());
        f.await("idle1 running on " + home, s -> s.activeNodes("idle1").equals(List.of(home)));

        Duration lifetime = Duration.ofSeconds(8);
        Instant moved = Instant.now();
        c.admin().move("idle1", away, lifetime);
        ClusterState s = f.await("idle1 moved to " + away, x -> x.activeNodes("idle1").equals(List.of(away)));
        Constraint.Location move = (Constraint.Location) s.config().constraints().stream()
                .filter(k -> k.id().equals(StateTransitions.MOVE_PREFIX + "idle1")).findFirst().orElseThrow();
        assertTrue(Duration.between(moved, move.expires()).abs().compareTo(lifetime.plusSeconds(5)) < 0,
                "the move expires its lifetime after the cluster time of its commit: " + move.expires());

        // nothing else is done to the cluster: only its ticks move its time past the end of the move
        f.await("idle1 back on " + home + " after the move expired", x -> x.activeNodes("idle1").equals(List.of(home)));
        assertTrue(Instant.now().isAfter(moved.plus(lifetime)), "not back before the lifetime ended");
        f.disable("idle1");
        recheckEvery(ClusterProperties.DEFAULTS.clusterRecheckInterval());
    }
}
