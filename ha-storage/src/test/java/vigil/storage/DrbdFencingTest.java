package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

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
        PeerFencing marks = PeerFencing.inMemory();
        FencingMonitor m = new FencingMonitor(config, "node1", marks);
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
        PeerFencing marks = PeerFencing.inMemory();
        FencingMonitor m = new FencingMonitor(config, "node1", marks);
        m.observe(status("adapted-outdated-connecting.json"));
        assertFalse(marks.isOutdated("r0", "node2"));
    }

    @Test
    void fencingDontCare_neverOutdates() {
        DrbdResourceConfig noFence = DrbdResourceConfig.fromParams("r0", Map.of(
                "hosts", "node1=SLE15-sp1-gm-drbd1145296-node1:10.0.0.1,node2=SLE15-sp1-gm-drbd1145296-node2:10.0.0.2",
                "device", "/dev/drbd0", "disk", "/dev/sdb", "fencing", "dont-care"));
        PeerFencing marks = PeerFencing.inMemory();
        FencingMonitor m = new FencingMonitor(noFence, "node1", marks);
        m.observe(status("connected-primary.json"));
        assertFalse(m.observe(status("adapted-standalone-split-brain.json")));
        assertFalse(marks.isOutdated("r0", "node2"));
    }
}
