package vigil.raft.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.engine.state.StateTransitions;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;

/**
 * The cluster's time on three in-process members, the third one's wall clock an hour ahead: whoever submits and even
 * while that member leads, the time the state records is the majority's, not its own.
 */
class ClusterTimeIT {
    private static final Duration LONG = Duration.ofSeconds(90);
    private final List<ClusterNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() { nodes.forEach(ClusterNode::close); }

    @Test
    void aMemberWhoseClockIsAnHourAheadMovesNeitherTheClusterTimeNorTheExpiryOfAMove_evenAsLeader(@TempDir Path dir) {
        int port = FreePorts.base(2, "127.0.0.1");
        List<Node> peers = List.of(Node.member("n1", "127.0.0.1:" + port), Node.member("n2", "127.0.0.2:" + port), Node.member("n3", "127.0.0.3:" + port));
        vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create("time", java.util.UUID.randomUUID());
        for (Node p : peers) {
            InstantSource clock = p.id().equals("n3") ? InstantSource.offset(InstantSource.system(), Duration.ofHours(1)) : InstantSource.system();
            nodes.add(ClusterNode.builder().id(p.id()).clusterName("time").token("time-it-token").peers(peers).dataDir(dir.resolve(p.id()))
                    .tls(ca.issueNode(p.id(), List.of(p.address().substring(0, p.address().lastIndexOf(':'))))).clock(clock).start());
        }
        ClusterNode n1 = nodes.get(0);
        ClusterNode n3 = nodes.get(2);
        Await.until(LONG, "a leader", () -> nodes.stream().anyMatch(ClusterNode::isController));
        n1.cluster().updateConfig(c -> c.toBuilder()
                .properties(ClusterProperties.builder().stonithEnabled(false).clusterRecheckInterval(Duration.ofSeconds(1)).build()).build());

        n3.cluster().updateConfig(c -> c.toBuilder().replaceResource(Primitive.builder("d1", "ocf:heartbeat:Dummy")
                .meta(Meta.TARGET_ROLE, "Stopped").build()).build());
        // a new cluster has a time once a controller heard a majority of the nodes' clocks
        Await.until(LONG, "a cluster time", () -> !n1.cluster().status().now().equals(Instant.EPOCH));

        // n3, the member an hour ahead, takes the lead (again, should it lose it) and commits while it leads
        AtomicInteger committedWhileN3Led = new AtomicInteger();
        Await.until(LONG, "commits while n3 leads", () -> {
            if (!n3.isController()) {
                nodes.stream().filter(ClusterNode::isController).findFirst().ifPresent(l -> l.raft().transferLeadership("n3", Duration.ofSeconds(2)));
                return false;
            }
            n3.cluster().move("d1", "n1", Duration.ofMinutes(10));
            if (n3.isController()) committedWhileN3Led.incrementAndGet();
            return committedWhileN3Led.get() >= 3;
        });
        ClusterState s = n1.cluster().status();
        assertTrue(Duration.between(Instant.now(), s.now()).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "the cluster's time is " + s.now() + " while the machine's is " + Instant.now());
        Instant expires = ((Constraint.Location) s.config().constraints().stream().filter(c -> c.id().equals(StateTransitions.MOVE_PREFIX + "d1"))
                .findFirst().orElseThrow()).expires();
        assertTrue(Duration.between(Instant.now().plus(Duration.ofMinutes(10)), expires).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "a 10 min move ends at " + expires);
    }
}
