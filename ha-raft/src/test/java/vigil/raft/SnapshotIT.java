package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.engine.state.Command;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;

/**
 * A snapshot that changed on disk (a flipped bit, an edited value) is refused with a message that names the file and
 * says how to recover, on load and before it is sent to a follower; the node never takes its content as the state.
 */
class SnapshotIT {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final String SECRET = "snapshot-it-secret";
    private final List<VigilNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (VigilNode n : nodes) n.close();
    }

    /** n1 alone, with a fence device whose host map sends n1's fence to plug "n1-outlet". */
    private static ClusterConfig config(Node... members) {
        ClusterConfig.Builder b = ClusterConfig.builder();
        for (Node n : members) b.node(n);
        return b.fenceDevice(new FenceDevice("pdu", "apc-snmp", Map.of("ip", "10.0.0.9"), List.of(), Map.of("n1", "n1-outlet"), Duration.ZERO))
                .build();
    }

    @Test
    void snapshotWithAFlippedBit_isRefusedOnLoad_withTheRecoveryMessage() throws Exception {
        Path dir = LabDir.create("vigil-snap-flip-");
        Path snapshot = writeSnapshotAndStop(dir);
        byte[] b = Files.readAllBytes(snapshot);
        b[b.length / 2] ^= 0x10;
        Files.write(snapshot, b);
        assertRefused(dir, snapshot);
    }

    @Test
    void editedSnapshot_isRefusedOnLoad_evenWithItsMd5FileRewritten() throws Exception {
        Path dir = LabDir.create("vigil-snap-edit-");
        Path snapshot = writeSnapshotAndStop(dir);
        // point n1's fence at another plug, as an edit with a hex editor would, and fix up Ratis' MD5 file too
        String text = new String(Files.readAllBytes(snapshot), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("n1-outlet"));
        Files.write(snapshot, text.replace("n1-outlet", "n3-outlet").getBytes(StandardCharsets.ISO_8859_1));
        MD5FileUtil.saveMD5File(snapshot.toFile(), MD5FileUtil.computeMd5ForFile(snapshot.toFile()));
        assertRefused(dir, snapshot);
    }

    @Test
    void leadersSnapshotCorruptedOnDisk_isNotSentToAFollower_andAnIntactOneIs() throws Exception {
        Path dir = LabDir.create("vigil-snap-install-");
        List<Node> peers = List.of(Node.member("n1", FreePorts.address("127.0.0.1")), Node.member("n2", FreePorts.address("127.0.0.2")),
                Node.member("n3", FreePorts.address("127.0.0.3")));
        for (Node p : peers) nodes.add(start(p, peers, dir));
        Await.until(LONG, "a leader", () -> nodes.stream().anyMatch(VigilNode::isLeader));
        VigilNode first = nodes.get(0);
        first.submit(List.of(new Command.ReplaceConfig(config(peers.toArray(new Node[0])), -1))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        for (int i = 0; i < 60; i++) first.submit(List.of(new Command.PutBlob("b" + (i % 5), "v" + i))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        long index = first.readLinearizable().configVersion();
        Await.until(LONG, "all applied", () -> nodes.stream().allMatch(n -> n.state().configVersion() == index));
        for (VigilNode n : nodes) n.takeSnapshot(); // the logs before the snapshots are purged: a new member needs one
        VigilNode leader = nodes.stream().filter(VigilNode::isLeader).findFirst().orElseThrow();
        VigilNode rebuilt = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
        Node rebuiltPeer = peers.stream().filter(p -> p.id().equals(rebuilt.id())).findFirst().orElseThrow();

        Path bad = latestSnapshot(dir.resolve(leader.id()));
        byte[] b = Files.readAllBytes(bad);
        b[b.length / 2] ^= 0x01;
        Files.write(bad, b);
        rebuilt.close();
        nodes.remove(rebuilt);
        deleteTree(dir.resolve(rebuilt.id()));
        VigilNode fresh = start(rebuiltPeer, peers, dir);
        nodes.add(fresh);

        Await.until(LONG, "the leader with the bad snapshot reports it", () -> leader.problem().contains(bad.toString()));
        assertTrue(leader.problem().contains("delete its data directory"), leader.problem());
        try {
            Await.until(LONG, "the rebuilt node has the cluster's state", () -> fresh.problem().isEmpty() && fresh.state().configVersion() == index);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + fresh.id() + " is at config version " + fresh.state().configVersion() + " of " + index
                    + ", applied index " + fresh.appliedIndex() + ", problem: " + fresh.problem(), e);
        }
        assertEquals(nodes.stream().filter(n -> n != leader && n != fresh).findFirst().orElseThrow().state().config(), fresh.state().config());
        assertFalse(leader.isLeader(), "a node with a corrupt snapshot does not lead");
    }

    private static final vigil.raft.tls.ClusterCa CA = vigil.raft.tls.ClusterCa.create("snap", RaftSetup.clusterId("snap"));

    private VigilNode start(Node me, List<Node> peers, Path dir) {
        return VigilNode.builder().id(me.id()).address(me.address()).peers(peers).dataDir(dir.resolve(me.id())).clusterName("snap").secret(SECRET)
                .tls(CA.issueNode(me.id(), List.of(me.address().substring(0, me.address().indexOf(':')))))
                // elections tolerant of a busy test machine: the new leader must keep its lease while a wiped member installs
                .nodeTimeout(Duration.ofSeconds(3)).logSegmentSize(4096).start();
    }

    /** Starts n1 alone, configures it, takes a snapshot, stops it; returns the snapshot file. */
    private Path writeSnapshotAndStop(Path dir) throws Exception {
        Node n1 = Node.member("n1", FreePorts.address("127.0.0.1"));
        try (VigilNode node = start(n1, List.of(n1), dir)) {
            Await.until(LONG, "n1 leads", node::isLeader);
            node.submit(List.of(new Command.ReplaceConfig(config(n1), -1))).get(30, TimeUnit.SECONDS).get(0).orThrow();
            node.takeSnapshot();
        }
        return latestSnapshot(dir.resolve("n1"));
    }

    private void assertRefused(Path dir, Path snapshot) throws Exception {
        Node n1 = Node.member("n1", FreePorts.address("127.0.0.1"));
        VigilNode node = start(n1, List.of(n1), dir);
        nodes.add(node);
        Await.until(LONG, "n1 reports the bad snapshot", () -> !node.problem().isEmpty());
        String problem = node.problem();
        assertTrue(problem.contains(snapshot.toString()), problem);
        assertTrue(problem.contains("delete its data directory " + dir.resolve("n1")) && problem.contains("copies the cluster state"), problem);
        assertTrue(node.state().config().fenceDevices().isEmpty(), "the refused snapshot became the state: " + node.state().config());
    }

    private static Path latestSnapshot(Path dataDir) throws Exception {
        try (Stream<Path> s = Files.walk(dataDir)) {
            return s.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", "")))).orElseThrow();
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
