package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.ClusterEvent;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;

/** The failover API and run-time membership on three in-process nodes (127.0.0.1-3). */
class RaftClusterApiIT {
    private static final Duration LONG = Duration.ofSeconds(60);
    private final List<VigilNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (VigilNode n : nodes) n.close();
    }

    /** The cluster time every node stamps while it leads. */
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final vigil.raft.tls.ClusterCa CA = vigil.raft.tls.ClusterCa.create("api", java.util.UUID.randomUUID());

    private VigilNode start(String id, String address, List<Node> peers, Path dir) { return start(id, address, peers, dir, false); }

    private VigilNode start(String id, String address, List<Node> peers, Path dir, boolean joining) {
        return start(id, address, peers, dir, joining, Duration.ofSeconds(1));
    }

    private VigilNode start(String id, String address, List<Node> peers, Path dir, boolean joining, Duration nodeTimeout) {
        VigilNode n = VigilNode.builder().id(id).address(address).peers(peers).dataDir(dir.resolve(id)).clusterName("api").secret("api-secret")
                .tls(CA.issueNode(id, List.of(address.substring(0, address.lastIndexOf(':'))))).joining(joining).nodeTimeout(nodeTimeout)
                .clock(InstantSource.fixed(NOW)).start();
        nodes.add(n);
        return n;
    }

    private List<Node> startThree(Path dir) throws Exception {
        List<Node> peers = List.of(Node.member("n1", FreePorts.address("127.0.0.1")), Node.member("n2", FreePorts.address("127.0.0.2")),
                Node.witness("w3", FreePorts.address("127.0.0.3")));
        for (Node p : peers) start(p.id(), p.address(), peers, dir);
        Await.until(LONG, "a leader", () -> nodes.stream().anyMatch(VigilNode::isLeader));
        return peers;
    }

    @Test
    void writes_areValidatedCommittedAndSeenAsEvents() throws Exception {
        Path dir = LabDir.create("vigil-raft-api-");
        List<Node> peers = startThree(dir);
        Instant now = NOW;
        VigilNode follower = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
        try (RaftCluster cluster = new RaftCluster(follower, vigil.api.model.ConfigValidator.structural())) {
            ClusterConfig.Builder cb = ClusterConfig.builder();
            peers.forEach(cb::node);
            cb.resource(Primitive.builder("vm1", "ocf:heartbeat:Dummy").build());
            cluster.applyConfig(cb.build());

            List<ClusterEvent> events = new CopyOnWriteArrayList<>();
            var sub = cluster.subscribe(events::add);

            cluster.move("vm1", "n2", Duration.ofMinutes(30));
            cluster.ban("vm1", "n1", null);
            ClusterState s = cluster.status();
            Constraint.Location move = (Constraint.Location) s.config().constraints().stream()
                    .filter(c -> c.id().equals(StateTransitions.MOVE_PREFIX + "vm1")).findFirst().orElseThrow();
            assertEquals(Score.INFINITY, move.score());
            assertEquals(now.plus(Duration.ofMinutes(30)), move.expires());
            Constraint.Location ban = (Constraint.Location) s.config().constraints().stream()
                    .filter(c -> c.id().equals(StateTransitions.BAN_PREFIX + "vm1-on-n1")).findFirst().orElseThrow();
            assertEquals(Score.MINUS_INFINITY, ban.score());
            assertEquals(now.plus(s.config().properties().moveLifetime()), ban.expires());

            cluster.clear("vm1");
            cluster.disable("vm1");
            s = cluster.status();
            assertTrue(s.config().constraints().isEmpty());
            assertEquals("Stopped", s.config().resource("vm1").orElseThrow().meta().get(Meta.TARGET_ROLE).orElseThrow());
            cluster.enable("vm1");
            cluster.standby("n2");
            assertTrue(cluster.status().node("n2").standby());
            cluster.online("n2");
            assertFalse(cluster.status().node("n2").standby());

            // bad input throws, naming the field, and changes nothing
            long version = cluster.status().configVersion();
            ConfigException unknown = assertThrows(ConfigException.class, () -> cluster.move("nope", "n1", null));
            assertEquals("resource", unknown.field());
            assertThrows(ConfigException.class, () -> cluster.ban("vm1", "n9", null));
            assertThrows(ConfigException.class, () -> cluster.applyConfig(ClusterConfig.builder()
                    .resource(Primitive.builder("a", "ocf:heartbeat:Dummy").build()).resource(Primitive.builder("a", "kvm").build()).build()));
            assertEquals(version, cluster.status().configVersion());

            // concurrent read-modify-write updates are all kept (retried on version conflicts)
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int k = i;
                fs.add(pool.submit(() -> cluster.updateConfig(c -> c.toBuilder().blob("b" + k, "x" + k).build())));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertEquals(8, cluster.status().config().blobs().size());

            // resource and node events come from the committed state changes, in commit order
            // membership is the controller's to commit (on the leader); an operation result is the node's own
            VigilNode leader = nodes.stream().filter(VigilNode::isLeader).findFirst().orElseThrow();
            for (CommandResult r : leader.submitAsController(List.of(new Command.LeaderElected(leader.id(), leader.term()),
                    new Command.SetMembership("n2", vigil.api.status.Membership.ONLINE, "joined"))).get()) r.orThrow();
            VigilNode n2 = nodes.stream().filter(n -> n.id().equals("n2")).findFirst().orElseThrow();
            n2.submit(List.of(new Command.RecordOperation("vm1", "n2", "start", Duration.ZERO, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", null)))
                    .get().get(0).orThrow();
            n2.submit(List.of(new Command.RecordOperation("vm1", "n2", "stop", Duration.ZERO, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", null)))
                    .get().get(0).orThrow();
            Await.until(LONG, "resource events", () -> events.stream().anyMatch(e -> e instanceof ClusterEvent.ResourceStopped));
            List<Class<?>> kinds = new ArrayList<>();
            for (ClusterEvent e : events) if (!(e instanceof ClusterEvent.StateChanged)) kinds.add(e.getClass());
            assertTrue(kinds.indexOf(ClusterEvent.ResourceActive.class) < kinds.indexOf(ClusterEvent.ResourceStopped.class), kinds.toString());
            assertTrue(kinds.contains(ClusterEvent.NodeChanged.class), kinds.toString());
            long indexes = events.stream().filter(e -> e instanceof ClusterEvent.StateChanged).map(e -> ((ClusterEvent.StateChanged) e).index())
                    .reduce(-1L, (a, b) -> {
                        assertTrue(b > a, "state events in commit order");
                        return b;
                    });
            assertTrue(indexes > 0);
            sub.close();
        }
    }

    /**
     * The leader runs the controller, so a witness (a small third box) leads only while no member can: when the
     * member that led dies, the other member takes over, also if the witness won the election in between.
     */
    @Test
    void witness_handsLeadershipToAMember() throws Exception {
        Path dir = LabDir.create("vigil-raft-witness-");
        List<Node> peers = startThree(dir);
        Await.until(LONG, "a member leads", () -> nodes.stream().anyMatch(n -> n.isLeader() && !n.id().equals("w3")));
        for (int round = 0; round < 2; round++) {
            VigilNode leader = nodes.stream().filter(VigilNode::isLeader).findFirst().orElseThrow();
            assertFalse(leader.id().equals("w3"), "the witness leads");
            // every replica holds an entry first: Ratis does not count the vote of a replica with an empty log
            String mark = "round-" + round;
            leader.submit(List.of(new Command.PutBlob(mark, "x"))).get().get(0).orThrow();
            Await.until(LONG, "every replica applied " + mark, () -> nodes.stream().allMatch(n -> n.state().config().blobs().containsKey(mark)));
            VigilNode witness = nodes.stream().filter(n -> n.id().equals("w3")).findFirst().orElseThrow();
            String other = leader.id().equals("n1") ? "n2" : "n1";
            Node self = peers.stream().filter(p -> p.id().equals(leader.id())).findFirst().orElseThrow();
            leader.close();
            nodes.remove(leader);
            Await.until(LONG, other + " leads after " + leader.id() + " died", () -> other.equals(witness.leaderId())
                    && nodes.stream().anyMatch(n -> n.id().equals(other) && n.isLeader()));
            // back as a follower, for the next round
            start(self.id(), self.address(), peers, dir);
            Await.until(LONG, self.id() + " follows again", () -> nodes.stream().anyMatch(n -> n.id().equals(self.id()) && other.equals(n.leaderId())));
        }
    }

    @Test
    void members_canBeAddedAndRemovedAtRunTime() throws Exception {
        Path dir = LabDir.create("vigil-raft-members-");
        List<Node> peers = startThree(dir);
        VigilNode leader = nodes.stream().filter(VigilNode::isLeader).findFirst().orElseThrow();
        Node n4 = Node.member("n4", FreePorts.address("127.0.0.1"));
        List<Node> grown = new ArrayList<>(peers);
        grown.add(n4);
        VigilNode fourth = start("n4", n4.address(), grown, dir, true);
        assertFalse(fourth.isVoter(), "a joining node waits outside the group until it is added");
        leader.addMember(n4);
        Await.until(LONG, "n4 is a voter", () -> leader.members().size() == 4);
        Await.until(LONG, "n4 knows it votes", fourth::isVoter);
        leader.submit(List.of(new Command.PutBlob("hello", "world"))).get().get(0).orThrow();
        Await.until(LONG, "n4 replicates", () -> "world".equals(fourth.state().config().blobs().get("hello")));
        assertThrows(ConfigException.class, () -> leader.addMember(n4));

        leader.removeMember("n4");
        Await.until(LONG, "n4 removed", () -> leader.members().size() == 3);
        assertThrows(ConfigException.class, () -> leader.removeMember("n4"));
        leader.submit(List.of(new Command.PutBlob("after", "removal"))).get().get(0).orThrow();
        assertEquals("removal", leader.readLinearizable().config().blobs().get("after"));
    }

    /**
     * Two hosts admitted at once, as when a second host joins while the first one is still catching up: the first
     * admission waits in Ratis' staging (its host is not up yet) while the second one is asked for. Both end as voters:
     * the second change must not be applied from the configuration it saw before the first one finished (the leader
     * refused it as "in progress", the Raft client sent it again, and once the first one finished it replaced that
     * configuration, dropping the first new voter).
     */
    @Test
    void twoHostsAdmittedAtOnce_bothVote() throws Exception {
        Path dir = LabDir.create("vigil-raft-joins-");
        // a longer node-timeout keeps the leader staging the first host (it gives up after 3 election timeouts without progress)
        Duration nodeTimeout = Duration.ofSeconds(5);
        Node n1 = Node.member("n1", FreePorts.address("127.0.0.1"));
        Node n2 = Node.member("n2", FreePorts.address("127.0.0.2"));
        Node n3 = Node.member("n3", FreePorts.address("127.0.0.3"));
        VigilNode first = start("n1", n1.address(), List.of(n1), dir, false, nodeTimeout);
        Await.until(LONG, "n1 leads", first::isLeader);
        VigilNode third = start("n3", n3.address(), List.of(n1, n3), dir, true, nodeTimeout);
        ExecutorService admissions = Executors.newFixedThreadPool(2);
        try {
            Future<?> second = admissions.submit(() -> first.addMember(n2)); // n2 is not up: the leader waits for it
            Await.until(LONG, "n2 in the config (its Raft change comes next)", () -> first.state().config().node("n2").isPresent());
            Future<?> last = admissions.submit(() -> first.addMember(n3));
            Await.until(LONG, "n3 in the config (the configuration it changes is read)", () -> first.state().config().node("n3").isPresent());
            VigilNode secondNode = start("n2", n2.address(), List.of(n1, n2), dir, true, nodeTimeout);
            second.get(90, java.util.concurrent.TimeUnit.SECONDS);
            last.get(90, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(List.of("n1=" + n1.address(), "n2=" + n2.address(), "n3=" + n3.address()), first.members());
            Await.until(LONG, "n2 and n3 know they vote", () -> secondNode.isVoter() && third.isVoter());
        } finally {
            admissions.shutdownNow();
        }
    }
}
