package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ConfigException;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.engine.state.Command;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;

class VigilNodeTest {
    @TempDir
    Path dir;

    private static final vigil.raft.tls.ClusterCa CA = vigil.raft.tls.ClusterCa.create("test", java.util.UUID.randomUUID());

    private static VigilNode.Builder single(String address, Path data, String cluster) {
        return VigilNode.builder().id("n1").address(address).peers(List.of(Node.member("n1", address))).dataDir(data).clusterName(cluster)
                .secret("test-secret").tls(CA.issueNode("n1", List.of("127.0.0.1")));
    }

    @Test
    void start_onDataDirOfAnotherCluster_refusesNamingBothIds() throws Exception {
        String address = FreePorts.address("127.0.0.1");
        Path data = dir.resolve("n1");
        try (VigilNode node = single(address, data, "alpha").start()) {
            Await.until(Duration.ofSeconds(30), "single node leads", node::isLeader);
            node.submit(List.of(new Command.PutResource(Primitive.builder("r1", "ocf:heartbeat:Dummy").build()))).get().get(0).orThrow();
        }
        ConfigException e = assertThrows(ConfigException.class, () -> single(address, data, "beta").start());
        assertEquals("dataDir", e.field());
        assertTrue(e.getMessage().contains(RaftSetup.clusterId("alpha").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(RaftSetup.clusterId("beta").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("\"alpha\"") && e.getMessage().contains("\"beta\""), e.getMessage());

        // the right cluster name still starts, from the same data: snapshot + log replay
        try (VigilNode node = single(address, data, "alpha").start()) {
            Await.until(Duration.ofSeconds(30), "state replayed", () -> node.state().config().resource("r1").isPresent());
        }
    }

    @Test
    void raftTimeouts_followTheClustersCommittedNodeTimeout_fromTheNextStart() throws Exception {
        String address = FreePorts.address("127.0.0.1");
        Path data = dir.resolve("learn");
        try (VigilNode node = single(address, data, "alpha").nodeTimeout(Duration.ofSeconds(1)).start()) {
            Await.until(Duration.ofSeconds(30), "single node leads", node::isLeader);
            assertEquals(Duration.ofSeconds(1), node.raftNodeTimeout());
            node.submit(List.of(new Command.PutResource(Primitive.builder("r1", "ocf:heartbeat:Dummy").build()))).get().get(0).orThrow();
            var props = node.state().config().properties().toBuilder().nodeTimeout(Duration.ofSeconds(4)).build();
            node.submit(List.of(new Command.SetProperties(props))).get().get(0).orThrow();
            Await.until(Duration.ofSeconds(30), "node-timeout remembered",
                    () -> LearnedNodeTimeout.read(data).equals(java.util.Optional.of(Duration.ofSeconds(4))));
            assertEquals(Duration.ofSeconds(1), node.raftNodeTimeout(), "Ratis' timeouts are fixed while it runs");
        }
        // the builder's value (a bootstrap file's, or the default on a joined node) is older than what the cluster committed
        try (VigilNode node = single(address, data, "alpha").nodeTimeout(Duration.ofSeconds(1)).start()) {
            assertEquals(Duration.ofSeconds(4), node.raftNodeTimeout());
        }
    }

    @Test
    void learnedNodeTimeout_unreadableOrTooShort_isIgnored() throws Exception {
        Path data = Files.createDirectories(dir.resolve("garbage"));
        Files.writeString(data.resolve(LearnedNodeTimeout.FILE), "five seconds\n");
        assertEquals(java.util.Optional.empty(), LearnedNodeTimeout.read(data));
        Files.writeString(data.resolve(LearnedNodeTimeout.FILE), "PT0.05S\n");
        assertEquals(java.util.Optional.empty(), LearnedNodeTimeout.read(data));
        LearnedNodeTimeout.write(data, Duration.ofMillis(2500));
        assertEquals(java.util.Optional.of(Duration.ofMillis(2500)), LearnedNodeTimeout.read(data));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(LearnedNodeTimeout.FILE))));
    }

    @Test
    void start_onAPortAnotherProcessHolds_failsNamingTheAddress_andTheJvmLivesOn() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + held.getLocalPort();
            ConfigException e = assertThrows(ConfigException.class, () -> single(address, dir.resolve("held"), "alpha").start());
            assertEquals("address", e.field());
            assertTrue(e.getMessage().contains(address) && e.getMessage().contains("another address"), e.getMessage());
        }
    }

    @Test
    void start_oneNodeCluster_reportsItsLeadershipWithTheRaftTerm() throws Exception {
        // a one-node cluster elects itself while the server starts: the term it reports is the one its entries carry
        // (a controller announcing itself for term 0 was refused by the replica for ever)
        java.util.concurrent.CompletableFuture<Long> announced = new java.util.concurrent.CompletableFuture<>();
        try (VigilNode node = single(FreePorts.address("127.0.0.1"), dir.resolve("one"), "alpha").start()) {
            node.onLeadership((isLeader, leader, term) -> { if (isLeader) announced.complete(term); });
            if (node.isLeader()) announced.complete(node.term());
            long term = announced.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(term >= 1, "term " + term);
            node.submitAsController(List.of(new Command.LeaderElected("n1", term))).get(30, java.util.concurrent.TimeUnit.SECONDS).get(0).orThrow();
            assertEquals(term, node.state().term());
        }
    }

    @Test
    void builder_missingOrWrongFields_nameTheField() {
        Path data = dir.resolve("x");
        assertEquals("id", assertThrows(ConfigException.class, () -> VigilNode.builder().start()).field());
        assertEquals("clusterName", assertThrows(ConfigException.class, () -> VigilNode.builder().id("n1").start()).field());
        assertEquals("secret", assertThrows(ConfigException.class, () -> VigilNode.builder().id("n1").clusterName("c").start()).field());
        assertEquals("address", assertThrows(ConfigException.class,
                () -> VigilNode.builder().id("n1").clusterName("c").secret("s").address("nohost").start()).field());
        assertEquals("dataDir", assertThrows(ConfigException.class,
                () -> VigilNode.builder().id("n1").clusterName("c").secret("s").address("127.0.0.1:7000").start()).field());
        assertEquals("peers", assertThrows(ConfigException.class,
                () -> VigilNode.builder().id("n1").clusterName("c").secret("s").address("127.0.0.1:7000").dataDir(data).start()).field());
        assertEquals("peers", assertThrows(ConfigException.class, () -> VigilNode.builder().id("n1").clusterName("c").secret("s").address("127.0.0.1:7000")
                .dataDir(data).peers(List.of(Node.member("n2", "127.0.0.2:7000"))).start()).field());
        assertEquals("peers.n1.address", assertThrows(ConfigException.class, () -> VigilNode.builder().id("n1").clusterName("c").secret("s")
                .address("127.0.0.1:7000").dataDir(data).peers(List.of(Node.member("n1", "127.0.0.1:7001"))).start()).field());
        assertEquals("nodeTimeout", assertThrows(ConfigException.class, () -> single("127.0.0.1:7000", data, "c").nodeTimeout(Duration.ofMillis(5)).start()).field());
        assertEquals("tls", assertThrows(ConfigException.class, () -> single("127.0.0.1:7000", data, "c").tls(null).start()).field());
        assertEquals("tls", assertThrows(ConfigException.class, () -> single("127.0.0.1:7000", data, "c").tls(CA.issueNode("n2", List.of())).start()).field());
        assertTrue(!Files.exists(data), "nothing is written before validation passes");
    }
}
