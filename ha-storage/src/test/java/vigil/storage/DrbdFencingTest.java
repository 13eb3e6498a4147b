package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import vigil.api.ClusterUnavailableException;
import vigil.api.spi.OutdatedCopies;

/**
 * Resource-level fencing as crm-fence-peer does it: the Primary that loses its link outdates the peer; the mark is
 * cleared once the peer is connected and UpToDate again. States come from recorded status --json samples, with the
 * host names of this test's config equal to the samples' connection names.
 */
class DrbdFencingTest {
    private final DrbdResourceConfig config = DrbdResourceConfig.fromParams("r0", Map.of(
            "hosts", "node1=SLE15-sp1-gm-drbd1145296-node1:10.0.0.1,node2=SLE15-sp1-gm-drbd1145296-node2:10.0.0.2",
            "device", "/dev/drbd0", "disk", "/dev/sdb"));

    private static DrbdResourceStatus status(String file) { return DrbdStatusParser.parse(RecordingDrbd.resource("status-json/" + file)).get(0); }

    @Test
    void primaryLosesLink_peerOutdated_thenUnfencedAfterResync() {
        MarksInMemory marks = new MarksInMemory();
        FencingMonitor m = new FencingMonitor(config, "r0", "node1", marks);
        assertFalse(m.observe(status("connected-primary.json")));
        assertFalse(marks.isOutdated("r0", "node2"));

        assertTrue(m.observe(status("adapted-standalone-split-brain.json")), "link lost while Primary");
        assertTrue(marks.isOutdated("r0", "node2"));
        assertFalse(m.observe(status("adapted-standalone-split-brain.json")), "no second mark for the same loss");

        assertFalse(m.observe(status("adapted-syncsource.json")), "still resyncing: the peer stays outdated");
        assertTrue(marks.isOutdated("r0", "node2"));

        assertTrue(m.observe(status("connected-primary.json")), "UpToDate again");
        assertFalse(marks.isOutdated("r0", "node2"));
    }

    @Test
    void secondaryLosesLink_nobodyOutdated() {
        MarksInMemory marks = new MarksInMemory();
        FencingMonitor m = new FencingMonitor(config, "r0", "node1", marks);
        m.observe(status("adapted-outdated-connecting.json"));
        assertFalse(marks.isOutdated("r0", "node2"));
    }

    @Test
    void promotedWhileThePeerWasNeverSeenConnected_theLinkLossStillOutdatesIt() {
        // the last state this monitor saw was a Secondary without its peer (before the peer came up); the node was then
        // promoted while connected and the link broke before the next state was observed: like DRBD's fence-peer
        // handler, a Primary without its peer outdates it, whatever this monitor saw before
        MarksInMemory marks = new MarksInMemory();
        FencingMonitor m = new FencingMonitor(config, "r0", "node1", marks);
        m.observe(status("adapted-outdated-connecting.json"));
        assertTrue(m.observe(status("adapted-standalone-split-brain.json")), "Primary without its peer");
        assertTrue(marks.isOutdated("r0", "node2"));
    }

    @Test
    void fencingDontCare_neverOutdates() {
        DrbdResourceConfig noFence = DrbdResourceConfig.fromParams("r0", Map.of(
                "hosts", "node1=SLE15-sp1-gm-drbd1145296-node1:10.0.0.1,node2=SLE15-sp1-gm-drbd1145296-node2:10.0.0.2",
                "device", "/dev/drbd0", "disk", "/dev/sdb", "fencing", "dont-care"));
        MarksInMemory marks = new MarksInMemory();
        FencingMonitor m = new FencingMonitor(noFence, "r0", "node1", marks);
        m.observe(status("connected-primary.json"));
        assertFalse(m.observe(status("adapted-standalone-split-brain.json")));
        assertFalse(marks.isOutdated("r0", "node2"));
    }

    @Test
    void aMarkThatCannotBeCommittedIsTriedAgainWithTheNextState() {
        MarksInMemory committed = new MarksInMemory();
        AtomicBoolean reachable = new AtomicBoolean(false);
        OutdatedCopies cluster = new OutdatedCopies() {
            @Override
            public void mark(String resource, String node, String reason) {
                if (!reachable.get()) throw new ClusterUnavailableException("no leader");
                committed.mark(resource, node, reason);
            }

            @Override
            public void clear(String resource, String node) { committed.clear(resource, node); }

            @Override
            public boolean isOutdated(String resource, String node) { return committed.isOutdated(resource, node); }
        };
        FencingMonitor m = new FencingMonitor(config, "r0", "node1", cluster);
        m.observe(status("connected-primary.json"));
        assertFalse(m.observe(status("adapted-standalone-split-brain.json")), "the cluster could not be reached");
        assertFalse(committed.isOutdated("r0", "node2"));
        reachable.set(true);
        assertTrue(m.observe(status("adapted-standalone-split-brain.json")), "marked at the next state");
        assertTrue(committed.isOutdated("r0", "node2"));
    }
}
