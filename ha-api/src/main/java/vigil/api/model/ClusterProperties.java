package vigil.api.model;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Cluster-wide options (Pacemaker's crm_config, plus Vigil's own timing).
 *
 * @param nodeTimeout        silence after which the leader declares a node unclean (and a node without a leader stops its resources)
 * @param watchdogTimeout    when non-zero, nodes self-fence through a watchdog: their resources may be recovered
 *                           {@code nodeTimeout + watchdogTimeout} after they fall silent, without a fence device
 * @param moveLifetime       default lifetime of the location constraints {@code move} / {@code ban} create
 * @param other              any further property, kept verbatim
 */
public record ClusterProperties(
        boolean stonithEnabled,
        boolean symmetricCluster,
        NoQuorumPolicy noQuorumPolicy,
        Duration nodeTimeout,
        Duration watchdogTimeout,
        Score defaultStickiness,
        boolean startFailureIsFatal,
        boolean maintenanceMode,
        Duration moveLifetime,
        Duration fenceTimeout,
        Map<String, String> other) {

    public static final ClusterProperties DEFAULTS = builder().build();
    /** The key in {@code other} of {@link #clusterRecheckInterval()}. */
    public static final String CLUSTER_RECHECK_INTERVAL = "cluster-recheck-interval";
    private static final Duration DEFAULT_RECHECK = Duration.ofMinutes(1);
    /** The key in {@code other} of {@link #twoNode()}. */
    public static final String TWO_NODE = "two-node";
    /** The key in {@code other} of {@link #priorityFencingDelay()}. */
    public static final String PRIORITY_FENCING_DELAY = "priority-fencing-delay";

    public ClusterProperties {
        Objects.requireNonNull(noQuorumPolicy, "noQuorumPolicy");
        Objects.requireNonNull(nodeTimeout, "nodeTimeout");
        Objects.requireNonNull(watchdogTimeout, "watchdogTimeout");
        Objects.requireNonNull(defaultStickiness, "defaultStickiness");
        Objects.requireNonNull(moveLifetime, "moveLifetime");
        Objects.requireNonNull(fenceTimeout, "fenceTimeout");
        other = Maps.sorted(other);
    }

    /**
     * How long the cluster may go without a committed change before the controller commits a tick anyway, so that
     * lifetimes ({@code move --lifetime}) and failure-timeouts expire in an idle cluster: the cluster's time only moves
     * with committed entries (Pacemaker's cluster-recheck-interval; default 1 min, 0 = never). Kept in {@code other}.
     */
    public Duration clusterRecheckInterval() {
        String v = other.get(CLUSTER_RECHECK_INTERVAL);
        return v == null ? DEFAULT_RECHECK : Durations.parse("properties." + CLUSTER_RECHECK_INTERVAL, v);
    }

    /**
     * Two-node mode (corosync's {@code two_node} with {@code wait_for_all}): a cluster of two members and no witness in
     * which a host whose peer fell silent fences it and, once the fence is confirmed, continues alone. Kept in
     * {@code other} as {@code two-node: true}; the validator refuses it without a fence device for each member.
     */
    public boolean twoNode() { return "true".equals(other.get(TWO_NODE)); }

    /**
     * Pacemaker's priority-fencing-delay: in two-node mode, fencing the host that runs more resources waits this much
     * longer, so that in a fence race between the two halves of a partition the busier host survives (default 0).
     */
    public Duration priorityFencingDelay() {
        String v = other.get(PRIORITY_FENCING_DELAY);
        return v == null ? Duration.ZERO : Durations.parse("properties.other." + PRIORITY_FENCING_DELAY, v);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.stonithEnabled = stonithEnabled;
        b.symmetricCluster = symmetricCluster;
        b.noQuorumPolicy = noQuorumPolicy;
        b.nodeTimeout = nodeTimeout;
        b.watchdogTimeout = watchdogTimeout;
        b.defaultStickiness = defaultStickiness;
        b.startFailureIsFatal = startFailureIsFatal;
        b.maintenanceMode = maintenanceMode;
        b.moveLifetime = moveLifetime;
        b.fenceTimeout = fenceTimeout;
        b.other = other;
        return b;
    }

    public static final class Builder {
        private boolean stonithEnabled = true;
        private boolean symmetricCluster = true;
        private NoQuorumPolicy noQuorumPolicy = NoQuorumPolicy.STOP;
        private Duration nodeTimeout = Duration.ofSeconds(1);
        private Duration watchdogTimeout = Duration.ZERO;
        private Score defaultStickiness = Score.ZERO;
        private boolean startFailureIsFatal = true;
        private boolean maintenanceMode = false;
        private Duration moveLifetime = Duration.ofHours(1);
        private Duration fenceTimeout = Duration.ofSeconds(60);
        private Map<String, String> other = Map.of();

        public Builder stonithEnabled(boolean v) { stonithEnabled = v; return this; }
        public Builder symmetricCluster(boolean v) { symmetricCluster = v; return this; }
        public Builder noQuorumPolicy(NoQuorumPolicy v) { noQuorumPolicy = v; return this; }
        public Builder nodeTimeout(Duration v) { nodeTimeout = v; return this; }
        public Builder watchdogTimeout(Duration v) { watchdogTimeout = v; return this; }
        public Builder defaultStickiness(Score v) { defaultStickiness = v; return this; }
        public Builder startFailureIsFatal(boolean v) { startFailureIsFatal = v; return this; }
        public Builder maintenanceMode(boolean v) { maintenanceMode = v; return this; }
        public Builder moveLifetime(Duration v) { moveLifetime = v; return this; }
        public Builder fenceTimeout(Duration v) { fenceTimeout = v; return this; }
        public Builder other(Map<String, String> v) { other = v; return this; }

        public Builder clusterRecheckInterval(Duration v) {
            Map<String, String> m = new java.util.TreeMap<>(other);
            m.put(CLUSTER_RECHECK_INTERVAL, Durations.format(v));
            other = m;
            return this;
        }

        public ClusterProperties build() {
            return new ClusterProperties(stonithEnabled, symmetricCluster, noQuorumPolicy, nodeTimeout, watchdogTimeout,
                    defaultStickiness, startFailureIsFatal, maintenanceMode, moveLifetime, fenceTimeout, other);
        }
    }
}
