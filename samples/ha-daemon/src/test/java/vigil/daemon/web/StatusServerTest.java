package vigil.daemon.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.daemon.TestClusters;
import vigil.engine.state.Command;

class StatusServerTest {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    String get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    @Test
    @SuppressWarnings("try")
    void pageJsonMetricsAndLiveEvents() throws Exception {
        var cluster = TestClusters.threeNodes();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ClusterMeters meters = ClusterMeters.bind(cluster, registry);
             StatusServer server = StatusServer.start(cluster, registry::scrape, "127.0.0.1", 0)) {
            cluster.commit(new Command.RecordOperation("d1", "n1", "start", null, OcfCode.SUCCESS, Duration.ofMillis(40), "", "", OptionalInt.empty()));
            assertTrue(get(server.port(), "/").contains("<title>Vigil cluster status</title>"));
            assertTrue(get(server.port(), "/status.json").contains("\"instances\":[{\"node\":\"n1\",\"node-state\":\"online\",\"role\":\"Started\""));

            HttpResponse<java.io.InputStream> sse = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader events = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                assertTrue(nextData(events).contains("\"role\":\"Started\""));
                cluster.commit(new Command.SetMembership("n1", Membership.UNCLEAN, "silent"),
                        new Command.RecordFence(new FenceEvent("n1", "off", List.of("ipmi-n1"), "n2", true, Instant.parse("2026-01-01T00:01:00Z"), "")),
                        new Command.RecordOperation("d1", "n2", "start", null, OcfCode.SUCCESS, Duration.ofMillis(50), "", "", OptionalInt.empty()));
                String live = nextData(events);
                while (!live.contains("\"target\":\"n1\"")) live = nextData(events);
                assertTrue(live.contains("\"instances\":[{\"node\":\"n2\",\"node-state\":\"online\",\"role\":\"Started\""), live);
            }

            String metrics = get(server.port(), "/metrics");
            assertTrue(metrics.contains("vigil_cluster_term 2.0"), metrics);
            assertTrue(metrics.contains("vigil_node_leader{node=\"n1\"} 1.0"), metrics);
            assertTrue(metrics.contains("vigil_nodes{state=\"online\"} 2.0"), metrics);
            assertTrue(metrics.contains("vigil_resources{role=\"started\"} 1.0"), metrics);
            assertTrue(metrics.contains("vigil_resource_operations_seconds_count{action=\"start\",result=\"success\"} 2"), metrics);
        }
    }

    @Test
    void liveUpdateStreams_areCapped_andTheRestOfThePageStillAnswers() throws Exception {
        var cluster = TestClusters.threeNodes();
        try (StatusServer server = StatusServer.start(cluster, () -> "", "127.0.0.1", 0)) {
            List<java.net.Socket> open = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < StatusServer.MAX_STREAMS; i++) {
                    java.net.Socket s = eventsRequest(server.port());
                    open.add(s);
                    assertTrue(statusLine(s).contains(" 200 "), "stream " + i);
                }
                java.net.Socket extra = eventsRequest(server.port());
                open.add(extra);
                String refused = statusLine(extra);
                assertTrue(refused.contains(" 503 "), refused);
                assertTrue(get(server.port(), "/status.json").contains("\"nodes\""));
                // a client that leaves frees its place
                open.remove(0).close();
                String again = null;
                // its place is free once a keep-alive finds it gone
                for (int attempt = 0; attempt < 60 && (again == null || !again.contains(" 200 ")); attempt++) {
                    Thread.sleep(250);
                    java.net.Socket s = eventsRequest(server.port());
                    open.add(s);
                    again = statusLine(s);
                }
                assertTrue(again.contains(" 200 "), again);
            } finally {
                for (java.net.Socket s : open) s.close();
            }
        }
    }

    private static java.net.Socket eventsRequest(int port) throws Exception {
        java.net.Socket s = new java.net.Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    private static String statusLine(java.net.Socket s) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int c = s.getInputStream().read(); c >= 0 && c != '\n'; c = s.getInputStream().read()) b.append((char) c);
        return b.toString();
    }

    private static String nextData(BufferedReader r) throws Exception {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.startsWith("data: ")) return line.substring(6);
        }
        throw new AssertionError("event stream ended");
    }
}
