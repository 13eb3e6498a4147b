package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.state.Command;
import vigil.testkit.Await;

/**
 * Watchdog self-fencing as the controller counts it (safety rule 2): a lost node is off only once the watchdog it
 * advertised must have reset it, on the controller's monotonic clock; a node that advertised none never is.
 */
class ControllerWatchdogTest {
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WATCHDOG = Duration.ofSeconds(2);
    private final ControllerHarness h = new ControllerHarness();

    @AfterEach
    void stop() { h.close(); }

    /** Stonith on and no fence device: only watchdogs can fence. */
    private static ClusterConfig watchdogOnly() {
        return ClusterConfig.builder().properties(ClusterProperties.builder().nodeTimeout(NODE_TIMEOUT).watchdogTimeout(WATCHDOG).build()).build();
    }

    private List<FenceEvent> succeeded(String node) { return h.fences(node).stream().filter(FenceEvent::success).toList(); }

    private long fencedAtMonoMillis(String node) {
        return h.submittedAt.stream().filter(x -> x.command() instanceof Command.RecordFence f && f.event().target().equals(node) && f.event().success())
                .findFirst().orElseThrow().monoMillis();
    }

    @Test
    void aSilentNodeThatAdvertisedNoWatchdogIsNeverCountedAsSelfFenced() {
        h.threeOnlineNodes(watchdogOnly());
        h.start(ControllerHarness.noDevice());
        h.pass(Duration.ofSeconds(1));
        h.silent.add("n3");
        h.pass(NODE_TIMEOUT.plus(WATCHDOG).multipliedBy(3));
        assertEquals(Membership.UNCLEAN, h.state.get().node("n3").membership());
        assertEquals(List.of(), succeeded("n3"), "counted as fenced without a watchdog it advertised");
    }

    @Test
    void aSilentNodeWithAnArmedWatchdogIsCountedOnceAfterNodeTimeoutPlusWatchdogTimeout_evenIfTheWallClockJumps() {
        h.threeOnlineNodes(watchdogOnly());
        h.watchdogs.put("n3", NodeTransport.WatchdogReport.armed(WATCHDOG));
        h.start(ControllerHarness.noDevice());
        h.pass(Duration.ofSeconds(2));
        long silentFrom = h.monoMillis();
        h.silent.add("n3");
        h.clock.step(Duration.ofHours(1)); // a wall-clock step on the controller must not shorten the wait
        Await.until(Duration.ofSeconds(30), "n3 counted as self-fenced", () -> {
            h.pass(Duration.ofMillis(100));
            return !succeeded("n3").isEmpty();
        });
        long waited = fencedAtMonoMillis("n3") - silentFrom;
        // its last reply came at most one heartbeat interval (100 ms) before it fell silent
        assertTrue(waited >= NODE_TIMEOUT.plus(WATCHDOG).toMillis() - 100, "counted " + waited + " ms after it fell silent");
        h.pass(Duration.ofSeconds(2));
        assertEquals(1, succeeded("n3").size(), "counted once: " + h.fences("n3"));
        assertEquals("watchdog", succeeded("n3").get(0).action());
        assertEquals(Membership.OFFLINE, h.state.get().node("n3").membership());
    }

    @Test
    void aNodeANewControllerNeverHeardCountsOnTheWatchdogItCommitted_afterThePreviousLeaseAndItsWatchdogRanOut() {
        h.threeOnlineNodes(watchdogOnly());
        h.submit(List.of(new Command.SetWatchdog("n3", WATCHDOG)));
        h.silent.add("n3"); // it was the previous leader and died before this controller took over
        long elected = h.monoMillis();
        h.start(ControllerHarness.noDevice());
        Await.until(Duration.ofSeconds(30), "n3 counted as self-fenced", () -> {
            h.pass(Duration.ofMillis(100));
            return !succeeded("n3").isEmpty();
        });
        long waited = fencedAtMonoMillis("n3") - elected;
        // the previous controller's lease may have lasted node-timeout past the election: n3 fed its watchdog until
        // node-timeout after that
        assertTrue(waited >= NODE_TIMEOUT.multipliedBy(2).plus(WATCHDOG).toMillis(), "counted " + waited + " ms after the election");
    }

    @Test
    void aNodeToBeFencedThatStillAnswersIsAskedToFenceItselfAndCountedOnceItsResetIsDue() {
        h.threeOnlineNodes(watchdogOnly());
        // n3 was declared lost while it was cut off; now it answers again, its watchdog armed and fed
        h.submit(List.of(new Command.SetMembership("n3", Membership.UNCLEAN, Controller.SILENCE + "1000 ms")));
        h.watchdogs.put("n3", NodeTransport.WatchdogReport.armed(WATCHDOG));
        AtomicLong askedAt = new AtomicLong(-1);
        h.start(ControllerHarness.noDevice());
        Await.until(Duration.ofSeconds(30), "n3 asked to fence itself", () -> {
            h.pass(Duration.ofMillis(50));
            boolean asked = h.heartbeats.stream().anyMatch(NodeTransport.HeartbeatRequest::fenceYourself);
            if (asked && askedAt.get() < 0) {
                askedAt.set(h.monoMillis());
                // what the node's keeper then reports: no longer fed, reset due within what is left of its timeout
                h.watchdogs.put("n3", NodeTransport.WatchdogReport.resetting(WATCHDOG, WATCHDOG));
            }
            return asked;
        });
        assertTrue(succeeded("n3").isEmpty(), "not counted while its watchdog may still be fed");
        Await.until(Duration.ofSeconds(30), "n3 counted as self-fenced", () -> {
            h.pass(Duration.ofMillis(100));
            long left = WATCHDOG.toMillis() - (h.monoMillis() - askedAt.get());
            h.watchdogs.put("n3", NodeTransport.WatchdogReport.resetting(WATCHDOG, Duration.ofMillis(Math.max(0, left))));
            return !succeeded("n3").isEmpty();
        });
        long waited = fencedAtMonoMillis("n3") - askedAt.get();
        assertTrue(waited >= WATCHDOG.toMillis() - 150, "counted " + waited + " ms after it stopped feeding its watchdog");
        assertTrue(h.heartbeats.stream().filter(r -> r.fenceYourself()).count() >= 1);
    }
}
