package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.TokenAuth;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;
import vigil.testkit.Peer;

/**
 * One witness process serving two clusters, as samples/ha-daemon/README.md sets it up: clusters alpha (a1, a2) and
 * beta (b1, b2) made by init + join with TLS; the witness joins each with its own ports and directory, then one
 * {@code vigil daemon --config wa/node.yaml --config wb/node.yaml} votes in both. Killing the member that runs each
 * cluster's resource leaves member + witness: both clusters keep quorum and start the resource on their other member.
 */
class SharedWitnessIT {
    private static final String CLUSTER_YAML = """
            properties:
              stonith-enabled: false
              node-timeout: 3s
            resources:
              d1:
                type: ocf:heartbeat:Dummy
                operations:
                  - {name: monitor, interval: 2s, timeout: 20s}
            """;
    private final Path lab = LabDir.create("vw");
    /** P, P+1 on the four members' addresses, P..P+3 on the shared witness's (it serves two clusters). */
    private final int port = FreePorts.base(4, "127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.21", "127.0.0.22");
    private final Map<String, Peer> daemons = new LinkedHashMap<>();

    @AfterEach
    void stop() { daemons.values().forEach(Peer::close); }

    @Test
    void oneWitnessProcess_givesTwoClustersTheirQuorum_whenAMemberOfEachDies() throws Exception {
        Files.writeString(lab.resolve("cluster.yaml"), CLUSTER_YAML);
        for (String cluster : List.of("alpha", "beta")) {
            String first = member(cluster, 1);
            JoinedCluster.ok("init", "--node", first, "--cluster-name", cluster, "--raft", raft(first), "--admin", admin(first), "--dir", dir(first).toString(),
                    "--cluster-config", lab.resolve("cluster.yaml").toString());
            start(first, dir(first));
            String second = member(cluster, 2);
            JoinedCluster.ok("join", "--node", second, "--raft", raft(second), "--admin", admin(second), "--dir", dir(second).toString(), "--cluster", admin(first),
                    "--token", token(first));
            start(second, dir(second));
            JoinedCluster.ok("join", "--node", "witness", "--witness", "--raft", witnessRaft(cluster), "--admin", witnessAdmin(cluster), "--dir",
                    witnessDir(cluster).toString(), "--cluster", admin(first), "--token", token(first));
        }
        start("witness", witnessDir("alpha"), witnessDir("beta"));
        String witnessLog = Files.readString(daemons.get("witness").log());
        assertTrue(witnessLog.contains("node witness (witness) of cluster alpha running") && witnessLog.contains("node witness (witness) of cluster beta running"),
                witnessLog);

        Map<String, String> active = new LinkedHashMap<>();
        for (String cluster : List.of("alpha", "beta")) {
            Await.until(Duration.ofSeconds(180), cluster + ": 3 voters, every node online, d1 running", () -> {
                try (AdminClient c = client(cluster)) {
                    var s = c.statusWithServer();
                    ClusterState st = s.state();
                    return s.server().voters().size() == 3 && st.config().nodes().stream().allMatch(n -> st.node(n.id()).membership() == Membership.ONLINE)
                            && st.activeNodes("d1").size() == 1;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            try (AdminClient c = client(cluster)) {
                active.put(cluster, c.status().activeNodes("d1").iterator().next());
            }
        }
        for (String node : active.values()) daemons.get(node).process().destroyForcibly().waitFor();
        for (String cluster : List.of("alpha", "beta")) {
            String other = active.get(cluster).equals(member(cluster, 1)) ? member(cluster, 2) : member(cluster, 1);
            Await.until(Duration.ofSeconds(120), cluster + ": d1 running on " + other + " after " + active.get(cluster) + " was killed", () -> {
                try (AdminClient c = client(cluster)) {
                    return c.status().activeNodes("d1").contains(other);
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }
        assertTrue(daemons.get("witness").isAlive(), "the witness serves both clusters on");

        // 'vigil node stop' of the witness in one cluster stops only that cluster's node: its ports close, the process
        // serves the other cluster on
        String betaKilled = active.get("beta");
        start(betaKilled, dir(betaKilled));
        Await.until(Duration.ofSeconds(180), "beta: " + betaKilled + " back online", () -> {
            try (AdminClient c = client("beta")) {
                return c.status().node(betaKilled).membership() == Membership.ONLINE;
            } catch (RuntimeException e) {
                return false;
            }
        });
        JoinedCluster.ok("node", "stop", "witness", "--node-config", dir(betaKilled).resolve("node.yaml").toString());
        try {
            Await.until(Duration.ofSeconds(30), "beta's witness ports closed", () -> !listening(witnessAdmin("beta")) && !listening(witnessRaft("beta")));
        } catch (AssertionError e) {
            // seen once under load: the node's close did not finish; keep where its threads stood for the next reader
            throw new AssertionError(e.getMessage() + "; witness threads:\n" + threadDump(daemons.get("witness").process().pid()), e);
        }
        // the ports close first, then the node's status page and meters, then the line is logged
        Await.until(Duration.ofSeconds(30), "the witness process says it serves on", () -> {
            try {
                return Files.readString(daemons.get("witness").log()).contains("witness of cluster beta stopped; this process goes on serving the other clusters");
            } catch (IOException e) {
                return false;
            }
        });
        assertTrue(daemons.get("witness").isAlive(), "the process serves alpha on");
        try (AdminClient c = AdminClient.connect(List.of(witnessAdmin("alpha")), AdminClient.Credentials.token(TokenAuth.readTokenFile(dir("a1").resolve("token")),
                ClusterCa.readCertificates(dir("a1").resolve("pki").resolve(ClusterCa.CA_CERT))), Duration.ofSeconds(10))) {
            assertEquals("witness", c.statusWithServer().server().node());
        }
    }

    private static String threadDump(long pid) {
        try {
            Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(), String.valueOf(pid))
                    .redirectErrorStream(true).start();
            String out = new String(jstack.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jstack.waitFor();
            return out;
        } catch (IOException e) {
            return "(jstack failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private static boolean listening(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String member(String cluster, int i) { return cluster.charAt(0) + String.valueOf(i); }

    private static String ip(String node) { return "127.0.0." + ((node.startsWith("a") ? 10 : 20) + (node.charAt(1) - '0')); }

    private String raft(String node) { return ip(node) + ":" + port; }

    private String admin(String node) { return ip(node) + ":" + (port + 1); }

    /** The witness on 127.0.0.13: ports P, P+1 for alpha, P+2, P+3 for beta. */
    private String witnessRaft(String cluster) { return "127.0.0.13:" + (port + (cluster.equals("alpha") ? 0 : 2)); }

    private String witnessAdmin(String cluster) { return "127.0.0.13:" + (port + (cluster.equals("alpha") ? 1 : 3)); }

    private Path dir(String node) { return lab.resolve(node); }

    private Path witnessDir(String cluster) { return lab.resolve("w-" + cluster); }

    private String token(String member) { return JoinedCluster.ok("token", "create", "--node-config", dir(member).resolve("node.yaml").toString()).out().trim(); }

    private AdminClient client(String cluster) {
        String first = member(cluster, 1);
        List<String> targets = List.of(admin(first), admin(member(cluster, 2)), witnessAdmin(cluster));
        return AdminClient.connect(targets, AdminClient.Credentials.token(TokenAuth.readTokenFile(dir(first).resolve("token")),
                ClusterCa.readCertificates(dir(first).resolve("pki").resolve(ClusterCa.CA_CERT))), Duration.ofSeconds(10));
    }

    private void start(String id, Path... configDirs) throws IOException {
        Path rsc = Files.createDirectories(lab.resolve(id + "-rsctmp"));
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 077 && exec \"$@\"", "sh", "env", "HA_RSCTMP=" + rsc,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "daemon"));
        for (Path d : configDirs) cmd.addAll(List.of("--config", d.resolve("node.yaml").toString()));
        Peer p = Peer.start(id, lab, cmd);
        daemons.put(id, p);
        int expected = configDirs.length;
        Await.until(Duration.ofSeconds(120), id + " running (log " + p.log() + ")", () -> {
            try {
                return Files.readString(p.log()).split("running; admin API on", -1).length - 1 >= expected;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
