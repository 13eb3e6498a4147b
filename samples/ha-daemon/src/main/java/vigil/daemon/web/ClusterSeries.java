package vigil.daemon.web;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vigil.api.model.Clone;
import vigil.api.model.Constraint;
import vigil.api.model.Group;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;
import vigil.daemon.cli.StatusView;

/**
 * The cluster-wide series, computed from one replicated state, in the shape of ha_cluster_exporter's pacemaker
 * series: one {@code vigil_nodes} series per node and status, one {@code vigil_resources} series per resource instance
 * (with its node, role and status in separate labels), fail counts, location constraints, fence history. Every node
 * holds the same state, so only the leader exports these (see {@link ClusterMeters}).
 */
final class ClusterSeries {
    private ClusterSeries() {}

    static List<MetricSnapshot> of(ClusterState s) {
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(nodes(s));
        out.add(resources(s));
        out.add(failCounts(s));
        out.add(migrationThresholds(s));
        out.addAll(locations(s));
        out.add(lastFence(s));
        out.add(gauge("vigil_cluster_config_version", "Version of the cluster configuration (incremented by every change)",
                point(Labels.EMPTY, s.configVersion())));
        out.add(gauge("vigil_cluster_last_change_timestamp_seconds", "Time of the last committed change to the cluster state (leader's clock)",
                point(Labels.EMPTY, seconds(s.now()))));
        out.add(gauge("vigil_cluster_stonith_enabled", "1 when stonith-enabled is true: a lost node's resources are recovered only after fencing",
                point(Labels.EMPTY, s.config().properties().stonithEnabled() ? 1 : 0)));
        out.add(gauge("vigil_cluster_nodes_configured", "Nodes in the cluster configuration, by type (member, witness)",
                point(Labels.of("type", "member"), s.config().nodes().stream().filter(Node::runsResources).count()),
                point(Labels.of("type", "witness"), s.config().nodes().stream().filter(n -> !n.runsResources()).count())));
        out.add(gauge("vigil_cluster_resources_configured", "Primitive resources in the cluster configuration (clone and group members counted once)",
                point(Labels.EMPTY, s.config().primitives().count())));
        return out;
    }

    /** One series per node and each status that holds (online, offline, unclean, standby, maintenance), value 1. */
    private static MetricSnapshot nodes(ClusterState s) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        for (Node n : s.config().nodes()) {
            NodeState ns = s.node(n.id());
            String type = n.role() == NodeRole.WITNESS ? "witness" : "member";
            List<String> statuses = new ArrayList<>();
            statuses.add(ns.membership().name().toLowerCase(Locale.ROOT));
            if (ns.standby()) statuses.add("standby");
            if (ns.maintenance()) statuses.add("maintenance");
            for (String st : statuses) points.add(point(Labels.of("node", n.id(), "type", type, "status", st), 1));
        }
        return new GaugeSnapshot(meta("vigil_nodes", "Cluster nodes: one series (value 1) per node and each status that holds for it: "
                + "online, offline, unclean, standby, maintenance"), points);
    }

    /**
     * One series (value 1) per resource instance: where it is active, pending, blocked or failed; a primitive active
     * nowhere has one series with node="" and role="stopped".
     */
    private static MetricSnapshot resources(ClusterState s) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        boolean maintenanceMode = s.config().properties().maintenanceMode();
        for (Resource top : s.config().resources()) {
            String clone = top instanceof Clone c ? c.id() : "";
            for (Primitive p : top.primitives()) {
                String group = groupOf(top, p);
                boolean managed = !maintenanceMode && top.meta().isManaged() && p.meta().isManaged();
                boolean any = false;
                for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
                    String status = status(rs);
                    if (status == null) continue;
                    any = true;
                    points.add(point(resourceLabels(rs.node(), p, rs.role(), status, managed && !s.node(rs.node()).maintenance(), group, clone), 1));
                }
                if (!any) points.add(point(resourceLabels("", p, Role.STOPPED, "stopped", managed, group, clone), 1));
            }
        }
        return new GaugeSnapshot(meta("vigil_resources", "Resource instances: one series (value 1) per primitive and node where it is "
                + "active, pending, blocked or failed (role: started, promoted, unpromoted, stopped; status: active, pending, blocked, failed); "
                + "a primitive active nowhere has one series with node=\"\", role=\"stopped\", status=\"stopped\""), points);
    }

    /** active, pending (an operation sent, no result yet), blocked (a stop failed: only fencing clears it), failed; null: inactive. */
    static String status(ResourceState rs) {
        if (rs.pending()) return "pending";
        if (rs.blocked()) return "blocked";
        if (!rs.isActive()) return null;
        List<OperationRecord> ops = rs.operations();
        if (!ops.isEmpty() && StatusView.isFailure(ops.get(ops.size() - 1))) return "failed";
        return "active";
    }

    private static Labels resourceLabels(String node, Primitive p, Role role, String status, boolean managed, String group, String clone) {
        return Labels.of("node", node, "resource", p.id(), "role", role.name().toLowerCase(Locale.ROOT), "status", status,
                "managed", Boolean.toString(managed), "agent", p.type(), "group", group, "clone", clone);
    }

    private static String groupOf(Resource top, Primitive p) {
        Resource r = top instanceof Clone c ? c.child() : top;
        return r instanceof Group g && g.members().contains(p) ? g.id() : "";
    }

    private static MetricSnapshot failCounts(ClusterState s) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        s.resources().forEach((rid, perNode) -> perNode.values().forEach(rs ->
                points.add(point(Labels.of("node", rs.node(), "resource", rid), rs.failCount()))));
        return new GaugeSnapshot(meta("vigil_resource_fail_count", "Failures of a resource on a node since its last cleanup "
                + "(1000000 = INFINITY: it may not run there)"), points);
    }

    private static MetricSnapshot migrationThresholds(ClusterState s) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        s.config().primitives().forEach(p -> {
            int t = p.meta().migrationThreshold();
            if (t > 0) points.add(point(Labels.of("resource", p.id()), t));
        });
        return new GaugeSnapshot(meta("vigil_resource_migration_threshold", "Failures after which a resource moves away from a node "
                + "(only resources that set migration-threshold)"), points);
    }

    private static List<MetricSnapshot> locations(ClusterState s) {
        List<GaugeDataPointSnapshot> scores = new ArrayList<>();
        List<GaugeDataPointSnapshot> expiries = new ArrayList<>();
        for (Constraint c : s.config().constraints()) {
            if (!(c instanceof Constraint.Location l)) continue;
            Labels labels = Labels.of("constraint", l.id(), "resource", l.resource(), "node", l.node(), "role",
                    l.role() == null ? "" : l.role().name().toLowerCase(Locale.ROOT));
            scores.add(point(labels, l.score().value()));
            if (l.expires() != null) expiries.add(point(labels, seconds(l.expires())));
        }
        return List.of(
                new GaugeSnapshot(meta("vigil_location_constraints", "Score of each location constraint (1000000 = INFINITY, -1000000 = -INFINITY)"), scores),
                new GaugeSnapshot(meta("vigil_location_constraint_expiry_timestamp_seconds",
                        "When an expiring location constraint (resource move / ban) ends"), expiries));
    }

    private static MetricSnapshot lastFence(ClusterState s) {
        java.util.Map<Labels, Double> last = new java.util.LinkedHashMap<>();
        for (FenceEvent f : s.fenceHistory()) last.put(Labels.of("target", f.target(), "result", f.success() ? "success" : "failure"), seconds(f.at()));
        List<GaugeDataPointSnapshot> points = new ArrayList<>();
        last.forEach((labels, at) -> points.add(point(labels, at)));
        return new GaugeSnapshot(meta("vigil_fence_last_timestamp_seconds", "When a node was last fenced (result success) or a fencing of it "
                + "last failed (result failure), from the cluster's recent fence history"), points);
    }

    static MetricSnapshot gauge(String name, String help, GaugeDataPointSnapshot... points) {
        return new GaugeSnapshot(meta(name, help), List.of(points));
    }

    static io.prometheus.metrics.model.snapshots.MetricMetadata meta(String name, String help) {
        return new io.prometheus.metrics.model.snapshots.MetricMetadata(name, help);
    }

    static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    static double seconds(Instant t) { return t.getEpochSecond() + t.getNano() / 1e9; }
}
