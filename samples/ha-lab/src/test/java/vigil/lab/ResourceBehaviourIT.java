package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vigil.lab.LabFixture.assertBefore;
import static vigil.lab.LabFixture.at;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;
import vigil.engine.executor.Ledger;

/**
 * Resource handling on a three-node cluster of separate processes running the real {@code ocf:heartbeat:Dummy}:
 * group ordering, a failed monitor, migration-threshold and standby. Each node has its own HA_RSCTMP, so deleting a
 * Dummy's state file there makes that node's recurring monitor report "not running".
 */
class ResourceBehaviourIT extends LabClusterIT {
    @Override
    String dirPrefix() { return "vigil-resources-it-"; }

    @Test
    @Order(1)
    void aGroupStartsInOrderAndStopsInReverseOrder() {
        f.awaitAllOnline();
        List<String> ids = List.of("g1", "g2", "g3");
        f.add(new Group("grp", ids.stream().map(LabFixture::dummy).toList(), Meta.EMPTY));
        String node = f.runningOn("g3");
        for (String id : ids) f.awaitLedger(id, node, "start", "end", Instant.EPOCH);
        for (int i = 0; i + 1 < ids.size(); i++) {
            Ledger.Entry startedFirst = f.awaitLedger(ids.get(i), node, "start", "end", Instant.EPOCH);
            Ledger.Entry startsNext = f.awaitLedger(ids.get(i + 1), node, "start", "begin", Instant.EPOCH);
            assertEquals(0, startedFirst.rc());
            assertBefore(at(startedFirst), at(startsNext), ids.get(i) + " started before " + ids.get(i + 1) + " starts");
        }

        Instant disabled = Instant.now();
        f.disable("grp");
        for (int i = ids.size() - 1; i > 0; i--) {
            Ledger.Entry stoppedFirst = f.awaitLedger(ids.get(i), node, "stop", "end", disabled);
            Ledger.Entry stopsNext = f.awaitLedger(ids.get(i - 1), node, "stop", "begin", disabled);
            assertEquals(0, stoppedFirst.rc());
            assertBefore(at(stoppedFirst), at(stopsNext), ids.get(i) + " stopped before " + ids.get(i - 1) + " stops");
        }
        f.assertNoDoubleActivity();
    }

    @Test
    @Order(2)
    void aFailedMonitorRestartsTheResourceInPlace() {
        f.awaitAllOnline();
        f.add(LabFixture.dummy("mon1"));
        String node = f.runningOn("mon1");
        f.awaitLedger("mon1", node, "start", "end", Instant.EPOCH);

        Instant broken = Instant.now();
        deleteState(node, "mon1");
        ClusterState s = f.await("mon1's failure counted and mon1 running again on " + node, st -> st.resource("mon1", node).failCount() == 1
                && st.activeNodes("mon1").equals(List.of(node)) && !f.ledger("mon1").isEmpty()
                && LabFixture.first(f.ledger("mon1"), node, "start", "end", broken).isPresent());
        assertTrue(s.resource("mon1", node).operations().stream().anyMatch(o -> o.action().equals("monitor") && o.code() == OcfCode.NOT_RUNNING),
                "the recurring monitor's rc 7 is recorded: " + s.resource("mon1", node).operations());
        Ledger.Entry stop = f.awaitLedger("mon1", node, "stop", "end", broken);
        Ledger.Entry start = f.awaitLedger("mon1", node, "start", "begin", broken);
        assertBefore(at(stop), at(start), "mon1 is stopped before it is started again");
        assertEquals(0, f.awaitLedger("mon1", node, "start", "end", broken).rc());
        assertEquals(1, s.resource("mon1", node).failCount(), "fail count");
        f.assertNoDoubleActivity();
        f.disable("mon1");
    }

    @Test
    @Order(3)
    void reachingTheMigrationThresholdMovesTheResourceAway() {
        f.awaitAllOnline();
        f.add(Primitive.builder("thr1", "ocf:heartbeat:Dummy").monitor(Duration.ofSeconds(2), Duration.ofSeconds(20)).migrationThreshold(1).build());
        String node = f.runningOn("thr1");
        f.awaitLedger("thr1", node, "start", "end", Instant.EPOCH);

        Instant broken = Instant.now();
        deleteState(node, "thr1");
        ClusterState s = f.await("thr1 moved away from " + node, st -> st.activeNodes("thr1").size() == 1
                && !st.activeNodes("thr1").get(0).equals(node) && st.node(st.activeNodes("thr1").get(0)).isOnline());
        String target = s.activeNodes("thr1").get(0);
        assertEquals(1, s.resource("thr1", node).failCount(), "fail count on " + node);
        Ledger.Entry stop = f.awaitLedger("thr1", node, "stop", "end", broken);
        Ledger.Entry start = f.awaitLedger("thr1", target, "start", "begin", broken);
        assertBefore(at(stop), at(start), "thr1 is stopped on " + node + " before it starts on " + target);
        assertEquals(0, f.awaitLedger("thr1", target, "start", "end", broken).rc());
        f.assertNoDoubleActivity();
        f.disable("thr1");
        c.admin().cleanup("thr1", null);
    }

    @Test
    @Order(4)
    void standbyMovesEverythingOffAndOnlineBringsNothingBack() {
        f.awaitAllOnline();
        f.add(LabFixture.dummy("sb1"), LabFixture.dummy("sb2"), LabFixture.dummy("sb3"));
        List<String> ids = List.of("sb1", "sb2", "sb3");
        f.await("sb1-3 running", st -> ids.stream().allMatch(id -> st.activeNodes(id).size() == 1));
        String node = f.runningOn("sb1");

        Instant standby = Instant.now();
        c.admin().standby(node);
        ClusterState s = f.await("nothing active on " + node, st -> st.config().primitives()
                .allMatch(p -> !st.resource(p.id(), node).isActive())
                && ids.stream().allMatch(id -> st.activeNodes(id).size() == 1));
        for (String id : ids) assertTrue(!s.activeNodes(id).contains(node), id + " moved off " + node);
        f.awaitLedger("sb1", node, "stop", "end", standby);

        Instant online = Instant.now();
        c.admin().online(node);
        f.await(node + " online and out of standby", st -> st.node(node).isOnline() && !st.node(node).standby());
        // stickiness keeps everything where it is; give the controller several planning rounds to prove it
        LocalCluster.sleep(Duration.ofSeconds(5));
        ClusterState after = f.await("a status", st -> true);
        for (String id : ids) {
            assertEquals(s.activeNodes(id), after.activeNodes(id), id + " stays where standby moved it");
            assertTrue(LabFixture.first(f.ledger(id), node, "start", "begin", online).isEmpty(), id + " is not started on " + node + " again");
        }
        f.assertNoDoubleActivity();
        for (String id : ids) f.disable(id);
    }

    /** Removes the state file ocf:heartbeat:Dummy keeps in the node's HA_RSCTMP: its next monitor reports not running (7). */
    private void deleteState(String node, String resource) {
        Path state = c.nodeDir(node).resolve("rsctmp").resolve("Dummy-" + resource + ".state");
        try {
            assertTrue(Files.deleteIfExists(state), "Dummy's state file " + state + " exists while " + resource + " runs there");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
