package vigil.raft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ClusterUnavailableException;
import vigil.api.model.Node;
import vigil.engine.state.Command;
import vigil.raft.VigilNode;
import vigil.raft.admin.JoinTokens;
import vigil.raft.admin.NodeAdmin;
import vigil.raft.tls.ClusterCa;
import vigil.raft.tls.NodeTls;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;

/**
 * Enrolling a host on a cluster that was just started: its Raft group runs, but its config does not list its own
 * members until the bootstrap commits them. The host must still learn of them (they are the ones it asks to admit it).
 */
class ClusterMembershipTest {
    @TempDir
    Path dir;
    private Node n1;

    @Test
    void join_whileTheNewClusterHasNotListedItsMembersYet_waitsAndReturnsThem() throws Exception {
        try (VigilNode n1 = startUnlistedNode()) {
            ClusterMembership membership = new ClusterMembership(n1, NodeTls.load(dir.resolve("pki")), "admin-token");
            JoinTokens.Token token = membership.createJoinToken(Duration.ofMinutes(5));
            // what the bootstrap does moments after the daemon runs
            CompletableFuture<?> listed = CompletableFuture.runAsync(() -> {
                sleep(1000);
                n1.submit(List.of(new Command.PutNode(this.n1))).join().get(0).orThrow();
            });
            NodeAdmin.Enrolled enrolled = membership.join(token.id(), token.secret(), Node.member("n2", "127.0.0.2:1"), NodeTls.newKey("n2").csr());
            listed.get(30, TimeUnit.SECONDS);
            assertEquals(List.of("n1"), enrolled.members().stream().map(Node::id).toList());
        }
    }

    @Test
    void join_whenTheMembersStayUnlisted_failsClearlyAndKeepsTheToken() throws Exception {
        try (VigilNode n1 = startUnlistedNode()) {
            ClusterMembership membership = new ClusterMembership(n1, NodeTls.load(dir.resolve("pki")), "admin-token", Duration.ofMillis(500));
            JoinTokens.Token token = membership.createJoinToken(Duration.ofMinutes(5));
            ClusterUnavailableException e = assertThrows(ClusterUnavailableException.class,
                    () -> membership.join(token.id(), token.secret(), Node.member("n2", "127.0.0.2:1"), NodeTls.newKey("n2").csr()));
            assertTrue(e.getMessage().contains("still starting") && e.getMessage().contains("[n1]") && e.getMessage().contains("token stays valid"),
                    e.getMessage());

            n1.submit(List.of(new Command.PutNode(this.n1))).get(30, TimeUnit.SECONDS).get(0).orThrow();
            NodeAdmin.Enrolled enrolled = membership.join(token.id(), token.secret(), Node.member("n2", "127.0.0.2:1"), NodeTls.newKey("n2").csr());
            assertEquals(List.of("n1"), enrolled.members().stream().map(Node::id).toList());
        }
    }

    /** A one-node cluster as {@code vigil init} sets it up, before its bootstrap config (with its node list) is committed. */
    private VigilNode startUnlistedNode() throws Exception {
        ClusterCa ca = ClusterCa.create("test", UUID.randomUUID());
        Path pki = dir.resolve("pki");
        ca.save(pki);
        ca.issueNode("n1", List.of("127.0.0.1")).save(pki);
        n1 = Node.member("n1", FreePorts.address("127.0.0.1"));
        VigilNode node = VigilNode.builder().id("n1").address(n1.address()).peers(List.of(n1)).dataDir(dir.resolve("n1"))
                .clusterName("test").secret("test-secret").tls(NodeTls.load(pki)).start();
        Await.until(Duration.ofSeconds(30), "n1 leads", node::isLeader);
        assertTrue(node.state().config().nodes().isEmpty(), "the config lists no node yet");
        return node;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
