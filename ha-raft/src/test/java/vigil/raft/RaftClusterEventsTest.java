package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import vigil.api.ClusterEvent;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;

class RaftClusterEventsTest {
    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    private static ClusterState apply(ClusterState s, Command... cs) {
        for (Command c : cs) s = StateTransitions.apply(s, c, T);
        return s;
    }

    private static ClusterState base() {
        return apply(ClusterState.EMPTY, new Command.PutNode(Node.member("n1", "a:1")), new Command.PutNode(Node.member("n2", "b:1")),
                new Command.PutResource(Primitive.builder("vm1", "kvm").build()));
    }

    private static Command op(String action, String node, OcfCode code) {
        return new Command.RecordOperation("vm1", node, action, Duration.ZERO, code, Duration.ZERO, "", "", null);
    }

    @Test
    void events_startThenFence_giveActiveNodeFencedAndStopped() {
        ClusterState s0 = apply(base(), new Command.SetMembership("n1", Membership.ONLINE, "joined"));
        ClusterState s1 = apply(s0, op("start", "n1", OcfCode.SUCCESS));
        assertEquals(List.of(new ClusterEvent.StateChanged(7, s1), new ClusterEvent.ResourceActive("vm1", "n1", Role.STARTED)),
                RaftCluster.events(7, s0, s1));

        FenceEvent off = new FenceEvent("n1", "off", List.of("ipmi-n1"), "n2", true, T, "");
        ClusterState s2 = apply(s1, new Command.RecordFence(off));
        List<ClusterEvent> events = RaftCluster.events(8, s1, s2);
        assertEquals(new ClusterEvent.StateChanged(8, s2), events.get(0));
        assertEquals(List.of(new ClusterEvent.NodeChanged(s2.node("n1")), new ClusterEvent.ResourceStopped("vm1", "n1"), new ClusterEvent.Fenced(off)),
                events.subList(1, events.size()));
    }

    @Test
    void events_leaderAnnounced_givesLeaderChangedOnce() {
        ClusterState s0 = base();
        ClusterState s1 = apply(s0, new Command.LeaderElected("n2", 3));
        assertEquals(List.of(new ClusterEvent.StateChanged(1, s1), new ClusterEvent.LeaderChanged("n2", 3)), RaftCluster.events(1, s0, s1));
        assertEquals(List.of(new ClusterEvent.StateChanged(2, s1)), RaftCluster.events(2, s1, s1));
    }

    @Test
    void events_boundedFenceHistory_reportsOnlyTheNewEntry() {
        ClusterState s = base();
        for (int i = 0; i < StateTransitions.FENCE_HISTORY; i++) {
            s = apply(s, new Command.RecordFence(new FenceEvent("n2", "reboot", List.of(), "n1", false, T.plusSeconds(i), "try " + i)));
        }
        // recorded at the cluster time of its entry (T here), whatever time the controller put on it
        FenceEvent newest = new FenceEvent("n2", "reboot", List.of(), "n1", false, T, "newest");
        ClusterState next = apply(s, new Command.RecordFence(newest));
        assertEquals(StateTransitions.FENCE_HISTORY, next.fenceHistory().size());
        assertEquals(List.of(new ClusterEvent.StateChanged(5, next), new ClusterEvent.Fenced(newest)), RaftCluster.events(5, s, next));
    }
}
