package vigil.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vigil.raft.admin.AdminClient;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;
import vigil.testkit.Peer;

/**
 * Three {@code vigil daemon} processes on 127.0.0.1-3 formed exactly as samples/ha-daemon/README.md says, with TLS:
 * {@code vigil init} on n1, its daemon, then for n2 and the witness w3 {@code vigil token create} on n1, {@code vigil
 * join} with that token, and the daemon. No key is copied: each host's directory holds only what init / join wrote.
 */
final class JoinedCluster implements AutoCloseable {
    static final List<String> NODES = List.of("n1", "n2", "w3");
    private static final int LOG_TAIL = 80;
    final Path lab = LabDir.create("vj");
    final int port = FreePorts.base(2, "127.0.0.1", "127.0.0.2", "127.0.0.3");
    final Map<String, Peer> daemons = new LinkedHashMap<>();

    JoinedCluster(String clusterYaml) {
        try {
            Files.writeString(lab.resolve("cluster.yaml"), clusterYaml);
            for (String id : NODES) Files.createDirectories(lab.resolve(id + "-rsctmp"));
            ok("init", "--node", "n1", "--raft", raft("n1"), "--admin", admin("n1"), "--dir", dir("n1").toString(), "--cluster-config",
                    lab.resolve("cluster.yaml").toString());
            startDaemon("n1");
            for (String id : List.of("n2", "w3")) {
                String token = ok("token", "create", "--node-config", nodeYaml("n1").toString()).out().trim();
                List<String> join = new ArrayList<>(List.of("join", "--node", id, "--raft", raft(id), "--admin", admin(id), "--dir", dir(id).toString(),
                        "--cluster", admin("n1"), "--token", token));
                if (id.startsWith("w")) join.add("--witness");
                ok(join.toArray(new String[0]));
                startDaemon(id);
            }
            String[] seen = {"no answer yet"};
            try {
                Await.until(Duration.ofSeconds(180), "3 Raft voters and every node online", () -> {
                    try (AdminClient c = admin()) {
                        var s = c.statusWithServer();
                        seen[0] = "via " + s.server().node() + ": voters " + s.server().voters() + ", nodes "
                                + NODES.stream().map(n -> n + "=" + s.state().node(n).membership()).toList();
                        return s.server().voters().size() == 3 && NODES.stream().allMatch(n -> s.state().node(n).membership() == vigil.api.status.Membership.ONLINE);
                    } catch (RuntimeException e) {
                        seen[0] = e.toString();
                        return false;
                    }
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; last status " + seen[0] + "\n" + logTails(), e);
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private void startDaemon(String id) {
        Path rsc = lab.resolve(id + "-rsctmp");
        daemons.put(id, Peer.start(id, lab, List.of("env", "HA_RSCTMP=" + rsc, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "daemon", "--config", nodeYaml(id).toString())));
        try {
            Await.until(Duration.ofSeconds(120), id + " running (log " + daemons.get(id).log() + ")", () -> log(id).contains("running; admin API on"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + logTails(), e);
        }
    }

    /** The end of every daemon's log (its last lines but stack frames): what a failed start needs to be understood without the lab directory. */
    String logTails() {
        StringBuilder out = new StringBuilder();
        for (String id : daemons.keySet()) {
            // without stack frames: a few exceptions would otherwise fill the tail
            List<String> lines = log(id).lines().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
            out.append("---- ").append(daemons.get(id)).append(", last ").append(Math.min(LOG_TAIL, lines.size())).append(" of ").append(lines.size())
                    .append(" lines\n");
            for (String l : lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size())) out.append(l).append('\n');
        }
        return out.toString();
    }

    static String ip(String node) { return "127.0.0." + (NODES.indexOf(node) + 1); }

    String raft(String node) { return ip(node) + ":" + port; }

    String admin(String node) { return ip(node) + ":" + (port + 1); }

    Path dir(String node) { return lab.resolve(node); }

    Path nodeYaml(String node) { return dir(node).resolve("node.yaml"); }

    /** The cluster CA certificate as n1 has it (public). */
    Path caFile() { return dir("n1").resolve("pki").resolve(ClusterCa.CA_CERT); }

    /** An admin client as the CLI on n1 would be (the token, over TLS checked against the CA). */
    AdminClient admin() {
        List<String> targets = NODES.stream().map(this::admin).toList();
        return AdminClient.connect(targets, AdminClient.Credentials.token(vigil.raft.admin.TokenAuth.readTokenFile(dir("n1").resolve("token")),
                ClusterCa.readCertificates(caFile())), Duration.ofSeconds(20));
    }

    String log(String node) {
        try {
            return Files.readString(daemons.get(node).log());
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs {@code vigil ARGS} in this JVM and fails the test unless it exits 0. */
    static DaemonCluster.Result ok(String... args) {
        DaemonCluster.Result r = DaemonCluster.raw(args);
        if (r.code() != 0) throw new AssertionError("vigil " + String.join(" ", args) + " exited " + r.code() + ": " + r.err() + r.out());
        return r;
    }

    @Override
    public void close() {
        for (Peer p : daemons.values()) p.close();
    }
}
