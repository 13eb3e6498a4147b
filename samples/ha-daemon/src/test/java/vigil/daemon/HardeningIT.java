package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.spi.ProcessRunner;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.raft.admin.AdminClient;
import vigil.testkit.Await;
import vigil.testkit.LabDir;

/**
 * Hardening of the daemon, against three daemon processes started as {@code bin/vigil daemon} starts them (umask 077),
 * with fencing by SIGKILL: an OCF agent sees its own parameters but none of the daemon's environment (a fence
 * device's {@code password_env} secret included); 2,000 concurrent live-update clients neither take a node down nor
 * get it fenced; a restarted (or rebuilt) node never puts its local bootstrap file in place of the replicated config;
 * every file of a node's data dir and of {@code vigil init} is private (0700 / 0600).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HardeningIT {
    private static final String SECRET = "pdu-s3cret-4711";
    private static final Duration LONG = Duration.ofSeconds(90);
    private static Path ocf;
    private static DaemonCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        ocf = LabDir.create("vigil-ocf-");
        // an OCF root with the system's agents and one test agent that writes its environment to a file
        Files.createDirectories(ocf.resolve("resource.d/test"));
        Files.createSymbolicLink(ocf.resolve("resource.d/heartbeat"), Path.of("/usr/lib/ocf/resource.d/heartbeat"));
        Files.createSymbolicLink(ocf.resolve("lib"), Path.of("/usr/lib/ocf/lib"));
        Path agent = ocf.resolve("resource.d/test/EnvDump");
        Files.writeString(agent, """
                #!/bin/sh
                # test agent: start writes the environment it was given to $OCF_RESKEY_out.<node>
                state="$HA_RSCTMP/envdump.state"
                case "$1" in
                  meta-data) cat <<'EOF'
                <?xml version="1.0"?>
                <resource-agent name="EnvDump" version="1.0"><version>1.1</version>
                <parameters><parameter name="out" required="1"><content type="string"/></parameter></parameters>
                <actions><action name="start" timeout="20s"/><action name="stop" timeout="20s"/><action name="monitor" timeout="20s"/>
                <action name="meta-data" timeout="5s"/></actions></resource-agent>
                EOF
                    exit 0 ;;
                  start) env > "$OCF_RESKEY_out.$OCF_RESKEY_CRM_meta_on_node"; touch "$state"; exit 0 ;;
                  stop) rm -f "$state"; exit 0 ;;
                  monitor) [ -f "$state" ] && exit 0; exit 7 ;;
                  *) exit 3 ;;
                esac
                """);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwx------"));
        cluster = new DaemonCluster(c -> """
                nodes:
                  n1: {address: %s}
                  n2: {address: %s}
                  w: {address: %s, role: witness}
                properties:
                  stonith-enabled: true
                  node-timeout: 3s
                resources:
                  d1:
                    type: ocf:heartbeat:Dummy
                    operations:
                      - {name: monitor, interval: 2s, timeout: 20s}
                  e1:
                    type: ocf:test:EnvDump
                    params: {out: %s}
                    operations:
                      - {name: monitor, interval: 5s, timeout: 20s}
                fence-devices:
                  kill:
                    type: process
                    host-map: {n1: %s, n2: %s}
                  pdu:
                    type: agent:fence_dummy
                    params: {password_env: VIGIL_IT_PDU_PASSWORD}
                    host-map: {w: plug-w}
                """.formatted(c.raft("n1"), c.raft("n2"), c.raft("w"), ocf.resolve("env"), c.pidFile("n1"), c.pidFile("n2")),
                List.of("VIGIL_IT_PDU_PASSWORD=" + SECRET), List.of("-Dvigil.ocf.root=" + ocf));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void ocfAgent_seesItsParametersAndTheOcfVariables_butNoneOfTheDaemonsEnvironment() throws Exception {
        String node = Await.value(LONG, "e1 running", () -> {
            List<String> active = cluster.status().activeNodes("e1");
            return active.size() == 1 ? active.get(0) : null;
        });
        Path dump = Path.of(ocf.resolve("env") + "." + node);
        Await.until(LONG, "e1's environment written", () -> Files.exists(dump));
        String env = Files.readString(dump);
        assertTrue(env.contains("OCF_RESKEY_out=" + ocf.resolve("env")) && env.contains("OCF_ROOT=" + ocf) && env.contains("HA_RSCTMP="), env);
        assertFalse(env.contains(SECRET), "a fence device's secret reached an OCF agent");
        assertFalse(env.contains("VIGIL_IT_PDU_PASSWORD"), "the daemon's environment reached an OCF agent");
        Set<String> names = new TreeSet<>();
        for (String line : env.split("\n")) if (line.contains("=")) names.add(line.substring(0, line.indexOf('=')));
        Set<String> unexpected = new TreeSet<>();
        for (String n : names) {
            boolean documented = ProcessRunner.INHERITED.contains(n) || n.startsWith("OCF_") || n.startsWith("HA_") || n.equals("VIGIL_PROMOTION_FILE")
                    || Set.of("PWD", "SHLVL", "_").contains(n); // set by the shell itself
            if (!documented) unexpected.add(n);
        }
        assertTrue(unexpected.isEmpty(), "variables beyond the documented ones: " + unexpected);
    }

    @Test
    @Order(2)
    void twoThousandLiveUpdateClients_neitherStopTheNodeNorGetItFenced() throws Exception {
        String target = "n1";
        String http = cluster.http(target).substring("https://".length());
        javax.net.ssl.SSLSocketFactory tls = TestTls.trusting(cluster.caFile()).getSocketFactory();
        String host = http.substring(0, http.indexOf(':'));
        int port = Integer.parseInt(http.substring(http.indexOf(':') + 1));
        List<Socket> clients = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> answers = Collections.synchronizedMap(new TreeMap<>());
        ExecutorService pool = Executors.newFixedThreadPool(64);
        long start = System.nanoTime();
        try {
            List<Future<?>> opened = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                opened.add(pool.submit(() -> {
                    String answer;
                    try {
                        Socket s = tls.createSocket(host, port);
                        clients.add(s);
                        s.setSoTimeout(15_000);
                        s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        answer = statusLine(s.getInputStream());
                    } catch (IOException e) {
                        answer = "refused or closed";
                    }
                    answers.merge(answer, 1, Integer::sum);
                    return null;
                }));
            }
            for (Future<?> f : opened) f.get(120, TimeUnit.SECONDS);
            System.out.printf("2000 /events clients on %s: %s (opened in %d ms)%n", target, answers, (System.nanoTime() - start) / 1_000_000);
            // hold them for five node-timeouts, checking that the node keeps answering and is not declared lost
            HttpClient web = cluster.httpClient();
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until) {
                ClusterState s = statusFrom("n2");
                assertEquals(Membership.ONLINE, s.node(target).membership(), target + " declared lost: " + s.node(target).reason());
                assertTrue(cluster.daemons.get(target).isAlive(), target + " died");
                HttpResponse<String> r = web.send(HttpRequest.newBuilder(URI.create(cluster.http(target) + "/status.json"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), "status.json on " + target + ": " + r.body());
                Thread.sleep(1000);
            }
        } finally {
            for (Socket s : new ArrayList<>(clients)) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a test client
                }
            }
            pool.shutdownNow();
        }
        int streams = answers.entrySet().stream().filter(e -> e.getKey().contains(" 200 ")).mapToInt(Map.Entry::getValue).sum();
        assertTrue(streams <= 64, "live-update streams served at once: " + streams);
        assertTrue(answers.keySet().stream().anyMatch(a -> a.contains(" 503 ")), "no client was told to come back later: " + answers);
        ClusterState after = statusFrom("n2");
        for (FenceEvent f : after.fenceHistory()) assertFalse(f.target().equals(target), target + " was fenced: " + f);
        assertFalse(cluster.log(target).contains("OutOfMemoryError"), target + " ran out of memory");
        // and it still commits
        try (AdminClient c = AdminClient.connect(List.of(cluster.admin(target)), cluster.credentials(), Duration.ofSeconds(10))) {
            c.updateConfig(cfg -> cfg.toBuilder().blob("after-flood", "ok").build());
        }
    }

    @Test
    @Order(3)
    void restartedOrRebuiltNode_neverPutsItsBootstrapFileInPlaceOfTheReplicatedConfig() throws Exception {
        // the cluster's config is changed through the front door: no resources, no fence devices, no fencing
        try (AdminClient c = AdminClient.connect(List.of(cluster.targets().split(",")), cluster.credentials(), Duration.ofSeconds(10))) {
            c.updateConfig(cfg -> new ClusterConfig(cfg.nodes(), List.of(), List.of(),
                    ClusterProperties.builder().nodeTimeout(Duration.ofSeconds(3)).stonithEnabled(false).build(), List.of(), List.of(), cfg.blobs()));
        }
        ClusterState before = Await.value(LONG, "nothing active", () -> {
            ClusterState s = cluster.status();
            return s.resources().values().stream().allMatch(m -> m.values().stream().noneMatch(r -> r.isActive())) ? s : null;
        });
        // and n2's local bootstrap file now says something else again
        Files.writeString(cluster.lab.resolve("cluster.yaml"), DaemonCluster.CLUSTER_YAML + """
                  x1:
                    type: ocf:heartbeat:Dummy
                """);

        cluster.kill("n2");
        cluster.start("n2");
        awaitConfigSeenBy("n2", before);
        Thread.sleep(5_000); // time for a bootstrap attempt to be committed, if there were one
        assertConfigUnchanged(before);

        // rebuilt from nothing (its data dir wiped), with the same node.yaml
        cluster.kill("n2");
        deleteTree(cluster.dataDir("n2"));
        cluster.start("n2");
        awaitConfigSeenBy("n2", before);
        Thread.sleep(5_000);
        assertConfigUnchanged(before);
        assertTrue(cluster.log("n2").contains("the cluster is configured already; the bootstrap config is not applied")
                || cluster.log("n2").contains("bootstrap config not applied"), "n2 does not say why it did not bootstrap");
    }

    @Test
    @Order(4)
    void dataDirsAndSetupFiles_areOwnerOnly() throws Exception {
        for (String node : DaemonCluster.NODES) assertPrivate(cluster.dataDir(node));
        Path etc = LabDir.create("vigil-init-").resolve("etc");
        DaemonCluster.Result r = DaemonCluster.raw("init", "--node", "a1", "--raft", "127.0.0.1:7900", "--admin", "127.0.0.1:7901", "--dir", etc.toString());
        assertEquals(0, r.code(), r.toString());
        assertPrivate(etc);
        assertTrue(Files.readString(etc.resolve("token")).trim().matches("[0-9a-f]{64}"));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** Every directory under {@code root} (and it) is 0700, every file 0600: nothing for other users. */
    private static void assertPrivate(Path root) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) continue;
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
                if (!mode.equals(want)) open.add(p + " " + mode);
            }
        }
        assertTrue(open.isEmpty(), "not private: " + open);
    }

    private static void awaitConfigSeenBy(String node, ClusterState expected) {
        Await.until(LONG, node + " has the cluster's config", () -> {
            try {
                return statusFrom(node).configVersion() >= expected.configVersion();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    private static void assertConfigUnchanged(ClusterState before) {
        for (String node : DaemonCluster.NODES) {
            ClusterState s = statusFrom(node);
            assertEquals(before.config(), s.config(), node + "'s config changed");
            assertEquals(before.configVersion(), s.configVersion(), node + "'s config version changed");
        }
    }

    private static ClusterState statusFrom(String node) {
        try (AdminClient c = AdminClient.connect(List.of(cluster.admin(node)), cluster.credentials(), Duration.ofSeconds(10))) {
            return c.status();
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) b.append((char) c);
        return b.length() == 0 ? "refused or closed" : b.toString().trim();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
