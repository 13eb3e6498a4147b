package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ClusterUnavailableException;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;

/**
 * A linearizable read through a node that has just restarted (its replica far behind, replaying its log or waiting
 * for a snapshot) never returns a state older than a change acknowledged before the read began.
 */
class ReadAfterRestartIT {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final ClusterCa CA = ClusterCa.create("read-after-restart", java.util.UUID.randomUUID());

    @TempDir
    Path dir;

    private final List<Node> peers = new ArrayList<>();
    private final VigilNode[] nodes = new VigilNode[3];
    private int written;

    @AfterEach
    void stop() {
        for (VigilNode n : nodes) if (n != null) n.close();
    }

    private VigilNode start(int i) {
        Node self = peers.get(i);
        return VigilNode.builder().id(self.id()).address(self.address()).peers(peers).dataDir(dir.resolve(self.id())).clusterName("rar")
                .tls(CA.issueNode(self.id(), List.of(self.address().substring(0, self.address().indexOf(':'))))).nodeTimeout(Duration.ofMillis(1000)).snapshotThreshold(100)
                .logSegmentSize(16 * 1024).start();
    }

    private VigilNode leader() {
        for (VigilNode n : nodes) if (n != null && n.isLeader()) return n;
        return null;
    }

    /** Commits {@code count} changes one entry each; returns the number of the last one. */
    private int write(int count) throws Exception {
        for (int k = 0; k < count; k++) {
            int i = ++written;
            VigilNode via = null;
            for (VigilNode n : nodes) if (n != null) via = n;
            via.submit(List.of(new Command.SetResourceMeta("r", "k", Integer.toString(i)))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        }
        return written;
    }

    private static int value(ClusterState s) {
        return s.config().resource("r").flatMap(r -> r.meta().get("k")).map(Integer::parseInt).orElse(0);
    }

    /** Reads through {@code node} for {@code span}; every read that succeeds must hold change {@code acked} or a later one. */
    private static int readsHold(VigilNode node, int acked, Duration span) {
        int ok = 0;
        long end = System.nanoTime() + span.toNanos();
        while (System.nanoTime() < end) {
            try {
                ClusterState s = node.readLinearizable(Duration.ofMillis(500));
                assertTrue(value(s) >= acked, node.id() + " answered a linearizable read with change " + value(s) + " although change "
                        + acked + " was acknowledged before the read began (applied index " + node.appliedIndex() + ")");
                ok++;
            } catch (ClusterUnavailableException notYet) {
                // no leader confirmed the read yet: no answer, nothing promised
            }
        }
        return ok;
    }

    @Test
    void restartedFollowerAndRestartedCluster_readsNeverOlderThanAcknowledged() throws Exception {
        for (int i = 1; i <= 3; i++) peers.add(Node.member("n" + i, FreePorts.address("127.0.0." + i)));
        for (int i = 0; i < 3; i++) nodes[i] = start(i);
        Await.until(LONG, "a leader", () -> leader() != null);
        nodes[0].submit(List.of(new Command.PutResource(Primitive.builder("r", "ocf:heartbeat:Dummy").build()))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        write(20);

        // a follower stops, misses many changes (the leader snapshots and purges past them), and comes back
        int f = 0;
        while (nodes[f].isLeader()) f++;
        nodes[f].close();
        nodes[f] = null;
        int acked = write(150);
        nodes[f] = start(f);
        int answered = readsHold(nodes[f], acked, Duration.ofSeconds(3));

        // every node stops and restarts at once (a reset storm): reads through each must still hold every acknowledged change
        acked = write(10);
        for (int i = 0; i < 3; i++) {
            nodes[i].close();
            nodes[i] = null;
        }
        for (int i = 0; i < 3; i++) nodes[i] = start(i);
        for (int i = 0; i < 3; i++) answered += readsHold(nodes[i], acked, Duration.ofSeconds(2));
        assertTrue(answered > 0, "some reads were answered");
        Await.until(LONG, "a leader after the restart", () -> leader() != null);
        assertEquals(Optional.of(Integer.toString(acked)), leader().readLinearizable(LONG).config().resource("r").flatMap(r -> r.meta().get("k")));
    }
}
