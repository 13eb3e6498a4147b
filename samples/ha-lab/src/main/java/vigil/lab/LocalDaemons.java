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
    private final LabNetwork network; // null: the nodes share the host's loopback
    private final java.util.function.Function<String, Map<String, String>> environment;
    private final List<String> nodes = new ArrayList<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final int port;
    private final String token;
    private final AdminClient admin;
    private AdminClient.Credentials credentials;
    private final Thread cleanup = new Thread(this::close, "lab-daemons-cleanup");
    private boolean closed;

    /**
     * Starts {@code count} members n1..nN with the bootstrap configuration {@code clusterYaml} makes for the Raft port
     * they share.
     */
    LocalDaemons(Path dir, int count, java.util.function.IntFunction<String> clusterYaml) {
        this(dir, count, clusterYaml, null, node -> Map.of());
    }

    /**
     * As {@link #LocalDaemons(Path, int, java.util.function.IntFunction)}; with a {@code network} every node runs in
     * its own namespace of it (node i at {@code network.address(i)}), and {@code environment} adds variables to a
     * node's process (e.g. a PATH with host-specific tools first).
     */
    LocalDaemons(Path dir, int count, java.util.function.IntFunction<String> clusterYaml, LabNetwork network,
            java.util.function.Function<String, Map<String, String>> environment) {
        this.dir = dir;
        this.network = network;
        this.environment = environment;
        this.port = network != null ? FreePorts.base(3, "127.0.0.1") : FreePorts.base(3, LocalCluster.loopbacks(count));
        this.token = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(ThreadLocalRandom.current().nextLong());
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
                peers.append("  ").append(n).append(": {raft: ").append(address(n)).append(':').append(port).append(", admin: ").append(address(n)).append(':')
                        .append(port + 1).append("}\n");
            }
            // mutual TLS as every daemon runs by default: a cluster CA, and each node's certificate and the CA key (as init / join leave them)
            for (String n : nodes) {
                ca.issueNode(n, List.of(address(n))).save(dir.resolve(n + "-pki"));
                ca.save(dir.resolve(n + "-pki"));
                Files.writeString(dir.resolve(n + ".yaml"), "node: " + n + "\ndata-dir: " + n + "-data\ntoken-file: token\npki-dir: " + n + "-pki\nhttp: " + address(n) + ":"
                        + (port + 2) + "\ncluster-config: cluster.yaml\npeers:\n" + peers);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (String n : nodes) launch(n);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        List<String> admins = nodes.stream().map(n -> address(n) + ":" + (port + 1)).toList();
        this.credentials = AdminClient.Credentials.token(token, List.of(ca.certificate()));
        this.admin = AdminClient.connect(admins, credentials, Duration.ofSeconds(10));
    }

    /**
     * Starts {@code node}'s daemon (again, after {@link #kill}), appending to its log {@code <node>.log}, and writes its
     * pid to {@code <node>.pid}.
     */
    synchronized void launch(String node) {
        if (closed) throw new IllegalStateException("closed");
        Process old = processes.get(node);
        if (old != null && old.isAlive()) throw new IllegalStateException(node + " still runs (pid " + old.pid() + ")");
        List<String> cmd = new ArrayList<>();
        if (network != null) cmd.addAll(network.exec(index(node))); // exec keeps the pid: signals reach the JVM
        cmd.addAll(daemonCommand());
        cmd.addAll(List.of("daemon", "--config", dir.resolve(node + ".yaml").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile())).redirectInput(new File("/dev/null"));
        try {
            pb.environment().put("VIGIL_SKIP_BUILD", "1");
            Path rsctmp = Files.createDirectories(dir.resolve(node + "-rsctmp"));
            pb.environment().put("HA_RSCTMP", rsctmp.toString());
            pb.environment().put("HA_VARRUN", rsctmp.toString());
            pb.environment().putAll(environment.apply(node));
            Process p = pb.start();
            processes.put(node, p);
            Files.writeString(dir.resolve(node + ".pid"), Long.toString(p.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the daemon of " + node, e);
        }
    }

    /** SIGKILLs {@code node}'s daemon (if it runs) and waits until it is gone. */
    synchronized void kill(String node) {
        Process p = processes.get(node);
        if (p == null) return;
        try {
            p.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How a daemon is started: the launcher an admin runs ({@code $VIGIL_HOME/bin/vigil}, which {@code bin/vigil}
     * exports), or, without VIGIL_HOME (a test), this JVM's java and class path with the launcher's umask.
     */
    private static List<String> daemonCommand() {
        String home = System.getenv("VIGIL_HOME");
        if (home == null || home.isBlank()) {
            return List.of("sh", "-c", "umask 077 && exec \"$@\"", "sh", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), "vigil.daemon.Main");
        }
        Path p = Path.of(home, "bin", "vigil");
        if (!Files.isExecutable(p)) throw new IllegalStateException(p + " is missing or not executable");
        return List.of(p.toString());
    }

    private int index(String node) { return nodes.indexOf(node) + 1; }

    /** Where {@code node} listens: its address in the lab network, or 127.0.0.N. */
    String address(String node) { return network != null ? network.address(index(node)) : host(node); }

    static String host(String node) { return "127.0.0." + node.substring(1); }

    int raftPort() { return port; }

    Map<String, Process> processes() { return processes; }

    Path dir() { return dir; }

    List<String> nodes() { return nodes; }

    AdminClient admin() { return admin; }

    /** An admin client of the nodes in {@code nodes} only (e.g. the one that runs alone), to close after use. */
    AdminClient adminOf(List<String> nodes) {
        return AdminClient.connect(nodes.stream().map(n -> address(n) + ":" + (port + 1)).toList(), credentials, Duration.ofSeconds(10));
    }

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

    String http(String node) { return "https://" + address(node) + ":" + (port + 2); }

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
