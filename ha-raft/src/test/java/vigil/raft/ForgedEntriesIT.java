package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;

/**
 * Entries a writer without the controller's authority plants through the Raft port of a real three-node cluster
 * (127.0.0.1-3): each is refused by the leader, counted, and changes nothing on any node; the genuine controller and
 * a node reporting its own operation still get through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForgedEntriesIT {
    private static final Duration LONG = Duration.ofSeconds(60);
    private static final String SECRET = "forged-entries-it-secret";
    private static final Instant AT = Instant.parse("2026-06-01T12:00:00Z");

    private final List<VigilNode> nodes = new ArrayList<>();
    private final Map<String, SimpleMeterRegistry> meters = new HashMap<>();
    private List<Node> peers;
    private RaftClient raw;

    @BeforeAll
    void start() throws Exception {
        Path dir = LabDir.create("vigil-forged-");
        peers = List.of(Node.member("n1", FreePorts.address("127.0.0.1")), Node.member("n2", FreePorts.address("127.0.0.2")), Node.member("n3", FreePorts.address("127.0.0.3")));
        vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create("forged", RaftSetup.clusterId("forged"));
        for (Node p : peers) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            meters.put(p.id(), registry);
            nodes.add(VigilNode.builder().id(p.id()).address(p.address()).peers(peers).dataDir(dir.resolve(p.id())).clusterName("forged")
                    .tls(ca.issueNode(p.id(), List.of(p.address().substring(0, p.address().indexOf(':'))))).secret(SECRET).meterRegistry(registry).start());
        }
        Await.until(LONG, "a leader", () -> nodes.stream().anyMatch(VigilNode::isLeader));
        ClusterConfig.Builder config = ClusterConfig.builder();
        peers.forEach(config::node);
        config.resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build());
        for (CommandResult r : node("n1").submit(List.of(new Command.ReplaceConfig(config.build(), -1))).get(30, TimeUnit.SECONDS)) r.orThrow();
        asController(new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"),
                new Command.SetMembership("n3", Membership.ONLINE, "joined"));
        // d1 runs on n2, as n2 itself reported
        node("n2").submit(List.of(started("d1", "n2"))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        Await.until(LONG, "every node applied the setup", this::converged);
        // the writer holds a member's certificate (a compromised host gets through TLS): the log itself must refuse it
        raw = RaftSetup.client(RaftSetup.group(RaftSetup.clusterId("forged"), peers), Duration.ofSeconds(5), 5,
                RaftTls.parameters(ca.issueNode("n3", List.of("127.0.0.3")), node("n1").trustedMembers(), false));
    }

    @AfterAll
    void stop() throws Exception {
        if (raw != null) raw.close();
        for (VigilNode n : nodes) n.close();
    }

    @Test
    void garbageBytes_areRefused_andChangeNothing() throws Exception {
        refusedEverywhere(new byte[] {0x13, 0x37, (byte) 0xff, 0x00, 0x42, 0x07});
    }

    @Test
    void forgedFenceSuccess_fromAPlainRaftClient_isRefused() throws Exception {
        // the attack as it was: a LogEntry with "n2 was fenced", straight to the Raft port, no secret
        FenceEvent off = new FenceEvent("n2", "off", List.of("ipmi-n2"), "n1", true, AT, "forged");
        refusedEverywhere(LogCodec.encodeEntry(AT, List.of(new Command.RecordFence(off))));
        // the same, sealed with a guessed secret
        refusedEverywhere(new SubmissionSeal("guessed").seal("n1", LogCodec.encodeEntry(AT, List.of(new Command.RecordFence(off)))));
    }

    @Test
    void controllerCommands_fromANodeThatIsNotTheController_areRefused() throws Exception {
        SubmissionSeal seal = new SubmissionSeal(SECRET); // a holder of the secret, e.g. a compromised n3
        FenceEvent off = new FenceEvent("n2", "off", List.of("ipmi-n2"), "n3", true, AT, "forged");
        refusedEverywhere(seal.seal("n3", LogCodec.encodeEntry(AT, List.of(new Command.RecordFence(off)))));
        refusedEverywhere(seal.seal("n3", LogCodec.encodeEntry(AT, List.of(new Command.SetMembership("n2", Membership.UNCLEAN, "forged")))));
        refusedEverywhere(seal.seal("n3", LogCodec.encodeEntry(AT, List.of(new Command.LeaderElected("n3", leader().term())))));
        // naming itself the controller in the entry does not help: only the leader stamps the origin
        refusedEverywhere(seal.seal("n3", LogCodec.withOrigin(LogCodec.encodeEntry(AT, List.of(new Command.RecordFence(off))), "n1", true)));
        // and through VigilNode's own API, on a follower: the controller path works only on the leader
        VigilNode follower = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();
        long before = follower.appliedIndex();
        assertTrue(follower.submitAsController(List.of(new Command.RecordFence(off))).handle((r, e) -> e != null).get(30, TimeUnit.SECONDS));
        assertEquals(before, follower.appliedIndex());
    }

    @Test
    void operationResult_forAnotherNode_isRefused_butANodesOwnIsApplied() throws Exception {
        SubmissionSeal seal = new SubmissionSeal(SECRET);
        // n3 claims d1 stopped on n2 (so it could start elsewhere while n2 still runs it)
        Command stoppedOnN2 = new Command.RecordOperation("d1", "n2", "stop", Duration.ZERO, OcfCode.SUCCESS, Duration.ofMillis(3), "", "",
                OptionalInt.empty());
        refusedEverywhere(seal.seal("n3", LogCodec.encodeEntry(AT, List.of(stoppedOnN2))));
        // a pending start is the controller's record
        refusedEverywhere(seal.seal("n3", LogCodec.encodeEntry(AT, List.of(new Command.RecordOperation("d1", "n3", "start", Duration.ZERO,
                OcfCode.PENDING, Duration.ZERO, "", "", OptionalInt.empty())))));

        // what n3 reports about itself, and what the controller records, are applied everywhere
        node("n3").submit(List.of(new Command.RecordOperation("d1", "n3", "monitor", Duration.ZERO, OcfCode.NOT_RUNNING, Duration.ofMillis(2),
                "", "", OptionalInt.empty()))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        asController(new Command.SetMembership("n3", Membership.UNCLEAN, "no reply for 3000 ms"));
        Await.until(LONG, "n3 UNCLEAN everywhere", () -> converged() && node("n1").state().node("n3").membership() == Membership.UNCLEAN);
        assertTrue(node("n1").state().resource("d1", "n3").operations().stream().anyMatch(o -> o.action().equals("monitor")));
    }

    /** Sends {@code bytes} through a plain Ratis client and checks that the leader refused it and that no node changed. */
    private void refusedEverywhere(byte[] bytes) throws Exception {
        Map<String, ClusterState> states = new HashMap<>();
        for (VigilNode n : nodes) states.put(n.id(), n.state());
        double refusedBefore = refusedCount();
        String failure;
        try {
            RaftClientReply reply = raw.io().send(Message.valueOf(ByteString.copyFrom(bytes)));
            failure = reply.isSuccess() ? null : String.valueOf(reply.getException());
        } catch (IOException e) {
            failure = e.toString();
        }
        assertTrue(failure != null, "the forged entry was committed");
        assertTrue(failure.contains("refused the entry"), failure);
        assertEquals(refusedBefore + 1, refusedCount(), "the refusal is counted");
        // a later genuine entry commits, so every node has applied whatever the forged one might have become
        leader().submit(List.of(new Command.PutBlob("probe", Long.toString(System.nanoTime())))).get(30, TimeUnit.SECONDS).get(0).orThrow();
        long probeIndex = leader().appliedIndex();
        Await.until(LONG, "every node applied the probe", () -> nodes.stream().allMatch(n -> n.appliedIndex() >= probeIndex));
        for (VigilNode n : nodes) {
            assertEquals(states.get(n.id()).nodes(), n.state().nodes(), n.id() + ": node states changed");
            assertEquals(states.get(n.id()).resources(), n.state().resources(), n.id() + ": resource states changed");
            assertEquals(states.get(n.id()).fenceHistory(), n.state().fenceHistory(), n.id() + ": fence history changed");
            assertEquals(states.get(n.id()).term(), n.state().term(), n.id() + ": controller term changed");
        }
    }

    /** Refusals counted by all nodes (the one that led when the entry arrived refused it). */
    private double refusedCount() {
        return meters.values().stream().mapToDouble(m -> m.get("vigil.raft.refused").counter().count()).sum();
    }

    /** Commits {@code commands} through the leader's controller (announced first), retried across a leader change. */
    private void asController(Command... commands) throws Exception {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (true) {
            VigilNode leader = leader();
            List<Command> all = new ArrayList<>(List.of(new Command.LeaderElected(leader.id(), leader.term())));
            all.addAll(List.of(commands));
            try {
                for (CommandResult r : leader.submitAsController(all).get(30, TimeUnit.SECONDS)) r.orThrow();
                return;
            } catch (java.util.concurrent.ExecutionException | vigil.api.ConfigException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(100); // the leader changed meanwhile (or its term was not known yet)
            }
        }
    }

    private static Command started(String resource, String node) {
        return new Command.RecordOperation(resource, node, "start", Duration.ZERO, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty());
    }

    private boolean converged() {
        long index = leader().appliedIndex();
        return nodes.stream().allMatch(n -> n.appliedIndex() == index);
    }

    private VigilNode leader() { return nodes.stream().filter(VigilNode::isLeader).findFirst().orElseThrow(); }

    private VigilNode node(String id) { return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow(); }
}
