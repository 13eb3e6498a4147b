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
 * @param hasQuorum     false in states imported from a CIB without quorum, and in a node's own view while it has none
 * @param watchdogs     per node id, the timeout of the watchdog the node armed and committed (absent: none)
 * @param outdatedCopies copies of replicated storage that must not be promoted, by resource then node
 * @param blocked       resources the controller cannot plan or run anywhere, with the reason (empty when none)
 * @param fenceDevices  the last periodic check of each fence device
 * @param appliedChanges ids of the latest configuration changes applied (newest last, bounded), so that a change an
 *                       administrator's client sends again, because its answer was lost, is applied only once
 * @param bootstrapped  the cluster got its first configuration (from a node's bootstrap file or an administrator):
 *                      no bootstrap file is applied after that
 */
public record ClusterState(ClusterConfig config, long configVersion, Instant now,
                           Map<String, NodeState> nodes, Map<String, Map<String, ResourceState>> resources,
                           List<FenceEvent> fenceHistory, String leader, long term, boolean hasQuorum,
                           Map<String, Duration> watchdogs, List<OutdatedCopy> outdatedCopies,
                           Map<String, String> blocked, Map<String, FenceDeviceStatus> fenceDevices, List<String> appliedChanges,
                           boolean bootstrapped) {

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
        blocked = Maps.sorted(blocked == null ? Map.of() : blocked);
        fenceDevices = Maps.sorted(fenceDevices == null ? Map.of() : fenceDevices);
        appliedChanges = List.copyOf(appliedChanges == null ? List.of() : appliedChanges);
    }

    /** A never bootstrapped state without watchdogs, outdated copies, blocked resources, fence device checks and applied change ids. */
    public ClusterState(ClusterConfig config, long configVersion, Instant now, Map<String, NodeState> nodes,
                        Map<String, Map<String, ResourceState>> resources, List<FenceEvent> fenceHistory, String leader, long term,
                        boolean hasQuorum) {
        this(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, Map.of(), List.of());
    }

    /** A never bootstrapped state without blocked resources, fence device checks and applied change ids. */
    public ClusterState(ClusterConfig config, long configVersion, Instant now, Map<String, NodeState> nodes,
                        Map<String, Map<String, ResourceState>> resources, List<FenceEvent> fenceHistory, String leader, long term,
                        boolean hasQuorum, Map<String, Duration> watchdogs, List<OutdatedCopy> outdatedCopies) {
        this(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, Map.of(), Map.of(), List.of());
    }

    /** A state that was never bootstrapped. */
    public ClusterState(ClusterConfig config, long configVersion, Instant now, Map<String, NodeState> nodes,
                        Map<String, Map<String, ResourceState>> resources, List<FenceEvent> fenceHistory, String leader, long term,
                        boolean hasQuorum, Map<String, Duration> watchdogs, List<OutdatedCopy> outdatedCopies,
                        Map<String, String> blocked, Map<String, FenceDeviceStatus> fenceDevices, List<String> appliedChanges) {
        this(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies, blocked, fenceDevices,
                appliedChanges, false);
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
        Map<String, ResourceState> onNodes = resources.get(primitive);
        ResourceState rs = onNodes == null ? null : onNodes.get(node);
        return rs != null ? rs : ResourceState.stopped(primitive, node); // the maps hold no nulls
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

    public ClusterState withConfig(ClusterConfig c, long version) { return copy().config(c).configVersion(version).build(); }

    public ClusterState withNow(Instant t) { return copy().now(t).build(); }

    public ClusterState withNode(NodeState n) {
        SortedMap<String, NodeState> m = new TreeMap<>(nodes);
        m.put(n.node(), n);
        return withNodes(m);
    }

    /** Every node's status replaced (nodes missing from {@code n} are offline and unknown). */
    public ClusterState withNodes(Map<String, NodeState> n) { return copy().nodes(n).build(); }

    public ClusterState withoutNode(String id) {
        SortedMap<String, NodeState> m = new TreeMap<>(nodes);
        m.remove(id);
        return withNodes(m);
    }

    public ClusterState withResource(ResourceState r) {
        TreeMap<String, Map<String, ResourceState>> m = new TreeMap<>(resources);
        TreeMap<String, ResourceState> perNode = new TreeMap<>(m.getOrDefault(r.resource(), Map.of()));
        perNode.put(r.node(), r);
        m.put(r.resource(), perNode);
        return withResources(m);
    }

    public ClusterState withResources(Map<String, Map<String, ResourceState>> rs) { return copy().resources(rs).build(); }

    public ClusterState withFence(FenceEvent e, int keep) {
        List<FenceEvent> h = new ArrayList<>(fenceHistory);
        h.add(e);
        while (h.size() > keep) h.remove(0);
        return copy().fenceHistory(h).build();
    }

    public ClusterState withLeader(String l, long t) { return copy().leader(l).term(t).build(); }

    public ClusterState withQuorum(boolean q) { return copy().hasQuorum(q).build(); }

    public ClusterState withBootstrapped(boolean b) { return copy().bootstrapped(b).build(); }

    public ClusterState withWatchdog(String node, Duration timeout) {
        SortedMap<String, Duration> m = new TreeMap<>(watchdogs);
        if (timeout.isZero()) m.remove(node); else m.put(node, timeout);
        return copy().watchdogs(m).build();
    }

    /** Adds or replaces the mark of {@code copy.node()}'s copy of {@code copy.resource()}. */
    public ClusterState withOutdated(OutdatedCopy copy) {
        List<OutdatedCopy> m = new ArrayList<>(outdatedCopies);
        m.removeIf(o -> o.resource().equals(copy.resource()) && o.node().equals(copy.node()));
        m.add(copy);
        return copy().outdatedCopies(m).build();
    }

    public ClusterState withoutOutdated(String resource, String node) {
        List<OutdatedCopy> m = new ArrayList<>(outdatedCopies);
        m.removeIf(o -> o.resource().equals(resource) && o.node().equals(node));
        return copy().outdatedCopies(m).build();
    }

    /** {@code resource} blocked for {@code reason}; an empty reason unblocks it. */
    public ClusterState withBlocked(String resource, String reason) {
        SortedMap<String, String> m = new TreeMap<>(blocked);
        if (reason == null || reason.isEmpty()) m.remove(resource); else m.put(resource, reason);
        return copy().blocked(m).build();
    }

    /** The change {@code id} was applied; the newest {@code keep} ids are remembered. */
    public ClusterState withAppliedChange(String id, int keep) {
        List<String> ids = new ArrayList<>(appliedChanges);
        ids.add(id);
        while (ids.size() > keep) ids.remove(0);
        return copy().appliedChanges(ids).build();
    }

    /** The fence device check results replaced. */
    public ClusterState withFenceDevices(Map<String, FenceDeviceStatus> devices) { return copy().fenceDevices(devices).build(); }

    public ClusterState withFenceDeviceStatus(FenceDeviceStatus d) {
        SortedMap<String, FenceDeviceStatus> m = new TreeMap<>(fenceDevices);
        m.put(d.device(), d);
        return withFenceDevices(m);
    }

    private Copy copy() { return new Copy(this); }

    /** This state with some components replaced: every {@code with} method names only what it changes. */
    private static final class Copy {
        private ClusterConfig config;
        private long configVersion;
        private Instant now;
        private Map<String, NodeState> nodes;
        private Map<String, Map<String, ResourceState>> resources;
        private List<FenceEvent> fenceHistory;
        private String leader;
        private long term;
        private boolean hasQuorum;
        private Map<String, Duration> watchdogs;
        private List<OutdatedCopy> outdatedCopies;
        private Map<String, String> blocked;
        private Map<String, FenceDeviceStatus> fenceDevices;
        private List<String> appliedChanges;
        private boolean bootstrapped;

        private Copy(ClusterState s) {
            config = s.config; configVersion = s.configVersion; now = s.now; nodes = s.nodes; resources = s.resources;
            fenceHistory = s.fenceHistory; leader = s.leader; term = s.term; hasQuorum = s.hasQuorum; watchdogs = s.watchdogs;
            outdatedCopies = s.outdatedCopies; blocked = s.blocked; fenceDevices = s.fenceDevices; appliedChanges = s.appliedChanges;
            bootstrapped = s.bootstrapped;
        }

        Copy config(ClusterConfig v) { config = v; return this; }
        Copy configVersion(long v) { configVersion = v; return this; }
        Copy now(Instant v) { now = v; return this; }
        Copy nodes(Map<String, NodeState> v) { nodes = v; return this; }
        Copy resources(Map<String, Map<String, ResourceState>> v) { resources = v; return this; }
        Copy fenceHistory(List<FenceEvent> v) { fenceHistory = v; return this; }
        Copy leader(String v) { leader = v; return this; }
        Copy term(long v) { term = v; return this; }
        Copy hasQuorum(boolean v) { hasQuorum = v; return this; }
        Copy watchdogs(Map<String, Duration> v) { watchdogs = v; return this; }
        Copy outdatedCopies(List<OutdatedCopy> v) { outdatedCopies = v; return this; }
        Copy blocked(Map<String, String> v) { blocked = v; return this; }
        Copy fenceDevices(Map<String, FenceDeviceStatus> v) { fenceDevices = v; return this; }
        Copy appliedChanges(List<String> v) { appliedChanges = v; return this; }
        Copy bootstrapped(boolean v) { bootstrapped = v; return this; }

        ClusterState build() {
            return new ClusterState(config, configVersion, now, nodes, resources, fenceHistory, leader, term, hasQuorum, watchdogs, outdatedCopies,
                    blocked, fenceDevices, appliedChanges, bootstrapped);
        }
    }
}
