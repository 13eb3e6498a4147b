package vigil.daemon.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import vigil.api.model.Primitive;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.daemon.StateMachineCluster;
import vigil.daemon.TestClusters;
import vigil.engine.state.Command;
import vigil.raft.runtime.ClusterNode.LocalView;

class ClusterMetersTest {
    final StateMachineCluster cluster = TestClusters.threeNodes();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AtomicReference<LocalView> view = new AtomicReference<>(view("n1", true));

    @org.junit.jupiter.api.AutoClose
    JvmMeters jvm = JvmMeters.bind(registry);

    ClusterMeters bind() {
        return ClusterMeters.bind(cluster, view::get, registry);
    }

    /** {@code node}'s view: n1 leads in term 2; the state is the test cluster's. */
    LocalView view(String node, boolean quorate) { return new LocalView(node, "n1", 2, quorate, cluster.status()); }

    static Command started(String resource, String node) {
        return new Command.RecordOperation(resource, node, "start", null, OcfCode.SUCCESS, Duration.ofMillis(40), "", "", OptionalInt.empty());
    }

    @Test
    void scrape_onLeader_hasPerResourceAndPerNodeSeriesAndHelpForEveryMetric() {
        try (ClusterMeters m = bind()) {
            cluster.commit(started("d1", "n1"));
            String text = registry.scrape();
            assertTrue(text.contains("vigil_resources{agent=\"ocf:heartbeat:Dummy\",clone=\"\",group=\"\",managed=\"true\",node=\"n1\",resource=\"d1\","
                    + "role=\"started\",status=\"active\"} 1.0"), text);
            assertTrue(text.contains("vigil_nodes{node=\"n2\",status=\"online\",type=\"member\"} 1.0"), text);
            assertTrue(text.contains("vigil_nodes{node=\"w\",status=\"online\",type=\"witness\"} 1.0"), text);
            assertTrue(text.contains("vigil_resource_fail_count{node=\"n1\",resource=\"d1\"} 0.0"), text);
            assertTrue(text.contains("vigil_node_quorum{node=\"n1\"} 1.0"), text);
            assertTrue(text.contains("vigil_node_leader{node=\"n1\"} 1.0"), text);
            assertTrue(text.contains("vigil_build_info{java_version="), text);
            assertTrue(text.contains("vigil_resource_operations_seconds_count{action=\"start\",result=\"success\"} 1"), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), text);
            assertTrue(text.contains("process_cpu_seconds_total"), text);
            assertEquals(List.of(), MetricsText.withoutHelp(text));
        }
    }

    @Test
    void scrape_stoppedResource_hasOneSeriesWithNoNodeAndRoleStopped() {
        try (ClusterMeters m = bind()) {
            assertTrue(registry.scrape().contains("vigil_resources{agent=\"ocf:heartbeat:Dummy\",clone=\"\",group=\"\",managed=\"true\",node=\"\","
                    + "resource=\"d1\",role=\"stopped\",status=\"stopped\"} 1.0"));
        }
    }

    @Test
    void scrape_onFollowerOrWithoutQuorum_hasOnlyTheNodesOwnSeries() {
        try (ClusterMeters m = bind()) {
            cluster.commit(started("d1", "n1"));
            view.set(view("n2", true));
            String follower = registry.scrape();
            assertTrue(follower.contains("vigil_node_leader{node=\"n2\"} 0.0"), follower);
            assertFalse(follower.contains("vigil_resources{"), follower);
            assertFalse(follower.contains("vigil_nodes{"), follower);
            view.set(view("n1", false));
            String cutOff = registry.scrape();
            assertTrue(cutOff.contains("vigil_node_quorum{node=\"n1\"} 0.0"), cutOff);
            assertTrue(cutOff.contains("vigil_node_leader{node=\"n1\"} 0.0"), cutOff);
            assertFalse(cutOff.contains("vigil_resources{"), cutOff);
        }
    }

    @Test
    void failovers_countRecoveryAfterNodeLossButNotAdminMoves() {
        try (ClusterMeters m = bind()) {
            cluster.commit(started("d1", "n1"));
            // an admin move: stopped on n1 (still online, no failure), started on n2
            cluster.commit(new Command.RecordOperation("d1", "n1", "stop", null, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty()));
            cluster.commit(started("d1", "n2"));
            assertFalse(registry.scrape().contains("vigil_failovers_total{resource=\"d1\"}"), registry.scrape());
            // n2 is lost and fenced; d1 is recovered on n1
            cluster.commit(new Command.SetMembership("n2", Membership.UNCLEAN, "no reply for 1000 ms"));
            cluster.commit(new Command.RecordFence(new FenceEvent("n2", "reboot", List.of("ipmi-n2"), "n1", true, Instant.parse("2026-01-01T00:01:00Z"), "")));
            cluster.commit(started("d1", "n1"));
            String text = registry.scrape();
            assertTrue(text.contains("vigil_failovers_total{resource=\"d1\"} 1.0"), text);
            assertTrue(text.contains("vigil_fence_operations_total{action=\"reboot\",result=\"success\",target=\"n2\"} 1.0"), text);
            // the time the cluster recorded for the fencing (the committing leader stamps it with the cluster time)
            FenceEvent recorded = cluster.status().fenceHistory().get(cluster.status().fenceHistory().size() - 1);
            assertEquals(recorded.at().getEpochSecond(),
                    MetricsText.samples(text, "vigil_fence_last_timestamp_seconds").get("result=\"success\",target=\"n2\""), 0.001, text);
        }
    }

    @Test
    void failovers_countAResourceThatFailedAndMovedAway() {
        try (ClusterMeters m = bind()) {
            cluster.commit(started("d1", "n1"));
            cluster.commit(new Command.RecordOperation("d1", "n1", "monitor", Duration.ofSeconds(10), OcfCode.NOT_RUNNING, Duration.ofMillis(5),
                    "not running", "", OptionalInt.empty()));
            assertTrue(registry.scrape().contains("node=\"n1\",resource=\"d1\",role=\"started\",status=\"failed\""), registry.scrape());
            cluster.commit(new Command.RecordOperation("d1", "n1", "stop", null, OcfCode.SUCCESS, Duration.ofMillis(5), "", "", OptionalInt.empty()));
            cluster.commit(started("d1", "n2"));
            assertTrue(registry.scrape().contains("vigil_failovers_total{resource=\"d1\"} 1.0"), registry.scrape());
        }
    }

    @Test
    void scrape_groupAndPromotableMembers_carryTheirGroupAndClone() {
        cluster.updateConfig(c -> c.toBuilder().resource(new vigil.api.model.Group("g", List.of(Primitive.builder("ip", "ocf:heartbeat:IPaddr2").build()),
                vigil.api.model.Meta.EMPTY)).build());
        try (ClusterMeters m = bind()) {
            cluster.commit(started("ip", "n2"));
            String text = registry.scrape();
            assertTrue(text.contains("vigil_resources{agent=\"ocf:heartbeat:IPaddr2\",clone=\"\",group=\"g\",managed=\"true\",node=\"n2\",resource=\"ip\","
                    + "role=\"started\",status=\"active\"} 1.0"), text);
        }
    }
}
