package vigil.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vigil.api.status.ClusterState;
import vigil.raft.admin.AdminClient;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;
import vigil.testkit.Peer;

/**
 * Three {@code vigil daemon} processes on 127.0.0.1-3 (members n1, n2 and witness w), bootstrapped with a cluster
 * config that runs an OCF Dummy resource d1 without fencing; each process has its own HA_RSCTMP and HA_VARRUN, so an
 * agent's state file marks the resource running on that node only. Started as {@code bin/vigil daemon} starts them:
 * umask 077.
 */
final class DaemonCluster implements AutoCloseable {
    static final List<String> NODES = List.of("n1", "n2", "w");
    static final String CLUSTER_YAML = """
            properties:
              stonith-enabled: false
              node-timeout: 3s
              move-lifetime: 20min
            resources:
              d1:
                type: ocf:heartbeat:Dummy
                operations:
                  - {name: monitor, interval: 2s, timeout: 20s}
            """;
    final Path lab = LabDir.create("vd");
    final Path tokenFile = lab.resolve("token");
    final int raftPort;
    final Map<String, Peer> daemons = new LinkedHashMap<>();
    private final Map<String, List<String>> argv = new LinkedHashMap<>();

    record Result(int code, String out, String err) {}

    DaemonCluster() { this(CLUSTER_YAML); }

    /** Starts the daemons with {@code clusterYaml} as the bootstrap config (it must define d1). */
    DaemonCluster(String clusterYaml) { this(c -> clusterYaml, List.of(), List.of()); }

    /**
     * @param clusterYaml the bootstrap cluster config every node's node.yaml names, given this cluster (its lab
     *                    directory, where each daemon writes its pid to {@code <node>.pid}, and its addresses)
     * @param environment extra {@code NAME=value} variables of the daemon processes
     * @param javaOptions extra JVM options of the daemon processes
     */
    DaemonCluster(java.util.function.Function<DaemonCluster, String> clusterYaml, List<String> environment, List<String> javaOptions) {
        raftPort = FreePorts.base(3, "127.0.0.1", "127.0.0.2", "127.0.0.3");
        try {
            vigil.api.spi.PrivateFiles.writeString(tokenFile, "cli-it-token-0123456789\n");
            Files.writeString(lab.resolve("cluster.yaml"), clusterYaml.apply(this));
            // the cluster CA of this test cluster, and each node's certificate (what init and join make)
            vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create("vigil", java.util.UUID.randomUUID());
            ca.save(lab.resolve("pki"));
            for (String id : NODES) {
                ca.issueNode(id, List.of(ip(id))).save(lab.resolve(id + "-pki"));
                ca.save(lab.resolve(id + "-pki")); // every member holds the CA key, as after init / join: token create, certs rotate
                Path rsc = Files.createDirectories(lab.resolve(id + "-rsctmp"));
                StringBuilder peers = new StringBuilder();
                for (String p : NODES) {
                    peers.append("  ").append(p).append(": {raft: ").append(ip(p)).append(':').append(raftPort).append(", admin: ").append(ip(p)).append(':')
                            .append(raftPort + 1).append(p.equals("w") ? ", role: witness" : "").append("}\n");
                }
                Files.writeString(lab.resolve(id + ".yaml"), "node: " + id + "\ndata-dir: " + id + "-data\ntoken-file: token\npki-dir: " + id + "-pki\nhttp: " + ip(id) + ":" + (raftPort + 2)
                        + "\ncluster-config: cluster.yaml\npeers:\n" + peers);
                List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 077 && echo $$ > " + pidFile(id) + " && exec \"$@\"", "sh", "env",
                        "HA_RSCTMP=" + rsc, "HA_VARRUN=" + rsc));
                cmd.addAll(environment);
                cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
                cmd.addAll(javaOptions);
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "daemon", "--config", lab.resolve(id + ".yaml").toString()));
                argv.put(id, cmd);
                daemons.put(id, Peer.start(id, lab, cmd));
            }
            for (String id : NODES) {
                Await.until(Duration.ofSeconds(90), id + " running (log " + daemons.get(id).log() + ")", () -> log(id).contains("running; admin API on"));
            }
            Await.until(Duration.ofSeconds(90), "d1 started somewhere", () -> !status().activeNodes("d1").isEmpty());
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    static String ip(String node) { return "127.0.0." + (NODES.indexOf(node) + 1); }

    Path caFile() { return lab.resolve("pki").resolve("ca.crt"); }

    String admin(String node) { return ip(node) + ":" + (raftPort + 1); }

    String raft(String node) { return ip(node) + ":" + raftPort; }

    /** The node's status page and /metrics: HTTPS with its node certificate, as every TLS node serves them. */
    String http(String node) { return "https://" + ip(node) + ":" + (raftPort + 2); }

    /** An HTTP client that trusts this cluster's CA (and nothing else), as a Prometheus scraping it would be configured. */
    java.net.http.HttpClient httpClient() {
        return java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(TestTls.trusting(caFile())).build();
    }

    String targets() {
        List<String> t = new ArrayList<>();
        for (String n : NODES) if (daemons.get(n).isAlive()) t.add(admin(n));
        return String.join(",", t);
    }

    String log(String node) {
        try {
            return Files.readString(daemons.get(node).log());
        } catch (IOException e) {
            return "";
        }
    }

    /** The token over TLS, the server checked against this cluster's CA: what the CLI uses. */
    AdminClient.Credentials credentials() {
        return AdminClient.Credentials.token("cli-it-token-0123456789", vigil.raft.tls.ClusterCa.readCertificates(caFile()));
    }

    ClusterState status() {
        try (AdminClient c = AdminClient.connect(List.of(targets().split(",")), credentials(), Duration.ofSeconds(10))) {
            return c.status();
        }
    }

    /** Runs {@code vigil ARGS --cluster <live nodes> --token-file <token>} in this JVM. */
    Result cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--cluster", targets(), "--token-file", tokenFile.toString(), "--ca", lab.resolve("pki").resolve("ca.crt").toString()));
        return raw(argv.toArray(new String[0]));
    }

    static Result raw(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    void kill(String node) throws InterruptedException {
        daemons.get(node).process().destroyForcibly().waitFor();
    }

    /** Starts a killed node again, with the same node.yaml (and so the same bootstrap cluster config). */
    void start(String node) {
        int before = runs(node);
        daemons.put(node, Peer.start(node, lab, argv.get(node)));
        Await.until(Duration.ofSeconds(90), node + " running again (log " + daemons.get(node).log() + ")", () -> runs(node) > before);
    }

    /** How often the node's log says it started. */
    private int runs(String node) { return log(node).split("running; admin API on", -1).length - 1; }

    Path dataDir(String node) { return lab.resolve(node + "-data"); }

    /** Where the node's process wrote its pid (for a {@code process} fence device). */
    Path pidFile(String node) { return lab.resolve(node + ".pid"); }

    /**
     * A base port P with P, P+1 and P+2 free on all three addresses, below the kernel's ephemeral range (32768+) so
     * that no outgoing connection takes one of them between this check and the daemons binding it.
     */

    @Override
    public void close() { daemons.values().forEach(Peer::close); }
}
