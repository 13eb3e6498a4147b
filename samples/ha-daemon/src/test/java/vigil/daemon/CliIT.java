package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import vigil.api.model.Constraint;
import vigil.api.status.ClusterState;
import vigil.daemon.example.AdminClientExample;
import vigil.testkit.Await;
import vigil.testkit.Peer;

/** Every CLI subcommand against a three-process cluster of daemons, including bad input that must change nothing. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    static DaemonCluster cluster;

    @BeforeAll
    static void start() {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy")), "resource-agents (OCF Dummy) not installed");
        cluster = new DaemonCluster();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    static DaemonCluster.Result ok(String... args) {
        DaemonCluster.Result r = cluster.cli(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r);
        return r;
    }

    /** The command fails with {@code code} and {@code message} on stderr, and the cluster's configuration is unchanged. */
    static void rejected(int code, String message, String... args) {
        ClusterState before = cluster.status();
        DaemonCluster.Result r = cluster.cli(args);
        assertEquals(code, r.code(), String.join(" ", args) + ": " + r);
        assertTrue(r.err().contains(message), r.err());
        ClusterState after = cluster.status();
        assertEquals(before.configVersion(), after.configVersion(), "config version changed by " + String.join(" ", args));
        assertEquals(before.config(), after.config());
    }

    static String activeNode(String resource) {
        return Await.value(Duration.ofSeconds(60), resource + " active", () -> {
            List<String> a = cluster.status().activeNodes(resource);
            return a.size() == 1 ? a.get(0) : null;
        });
    }

    @Test
    @Order(1)
    void status_showsTheRunningCluster() {
        String out = ok("status").out();
        assertTrue(out.contains("* Node n1: online"), out);
        assertTrue(out.contains("* Node w: online [witness]"), out);
        assertTrue(out.matches("(?s).*Leader \\(controller\\): (n1|n2|w) \\(term \\d+\\).*"), out);
        assertTrue(out.matches("(?s).*\\* d1\\s+\\(ocf:heartbeat:Dummy\\):\\s+Started n[12].*"), out);
        String json = ok("status", "--json").out();
        assertTrue(json.contains("\"quorum\":true"), json);
    }

    @Test
    @Order(2)
    void resourceAndConstraintCommands() {
        ok("resource", "create", "d2", "ocf:heartbeat:Dummy", "--op", "monitor:2s:20s");
        String d2 = activeNode("d2");
        ok("resource", "update", "d2", "--meta", "resource-stickiness=50");
        ok("constraint", "add", "colocation", "d2-with-d1", "d2", "d1", "INFINITY");
        Await.until(Duration.ofSeconds(60), "d2 follows d1", () -> cluster.status().activeNodes("d2").equals(cluster.status().activeNodes("d1")));
        assertTrue(ok("constraint", "list").out().contains("colocation d2-with-d1: d2 with d1 score INFINITY"));
        ok("constraint", "remove", "d2-with-d1");
        ok("resource", "disable", "d2");
        Await.until(Duration.ofSeconds(60), "d2 stopped", () -> cluster.status().activeNodes("d2").isEmpty());
        ok("resource", "enable", "d2");
        activeNode("d2");
        ok("resource", "cleanup", "d2");
        ok("resource", "delete", "d2");
        Await.until(Duration.ofSeconds(60), "d2 gone", () -> cluster.status().config().resource("d2").isEmpty() && cluster.status().activeNodes("d2").isEmpty());
        assertTrue(d2.startsWith("n"));
    }

    @Test
    @Order(3)
    void badInput_changesNothing() throws Exception {
        rejected(1, "unknown resource \"nope\"", "resource", "move", "nope", "n1");
        rejected(1, "invalid score \"lots\"", "constraint", "add", "location", "l1", "d1", "n1", "lots");
        ok("resource", "create", "d3", "ocf:heartbeat:Dummy");
        ok("constraint", "add", "order", "o1", "d1", "d3");
        rejected(1, "mandatory orders form a cycle", "constraint", "add", "order", "o2", "d3", "d1");
        Path bad = cluster.lab.resolve("bad.yaml");
        Files.writeString(bad, "resources:\n  d1: {type: ocf:heartbeat:Dummy\n");
        rejected(1, "bad.yaml:", "config", "apply", "-f", bad.toString(), "--yes");
        rejected(2, "unknown option --lifetme", "resource", "move", "d1", "n1", "--lifetme", "1h");
        ok("resource", "delete", "d3");
        DaemonCluster.Result down = DaemonCluster.raw("status", "--cluster", "127.0.0.1:1", "--token-file", cluster.tokenFile.toString(), "--ca", cluster.caFile().toString());
        assertEquals(1, down.code());
        assertTrue(down.err().contains("cannot reach the cluster"), down.err());
    }

    @Test
    @Order(4)
    void moveCreatesAnExpiringPreference_clearRemovesIt() {
        String from = activeNode("d1");
        String to = from.equals("n1") ? "n2" : "n1";
        assertTrue(ok("resource", "move", "d1", to, "--lifetime", "10min").out().contains("for 10min"));
        Await.until(Duration.ofSeconds(60), "d1 on " + to, () -> cluster.status().activeNodes("d1").equals(List.of(to)));
        Constraint.Location l = cluster.status().config().constraints().stream().filter(c -> c instanceof Constraint.Location)
                .map(c -> (Constraint.Location) c).filter(c -> c.resource().equals("d1")).findFirst().orElseThrow();
        assertTrue(l.expires() != null && l.expires().isAfter(cluster.status().now().plus(Duration.ofMinutes(9))), "expires " + l.expires());
        assertTrue(ok("status").out().contains("Expiring Constraints"));
        ok("resource", "clear", "d1");
        assertTrue(cluster.status().config().constraints().stream().noneMatch(c -> c.id().startsWith("cli-")));
        ok("resource", "ban", "d1", to);
        Await.until(Duration.ofSeconds(60), "d1 off " + to, () -> cluster.status().activeNodes("d1").equals(List.of(from)));
        ok("resource", "clear", "d1");
    }

    @Test
    @Order(5)
    void nodeCommands() {
        String on = activeNode("d1");
        ok("node", "standby", on);
        Await.until(Duration.ofSeconds(60), "d1 leaves " + on, () -> { var a = cluster.status().activeNodes("d1"); return a.size() == 1 && !a.contains(on); });
        assertTrue(ok("status").out().contains("* Node " + on + ": online (standby)"));
        ok("node", "online", on);
        ok("node", "maintenance", on, "on");
        assertTrue(cluster.status().node(on).maintenance());
        ok("node", "maintenance", on, "off");
        rejected(1, "unknown node \"n9\"", "node", "standby", "n9");
    }

    @Test
    @Order(6)
    void tlsTokenCertificateAndMembershipCommands() {
        assertTrue(ok("status").out().startsWith("Security: mutual TLS; certificate of "), "status names the TLS expiry first");
        DaemonCluster.Result token = ok("token", "create", "--ttl", "10m");
        assertTrue(token.out().trim().matches("\\S{20,}"), token.out());
        assertTrue(token.err().contains("one use, valid for 10min"), token.err());
        String joinLine = ok("token", "create", "--print-join-command").out();
        assertTrue(joinLine.startsWith("vigil join --node ID --raft HOST:PORT --admin HOST:PORT --cluster "), joinLine);
        rejected(1, "ttl", "token", "create", "--ttl", "48h");
        String rotated = ok("certs", "rotate").out();
        assertTrue(rotated.matches("(?s)n[12w]: new key and certificate in use, valid until .*"), rotated);
        assertTrue(ok("status").out().contains("* Node n1: online"), "the cluster still answers over the new certificate");
        String on = activeNode("d1");
        rejected(1, on + " still runs [d1]", "node", "remove", on);
        rejected(1, "unknown node \"n9\"", "node", "remove", "n9");
    }

    @Test
    @Order(7)
    void configShowAndApply() throws Exception {
        String yaml = ok("config", "show").out();
        Path f = cluster.lab.resolve("edited.yaml");
        Files.writeString(f, yaml.replace("resources:\n", "resources:\n  d4:\n    type: ocf:heartbeat:Dummy\n"));
        rejected(2, "confirm with --yes", "config", "apply", "-f", f.toString());
        DaemonCluster.Result r = ok("config", "apply", "-f", f.toString(), "--yes");
        assertTrue(r.out().contains("+   d4:"), r.out());
        activeNode("d4");
        ok("resource", "delete", "d4");
    }

    @Test
    @Order(8)
    void wrongToken_isRefused() throws Exception {
        Path bad = cluster.lab.resolve("bad-token");
        Files.writeString(bad, "not-the-token\n");
        DaemonCluster.Result r = DaemonCluster.raw("resource", "disable", "d1", "--cluster", cluster.targets(), "--token-file", bad.toString(), "--ca", cluster.caFile().toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("invalid cluster token"), r.err());
        assertFalse(r.err().contains("cli-it-token"), r.err());
        assertTrue(cluster.status().config().resource("d1").orElseThrow().meta().targetRole().isEmpty());
    }

    @Test
    @Order(9)
    void metricsEndpoint_hasTheClusterMeters() throws Exception {
        String leader = cluster.status().leader();
        HttpResponse<String> r = cluster.httpClient().send(HttpRequest.newBuilder(URI.create(cluster.http(leader) + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        String m = r.body();
        for (String meter : List.of("vigil_node_leader{node=\"" + leader + "\"} 1.0", "vigil_node_quorum{node=\"" + leader + "\"} 1.0", "vigil_build_info{",
                "vigil_nodes{", "jvm_memory_used_bytes{")) {
            assertTrue(m.contains(meter), meter + " missing from /metrics:\n" + m);
        }
        assertTrue(m.lines().anyMatch(l -> l.startsWith("vigil_resources{") && l.contains("resource=\"d1\"")), "no vigil_resources series of d1 from the leader:\n" + m);
    }

    @Test
    @Order(10)
    void adminClientExample_printsLeaderAndResources() throws Exception {
        Path log;
        try (Peer p = Peer.start("example", cluster.lab, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), AdminClientExample.class.getName(), cluster.targets(), cluster.tokenFile.toString(), cluster.caFile().toString()))) {
            log = p.log();
            assertEquals(0, p.process().waitFor());
        }
        String out = Files.readString(log);
        assertTrue(out.matches("(?s).*leader: (n1|n2|w) \\(term \\d+\\).*"), out);
        assertTrue(out.matches("(?s).*resource d1 \\(ocf:heartbeat:Dummy\\): active on n[12].*"), out);
    }

    @Test
    @Order(11)
    void fenceRequest_andFailoverAfterKill() throws Exception {
        assertTrue(ok("fence", "n9".equals("x") ? "x" : "w").out().contains("fencing of w requested"));
        String victim = activeNode("d1");
        String other = victim.equals("n1") ? "n2" : "n1";
        cluster.kill(victim);
        Await.until(Duration.ofSeconds(90), "d1 recovered on " + other, () -> cluster.status().activeNodes("d1").contains(other));
        String out = ok("status").out();
        assertTrue(out.contains("* Node " + victim + ": UNCLEAN") || out.contains("* Node " + victim + ": offline"), out);
    }
}
