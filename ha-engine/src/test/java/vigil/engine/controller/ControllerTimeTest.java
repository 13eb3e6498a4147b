package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Primitive;
import vigil.api.model.Score;
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.testkit.Await;

/** The controller measures on its monotonic clock, and keeps the cluster's time moving when nothing is committed. */
class ControllerTimeTest {
    private final ControllerHarness h = new ControllerHarness();

    @AfterEach
    void stop() { h.close(); }

    private static ClusterConfig noStonith() {
        return ClusterConfig.builder().properties(ClusterProperties.builder().stonithEnabled(false).build()).build();
    }

    @Test
    void wallClockStepsOnTheControllerChangeNoLeaseAndNoNodeTimeout() {
        h.threeOnlineNodes(noStonith());
        h.start((config, target, action, executor) -> { throw new AssertionError("stonith is off"); });
        h.pass(Duration.ofSeconds(2));
        h.heartbeats.clear();

        for (Duration step : List.of(Duration.ofHours(1), Duration.ofHours(-2))) {
            h.clock.step(step);
            h.pass(Duration.ofSeconds(3));
            // heartbeats went on (every node-timeout / 10 to each node), all of them with the lease
            assertTrue(h.heartbeats.size() >= 30, "heartbeats after a step of " + step + ": " + h.heartbeats.size());
            assertTrue(h.heartbeats.stream().allMatch(NodeTransport.HeartbeatRequest::leaseValid), "the lease held through a step of " + step);
            h.heartbeats.clear();
        }
        assertFalse(h.declared("n2") || h.declared("n3"), "nobody declared lost: " + h.submitted);

        // and silence is still measured: a node that dies now is declared lost after node-timeout, not an hour later
        long died = h.monoMillis();
        h.silent.add("n3");
        Await.until(Duration.ofSeconds(20), "n3 declared lost", () -> {
            h.pass(Duration.ofMillis(100));
            return h.declared("n3");
        });
        long declaredAt = h.submittedAt.stream().filter(x -> x.command() instanceof Command.SetMembership m && m.node().equals("n3")
                        && m.membership() == vigil.api.status.Membership.UNCLEAN)
                .findFirst().orElseThrow().monoMillis();
        // measured from its last answer: on a busy machine the heartbeats (real time) fall behind this test's clock
        long silentFor = declaredAt - h.answeredAt.get("n3");
        assertTrue(silentFor >= 1000, "n3 declared after " + silentFor + " ms of silence (node-timeout 1 s)");
        assertTrue(declaredAt - died < 3000, "n3 declared " + (declaredAt - died) + " ms after it fell silent (node-timeout 1 s)");
    }

    @Test
    void anIdleClusterCommitsATickEachRecheckIntervalSoThatAMoveExpires() {
        Instant t0 = h.clock.instant();
        ClusterConfig config = ClusterConfig.builder()
                .properties(ClusterProperties.builder().stonithEnabled(false).clusterRecheckInterval(Duration.ofSeconds(2)).build())
                .resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build())
                .constraint(new Constraint.Location("d1-likes-n1", "d1", "n1", Score.of(100)))
                // moved to n2 for five seconds
                .constraint(new Constraint.Location(StateTransitions.MOVE_PREFIX + "d1", "d1", "n2", Score.INFINITY, null, t0.plusSeconds(5)))
                .build();
        h.threeOnlineNodes(config);
        h.submit(List.of(new Command.RecordOperation("d1", "n2", "start", Duration.ZERO, OcfCode.SUCCESS, Duration.ZERO, "", "",
                java.util.OptionalInt.empty())));
        h.start((c, target, action, executor) -> { throw new AssertionError("stonith is off"); });
        h.pass(Duration.ofSeconds(3));
        assertTrue(h.executed.isEmpty(), "d1 stays on n2 while it is moved there: " + h.executed);

        // nothing else happens in the cluster: only the controller's ticks move its time past the move's end
        Await.until(Duration.ofSeconds(30), "d1 moved back towards n1 once the move expired", () -> {
            h.pass(Duration.ofMillis(200));
            return h.executed.contains("d1 stop n2");
        });
        assertTrue(h.submitted.stream().anyMatch(c -> c instanceof Command.Tick), "ticked: " + h.submitted);
        long ticks = h.submitted.stream().filter(c -> c instanceof Command.Tick).count();
        assertTrue(ticks <= 6, "one tick per recheck interval, not more: " + ticks);
    }

    @Test
    void clusterTimeIsTheLowerMedianOfTheNodesClocksSoOneNodeAheadCannotMoveIt() {
        h.threeOnlineNodes(noStonith());
        Controller c = h.start((config, target, action, executor) -> { throw new AssertionError("stonith is off"); });
        h.clockOffsets.put("n1", Duration.ofHours(1)); // the controller's own node is an hour ahead
        h.clockOffsets.put("n3", Duration.ofSeconds(-2));
        Await.until(Duration.ofSeconds(20), "a cluster time", () -> {
            h.pass(Duration.ofMillis(100));
            return c.clusterTime().isPresent();
        });
        h.pass(Duration.ofMillis(300));
        Duration off = Duration.between(h.clock.instant(), c.clusterTime().orElseThrow());
        assertTrue(off.abs().compareTo(Duration.ofMillis(200)) < 0, "cluster time follows n2, the median, off by " + off);

        // two of three silent: no majority of readings, so not the median of what is left (n1, an hour ahead, and one
        // other): the newest applied cluster time, carried forward
        h.silent.add("n2");
        h.silent.add("n3");
        h.pass(Duration.ofMillis(1500));
        off = Duration.between(h.clock.instant(), c.clusterTime().orElseThrow());
        assertTrue(off.abs().compareTo(Duration.ofMillis(200)) < 0, "carried forward, off by " + off);
    }

    @Test
    void aNewControllerCarriesTheAppliedClusterTimeForwardOnItsMonotonicClockUntilItHearsAMajority() {
        h.threeOnlineNodes(noStonith());
        h.silent.addAll(List.of("n1", "n2", "n3")); // elected, but no reply has come yet
        Controller c = h.start((config, target, action, executor) -> { throw new AssertionError("stonith is off"); });
        Instant applied = h.state.get().now();
        Await.until(Duration.ofSeconds(10), "a cluster time", () -> c.clusterTime().isPresent());
        h.pass(Duration.ofSeconds(2));
        h.clock.step(Duration.ofHours(1)); // and this node's wall clock jumps: the carried time does not
        Instant carried = c.clusterTime().orElseThrow();
        assertTrue(!carried.isBefore(applied.plusSeconds(2)) && carried.isBefore(applied.plusSeconds(3)),
                "the applied " + applied + " carried 2 s forward, got " + carried);
    }

    @Test
    void aTwoNodeHostRunningAlone_stampsItsOwnClock_notTheTimeItLastAppliedCarriedFromItsRestart() {
        h.threeOnlineNodes(noStonith());
        // the host then lost its peer, fenced it and started again as the only voter: nothing was committed meanwhile
        h.clock.advance(Duration.ofSeconds(30));
        h.stampedByController = true;
        h.silent.addAll(List.of("n2", "n3"));
        Controller c = h.start((config, target, action, executor) -> { throw new AssertionError("stonith is off"); });
        c.leaseVoters(s -> List.of("n1"));
        Await.until(Duration.ofSeconds(20), "its election committed", () -> {
            h.pass(Duration.ofMillis(100));
            return h.state.get().term() == 1;
        });
        h.pass(Duration.ofSeconds(1));
        Duration behind = Duration.between(c.clusterTime().orElseThrow(), h.clock.instant());
        assertTrue(behind.abs().compareTo(Duration.ofMillis(500)) < 0, "the cluster time of the only voter is " + behind + " behind its clock");
        h.submit(List.of(new Command.Tick()));
        behind = Duration.between(h.state.get().now(), h.clock.instant());
        assertTrue(behind.abs().compareTo(Duration.ofMillis(500)) < 0, "an entry stamped " + behind + " behind the only voter's clock");
    }
}
