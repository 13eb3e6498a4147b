package vigil.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.engine.executor.Ledger;
import vigil.raft.admin.AdminClient;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.tls.ClusterCa;

/**
 * A cluster of {@link LabNode} processes on 127.0.0.1, .2, .3 ... of this machine (or each in its own network namespace,
 * see {@link LabNetwork}), for the demo, the fault-injection
 * harness and the failover benchmark. It can SIGKILL, SIGSTOP / SIGCONT and restart nodes, and remembers when it
 * killed each one (the ledger checker needs those times). {@link #close()} kills every node and keeps the directory.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String FENCE_DEVICE = "lab-kill";

    private final Path dir;
    private final String name;
    private final List<Node> nodes;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final List<LedgerChecker.Death> deaths = new ArrayList<>();
    private final Set<LedgerChecker.Death> fences = new LinkedHashSet<>();
    private final List<String> javaOptions;
    private final AdminClient admin;
    private final String token;
    private final LabNetwork network; // null: the nodes share the host's loopback and no link can be cut
    private final boolean tls;
    private final AdminClient.Credentials credentials;
    private final Thread cleanup = new Thread(this::close, "lab-cluster-cleanup");
    private boolean closed;

    private LocalCluster(Path dir, String name, List<Node> nodes, List<String> javaOptions, LabNetwork network, boolean tls) {
        this.dir = dir;
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.javaOptions = List.copyOf(javaOptions);
        this.network = network;
        this.tls = tls;
        this.token = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try {
            Files.createDirectories(dir);
            Path tokenFile = dir.resolve("token");
            Files.writeString(tokenFile, token);
            try {
                Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the token is test-only
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (tls) {
            // a cluster CA of its own per lab cluster, and each node's certificate in its directory
            ClusterCa ca = ClusterCa.create(name, java.util.UUID.randomUUID());
            ca.save(dir.resolve("pki"));
            for (Node n : nodes) ca.issueNode(n.id(), List.of(n.address().substring(0, n.address().lastIndexOf(':')))).save(nodeDir(n.id()).resolve("pki"));
            this.credentials = AdminClient.Credentials.token(token, List.of(ca.certificate()));
        } else {
            this.credentials = AdminClient.Credentials.insecure(token);
        }
        List<String> apis = nodes.stream().map(AgentAddresses::of).toList();
        this.admin = AdminClient.connect(apis, credentials, Duration.ofSeconds(10));
        // Ctrl-C or a kill of the harness must not leave node processes and network namespaces behind
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Starts {@code members} member nodes (and {@code witnesses} witnesses) named n1, n2, ... on 127.0.0.1, .2, ...
     * sharing one free port pair, and waits until they elected a leader.
     */
    public static LocalCluster start(Path dir, int members, int witnesses, List<String> javaOptions) {
        return start(dir, members, witnesses, javaOptions, false);
    }

    /**
     * As {@link #start(Path, int, int, List)}; with {@code ownNetwork} every node runs in its own network namespace
     * (see {@link LabNetwork}), so that {@link #cut} can sever links between nodes.
     */
    public static LocalCluster start(Path dir, int members, int witnesses, List<String> javaOptions, boolean ownNetwork) {
        return start(dir, members, witnesses, javaOptions, ownNetwork, true);
    }

    /**
     * As {@link #start(Path, int, int, List, boolean)}; {@code tls} false runs every port in plaintext (the insecure
     * lab switch), to measure what TLS costs.
     */
    public static LocalCluster start(Path dir, int members, int witnesses, List<String> javaOptions, boolean ownNetwork, boolean tls) {
        int count = members + witnesses;
        LabNetwork network = ownNetwork ? LabNetwork.create(count) : null;
        int port = ownNetwork ? 7100 : freePort(count);
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            NodeRole role = i <= members ? NodeRole.MEMBER : NodeRole.WITNESS;
            String host = ownNetwork ? network.address(i) : "127.0.0." + i;
            nodes.add(new Node((role == NodeRole.MEMBER ? "n" : "w") + i, host + ":" + port, role, Map.of()));
        }
        LocalCluster c;
        try {
            c = new LocalCluster(dir, "lab", nodes, javaOptions, network, tls);
        } catch (RuntimeException e) {
            if (network != null) network.close();
            throw e;
        }
        try {
            for (Node n : nodes) c.launch(n.id());
            c.await(Duration.ofSeconds(60), "a leader", () -> c.leader().isPresent());
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Whether {@link #cut} can be used (the nodes run in their own network namespaces). */
    public boolean canCut() { return network != null; }

    /** Drops all traffic between nodes {@code a} and {@code b}, both ways, until {@link #heal()}. */
    public void cut(String a, String b) {
        if (network == null) throw new IllegalStateException("this cluster shares the host's network; start it with ownNetwork");
        network.cut(index(a), index(b));
    }

    /** Restores every link that was cut. */
    public void heal() {
        if (network != null) network.heal();
    }

    private int index(String node) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i).id().equals(node)) return i + 1;
        throw new IllegalArgumentException("unknown node " + node);
    }

    /** The base configuration: every node, stonith through SIGKILL of node processes, and {@code extra}'s resources. */
    public ClusterConfig baseConfig(ClusterConfig extra) {
        ClusterConfig.Builder b = extra.toBuilder();
        for (Node n : nodes) b.removeNode(n.id());
        nodes.forEach(b::node);
        Map<String, String> pidFiles = new LinkedHashMap<>();
        for (Node n : nodes) pidFiles.put(n.id(), nodeDir(n.id()).resolve("pid").toString());
        b.fenceDevice(new FenceDevice(FENCE_DEVICE, "process", Map.of(), List.of(), pidFiles, Duration.ZERO));
        return b.build();
    }

    /**
     * {@code config} with the harness's fence device waiting {@code delay} before it kills (FenceDevice delay), so a
     * test can act between a node being declared lost and the fence landing.
     */
    public static ClusterConfig withFenceDelay(ClusterConfig config, Duration delay) {
        List<FenceDevice> devices = new ArrayList<>();
        for (FenceDevice d : config.fenceDevices()) {
            devices.add(d.id().equals(FENCE_DEVICE) ? new FenceDevice(d.id(), d.type(), d.params(), d.hostList(), d.hostMap(), delay) : d);
        }
        return new ClusterConfig(config.nodes(), config.resources(), config.constraints(), config.properties(), devices,
                config.fencingLevels(), config.blobs());
    }

    public Path dir() { return dir; }

    public List<Node> nodes() { return nodes; }

    public List<String> members() { return nodes.stream().filter(n -> n.role() == NodeRole.MEMBER).map(Node::id).toList(); }

    public AdminClient admin() { return admin; }

    /** What an admin client of this cluster presents: the token, over TLS checked against the cluster CA (or plaintext). */
    public AdminClient.Credentials adminCredentials() { return credentials; }

    public boolean isTls() { return tls; }

    public Path nodeDir(String node) { return dir.resolve(node); }

    private String peerSpec() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            if (sb.length() > 0) sb.append(',');
            sb.append(n.id()).append('=').append(n.address()).append(n.role() == NodeRole.WITNESS ? "/witness" : "");
        }
        return sb.toString();
    }

    /** Starts (or restarts) a node's process; a restarted node forgets what ran on it, as a rebooted host would. */
    public synchronized void launch(String node) {
        Process old = processes.get(node);
        if (old != null && old.isAlive()) throw new IllegalStateException(node + " is still running");
        Path nd = nodeDir(node);
        try {
            Path rsctmp = nd.resolve("rsctmp");
            if (Files.exists(rsctmp)) {
                try (Stream<Path> s = Files.walk(rsctmp)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(rsctmp);
            List<String> cmd = new ArrayList<>();
            if (network != null) cmd.addAll(network.exec(index(node))); // exec keeps the pid: signals reach the JVM
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(javaOptions);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LabNode.class.getName(),
                    "--id", node, "--peers", peerSpec(), "--dir", nd.toString(), "--token-file", dir.resolve("token").toString(), "--cluster", name));
            cmd.addAll(tls ? List.of("--pki", nd.resolve("pki").toString()) : List.of("--insecure"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile())).redirectInput(new File("/dev/null"));
            // per-node run-time state for OCF agents (Dummy keeps its state in HA_RSCTMP, Stateful in HA_VARRUN), cleared
            // on restart as a reboot clears /run
            pb.environment().put("HA_RSCTMP", rsctmp.toString());
            pb.environment().put("HA_VARRUN", rsctmp.toString());
            Process p = pb.start();
            processes.put(node, p);
            // a node can die without the harness or a recorded fence (a fence device killed it but its controller died
            // before committing the result): what ran there ended no later than the exit the JVM observes
            p.onExit().thenRun(() -> exited(node, Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + node, e);
        }
    }

    private synchronized void exited(String node, Instant at) {
        deaths.add(new LedgerChecker.Death(node, nanos(at), "process exited"));
    }

    public synchronized boolean isAlive(String node) {
        Process p = processes.get(node);
        return p != null && p.isAlive();
    }

    public synchronized long pid(String node) { return processes.get(node).pid(); }

    /** SIGKILL: the host crashed. Returns the time it happened. */
    public synchronized Instant kill(String node) {
        Process p = processes.get(node);
        Instant at = Instant.now();
        if (p != null && p.isAlive()) {
            signal(p.pid(), "KILL");
            deaths.add(new LedgerChecker.Death(node, nanos(at), "killed by the harness"));
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return at;
    }

    /** SIGTERM: the node stops cleanly (it closes its Raft member, which writes a snapshot). */
    public synchronized void stop(String node) {
        Process p = processes.get(node);
        if (p == null || !p.isAlive()) return;
        signal(p.pid(), "TERM");
        try {
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) throw new IllegalStateException(node + " did not stop within 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: the node hangs (a long GC pause, a stuck kernel) but keeps whatever it runs. */
    public synchronized void pause(String node) { signal(pid(node), "STOP"); }

    public synchronized void resume(String node) {
        Process p = processes.get(node);
        if (p != null && p.isAlive()) signal(p.pid(), "CONT");
    }

    private static void signal(long pid, String sig) {
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
            k.getInputStream().readAllBytes();
            k.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("kill -" + sig + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Restarts every node whose process is gone (killed, or fenced by the cluster). */
    public synchronized List<String> restartDead() {
        List<String> restarted = new ArrayList<>();
        for (Node n : nodes) {
            if (!isAlive(n.id())) {
                launch(n.id());
                restarted.add(n.id());
            }
        }
        return restarted;
    }

    public Optional<String> leader() {
        try {
            String l = admin.status().leader();
            return l.isEmpty() ? Optional.empty() : Optional.of(l);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The status, or empty while no leader answers. */
    public Optional<ClusterState> status() {
        try {
            return Optional.of(admin.status());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Every ledger line of every node, with the deaths the harness caused and the fences the cluster confirmed. */
    public List<Ledger.Entry> ledger() {
        List<Ledger.Entry> all = new ArrayList<>();
        for (Node n : nodes) {
            Path f = nodeDir(n.id()).resolve("ledger");
            if (Files.exists(f)) all.addAll(Ledger.read(f));
        }
        return all;
    }

    /**
     * The deaths the harness caused and every fence the cluster confirmed, as seen in this and earlier calls: the
     * cluster keeps only its recent fence history, but an old ledger interval still needs the fence that ended it.
     */
    public synchronized List<LedgerChecker.Death> deaths(ClusterState state) {
        for (FenceEvent e : state.fenceHistory()) {
            if (e.success()) fences.add(new LedgerChecker.Death(e.target(), nanos(e.at()), "fenced by " + e.devices()));
        }
        List<LedgerChecker.Death> out = new ArrayList<>(deaths);
        out.addAll(fences);
        return out;
    }

    public synchronized List<LedgerChecker.Death> harnessDeaths() { return List.copyOf(deaths); }

    public void await(Duration deadline, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out after " + deadline.toSeconds() + " s waiting for " + what
                    + " (node logs in " + dir + ")");
            sleep(Duration.ofMillis(50));
        }
    }

    public <T> T awaitValue(Duration deadline, String what, Supplier<Optional<T>> value) {
        Object[] box = new Object[1];
        await(deadline, what, () -> value.get().map(v -> box[0] = v).isPresent());
        @SuppressWarnings("unchecked") T t = (T) box[0];
        return t;
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static long nanos(Instant t) { return t.getEpochSecond() * 1_000_000_000L + t.getNano(); }

    /** A port p with p and p + 1 free on every node address. */
    private static int freePort(int nodes) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int p = 20000 + ThreadLocalRandom.current().nextInt(20000) * 2;
            boolean ok = true;
            for (int i = 1; i <= nodes && ok; i++) {
                for (int q = p; q <= p + 1 && ok; q++) {
                    try (ServerSocket s = new ServerSocket()) {
                        s.bind(new InetSocketAddress("127.0.0." + i, q));
                    } catch (IOException busy) {
                        ok = false;
                    }
                }
            }
            if (ok) return p;
        }
        throw new IllegalStateException("no free port pair on 127.0.0.1-" + nodes);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        admin.close();
        heal();
        for (Process p : processes.values()) {
            if (p.isAlive()) {
                signal(p.pid(), "CONT");
                p.destroy();
            }
        }
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (network != null) network.close();
    }
}
