package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.engine.state.Command;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;

/**
 * What the two-node guard relies on from a replica: a host that restarted learns that its peer partners it only from
 * entries appended to it after its start (its own log replays the term it last knew), and a host that stopped its
 * replica before fencing its peer appends nothing to, and votes for nothing of, an incarnation of the peer that booted
 * after that fence.
 */
class TwoNodeReplicaIT {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final ClusterCa CA = ClusterCa.create("two-node-replica", java.util.UUID.randomUUID());

    @TempDir
    Path dir;

    private final List<Node> peers = new ArrayList<>();
    private final VigilNode[] nodes = new VigilNode[2];

    @AfterEach
    void stop() {
        for (VigilNode n : nodes) if (n != null) n.close();
    }

    private VigilNode start(int i) {
        Node self = peers.get(i);
        return VigilNode.builder().id(self.id()).address(self.address()).peers(peers).dataDir(dir.resolve(self.id())).clusterName("two")
                .tls(CA.issueNode(self.id(), List.of(self.address().substring(0, self.address().indexOf(':'))))).nodeTimeout(Duration.ofMillis(1000)).start();
    }

    private void write(VigilNode via, String value) throws Exception {
        via.submit(List.of(new Command.SetResourceMeta("r", "k", value))).get(30, TimeUnit.SECONDS).get(0).orThrow();
    }

    @Test
    void restartedHost_seesItsPeerOnlyByNewEntries_andAStoppedReplicaGivesItNone() throws Exception {
        for (int i = 1; i <= 2; i++) peers.add(Node.member("n" + i, FreePorts.address("127.0.0." + i)));
        for (int i = 0; i < 2; i++) nodes[i] = start(i);
        Await.until(LONG, "a leader", () -> nodes[0].isLeader() || nodes[1].isLeader());
        int l = nodes[0].isLeader() ? 0 : 1;
        int f = 1 - l;
        nodes[l].submit(List.of(new Command.PutResource(Primitive.builder("r", "ocf:heartbeat:Dummy").build()))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        write(nodes[l], "1");
        Await.until(LONG, "the follower applied the writes", () -> nodes[f].appliedIndex() == nodes[l].appliedIndex());

        // the follower restarts: replaying its own log proves nothing about its peer; the next entry does
        nodes[f].close();
        nodes[f] = start(f);
        Await.until(LONG, "the restarted follower replayed its log", () -> nodes[f].state().config().resource("r").isPresent());
        assertFalse(nodes[f].appliedSinceStart(), "nothing was appended to " + nodes[f].id() + " since it started");
        write(nodes[l], "2");
        Await.until(LONG, "the restarted follower applied an entry appended since its start", nodes[f]::appliedSinceStart);

        // the leader stops its replica (as before fencing its peer); the peer boots again: nothing reaches it, and it
        // cannot be elected either (the stopped replica does not vote)
        nodes[l].stopReplica("the test fences " + nodes[f].id());
        assertFalse(nodes[l].replicaRunning());
        Await.until(LONG, nodes[l].id() + " no longer leads", () -> !nodes[l].isLeader());
        nodes[f].close();
        nodes[f] = start(f);
        assertThrows(Exception.class, () -> nodes[l].submit(List.of(new Command.SetResourceMeta("r", "k", "3"))).get(5, TimeUnit.SECONDS).get(0).orThrow(),
                "a stopped replica commits nothing");
        try {
            nodes[f].submit(List.of(new Command.SetResourceMeta("r", "k", "4"))).get(5, TimeUnit.SECONDS).get(0).orThrow();
            throw new AssertionError(nodes[f].id() + " committed alone");
        } catch (ExecutionException | TimeoutException | vigil.api.ClusterUnavailableException expected) {
            // no majority: its peer's replica is stopped
        }
        assertFalse(nodes[f].appliedSinceStart(), nodes[f].id() + " was appended to by a stopped replica");
        assertFalse(nodes[f].isLeader(), nodes[f].id() + " was elected with the vote of a stopped replica");
        assertTrue(nodes[l].state().config().resource("r").isPresent(), "the stopped replica keeps the state it applied");
    }
}
