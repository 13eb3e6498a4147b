package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vigil.lab.LabFixture.assertBefore;
import static vigil.lab.LabFixture.at;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vigil.api.model.Constraint;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.executor.Ledger;

/**
 * Watchdog-only fencing on three node processes: no fence device, every node's watchdog a {@link WatchdogEmulator}
 * (a separate process that SIGKILLs the node when its device file is not written for the watchdog timeout; it stands
 * in for softdog, whose kernel module cannot load on this machine). n3 runs without an emulator, so it finds no watchdog
 * device and arms none.
 */
class WatchdogIT extends LabClusterIT {
    private static final Duration WATCHDOG = Duration.ofSeconds(3);
    private static final String BARE = "n3";

    @Override
    String dirPrefix() { return "vigil-watchdog-it-"; }

    @Override
    Duration watchdog() { return WATCHDOG; }

    @Override
    Set<String> withoutWatchdog() { return Set.of(BARE); }

    @Test
    @Order(1)
    void aHungNodeIsResetByItsWatchdog_countedSelfFenced_andItsResourceStartsElsewhereOnce() {
        ClusterState s0 = f.awaitAllOnline();
        assertEquals(List.of(), s0.config().fenceDevices(), "watchdog-only fencing: no fence device");
        f.await("n1 and n2 committed their armed watchdogs, n3 none", s -> s.watchdog("n1").equals(WATCHDOG)
                && s.watchdog("n2").equals(WATCHDOG) && s.watchdog(BARE).isZero());
        c.admin().updateConfig(cfg -> cfg.toBuilder().replaceResource(LabFixture.dummy("hung1"))
                .constraint(new Constraint.Location("hung1-not-on-n3", "hung1", BARE, Score.MINUS_INFINITY)).build());
        String victim = f.runningOn("hung1");
        f.awaitLedger("hung1", victim, "start", "end", Instant.EPOCH);

        Instant paused = Instant.now();
        c.pause(victim); // hung: it neither answers nor feeds its watchdog, and keeps running hung1
        c.await(LabFixture.LONG, victim + " reset by its watchdog", () -> c.watchdogFired(victim));
        Instant reset = c.awaitValue(LabFixture.LONG, "the exit of " + victim + "'s process", () -> c.deaths().stream()
                .filter(d -> d.node().equals(victim) && d.epochNanos() > LocalCluster.nanos(paused))
                .map(d -> Instant.ofEpochSecond(0, d.epochNanos())).findFirst());
        FenceEvent fence = f.awaitFence(victim, paused);
        assertEquals("watchdog", fence.action(), fence.toString());
        String target = f.await("hung1 recovered on the other node", st -> st.activeNodes("hung1").size() == 1
                && !st.activeNodes("hung1").get(0).equals(victim)).activeNodes("hung1").get(0);
        Ledger.Entry begin = f.awaitLedger("hung1", target, "start", "begin", paused);
        assertEquals(0, f.awaitLedger("hung1", target, "start", "end", paused).rc());
        assertBefore(reset, fence.at(), victim + " counted as self-fenced only after its watchdog reset it");
        assertBefore(reset, at(begin), "hung1 starts on " + target + " only after " + victim + " was reset");
        long starts = f.ledger("hung1").stream().filter(e -> e.action().equals("start") && e.isBegin() && e.epochNanos() > LocalCluster.nanos(paused)).count();
        assertEquals(1, starts, "started elsewhere once: " + f.ledger("hung1"));
        assertEquals(1, c.status().orElseThrow().fenceHistory().stream().filter(e -> e.target().equals(victim) && e.success()
                && !e.at().isBefore(paused)).count(), "counted once");
        f.assertNoDoubleActivity();

        f.restart(victim); // the reset host reboots: its new watchdog is armed again
        f.await(victim + " armed again", s -> s.watchdog(victim).equals(WATCHDOG));
        f.disable("hung1");
    }

    @Test
    @Order(2)
    void aNodeLeftWithoutQuorumThatRunsNothing_isNotResetByItsWatchdog_andTakesPartAgain() {
        f.awaitAllOnline();
        String alone = "n1";
        String hung = "n2";
        Instant paused = Instant.now();
        c.pause(hung);
        c.pause(BARE);
        try {
            // alone loses the cluster after node-timeout and stops what it runs: it then runs nothing and starts nothing,
            // so its watchdog need not reset it (had it stopped feeding, it would have reset within node-timeout + 3 s)
            LocalCluster.sleep(LabFixture.NODE_TIMEOUT.plus(WATCHDOG).multipliedBy(2));
            assertTrue(c.isAlive(alone) && !c.watchdogFired(alone), alone + " runs nothing: its watchdog must not reset it");
        } finally {
            c.resume(BARE);
            c.resume(hung);
        }
        c.await(LabFixture.LONG, hung + ", hung, reset by its watchdog", () -> c.watchdogFired(hung));
        f.awaitAllOnline();
        assertTrue(c.deaths().stream().noneMatch(d -> d.node().equals(alone) && d.epochNanos() > LocalCluster.nanos(paused)),
                alone + " takes part again without a reset: " + c.deaths());
        f.assertNoDoubleActivity();
    }

    @Test
    @Order(3)
    void aHungNodeWithoutAWatchdogIsNeverCountedAsSelfFenced_itsResourceStaysPut() {
        f.awaitAllOnline();
        c.admin().updateConfig(cfg -> cfg.toBuilder().replaceResource(LabFixture.dummy("bare1"))
                .constraint(new Constraint.Location("bare1-on-n3", "bare1", BARE, Score.of(1000))).build());
        f.await("bare1 running on " + BARE, s -> s.activeNodes("bare1").equals(List.of(BARE)));
        f.awaitLedger("bare1", BARE, "start", "end", Instant.EPOCH);

        Instant paused = Instant.now();
        c.pause(BARE);
        try {
            f.awaitWithout(BARE, BARE + " declared lost", s -> s.node(BARE).membership() == Membership.UNCLEAN);
            // well past node-timeout + watchdog-timeout: it advertised no watchdog, so it is never counted as fenced
            LocalCluster.sleep(LabFixture.NODE_TIMEOUT.plus(WATCHDOG).multipliedBy(3));
            ClusterState s = f.awaitWithout(BARE, "a status", x -> true);
            assertEquals(Membership.UNCLEAN, s.node(BARE).membership());
            assertTrue(s.fenceHistory().stream().noneMatch(e -> e.target().equals(BARE) && e.success() && !e.at().isBefore(paused)),
                    "counted as fenced without a watchdog: " + s.fenceHistory());
            assertTrue(f.ledger("bare1").stream().noneMatch(e -> !e.node().equals(BARE) && e.action().equals("start")),
                    "bare1 must not start elsewhere while " + BARE + " may still run it: " + f.ledger("bare1"));
            assertTrue(c.isAlive(BARE), BARE + " is still there, hung: nothing reset it");
        } finally {
            c.resume(BARE);
        }
    }
}
