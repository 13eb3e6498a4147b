package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.api.status.ResourceState;
import vigil.daemon.web.MetricsText;
import vigil.testkit.Await;

/**
 * /metrics of three daemon processes, scraped as Prometheus does: the leader exports one vigil_resources series per
 * configured primitive and node where it is active, with the role the cluster status shows (and node="" role="stopped"
 * for a primitive active nowhere); the other nodes export only their own series; every metric family has a HELP text;
 * and a node cut off from the others reads quorum 0 without asking anyone.
 */
class MetricsIT {
    static final String CONFIG = """
            properties:
              stonith-enabled: false
              node-timeout: 3s
            resources:
              d1:
                type: ocf:heartbeat:Dummy
                operations:
                  - {name: monitor, interval: 2s, timeout: 20s}
              web:
                group:
                  - {id: web-a, type: ocf:heartbeat:Dummy}
                  - {id: web-b, type: ocf:heartbeat:Dummy}
              st:
                promotable:
                  id: st-child
                  type: ocf:pacemaker:Stateful
                meta: {promoted-max: 1}
              off:
                type: ocf:heartbeat:Dummy
                meta: {target-role: Stopped}
            constraints:
              web-with-d1: {type: colocation, resource: web, with-resource: d1, score: INFINITY}
            """;

    String scrape(DaemonCluster c, String node) {
        try {
            HttpResponse<String> r = c.httpClient().send(HttpRequest.newBuilder(URI.create(c.http(node) + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), node + " /metrics: " + r.body());
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metrics_leaderExportsEveryResourceWithItsRole_everyMetricHasHelp_cutOffNodeReadsNoQuorum() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/pacemaker/Stateful")),
                "pacemaker-resource-agents (ocf:pacemaker:Stateful) not installed");
        try (DaemonCluster c = new DaemonCluster(CONFIG)) {
            ClusterState settled = Await.value(Duration.ofSeconds(120), "every resource placed", () -> {
                ClusterState s = c.status();
                boolean ok = s.activeNodes("d1").size() == 1 && s.activeNodes("web-a").equals(s.activeNodes("d1")) && s.activeNodes("web-b").equals(s.activeNodes("d1"))
                        && s.nodeWithRole("st-child", vigil.api.model.Role.PROMOTED).isPresent() && s.activeNodes("st-child").size() == 2
                        && s.resources().values().stream().flatMap(m -> m.values().stream()).noneMatch(r -> r.pending() || r.blocked() || r.failCount() > 0);
                return ok ? s : null;
            });
            Map<String, String> scrapes = new LinkedHashMap<>();
            for (String n : DaemonCluster.NODES) scrapes.put(n, scrape(c, n));
            assertTrue(settled.resources().equals(c.status().resources()), "the cluster changed while it was scraped");

            List<String> leaders = new ArrayList<>();
            scrapes.forEach((n, text) -> {
                assertEquals(List.of(), MetricsText.withoutHelp(text), n + ": metric families without HELP");
                assertEquals(1.0, MetricsText.samples(text, "vigil_node_quorum").get("node=\"" + n + "\""), n + "\n" + text);
                if (MetricsText.samples(text, "vigil_node_leader").get("node=\"" + n + "\"") == 1.0) leaders.add(n);
            });
            assertEquals(List.of(settled.leader()), leaders, "exactly the leader says it leads");
            for (String n : DaemonCluster.NODES) {
                boolean leader = n.equals(settled.leader());
                assertEquals(leader, !MetricsText.samples(scrapes.get(n), "vigil_resources").isEmpty(), n + " exports the cluster-wide series: " + leader);
            }

            Set<String> expected = new TreeSet<>();
            for (Primitive p : settled.config().primitives().toList()) {
                List<String> on = settled.activeNodes(p.id());
                if (on.isEmpty()) expected.add(p.id() + " @ stopped stopped");
                for (String node : on) {
                    expected.add(p.id() + " @" + node + " " + settled.resource(p.id(), node).role().name().toLowerCase(Locale.ROOT) + " active");
                }
            }
            Set<String> exported = new TreeSet<>();
            MetricsText.samples(scrapes.get(settled.leader()), "vigil_resources").keySet().forEach(labels -> {
                Map<String, String> l = labels(labels);
                exported.add(l.get("resource") + " @" + l.get("node") + " " + l.get("role") + " " + l.get("status"));
            });
            assertEquals(expected, exported);
            assertTrue(expected.contains("off @ stopped stopped") && expected.stream().anyMatch(e -> e.startsWith("st-child @") && e.contains(" promoted active")),
                    expected.toString());

            // n1 alone: the others are gone, and it says so by itself within node-timeout
            String alone = "n1";
            c.kill("n2");
            c.kill("w");
            Await.until(Duration.ofSeconds(15), alone + " reads vigil_node_quorum 0",
                    () -> MetricsText.samples(scrape(c, alone), "vigil_node_quorum").get("node=\"" + alone + "\"") == 0.0);
            assertTrue(MetricsText.samples(scrape(c, alone), "vigil_resources").isEmpty(), "a node without quorum exports no cluster-wide series");
        }
    }

    /** {@code a="x",b="y"} as a map (values here hold no quotes or commas). */
    static Map<String, String> labels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : text.split("\",")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 2).replaceAll("\"$", ""));
        }
        return out;
    }
}
