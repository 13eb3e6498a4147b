package vigil.daemon.web;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import vigil.api.model.Clone;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Counters of what happened, derived from consecutive committed states: fence operations, failovers and resource
 * operations. Every node sees the same states, so every node counts the same (from its own start); only the leader
 * exports them. Not thread-safe: fed from one event thread, read under its lock.
 *
 * <p>A failover is a resource (for a promotable clone: its promoted instance) becoming active on another node after
 * it left its previous node because of a failure there: that node was lost (unclean, fenced, offline) or the
 * resource's fail count there rose while it was active. An admin move, a ban, a standby or a re-balance is not one.
 */
final class ClusterCounters {
    private final Map<Labels, Long> fences = new TreeMap<>(ClusterCounters::compare);
    private final Map<String, Long> failovers = new TreeMap<>();
    private final Map<Labels, double[]> operations = new TreeMap<>(ClusterCounters::compare);
    /** resource -> node -> its fail count there when it became active there. */
    private final Map<String, Map<String, Integer>> activeSince = new HashMap<>();
    /** resources whose last departure was caused by a failure, not yet active elsewhere: resource -> the node it left. */
    private final Map<String, String> failedAway = new HashMap<>();

    synchronized void observe(ClusterState before, ClusterState after) {
        for (FenceEvent f : newFences(before.fenceHistory(), after.fenceHistory())) {
            fences.merge(Labels.of("target", f.target(), "action", f.action(), "result", f.success() ? "success" : "failure"), 1L, Long::sum);
        }
        operations(before, after);
        failovers(before, after);
    }

    private void operations(ClusterState before, ClusterState after) {
        for (var perResource : after.resources().entrySet()) {
            for (ResourceState rs : perResource.getValue().values()) {
                ResourceState old = before.resources().getOrDefault(perResource.getKey(), Map.of()).get(rs.node());
                Instant seen = old == null || old.operations().isEmpty() ? Instant.MIN : old.operations().get(old.operations().size() - 1).at();
                for (OperationRecord op : rs.operations()) {
                    if (!op.at().isAfter(seen) || (op.action().equals("monitor") && !op.interval().isZero())) continue;
                    if (op.code() == OcfCode.PENDING) continue; // counted when its result comes
                    double[] countSum = operations.computeIfAbsent(Labels.of("action", op.action(), "result",
                            op.code().name().toLowerCase(Locale.ROOT)), k -> new double[2]);
                    countSum[0]++;
                    countSum[1] += op.took().toNanos() / 1e9;
                }
            }
        }
    }

    private void failovers(ClusterState before, ClusterState after) {
        Set<String> promotedOnly = new TreeSet<>();
        Set<String> tracked = new TreeSet<>();
        for (Resource r : after.config().resources()) {
            if (r instanceof Clone c && !c.promotable()) continue; // a plain clone runs everywhere: none of it fails over
            r.primitives().forEach(p -> {
                tracked.add(p.id());
                if (r instanceof Clone) promotedOnly.add(p.id());
            });
        }
        for (String p : tracked) {
            Role role = promotedOnly.contains(p) ? Role.PROMOTED : null;
            Set<String> was = holders(before, p, role);
            Set<String> now = holders(after, p, role);
            Map<String, Integer> since = activeSince.computeIfAbsent(p, k -> new HashMap<>());
            for (String left : was) {
                if (now.contains(left)) continue;
                Integer failsWhenStarted = since.remove(left);
                boolean nodeLost = after.node(left).membership() != Membership.ONLINE;
                boolean resourceFailed = failsWhenStarted != null && after.resource(p, left).failCount() > failsWhenStarted;
                if (nodeLost || resourceFailed) failedAway.put(p, left);
            }
            for (String arrived : now) {
                if (was.contains(arrived)) continue;
                since.put(arrived, after.resource(p, arrived).failCount());
                String from = failedAway.remove(p);
                // without fencing, an instance on a lost node may still count as active while it is recovered elsewhere
                boolean recoveredFromLostNode = now.stream().anyMatch(n -> !n.equals(arrived) && after.node(n).membership() != Membership.ONLINE);
                if ((from != null && !from.equals(arrived)) || recoveredFromLostNode) failovers.merge(p, 1L, Long::sum);
            }
        }
        activeSince.keySet().retainAll(tracked);
        failedAway.keySet().retainAll(tracked);
    }

    /** Nodes where {@code primitive} is active (in {@code role}, when given) and not merely pending. */
    private static Set<String> holders(ClusterState s, String primitive, Role role) {
        Set<String> out = new TreeSet<>();
        s.resources().getOrDefault(primitive, Map.of()).values().forEach(rs -> {
            if (rs.isActive() && !rs.pending() && (role == null || rs.role() == role)) out.add(rs.node());
        });
        return out;
    }

    /** The entries appended to a bounded newest-last history: after the longest suffix of {@code before} that starts {@code after}. */
    static List<FenceEvent> newFences(List<FenceEvent> before, List<FenceEvent> after) {
        if (before.equals(after)) return List.of();
        for (int drop = 0; drop <= before.size(); drop++) {
            List<FenceEvent> tail = before.subList(drop, before.size());
            if (tail.size() <= after.size() && after.subList(0, tail.size()).equals(tail)) return after.subList(tail.size(), after.size());
        }
        return after;
    }

    synchronized List<MetricSnapshot> snapshots() {
        List<CounterDataPointSnapshot> f = new ArrayList<>();
        fences.forEach((labels, n) -> f.add(CounterDataPointSnapshot.builder().labels(labels).value(n).build()));
        List<CounterDataPointSnapshot> fo = new ArrayList<>();
        failovers.forEach((r, n) -> fo.add(CounterDataPointSnapshot.builder().labels(Labels.of("resource", r)).value(n).build()));
        List<SummaryDataPointSnapshot> ops = new ArrayList<>();
        operations.forEach((labels, cs) -> ops.add(new SummaryDataPointSnapshot((long) cs[0], cs[1], Quantiles.EMPTY, labels, null, 0L)));
        return List.of(
                new CounterSnapshot(ClusterSeries.meta("vigil_fence_operations", "Fence operations that finished, by target node, action "
                        + "and result (success: the target is confirmed off), counted by this node since it started"), f),
                new CounterSnapshot(ClusterSeries.meta("vigil_failovers", "Failovers: a resource (a promotable clone's promoted instance) "
                        + "became active on another node after a failure on its node (node lost or resource failed); admin moves, bans and "
                        + "standby do not count. Counted by this node since it started"), fo),
                new SummarySnapshot(ClusterSeries.meta("vigil_resource_operations_seconds", "Resource operations (start, stop, promote, probe, "
                        + "...; recurring monitors excepted) that finished, and how long they took, by action and result"), ops));
    }

    private static int compare(Labels a, Labels b) { return a.toString().compareTo(b.toString()); }
}
