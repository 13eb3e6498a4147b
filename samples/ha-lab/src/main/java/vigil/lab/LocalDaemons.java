package vigil.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import vigil.raft.admin.AdminClient;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.FreePorts;

/**
 * A cluster of {@code vigil daemon} processes on 127.0.0.1, .2, ..., each started exactly as an admin starts one
 * ({@code bin/vigil daemon --config node.yaml}, so with the launcher's JVM defaults), with a node config, the cluster
 * token and a bootstrap cluster config written into one directory. For measuring what a deployed node costs.
 */
final class LocalDaemons implements AutoCloseable {
    private final Path dir;
    private final List<String> nodes = new ArrayList<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final int port;
    private final String token;
    private final AdminClient admin;
    private final Thread cleanup = new Thread(this::close, "lab-daemons-cleanup");
    private boolean closed;

    /**
     * Starts {@code count} members n1..nN with the bootstrap configuration {@code clusterYaml} makes for the Raft port
     * they share.
     */
    LocalDaemons(Path dir, int count, java.util.function.IntFunction<String> clusterYaml) {
        this.dir = dir;
        this.port = FreePorts.base(3, LocalCluster.loopbacks(count));
        this.token = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(ThreadLocalRandom.current().nextLong());
        Path launcher = launcher();
        for (int i = 1; i <= count; i++) nodes.add("n" + i);
        ClusterCa ca = ClusterCa.create("vigil", java.util.UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Path tokenFile = dir.resolve("token");
            Files.writeString(tokenFile, token + "\n");
            Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve("cluster.yaml"), clusterYaml.apply(port));
            StringBuilder peers = new StringBuilder();
            for (String n : nodes) {
                peers.append("  ").append(n).append(": {raft: ").append(host(n)).append(':').append(port).append(", admin: ").append(host(n)).append(':')
                        .append(port + 1).append("}\n");
            }
            // mutual TLS as every daemon runs by default: a cluster CA, and each node's certificate and the CA key (as init / join leave them)
            for (String n : nodes) {
                ca.issueNode(n, List.of(host(n))).save(dir.resolve(n + "-pki"));
                ca.save(dir.resolve(n + "-pki"));
                Files.writeString(dir.resolve(n + ".yaml"), "node: " + n + "\ndata-dir: " + n + "-data\ntoken-file: token\npki-dir: " + n + "-pki\nhttp: " + host(n) + ":"
                        + (port + 2) + "\ncluster-config: cluster.yaml\npeers:\n" + peers);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (String n : nodes) {
                ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "daemon", "--config", dir.resolve(n + ".yaml").toString())
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(n + ".log").toFile()))
                        .redirectInput(new File("/dev/null"));
                pb.environment().put("VIGIL_SKIP_BUILD", "1");
                Path rsctmp = Files.createDirectories(dir.resolve(n + "-rsctmp"));
                pb.environment().put("HA_RSCTMP", rsctmp.toString());
                pb.environment().put("HA_VARRUN", rsctmp.toString());
                Process p = pb.start();
                processes.put(n, p);
                Files.writeString(dir.resolve(n + ".pid"), Long.toString(p.pid()));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot start the daemons", e);
        }
        List<String> admins = nodes.stream().map(n -> host(n) + ":" + (port + 1)).toList();
        this.admin = AdminClient.connect(admins, AdminClient.Credentials.token(token, List.of(ca.certificate())), Duration.ofSeconds(10));
    }

    /** The launcher an admin runs ({@code $VIGIL_HOME/bin/vigil}, which {@code bin/vigil} exports). */
    private static Path launcher() {
        String home = System.getenv("VIGIL_HOME");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("VIGIL_HOME is not set: run this through bin/vigil, which starts each node as 'bin/vigil daemon'");
        }
        Path p = Path.of(home, "bin", "vigil");
        if (!Files.isExecutable(p)) throw new IllegalStateException(p + " is missing or not executable");
        return p;
    }

    static String host(String node) { return "127.0.0." + node.substring(1); }

    Path dir() { return dir; }

    List<String> nodes() { return nodes; }

    AdminClient admin() { return admin; }

    long pid(String node) { return processes.get(node).pid(); }

    boolean isAlive(String node) { return processes.get(node).isAlive(); }

    /** The last line of a node's log (why it exited). */
    String lastLogLine(String node) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(node + ".log"));
            return lines.isEmpty() ? "(empty log)" : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    String http(String node) { return "https://" + host(node) + ":" + (port + 2); }

    /** Polls {@code value} every 200 ms until it is present, or fails after {@code deadline} naming {@code what}. */
    static <T> T awaitValue(Duration deadline, String what, java.util.function.Supplier<java.util.Optional<T>> value) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            java.util.Optional<T> v = value.get();
            if (v.isPresent()) return v.get();
            if (System.nanoTime() > end) throw new IllegalStateException("timed out after " + deadline.toSeconds() + " s waiting for " + what);
            LocalCluster.sleep(Duration.ofMillis(200));
        }
    }

    /** SIGTERM to every daemon (they leave the cluster in order), SIGKILL after 20 s. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        if (admin != null) admin.close();
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
