package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Node;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.ResourceState;
import vigil.engine.controller.TwoNodePolicy.Decision;
import vigil.engine.controller.TwoNodePolicy.Fence;
import vigil.engine.controller.TwoNodePolicy.Step;
import vigil.engine.controller.TwoNodePolicy.View;

class TwoNodePolicyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static View paired() { return new View(true, true, false, Duration.ZERO, false, Fence.NOT_TRIED); }

    private static View silent(Duration d, Fence fence) { return new View(false, true, false, d, false, fence); }

    private static Step step(View v, Duration delay) { return TwoNodePolicy.decide(v, TIMEOUT, delay).step(); }

    @Test
    void decide_peerHeard_paired() {
        assertEquals(Step.PAIRED, step(paired(), Duration.ZERO));
    }

    @Test
    void decide_silentPeer_fencedOnlyAfterNodeTimeoutPlusTheDelay() {
        assertEquals(Step.PEER_SILENT, step(silent(Duration.ofMillis(1999), Fence.NOT_TRIED), Duration.ZERO));
        assertEquals(Step.FENCE_PEER, step(silent(TIMEOUT, Fence.NOT_TRIED), Duration.ZERO));
        // the side with a delay is still waiting when the other side fences it
        assertEquals(Step.PEER_SILENT, step(silent(Duration.ofSeconds(6), Fence.NOT_TRIED), Duration.ofSeconds(5)));
        assertEquals(Step.FENCE_PEER, step(silent(Duration.ofSeconds(7), Fence.NOT_TRIED), Duration.ofSeconds(5)));
    }

    @Test
    void decide_goesSingleOnlyAfterAConfirmedFence() {
        assertEquals(Step.FENCE_PEER, step(silent(Duration.ofSeconds(30), Fence.FAILED), Duration.ZERO));
        Decision d = TwoNodePolicy.decide(silent(Duration.ofSeconds(30), Fence.FAILED), TIMEOUT, Duration.ZERO);
        assertEquals("fencing the peer failed: tries again; runs nothing meanwhile", d.reason());
        assertEquals(Step.GO_SINGLE, step(silent(Duration.ofSeconds(3), Fence.CONFIRMED), Duration.ZERO));
        // the peer answering again before the fence settles wins over any fence result: nothing to recover
        assertEquals(Step.PAIRED, step(new View(true, true, false, Duration.ZERO, false, Fence.FAILED), Duration.ZERO));
    }

    @Test
    void decide_waitForAll_aStartedHostNeitherFencesNorRunsUntilItSawItsPeerOrAnAdminConfirms() {
        View fresh = new View(false, false, false, Duration.ofMinutes(10), false, Fence.NOT_TRIED);
        assertEquals(Step.WAIT_FOR_ALL, step(fresh, Duration.ZERO));
        assertEquals(Step.PAIRED, step(new View(true, false, false, Duration.ZERO, false, Fence.NOT_TRIED), Duration.ZERO));
        assertEquals(Step.GO_SINGLE, step(new View(false, false, true, Duration.ofMinutes(10), false, Fence.NOT_TRIED), Duration.ZERO));
    }

    @Test
    void decide_single_staysSingleUntilThePeerIsAVoterAgain() {
        assertEquals(Step.SINGLE, step(new View(true, true, false, Duration.ZERO, true, Fence.CONFIRMED), Duration.ZERO));
        // restarted while alone: its own configuration is the single one, the peer's word is not needed
        assertEquals(Step.SINGLE, step(new View(true, false, false, Duration.ZERO, true, Fence.NOT_TRIED), Duration.ZERO));
        // the peer admitted again: two voters, heard -> paired; and a later silence fences again
        assertEquals(Step.PAIRED, step(paired(), Duration.ZERO));
        assertEquals(Step.FENCE_PEER, step(silent(Duration.ofSeconds(3), Fence.NOT_TRIED), Duration.ZERO));
    }

    @Test
    void peerOf_theOtherOfExactlyTwoMembers() {
        ClusterConfig two = ClusterConfig.builder().node(Node.member("a", "h:1")).node(Node.member("b", "h:2")).build();
        assertEquals(Optional.of("b"), TwoNodePolicy.peerOf(two, "a"));
        assertEquals(Optional.of("a"), TwoNodePolicy.peerOf(two, "b"));
        assertEquals(Optional.empty(), TwoNodePolicy.peerOf(two, "c"));
        assertEquals(Optional.empty(), TwoNodePolicy.peerOf(two.toBuilder().node(Node.member("c", "h:3")).build(), "a"));
    }

    @Test
    void fenceDelay_theHostRunningMoreWaitsLess() {
        ClusterConfig config = ClusterConfig.builder().node(Node.member("a", "h:1")).node(Node.member("b", "h:2"))
                .properties(ClusterProperties.builder().other(Map.of(ClusterProperties.PRIORITY_FENCING_DELAY, "5s")).build()).build();
        ClusterState s = ClusterState.EMPTY.withConfig(config, 1)
                .withResource(ResourceState.stopped("vm1", "a").withRole(Role.STARTED))
                .withResource(ResourceState.stopped("vm2", "a").withRole(Role.STARTED))
                .withResource(ResourceState.stopped("vip", "b").withRole(Role.STARTED));
        assertEquals(Duration.ZERO, TwoNodePolicy.fenceDelay(s, "a", "b"));
        assertEquals(Duration.ofSeconds(5), TwoNodePolicy.fenceDelay(s, "b", "a"));
        // a promoted copy weighs two: b (promoted drbd + vip = 3) now outweighs a (two VMs = 2)
        ClusterState promoted = s.withResource(ResourceState.stopped("drbd", "b").withRole(Role.PROMOTED));
        assertEquals(Duration.ofSeconds(5), TwoNodePolicy.fenceDelay(promoted, "a", "b"));
        assertEquals(Duration.ZERO, TwoNodePolicy.fenceDelay(promoted, "b", "a"));
        // as much on both: neither waits for it (a static device delay decides)
        ClusterState even = s.withResource(ResourceState.stopped("vip2", "b").withRole(Role.STARTED));
        assertEquals(Duration.ZERO, TwoNodePolicy.fenceDelay(even, "a", "b"));
        assertEquals(Duration.ZERO, TwoNodePolicy.fenceDelay(even, "b", "a"));
        // without priority-fencing-delay nobody waits
        ClusterState plain = s.withConfig(config.toBuilder().properties(ClusterProperties.DEFAULTS).build(), 2);
        assertEquals(Duration.ZERO, TwoNodePolicy.fenceDelay(plain, "b", "a"));
    }
}
