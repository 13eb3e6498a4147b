package vigil.api.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
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
 * @param now           the cluster time of the last applied log entry: the controller's stamp, the lower median of the
 *                      voting nodes' clocks (time enters the state only through log entries, and never goes back)
 * @param configVersion incremented by every configuration change
 * @param nodes         status per node id
 * @param resources     status per primitive id, then per node id
 * @param fenceHistory  newest last, bounded
 * @param leader        the controller that last announced itself, and its term
 * @param hasQuorum     false only in states imported from a CIB without quorum
 * @param watchdogs     per node id, the timeout of the watchdog the node armed and committed (absent: none)
 * @param outdatedCopies copies of replicated storage that must not be promoted, by resource then node
 * @param bootstrapped  the cluster got its first configuration (from a node's bootstrap file or an administrator):
 *                      no bootstrap file is applied after that
 */
public record ClusterState(ClusterConfig config, long configVersion, Instant now,
                           Map<String, NodeState> nodes, Map<String, Map<String, ResourceState>> resources,
                           List<FenceEvent> fenceHistory, String leader, long term, boolean hasQuorum,
                           Map<String, Duration> watchdogs, List<OutdatedCopy> outdatedCopies, boolean bootstrapped) {

    public static final ClusterState EMPTY = new ClusterState(ClusterConfig.EMPTY, 0, Instant.EPOCH, Map.of(), Map.of(), List.of(), "", 0, true);

    public ClusterState {
        nodes = Maps.sorted(nodes);
        TreeMap<String, Map<String, ResourceState>> rs = new TreeMap<>();
        resources.forEach((k, v) -> { if (!v.isEmpty()) rs.put(k, Maps.sorted(v)); });
        resources = Collections.unmodifiableSortedMap(rs);
        fenceHistory = List.copyOf(fenceHistory);
        now = now == null ? Instant.EPOCH : now;
        leader = leader == null ? "" : leader;
        watchdogs = Maps.sorted(watchdogs == null ? Map.of() : watchdogs);
        outdatedCopies = outdatedCopies == null ? List.of() : outdatedCopies.stream()
                .sorted(Comparator.comparing(OutdatedCopy::resource).thenComparing(OutdatedCopy::node)).toList();
    }

    /** A state without watchdogs and outdated copies that was never bootstrapped (imported, synthetic, or the empty one). */
    public ClusterState(ClusterConfig config, long configVersion, Instant now, Map<String, NodeState> nodes,
                        Map<String, Map<String, ResourceState>> resources, List<FenceEvent> fenceHistory, String leader, long term,
                        boolean hasQuorum) {
        this(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, Map.of(), List.of(), false);
    }

    /** A state that was never bootstrapped. */
    public ClusterState(ClusterConfig config, long configVersion, Instant now, Map<String, NodeState> nodes,
                        Map<String, Map<String, ResourceState>> resources, List<FenceEvent> fenceHistory, String leader, long term,
                        boolean hasQuorum, Map<String, Duration> watchdogs, List<OutdatedCopy> outdatedCopies) {
        this(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, false);
    }

    /** The watchdog timeout {@code node} committed (zero: it armed none). */
    public Duration watchdog(String node) { return watchdogs.getOrDefault(node, Duration.ZERO); }

    /** Whether {@code node}'s copy of {@code resource} is marked outdated (it must not be promoted). */
    public boolean isOutdated(String resource, String node) { return outdatedCopy(resource, node).isPresent(); }

    public Optional<OutdatedCopy> outdatedCopy(String resource, String node) {
        return outdatedCopies.stream().filter(o -> o.resource().equals(resource) && o.node().equals(node)).findFirst();
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
        return new ClusterState(c, version, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped);
    }

    public ClusterState withNow(Instant t) { return new ClusterState(config, configVersion, t, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped); }

    public ClusterState withNode(NodeState n) {
        SortedMap<String, NodeState> m = new TreeMap<>(nodes);
        m.put(n.node(), n);
        return new ClusterState(config, configVersion, now, m, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped);
    }

    public ClusterState withResource(ResourceState r) {
        TreeMap<String, Map<String, ResourceState>> m = new TreeMap<>(resources);
        TreeMap<String, ResourceState> perNode = new TreeMap<>(m.getOrDefault(r.resource(), Map.of()));
        perNode.put(r.node(), r);
        m.put(r.resource(), perNode);
        return new ClusterState(config, configVersion, now, nodes, m, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped);
    }

    public ClusterState withResources(Map<String, Map<String, ResourceState>> rs) {
        return new ClusterState(config, configVersion, now, nodes, rs, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped);
    }

    public ClusterState withFence(FenceEvent e, int keep) {
        List<FenceEvent> h = new ArrayList<>(fenceHistory);
        h.add(e);
        while (h.size() > keep) h.remove(0);
        return new ClusterState(config, configVersion, now, nodes, resources, h, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped);
    }

    public ClusterState withLeader(String l, long t) { return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, l, t, hasQuorum, watchdogs, outdatedCopies, bootstrapped); }

    public ClusterState withoutNode(String id) {
        SortedMap<String, NodeState> m = new TreeMap<>(nodes);
        m.remove(id);
        return new ClusterState(config, configVersion, now, m, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, bootstrapped);
    }

    public ClusterState withBootstrapped(boolean b) {
        return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, b);
    }

    public ClusterState withQuorum(boolean q) { return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, q, watchdogs, outdatedCopies, bootstrapped); }

    public ClusterState withWatchdog(String node, Duration timeout) {
        SortedMap<String, Duration> m = new TreeMap<>(watchdogs);
        if (timeout.isZero()) m.remove(node); else m.put(node, timeout);
        return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, m, outdatedCopies, bootstrapped);
    }

    /** Adds or replaces the mark of {@code copy.node()}'s copy of {@code copy.resource()}. */
    public ClusterState withOutdated(OutdatedCopy copy) {
        List<OutdatedCopy> m = new ArrayList<>(outdatedCopies);
        m.removeIf(o -> o.resource().equals(copy.resource()) && o.node().equals(copy.node()));
        m.add(copy);
        return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, m, bootstrapped);
    }

    public ClusterState withoutOutdated(String resource, String node) {
        List<OutdatedCopy> m = new ArrayList<>(outdatedCopies);
        m.removeIf(o -> o.resource().equals(resource) && o.node().equals(node));
        return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, m, bootstrapped);
    }
}
