package vigil.daemon.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import vigil.api.Cluster;
import vigil.api.ClusterUnavailableException;
import vigil.api.ClusterEvent;
import vigil.api.Subscription;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Cluster meters derived from committed state: leader and term, quorum, nodes by state, resource instances by role,
 * resource operations and their latencies, fence operations and failovers. Served by the daemon at /metrics as
 * {@code vigil_*} Prometheus series.
 */
public final class ClusterMeters implements AutoCloseable {
    private final MeterRegistry registry;
    private final AtomicReference<ClusterState> state = new AtomicReference<>(ClusterState.EMPTY);
    private final Set<String> leaderGauges = ConcurrentHashMap.newKeySet();
    /** resource id to the node it last became active on, for counting failovers. */
    private final Map<String, String> lastActive = new ConcurrentHashMap<>();
    private final Subscription subscription;

    private ClusterMeters(Cluster cluster, MeterRegistry registry) {
        this.registry = registry;
        gauge("vigil.cluster.term", "Raft term of the current leader", s -> s.term());
        gauge("vigil.cluster.quorum", "1 when the cluster has quorum", s -> s.hasQuorum() ? 1 : 0);
        gauge("vigil.cluster.config.version", "configuration version", s -> s.configVersion());
        for (String st : new String[] {"online", "offline", "unclean", "standby", "maintenance", "degraded"}) {
            Gauge.builder("vigil.nodes", state, r -> nodes(r.get(), st)).description("configured nodes by state").tag("state", st).register(registry);
        }
        for (String role : new String[] {"started", "promoted", "unpromoted", "failed", "blocked"}) {
            Gauge.builder("vigil.resources", state, r -> resources(r.get(), role)).description("resource instances by role").tag("role", role).register(registry);
        }
        for (String result : new String[] {"success", "failure"}) Counter.builder("vigil.fence.operations").tag("result", result).register(registry);
        Counter.builder("vigil.failovers").description("resources that became active on another node than before").register(registry);
        try {
            update(cluster.status());
        } catch (ClusterUnavailableException e) {
            // no quorum yet (a cold start, or a joined host still catching up): the meters follow the state once it flows
        }
        subscription = cluster.subscribe(this::onEvent);
    }

    /** Registers the meters and keeps them current until closed. */
    public static ClusterMeters bind(Cluster cluster, MeterRegistry registry) { return new ClusterMeters(cluster, registry); }

    private void gauge(String name, String help, ToDoubleFunction<ClusterState> f) {
        Gauge.builder(name, state, r -> f.applyAsDouble(r.get())).description(help).register(registry);
    }

    private void onEvent(ClusterEvent e) {
        if (e instanceof ClusterEvent.StateChanged sc) {
            update(sc.state());
        } else if (e instanceof ClusterEvent.Fenced f) {
            registry.counter("vigil.fence.operations", "result", f.fence().success() ? "success" : "failure").increment();
        } else if (e instanceof ClusterEvent.ResourceActive ra) {
            String before = lastActive.put(ra.resource(), ra.node());
            if (before != null && !before.equals(ra.node()) && ra.role() != Role.UNPROMOTED) registry.counter("vigil.failovers").increment();
        }
    }

    private void update(ClusterState next) {
        ClusterState prev = state.getAndSet(next);
        for (String node : next.nodes().keySet()) {
            if (leaderGauges.add(node)) {
                Gauge.builder("vigil.node.leader", state, r -> node.equals(r.get().leader()) ? 1 : 0).description("1 on the node that leads (controls) the cluster")
                        .tag("node", node).register(registry);
            }
        }
        for (var perResource : next.resources().entrySet()) {
            for (ResourceState rs : perResource.getValue().values()) {
                ResourceState old = prev.resources().getOrDefault(perResource.getKey(), Map.of()).get(rs.node());
                java.time.Instant seen = old == null || old.operations().isEmpty() ? java.time.Instant.MIN : old.operations().get(old.operations().size() - 1).at();
                for (OperationRecord op : rs.operations()) {
                    if (!op.at().isAfter(seen) || (op.action().equals("monitor") && !op.interval().isZero())) continue;
                    if (op.code() == vigil.api.status.OcfCode.PENDING) continue; // its result is recorded when it comes
                    Timer.builder("vigil.resource.operations").description("resource operations (start, stop, promote, ...) and how long they took")
                            .tag("action", op.action()).tag("result", op.code().name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry).record(op.took());
                }
            }
        }
    }

    static double nodes(ClusterState s, String what) {
        int n = 0;
        for (var node : s.config().nodes()) {
            NodeState ns = s.node(node.id());
            boolean match = switch (what) {
                case "online" -> ns.membership() == Membership.ONLINE;
                case "offline" -> ns.membership() == Membership.OFFLINE;
                case "unclean" -> ns.membership() == Membership.UNCLEAN;
                case "standby" -> ns.standby();
                case "degraded" -> ns.isDegraded();
                default -> ns.maintenance();
            };
            if (match) n++;
        }
        return n;
    }

    static double resources(ClusterState s, String role) {
        Map<String, Integer> counts = new HashMap<>();
        s.resources().values().forEach(m -> m.values().forEach(rs -> {
            if (rs.isActive()) counts.merge(rs.role().text().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
            if (rs.failCount() > 0) counts.merge("failed", 1, Integer::sum);
            if (rs.blocked()) counts.merge("blocked", 1, Integer::sum);
        }));
        return counts.getOrDefault(role, 0);
    }

    @Override
    public void close() { subscription.close(); }
}
