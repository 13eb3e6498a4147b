package vigil.raft;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import vigil.api.model.Node;

/**
 * A cluster of {@link NodeMain} processes on this machine, node {@code i} on {@code 127.0.0.(i+1)}, each with its
 * data dir and log file under one directory. Used by integration tests and {@code bench commits}.
 */
public final class LocalCluster implements AutoCloseable {
    private final Path dir;
    private final String clusterName;
    private final List<Node> nodes;
    private final List<String> extraArgs;
    private final Process[] processes;
    private final int[] startCount;
    private final String secret;
    private final boolean tls;

    private LocalCluster(Path dir, String clusterName, List<Node> nodes, List<String> extraArgs, boolean tls) {
        this.dir = dir;
        this.clusterName = clusterName;
        this.nodes = nodes;
        this.extraArgs = extraArgs;
        this.tls = tls;
        this.processes = new Process[nodes.size()];
        this.startCount = new int[nodes.size()];
        byte[] random = new byte[16];
        new java.security.SecureRandom().nextBytes(random);
        this.secret = java.util.HexFormat.of().formatHex(random);
        try {
            Files.createDirectories(dir);
            Files.writeString(secretFile(), secret + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(secretFile(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster secret into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The secret the nodes seal their submissions with; a {@link VigilClient} needs it to write. */
    public String secret() { return secret; }

    private Path secretFile() { return dir.resolve("secret"); }

    /**
     * Picks free ports, makes a cluster CA and a certificate per node, starts {@code size} node processes with mutual
     * TLS and waits until each reports READY.
     */
    public static LocalCluster start(Path dir, String clusterName, int size, List<String> extraArgs) {
        return start(dir, clusterName, size, extraArgs, true);
    }

    /** As {@link #start(Path, String, int, List)}; {@code tls} false runs the nodes in plaintext (to measure its cost). */
    public static LocalCluster start(Path dir, String clusterName, int size, List<String> extraArgs, boolean tls) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String host = "127.0.0." + (i + 1);
            nodes.add(Node.member("n" + (i + 1), host + ":" + freePort(host)));
        }
        if (tls) {
            vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create(clusterName, RaftSetup.clusterId(clusterName));
            for (Node n : nodes) ca.issueNode(n.id(), List.of(n.address().substring(0, n.address().lastIndexOf(':')))).save(dir.resolve(n.id() + "-pki"));
        }
        LocalCluster c = new LocalCluster(dir, clusterName, nodes, List.copyOf(extraArgs), tls);
        try {
            for (int i = 0; i < size; i++) c.launchCounted(i);
            for (int i = 0; i < size; i++) c.awaitReady(i, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * A free port drawn below the kernel's ephemeral range (32768 and up): a port the kernel hands out for port 0 is
     * one its next outgoing connection may take before the node binds it.
     */
    private static int freePort(String host) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(host), p));
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port below 32000 on " + host);
    }

    public List<Node> nodes() { return nodes; }

    public String clusterName() { return clusterName; }

    /** A node certificate of this cluster for clients of its Raft port (node 1's); null when it runs in plaintext. */
    public vigil.raft.tls.NodeTls clientTls() { return tls ? vigil.raft.tls.NodeTls.load(dir.resolve(nodes.get(0).id() + "-pki")) : null; }

    public Path dataDir(int i) { return dir.resolve(nodes.get(i).id()); }

    public Path logFile(int i) { return dir.resolve(nodes.get(i).id() + ".log"); }

    public String peersArg() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) sb.append(sb.length() == 0 ? "" : ",").append(n.id()).append('=').append(n.address());
        return sb.toString();
    }

    private void launch(int i) {
        Node n = nodes.get(i);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC",
                // C1 only: on a small shared machine the C2 compiler's CPU costs more than its faster code gains in
                // a run of seconds to minutes (measured: about half the CPU per commit in bench commits)
                "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(),
                "--id", n.id(), "--address", n.address(), "--peers", peersArg(), "--data", dataDir(i).toString(), "--cluster", clusterName,
                "--secret-file", secretFile().toString()));
        cmd.addAll(tls ? List.of("--pki", dir.resolve(n.id() + "-pki").toString()) : List.of("--insecure"));
        cmd.addAll(extraArgs);
        try {
            Files.createDirectories(dir);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(i).toFile()));
            processes[i] = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + n.id() + ": " + e.getMessage(), e);
        }
    }

    /** Waits until node {@code i}'s current run printed READY; fails early if its process died. */
    public void awaitReady(int i, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        Process p = processes[i];
        while (System.nanoTime() < end) {
            try {
                String log = Files.exists(logFile(i)) ? Files.readString(logFile(i), StandardCharsets.UTF_8) : "";
                int runs = count(log, "READY " + nodes.get(i).id());
                if (runs >= starts(i)) return;
                if (!p.isAlive()) throw new IllegalStateException("node " + nodes.get(i).id() + " exited with " + p.exitValue() + "; see " + logFile(i));
                Thread.sleep(50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        throw new IllegalStateException("node " + nodes.get(i).id() + " not ready within " + deadline + "; see " + logFile(i));
    }


    private int starts(int i) { return startCount[i]; }

    private static int count(String text, String what) {
        int n = 0;
        for (int k = text.indexOf(what); k >= 0; k = text.indexOf(what, k + 1)) n++;
        return n;
    }

    /** SIGKILL: the process dies at once, nothing is flushed or closed. */
    public void kill(int i) {
        Process p = processes[i];
        if (p == null) return;
        p.destroyForcibly();
        waitExit(p);
    }

    /** SIGTERM: the node closes cleanly. */
    public void stop(int i) {
        Process p = processes[i];
        if (p == null) return;
        p.destroy();
        waitExit(p);
    }

    /** CPU time used so far by the running node processes together (zero when the platform does not tell). */
    public java.time.Duration cpuTime() {
        java.time.Duration total = java.time.Duration.ZERO;
        for (Process p : processes) {
            if (p != null && p.isAlive()) total = total.plus(p.info().totalCpuDuration().orElse(java.time.Duration.ZERO));
        }
        return total;
    }

    public boolean isAlive(int i) { return processes[i] != null && processes[i].isAlive(); }

    /** Restarts a stopped or killed node on its data dir and waits until it runs. */
    public void restart(int i, Duration deadline) {
        launchCounted(i);
        awaitReady(i, deadline);
    }

    private void launchCounted(int i) {
        startCount[i]++;
        launch(i);
    }

    private static void waitExit(Process p) {
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < processes.length; i++) if (processes[i] != null && processes[i].isAlive()) processes[i].destroy();
        for (Process p : processes) if (p != null) waitExit(p);
    }
}
