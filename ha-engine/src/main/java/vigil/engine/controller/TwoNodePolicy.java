package vigil.engine.controller;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.ResourceState;

/**
 * The decisions of one host of a two-node cluster (corosync's {@code two_node} + {@code wait_for_all}), as a pure
 * function of what that host observes, so that the runtime only carries them out.
 *
 * <p>Both hosts are Raft voters; a commit needs both, so the survivor of a host death holds every acknowledged entry
 * in its log. A host whose peer fell silent for node-timeout fences the peer (after its fence delay: the fence device's
 * own delay, plus {@code priority-fencing-delay} when the peer runs more resources, so that exactly one half of a
 * partition wins the fence race) and continues alone only once the fence is confirmed. A host that started runs
 * nothing until it has heard its peer once, or an administrator confirmed the peer is down ({@code wait_for_all});
 * meanwhile it asks the peer to admit it, so a host that comes back to a peer running alone becomes a voter again
 * (caught up first) and runs nothing before.
 */
public final class TwoNodePolicy {
    private TwoNodePolicy() {}

    /** What a host does now. */
    public enum Step {
        /** Both hosts are voters and a quorate leader is heard: the cluster runs normally. */
        PAIRED,
        /**
         * Started and has not heard its peer yet, and nobody confirmed the peer down: runs nothing, fences nobody, and
         * asks the peer to admit it (a peer that runs alone makes it a voter again).
         */
        WAIT_FOR_ALL,
        /** The peer is silent, but not for node-timeout (plus this host's fence delay) yet. */
        PEER_SILENT,
        /** Fence the peer now. */
        FENCE_PEER,
        /** The peer is confirmed off (fenced, or confirmed down by an administrator): make this host the only voter. */
        GO_SINGLE,
        /** This host runs alone, the only voter, until the peer asks to be admitted again. */
        SINGLE
    }

    /** How the last fence of the peer this host tried ended. */
    public enum Fence { NOT_TRIED, CONFIRMED, FAILED }

    /**
     * What one host sees.
     *
     * @param quorateLeaderHeard a leader whose term has a majority is heard now (with two voters: both hosts talk)
     * @param peerSeenSinceStart since it started, this host voted with its peer under a quorate leader at least once, or
     *                           ran alone (then it holds every entry: the peer could commit nothing without it)
     * @param peerConfirmedDown  an administrator confirmed that the peer is down (like {@code pcs stonith confirm})
     * @param silentFor          how long no quorate leader has been heard (zero while heard)
     * @param single             this host is the only Raft voter
     * @param fence              the last fence of the peer since it fell silent
     */
    public record View(boolean quorateLeaderHeard, boolean peerSeenSinceStart, boolean peerConfirmedDown, Duration silentFor,
                       boolean single, Fence fence) {}

    public record Decision(Step step, String reason) {}

    /** What the host does now, given the cluster's node-timeout and this host's fence delay ({@link #fenceDelay}). */
    public static Decision decide(View v, Duration nodeTimeout, Duration fenceDelay) {
        if (v.single()) return new Decision(Step.SINGLE, "running alone: the peer was fenced or confirmed down");
        if (v.quorateLeaderHeard()) return new Decision(Step.PAIRED, "both hosts are voters and talk");
        if (v.peerConfirmedDown()) return new Decision(Step.GO_SINGLE, "an administrator confirmed the peer is down");
        if (!v.peerSeenSinceStart()) {
            return new Decision(Step.WAIT_FOR_ALL, "wait_for_all: runs nothing until it has seen its peer (asking it to admit this host) or an administrator confirms the peer is down");
        }
        if (v.fence() == Fence.CONFIRMED) return new Decision(Step.GO_SINGLE, "the peer was fenced (confirmed off)");
        Duration due = nodeTimeout.plus(fenceDelay);
        if (v.silentFor().compareTo(due) < 0) {
            return new Decision(Step.PEER_SILENT, "no quorate leader for " + v.silentFor().toMillis() + " ms; fences the peer at " + due.toMillis() + " ms");
        }
        return new Decision(Step.FENCE_PEER, v.fence() == Fence.FAILED ? "fencing the peer failed: tries again; runs nothing meanwhile"
                : "the peer is silent for " + v.silentFor().toMillis() + " ms: fencing it");
    }

    /** The other member of a two-node cluster, if {@code self} is one of exactly two members. */
    public static Optional<String> peerOf(ClusterConfig config, String self) {
        if (config.nodes().size() != 2 || config.node(self).isEmpty()) return Optional.empty();
        return config.nodes().stream().map(Node::id).filter(id -> !id.equals(self)).findFirst();
    }

    /**
     * How long {@code self} waits, beyond node-timeout, before it fences {@code peer} (the fence device's own delay is
     * waited by the fencer besides): {@code priority-fencing-delay} when the peer runs more resources than this host
     * (as last known), else none. So the host running more waits less, and of two hosts running as much neither waits
     * for this; a static device delay on one side decides then.
     */
    public static Duration fenceDelay(ClusterState state, String self, String peer) {
        Duration delay = state.config().properties().priorityFencingDelay();
        return weight(state, peer) > weight(state, self) ? delay : Duration.ZERO;
    }

    /** Resources active on {@code node}; a promoted instance counts twice (as Pacemaker's priority adds one for it). */
    static int weight(ClusterState state, String node) {
        int w = 0;
        for (Map<String, ResourceState> byNode : state.resources().values()) {
            ResourceState rs = byNode.get(node);
            if (rs != null && rs.isActive()) w += rs.role() == Role.PROMOTED ? 2 : 1;
        }
        return w;
    }
}
