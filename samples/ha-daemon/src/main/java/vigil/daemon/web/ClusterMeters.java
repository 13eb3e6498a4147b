package vigil.daemon.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.Subscription;
import vigil.api.status.ClusterState;
import vigil.raft.runtime.ClusterNode.LocalView;

/**
 * The daemon's {@code vigil_*} Prometheus series. Two kinds, so that summing over the nodes never counts anything
 * twice:
 * <ul>
 *   <li>this node's own view, from every node, labelled with {@code node}: whether it hears a quorate leader
 *       ({@code vigil_node_quorum}, 0 as soon as it has heard none for node-timeout, without asking anyone) and whether
 *       it leads ({@code vigil_node_leader}); the build ({@code vigil_build_info});</li>
 *   <li>the cluster-wide series ({@link ClusterSeries}, {@link ClusterCounters}), only from the node that leads a
 *       quorate cluster, computed at scrape time from its applied state.</li>
 * </ul>
 * JVM and process meters come from {@link JvmMeters}; the Raft meters from the node itself.
 */
public final class ClusterMeters implements MultiCollector, AutoCloseable {
    private final Supplier<LocalView> local;
    private final AtomicReference<ClusterState> state;
    private final ClusterCounters counters = new ClusterCounters();
    private final String version;
    private final Subscription subscription;
    private PrometheusMeterRegistry registry;

    private ClusterMeters(Cluster cluster, Supplier<LocalView> local) {
        this.local = local;
        this.state = new AtomicReference<>(local.get().state());
        String v = ClusterMeters.class.getPackage().getImplementationVersion();
        this.version = v == null ? "unknown" : v;
        this.subscription = cluster.subscribe(this::onEvent);
    }

    /**
     * Serves the series through {@code registry} until closed.
     *
     * @param cluster its events bring every applied state
     * @param local   this node's own view, read at every scrape
     */
    public static ClusterMeters bind(Cluster cluster, Supplier<LocalView> local, PrometheusMeterRegistry registry) {
        ClusterMeters m = new ClusterMeters(cluster, local);
        registry.getPrometheusRegistry().register(m);
        m.registry = registry;
        return m;
    }

    private void onEvent(ClusterEvent e) {
        if (e instanceof ClusterEvent.StateChanged sc) counters.observe(state.getAndSet(sc.state()), sc.state());
    }

    @Override
    public MetricSnapshots collect() {
        LocalView view = local.get();
        Labels node = Labels.of("node", view.node());
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(ClusterSeries.gauge("vigil_node_quorum", "1 while this node hears a leader that holds a majority; 0 once it has heard "
                + "none for node-timeout (its own view, answered without asking the cluster)", ClusterSeries.point(node, view.quorate() ? 1 : 0)));
        out.add(ClusterSeries.gauge("vigil_node_leader", "1 on the node that leads (controls) a quorate cluster, by its own view; the "
                + "cluster-wide vigil_* series are exported by this node only", ClusterSeries.point(node, leads(view) ? 1 : 0)));
        out.add(new InfoSnapshot(ClusterSeries.meta("vigil_build", "Vigil version and Java runtime of this node"),
                List.of(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("node", view.node(), "version", version, "java_version", System.getProperty("java.version"))).build())));
        if (leads(view)) {
            out.addAll(ClusterSeries.of(state.get()));
            out.addAll(counters.snapshots());
        }
        return new MetricSnapshots(out);
    }

    /** Whether {@code view}'s node leads a quorate cluster: it alone exports the cluster-wide series. */
    static boolean leads(LocalView view) { return view.quorate() && view.node().equals(view.leader()); }

    @Override
    public void close() {
        subscription.close();
        registry.getPrometheusRegistry().unregister(this);
    }
}
