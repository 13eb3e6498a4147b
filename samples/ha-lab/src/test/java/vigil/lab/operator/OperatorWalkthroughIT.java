package vigil.lab.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import vigil.api.model.ClusterConfig;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.raft.admin.AdminClient;
import vigil.testkit.Await;

/**
 * What an operator does in the first hour, exactly as samples/ha-daemon/README.md says, on three hosts (127.0.0.1-3)
 * that each run {@code bin/vigil daemon}: init, join twice, resources with the real {@code ocf:heartbeat:Dummy}, move and
 * clear, standby and online, a partial {@code config apply}, clean stops and starts, a broken resource, replacing a dead
 * host ({@code node remove}, then a join with an empty directory), and status on a node cut off from the others. Everything is done with
 * {@code bin/vigil} and YAML files; the admin client only observes. Stonith is on, with a device that SIGKILLs a node's
 * daemon, so a stop the cluster mistook for a failure would show in the fence history.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorWalkthroughIT {
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
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
        if (hosts != null) {
            for (String n : List.of("n2", "n3")) if (hosts.isRunning(n)) hosts.signal(n, "CONT");
            hosts.close();
        }
    }

    static VigilHosts.Result ok(String host, String... args) {
        VigilHosts.Result r = hosts.vigil(host, args);
        assertEquals(0, r.code(), "vigil " + String.join(" ", args) + " on " + host + ": " + r);
        return r;
    }

    static String runsOn(String resource) {
        return Await.value(Duration.ofSeconds(60), resource + " started once", () -> {
            List<String> a = hosts.status().activeNodes(resource);
            return a.size() == 1 ? a.get(0) : null;
        });
    }

    static String awaitOn(String resource, String node) {
        Await.until(Duration.ofSeconds(60), resource + " on " + node + " only", () -> hosts.status().activeNodes(resource).equals(List.of(node)));
        return node;
    }

    static boolean idle(ClusterState s, String node) {
        return s.resources().values().stream().map(perNode -> perNode.get(node)).noneMatch(r -> r != null && (r.isActive() || r.pending()));
    }

    static List<FenceEvent> fences() { return hosts.status().fenceHistory(); }

    @Test
    @Order(1)
    void initAndTwoJoins_makeThreeRaftVoters() {
        try (AdminClient c = hosts.client(List.of("n1", "n2", "n3"))) {
            assertEquals(Set.of("n1", "n2", "n3"), VigilHosts.ids(c.statusWithServer().server().voters()));
        }
        String status = ok("n3", "status").out();
        for (String n : List.of("n1", "n2", "n3")) assertTrue(status.contains(n), status);
        assertTrue(status.contains("Security: mutual TLS"), status);
        assertEquals(0, hosts.vigil("n2", "status", "--simple").code(), "a healthy cluster with a fence device for every node");
    }

    @Test
    @Order(2)
    void resourceCreate_withTheRealDummy_runs_andUnknownAgentsOrParametersAreRefused() {
        ok("n1", "resource", "create", "d1", "ocf:heartbeat:Dummy", "--op", "monitor:5s:20s");
        String where = runsOn("d1");
        assertTrue(ok("n2", "status").out().contains("d1"), "status lists d1");
        assertTrue(hosts.etc(where).resolve("rsctmp").toFile().list().length > 0, "the Dummy agent's state file is on " + where);

        long version = hosts.status().configVersion();
        VigilHosts.Result agent = hosts.vigil("n1", "resource", "create", "x", "ocf:heartbeat:NoSuchAgent");
        assertEquals(1, agent.code(), agent.toString());
        assertTrue(agent.err().contains("\"ocf:heartbeat:NoSuchAgent\" cannot run") && agent.err().contains("--force"), agent.err());
        VigilHosts.Result param = hosts.vigil("n1", "resource", "create", "d9", "ocf:heartbeat:Dummy", "bogus=1");
        assertEquals(1, param.code(), param.toString());
        assertTrue(param.err().contains("has no parameter \"bogus\""), param.err());
        assertEquals(version, hosts.status().configVersion(), "a refused create changes nothing");
    }

    @Test
    @Order(3)
    void moveAndClear_standbyAndOnline() {
        String from = runsOn("d1");
        String to = from.equals("n1") ? "n2" : "n1";
        ok("n3", "resource", "move", "d1", to);
        awaitOn("d1", to);
        ok("n3", "resource", "clear", "d1");
        assertTrue(hosts.status().config().constraints().isEmpty(), "clear removed the move constraint");

        ok("n1", "node", "standby", to);
        String away = runsOn("d1");
        assertFalse(away.equals(to), "d1 left the standby node");
        ok("n1", "node", "online", to);
        Await.until(Duration.ofSeconds(30), to + " online", () -> !hosts.status().node(to).standby());
        assertTrue(fences().isEmpty(), "nothing fenced: " + fences());
    }

    @Test
    @Order(4)
    void applyOfAPartialFile_changesOnlyItsSection() {
        ClusterConfig before = hosts.status().config();
        Path part = hosts.dir.resolve("more-resources.yaml");
        hosts.write(part, """
                resources:
                  d2:
                    type: ocf:heartbeat:Dummy
                    operations:
                      - {name: monitor, interval: 5s, timeout: 20s}
                """);
        VigilHosts.Result r = ok("n1", "config", "apply", "-f", part.toString(), "--yes");
        assertTrue(r.out().contains("d2") && r.out().contains("applied"), r.out());
        ClusterConfig after = hosts.status().config();
        assertEquals(before.nodes(), after.nodes(), "nodes untouched");
        assertEquals(before.fenceDevices(), after.fenceDevices(), "fence devices untouched");
        assertEquals(before.properties(), after.properties(), "properties untouched");
        assertEquals(before.constraints(), after.constraints(), "constraints untouched");
        assertEquals(before.resource("d1"), after.resource("d1"), "d1 untouched");
        assertTrue(after.resource("d2").isPresent());
        runsOn("d2");
        runsOn("d1");
    }

    @Test
    @Order(5)
    void aBrokenResource_failsAloneWithItsReason_andTheOthersStillRun() {
        ok("n1", "resource", "create", "broken", "ocf:heartbeat:NoSuchAgent", "--force");
        ok("n1", "resource", "create", "d3", "ocf:heartbeat:Dummy");
        runsOn("d3");
        Await.until(Duration.ofSeconds(60), "broken failed on every node", () -> hosts.status().config().nodes().stream()
                .allMatch(n -> hosts.status().resource("broken", n.id()).failCount() > 0));
        String status = ok("n2", "status").out();
        assertTrue(status.contains("broken") && status.contains("agent not found"), status);
        assertTrue(hosts.status().activeNodes("broken").isEmpty());
        runsOn("d1");
        runsOn("d2");
        ok("n1", "resource", "delete", "broken", "--force");
        assertTrue(hosts.status().config().resource("broken").isEmpty());
        assertTrue(fences().isEmpty(), "nothing fenced: " + fences());
    }

    @Test
    @Order(6)
    void nodeStop_withAndWithoutResources_isNeverFenced_andTheNodeStartsAgain() {
        String busy = runsOn("d1");
        VigilHosts.Result stopped = ok(busy.equals("n1") ? "n2" : "n1", "node", "stop", busy);
        assertTrue(stopped.out().contains(busy + ": stopped"), stopped.toString());
        assertEquals(0, hosts.awaitExit(busy, Duration.ofSeconds(60)));
        assertLeftCleanly(busy);
        assertFalse(runsOn("d1").equals(busy), "d1 moved off the stopped node");
        hosts.startDaemon(busy);
        hosts.awaitRunning(busy);
        Await.until(Duration.ofSeconds(60), busy + " online again", () -> hosts.status().node(busy).isOnline());

        String idle = List.of("n1", "n2", "n3").stream().filter(n -> !n.equals(busy)).filter(n -> idle(hosts.status(), n)).findFirst()
                .orElse(null);
        if (idle == null) { // every node runs something: make one idle with standby, as an operator would
            idle = List.of("n1", "n2", "n3").stream().filter(n -> !n.equals(busy)).findFirst().orElseThrow();
            ok("n1", "node", "standby", idle);
            String node = idle;
            Await.until(Duration.ofSeconds(60), node + " idle", () -> idle(hosts.status(), node));
        }
        String quiet = idle;
        ok(quiet, "node", "stop");
        assertEquals(0, hosts.awaitExit(quiet, Duration.ofSeconds(60)));
        assertLeftCleanly(quiet);
        hosts.startDaemon(quiet);
        hosts.awaitRunning(quiet);
        Await.until(Duration.ofSeconds(60), quiet + " online again", () -> hosts.status().node(quiet).isOnline());
        ok("n1", "node", "online", quiet);
        assertTrue(fences().isEmpty(), "nothing fenced: " + fences());
    }

    static void everyNodeRunningAndOnline() {
        for (String n : List.of("n1", "n2", "n3")) {
            if (!hosts.isRunning(n)) {
                hosts.startDaemon(n);
                hosts.awaitRunning(n);
            }
            Await.until(Duration.ofSeconds(60), n + " online", () -> hosts.status().node(n).isOnline());
            if (hosts.status().node(n).standby()) ok("n1", "node", "online", n);
        }
    }

    /** Some node-timeouts pass: the node stays offline after its clean stop, and is never fenced. */
    static void assertLeftCleanly(String node) {
        Await.until(Duration.ofSeconds(30), node + " offline", () -> hosts.status().node(node).membership() == Membership.OFFLINE);
        long end = System.nanoTime() + NODE_TIMEOUT.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            ClusterState s = hosts.status();
            assertEquals(Membership.OFFLINE, s.node(node).membership(), node + ": " + s.node(node));
            assertTrue(s.fenceHistory().isEmpty(), node + " fenced for a clean stop: " + s.fenceHistory());
        }
    }

    @Test
    @Order(7)
    void replacingADeadHost_nodeRemove_thenJoinWithAnEmptyDir_makesThreeVotersAgain_andEveryResourceRunsOnce() throws Exception {
        everyNodeRunningAndOnline(); // what the step before leaves, even when it failed half-way: this step then fails for itself
        ok("n1", "resource", "move", "d1", "n3");
        awaitOn("d1", "n3");
        VigilHosts.Result refused = hosts.vigil("n1", "node", "remove", "n3");
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().contains("still runs [") && refused.err().contains("d1") && refused.err().contains("vigil node standby n3"), refused.err());
        assertTrue(hosts.status().config().node("n3").isPresent(), "a refused remove changes nothing");

        hosts.signal("n3", "KILL"); // the host dies
        hosts.awaitExit("n3", Duration.ofSeconds(30));
        Await.until(Duration.ofSeconds(60), "n3 fenced", () -> fences().stream().anyMatch(f -> f.target().equals("n3") && f.success()));
        String survivor = runsOn("d1");
        assertFalse(survivor.equals("n3"));

        // as samples/ha-daemon/README.md says: remove it, then a new host with an empty dir joins under the same id
        ok("n1", "node", "remove", "n3");
        try (AdminClient c = hosts.client(List.of("n1", "n2"))) {
            assertEquals(Set.of("n1", "n2"), VigilHosts.ids(c.statusWithServer().server().voters()));
        }
        ClusterConfig removed = hosts.status().config();
        assertTrue(removed.node("n3").isEmpty());
        assertTrue(removed.constraints().isEmpty(), "the move to n3 went with it: " + removed.constraints());
        assertTrue(removed.fenceDevice("kill").orElseThrow().hostMap().containsKey("n3"), "the fence device still names n3");

        java.nio.file.Files.move(hosts.log("n3"), hosts.dir.resolve("n3-removed.log"));
        try (var files = java.nio.file.Files.walk(hosts.etc("n3"))) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.delete(f);
        }
        hosts.join("n3");
        hosts.awaitVoters(List.of("n1", "n2", "n3"));
        ok("n1", "resource", "move", "d3", "n3");
        awaitOn("d3", "n3");
        ok("n1", "resource", "clear", "d3");
        long end = System.nanoTime() + NODE_TIMEOUT.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            ClusterState s = hosts.status();
            for (String r : List.of("d1", "d2", "d3")) assertEquals(1, s.activeNodes(r).size(), r + " runs once: " + s.activeNodes(r));
        }
        assertTrue(fences().stream().allMatch(f -> f.target().equals("n3")), "only the dead host was fenced: " + fences());
        String stonith = ok("n1", "stonith", "status").out();
        assertTrue(stonith.contains("* n3: ") && !stonith.contains("NO device can fence"), "the device that named the old n3 fences the new one:\n" + stonith);
    }

    @Test
    @Order(8)
    void statusOnANodeCutOffFromTheMajority_answersWithinASecond_withItsOwnView() {
        hosts.signal("n2", "STOP");
        hosts.signal("n3", "STOP");
        try (AdminClient n1 = hosts.client(List.of("n1"))) {
            Await.until(Duration.ofSeconds(30), "n1 knows it has no quorum", () -> !n1.status().hasQuorum());
            long start = System.nanoTime();
            ClusterState s = n1.status();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertFalse(s.hasQuorum());
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "status on n1 took " + took.toMillis() + " ms");
        }
        VigilHosts.Result r = ok("n1", "status", "--cluster", hosts.admin("n1"));
        assertTrue(r.out().contains("partition WITHOUT quorum"), r.out());
        assertEquals(2, hosts.vigil("n1", "status", "--simple", "--cluster", hosts.admin("n1")).code(), "no quorum is critical");
    }
}
