package vigil.api.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Maps;
import vigil.api.model.Role;

/**
 * The replicated value: configuration plus status. Immutable; changed only by applying committed commands.
 *
 * @param now           the leader's clock at the last applied command (time enters the state only through commands)
 * @param configVersion incremented by every configuration change
 * @param nodes         status per node id
 * @param resources     status per primitive id, then per node id
 * @param fenceHistory  newest last, bounded
 * @param leader        the controller that last announced itself, and its term
 * @param hasQuorum     false only in states imported from a CIB without quorum
 * @param bootstrapped  the cluster got its first configuration (from a node's bootstrap file or an administrator):
 *                      no bootstrap file is applied after that
 */
public record ClusterState(ClusterConfig config, long configVersion, Instant now,
                           Map<String, NodeState> nodes, Map<String, Map<String, ResourceState>> resources,
                           List<FenceEvent> fenceHistory, String leader, long term, boolean hasQuorum, boolean bootstrapped) {

    public static final ClusterState EMPTY = new ClusterState(ClusterConfig.EMPTY, 0, Instant.EPOCH, Map.of(), Map.of(), List.of(), "", 0, true);

    public ClusterState {
        nodes = Maps.sorted(nodes);
        TreeMap<String, Map<String, ResourceState>> rs = new TreeMap<>();
        resources.forEach((k, v) -> { if (!v.isEmpty()) rs.put(k, Maps.sorted(v)); });
        resources = Collections.unmodifiableSortedMap(rs);
        fenceHistory = List.copyOf(fenceHistory);
        now = now == null ? Instant.EPOCH : now;
        leader = leader == null ? "" : leader;
    }

    /** A state that was never bootstrapped (imported, synthetic, or the empty one). */
    public ClusterState(ClusterConfig config, long configVersion, Instant now, Map<String, NodeState> nodes,
                        Map<String, Map<String, ResourceState>> resources, List<FenceEvent> fenceHistory, String leader, long term, boolean hasQuorum) {
        this(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, false);
    }

    public NodeState node(String id) { return nodes.getOrDefault(id, NodeState.offline(id)); }

    public ResourceState resource(String primitive, String node) {
        return resources.getOrDefault(primitive, Map.of()).getOrDefault(node, ResourceState.stopped(primitive, node));
    }

    /** Nodes where {@code primitive} is active, in id order. */
    public List<String> activeNodes(String primitive) {
        List<String> out = new ArrayList<>();
        resources.getOrDefault(primitive, Map.of()).forEach((n, s) -> { if (s.isActive()) out.add(n); });
        return out;
    }

    /** The node where {@code primitive} runs in {@code role}, if any. */
    public Optional<String> nodeWithRole(String primitive, Role role) {
        return resources.getOrDefault(primitive, Map.of()).values().stream().filter(s -> s.role() == role).map(ResourceState::node).findFirst();
    }

    public ClusterState withConfig(ClusterConfig c, long version) {
        return new ClusterState(c, version, now, nodes, resources, fenceHistory, leader, term, hasQuorum, bootstrapped);
    }

    public ClusterState withNow(Instant t) { return new ClusterState(config, configVersion, t, nodes, resources, fenceHistory, leader, term, hasQuorum, bootstrapped); }

    public ClusterState withNode(NodeState n) {
        SortedMap<String, NodeState> m = new TreeMap<>(nodes);
        m.put(n.node(), n);
        return new ClusterState(config, configVersion, now, m, resources, fenceHistory, leader, term, hasQuorum, bootstrapped);
    }

    public ClusterState withResource(ResourceState r) {
        TreeMap<String, Map<String, ResourceState>> m = new TreeMap<>(resources);
        TreeMap<String, ResourceState> perNode = new TreeMap<>(m.getOrDefault(r.resource(), Map.of()));
        perNode.put(r.node(), r);
        m.put(r.resource(), perNode);
        return new ClusterState(config, configVersion, now, nodes, m, fenceHistory, leader, term, hasQuorum, bootstrapped);
    }

    public ClusterState withResources(Map<String, Map<String, ResourceState>> rs) {
        return new ClusterState(config, configVersion, now, nodes, rs, fenceHistory, leader, term, hasQuorum, bootstrapped);
    }

    public ClusterState withFence(FenceEvent e, int keep) {
        List<FenceEvent> h = new ArrayList<>(fenceHistory);
        h.add(e);
        while (h.size() > keep) h.remove(0);
        return new ClusterState(config, configVersion, now, nodes, resources, h, leader, term, hasQuorum, bootstrapped);
    }

    public ClusterState withLeader(String l, long t) { return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, l, t, hasQuorum, bootstrapped); }

    public ClusterState withoutNode(String id) {
        SortedMap<String, NodeState> m = new TreeMap<>(nodes);
        m.remove(id);
        return new ClusterState(config, configVersion, now, m, resources, fenceHistory, leader, term, hasQuorum, bootstrapped);
    }

    public ClusterState withBootstrapped(boolean b) {
        return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, b);
    }

    public ClusterState withQuorum(boolean q) { return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, q, bootstrapped); }
}
