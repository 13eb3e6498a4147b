package vigil.lab.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.testkit.Await;

/**
 * A clean stop is never fenced: {@code kill -TERM} of a daemon (what {@code systemctl stop} and package upgrades do)
 * and {@code vigil node stop} drain the node, which is then offline, not lost; started again it re-joins and probes.
 * Three {@code bin/vigil daemon} processes with stonith on through a device that SIGKILLs node processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GracefulStopIT {
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
    /** A JVM ends with 128 + 15 after SIGTERM once its shutdown hooks ran (the unit lists it in SuccessExitStatus). */
    static final int STOPPED_BY_SIGTERM = 143;
    static VigilHosts hosts;

    @BeforeAll
    static void start() {
        hosts = new VigilHosts();
        hosts.setUp("""
                properties:
                  node-timeout: 2s
                fence-devices:
                  kill:
                    type: process
                    host-map: {n1: ${dir}/n1.pid, n2: ${dir}/n2.pid, n3: ${dir}/n3.pid}
                """);
    }

    @AfterAll
    static void stop() {
        if (hosts != null) hosts.close();
    }

    static VigilHosts.Result ok(String host, String... args) {
        VigilHosts.Result r = hosts.vigil(host, args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r);
        return r;
    }

    static List<FenceEvent> fencesOf(String node) {
        return hosts.status().fenceHistory().stream().filter(f -> f.target().equals(node)).toList();
    }

    /** Some node-timeouts pass, then the node must be offline after a clean stop, and never have been fenced. */
    static void assertLeftCleanly(String node) {
        Await.until(Duration.ofSeconds(30), node + " offline", () -> hosts.status().node(node).membership() == Membership.OFFLINE);
        long end = System.nanoTime() + NODE_TIMEOUT.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            ClusterState s = hosts.status();
            assertEquals(Membership.OFFLINE, s.node(node).membership(), node + ": " + s.node(node));
            assertTrue(fencesOf(node).isEmpty(), node + " was fenced for a clean stop: " + fencesOf(node));
        }
        assertEquals("shut down", hosts.status().node(node).reason());
    }

    static void restartAndAwaitOnline(String node) {
        hosts.startDaemon(node);
        hosts.awaitRunning(node);
        Await.until(Duration.ofSeconds(60), node + " online again", () -> hosts.status().node(node).isOnline());
        assertTrue(hosts.logText(node).contains(node + ": probing every configured resource"), "re-joined without probing");
    }

    @Test
    @Order(1)
    void sigtermOfAnIdleNodeInStandby_leavesItOffline_notFenced() {
        ok("n1", "node", "standby", "n3");
        hosts.signal("n3", "TERM");
        assertEquals(STOPPED_BY_SIGTERM, hosts.awaitExit("n3", Duration.ofSeconds(60)));
        assertLeftCleanly("n3");
        restartAndAwaitOnline("n3");
        ok("n1", "node", "online", "n3");
    }

    @Test
    @Order(2)
    void sigtermOfTheNodeRunningAResource_movesItFirst_notFenced() {
        ok("n1", "resource", "create", "d1", "ocf:heartbeat:Dummy", "--op", "monitor:5s:20s");
        String where = Await.value(Duration.ofSeconds(60), "d1 started", () -> {
            List<String> a = hosts.status().activeNodes("d1");
            return a.size() == 1 ? a.get(0) : null;
        });
        hosts.signal(where, "TERM");
        assertEquals(STOPPED_BY_SIGTERM, hosts.awaitExit(where, Duration.ofSeconds(60)));
        assertLeftCleanly(where);
        List<String> now = hosts.status().activeNodes("d1");
        assertEquals(1, now.size(), "d1 runs once: " + now);
        assertTrue(!now.contains(where), "d1 still counted on the stopped node " + where);
        restartAndAwaitOnline(where);
    }

    @Test
    @Order(3)
    void nodeStop_drainsTheNodeAndItsDaemonExits_unlessTheRestWouldLoseQuorum() {
        VigilHosts.Result stopped = ok("n1", "node", "stop", "n2");
        assertTrue(stopped.out().contains("n2: stopped"), stopped.toString());
        assertEquals(0, hosts.awaitExit("n2", Duration.ofSeconds(60)));
        assertLeftCleanly("n2");

        // with n2 gone, stopping n3 would leave n1 alone: refused, with the reason, and nothing changes
        VigilHosts.Result refused = hosts.vigil("n1", "node", "stop", "n3");
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("lose quorum") && refused.err().contains("--force"), refused.err());
        assertTrue(hosts.isRunning("n3"));
        assertTrue(hosts.status().node("n3").isOnline() && !hosts.status().node("n3").shutdown());
        restartAndAwaitOnline("n2");
    }
}
