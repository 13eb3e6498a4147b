package vigil.lab;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
import vigil.engine.executor.Ledger;
import vigil.raft.admin.AdminClient;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.FreePorts;

/**
 * A cluster of {@link LabNode} processes on 127.0.0.1, .2, .3 ... of this machine (or each in its own network namespace,
 * see {@link LabNetwork}), for the demo, the fault-injection
 * harness and the failover benchmark. It can SIGKILL, SIGSTOP / SIGCONT and restart nodes, and remembers when each node
 * process died, as it killed it or saw it exit (the activity checker's only source of deaths). {@link #close()} kills
 * every node and keeps the directory.
 */
public final class LocalCluster implements AutoCloseable {
    /** The fence device that SIGKILLs node processes; in two-node mode one per host, named {@code lab-kill-<node>}. */
    public static final String FENCE_DEVICE = "lab-kill";
    /** In two-node mode, how long fencing the first host waits (see {@link #baseConfig}). */
    static final Duration TWO_NODE_FENCE_DELAY = Duration.ofSeconds(2);
    private static final String WATCHDOG_DEVICE = "watchdog";
    private static final String CLOCK_OFFSET = "clock-offset";

    private final Path dir;
    private final String name;
    private final List<Node> nodes;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final List<ActivityChecker.Death> deaths = new ArrayList<>();
    private final Set<Process> dead = new HashSet<>(); // processes whose death is recorded (by identity: pids are reused)
    private final List<String> javaOptions;
    private final AdminClient admin;
    private final String token;
    private final LabNetwork network; // null: the nodes share the host's loopback and no link can be cut
    private final Duration watchdog; // null: no watchdogs; else every member's watchdog emulator fires after it
    private final Map<String, Process> emulators = new LinkedHashMap<>();
    private final Set<String> withoutWatchdog;
    private final java.util.function.Function<String, Map<String, String>> environment;
    private final boolean tls;
    private final AdminClient.Credentials credentials;
    private final Thread cleanup = new Thread(this::close, "lab-cluster-cleanup");
    private boolean closed;

    private LocalCluster(Builder b, String name, List<Node> nodes, LabNetwork network) {
        this.dir = b.dir;
        this.watchdog = b.watchdog;
        this.withoutWatchdog = Set.copyOf(b.withoutWatchdog);
        this.environment = b.environment;
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.javaOptions = List.copyOf(b.javaOptions);
        this.network = network;
        this.tls = b.tls;
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
        return builder(dir).members(members).witnesses(witnesses).javaOptions(javaOptions).start();
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
        return builder(dir).members(members).witnesses(witnesses).javaOptions(javaOptions).ownNetwork(ownNetwork).tls(tls).start();
    }

    /** A cluster in {@code dir}, three members by default. */
    public static Builder builder(Path dir) { return new Builder(dir); }

    public static final class Builder {
        private final Path dir;
        private int members = 3;
        private int witnesses;
        private List<String> javaOptions = LabScenario.nodeJavaOptions();
        private boolean ownNetwork;
        private boolean tls = true;
        private Duration watchdog;
        private Set<String> withoutWatchdog = Set.of();
        private java.util.function.Function<String, Map<String, String>> environment = node -> Map.of();

        private Builder(Path dir) { this.dir = dir; }

        public Builder members(int n) { members = n; return this; }

        public Builder witnesses(int n) { witnesses = n; return this; }

        /** Options of the node JVMs (default: small heaps and one log line per record with milliseconds). */
        public Builder javaOptions(List<String> v) { javaOptions = List.copyOf(v); return this; }

        /** Every node in its own network namespace (see {@link LabNetwork}), so that {@link #cut} can sever links. */
        public Builder ownNetwork(boolean v) { ownNetwork = v; return this; }

        /** Mutual TLS on every port (the default); false: plaintext (the insecure lab switch). */
        public Builder tls(boolean v) { tls = v; return this; }

        /**
         * Every member but {@code without} runs with a watchdog device watched by its own {@link WatchdogEmulator} (a
         * stand-in for softdog, which cannot load here) that kills the node process when it is not fed for
         * {@code timeout}; {@link #baseConfig} then fences by watchdog only.
         */
        public Builder watchdog(Duration timeout, Set<String> without) {
            watchdog = timeout;
            withoutWatchdog = Set.copyOf(without);
            return this;
        }

        /** Variables added to each node process's environment, by node id (e.g. a PATH with stand-ins for drbd-utils). */
        public Builder environment(java.util.function.Function<String, Map<String, String>> env) { environment = env; return this; }

        /** Starts the nodes and waits until they elected a leader. */
        public LocalCluster start() {
            int count = members + witnesses;
            LabNetwork network = ownNetwork ? LabNetwork.create(count) : null;
            int port = ownNetwork ? 7100 : FreePorts.base(2, loopbacks(count));
            List<Node> nodes = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                NodeRole role = i <= members ? NodeRole.MEMBER : NodeRole.WITNESS;
                String host = ownNetwork ? network.address(i) : "127.0.0." + i;
                nodes.add(new Node((role == NodeRole.MEMBER ? "n" : "w") + i, host + ":" + port, role, Map.of()));
            }
            LocalCluster c;
            try {
                c = new LocalCluster(this, "lab", nodes, network);
            } catch (RuntimeException e) {
                if (network != null) network.close();
                throw e;
            }
            try {
                for (Node n : nodes) c.launch(n.id());
                // a JVM that shares two cores with a few dozen busy processes takes up to ~45 s to start its Raft server,
                // and elections with node-timeout-scale timeouts then need several rounds
                c.await(Duration.ofSeconds(180), "a leader", () -> c.leader().isPresent());
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        }
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

    /**
     * The base configuration: every node, stonith through SIGKILL of node processes, and {@code extra}'s resources. The
     * fence device kills only a process whose command line names this cluster's directory: a dead node's pid may belong
     * to any other program by the time it is fenced. A cluster started with watchdogs has no fence device:
     * watchdog-timeout is set to its emulators' timeout, and a lost node counts as fenced only through its watchdog.
     */
    public ClusterConfig baseConfig(ClusterConfig extra) {
        ClusterConfig.Builder b = extra.toBuilder();
        for (Node n : nodes) b.removeNode(n.id());
        nodes.forEach(b::node);
        if (watchdog != null) return b.properties(extra.properties().toBuilder().stonithEnabled(true).watchdogTimeout(watchdog).build()).build();
        if (isTwoNode()) return twoNode(b, extra);
        Map<String, String> pidFiles = new LinkedHashMap<>();
        for (Node n : nodes) pidFiles.put(n.id(), pidFile(n.id()).toString());
        b.fenceDevice(new FenceDevice(FENCE_DEVICE, "process", Map.of("match", dir + "/"), List.of(), pidFiles, Duration.ZERO));
        return b.build();
    }

    /** Two members and no witness: the base configuration runs the cluster in two-node mode (see {@link #baseConfig}). */
    public boolean isTwoNode() { return members().size() == 2 && nodes.size() == 2; }

    /**
     * Two-node mode as the two-host sample sets it up: a fence device per host, the one that fences the first host
     * waiting {@link #TWO_NODE_FENCE_DELAY} (the static tie-break: in a split between hosts running as much, the first
     * survives), and {@code priority-fencing-delay} longer than that, so the host running more survives a split.
     */
    private ClusterConfig twoNode(ClusterConfig.Builder b, ClusterConfig extra) {
        for (int i = 0; i < nodes.size(); i++) {
            String n = nodes.get(i).id();
            b.fenceDevice(new FenceDevice(FENCE_DEVICE + "-" + n, "process", Map.of("match", dir + "/"), List.of(), Map.of(n, pidFile(n).toString()),
                    i == 0 ? TWO_NODE_FENCE_DELAY : Duration.ZERO));
        }
        Map<String, String> other = new LinkedHashMap<>(extra.properties().other());
        other.put(vigil.api.model.ClusterProperties.TWO_NODE, "true");
        other.put(vigil.api.model.ClusterProperties.PRIORITY_FENCING_DELAY, TWO_NODE_FENCE_DELAY.multipliedBy(2).toMillis() + "ms");
        return b.properties(extra.properties().toBuilder().stonithEnabled(true).other(other).build()).build();
    }

    private Path pidFile(String node) { return nodeDir(node).resolve("pid"); }

    /**
     * {@code config} with the harness's fence device waiting {@code delay} before it kills (FenceDevice delay), so a
     * test can act between a node being declared lost and the fence landing.
     */
    public static ClusterConfig withFenceDelay(ClusterConfig config, Duration delay) {
        List<FenceDevice> devices = new ArrayList<>();
        for (FenceDevice d : config.fenceDevices()) {
            devices.add(isLabKill(d) ? new FenceDevice(d.id(), d.type(), d.params(), d.hostList(), d.hostMap(), delay) : d);
        }
        return new ClusterConfig(config.nodes(), config.resources(), config.constraints(), config.properties(), devices,
                config.fencingLevels(), config.blobs());
    }

    /** Whether {@code d} is one of the harness's devices that kill node processes. */
    static boolean isLabKill(FenceDevice d) { return d.id().equals(FENCE_DEVICE) || d.id().startsWith(FENCE_DEVICE + "-"); }

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
        // the next incarnation's records begin after this: the previous one's death must be older than all of them
        if (old != null) died(node, old, Instant.now(), exitCause(old));
        Path nd = nodeDir(node);
        try {
            Files.createDirectories(nd);
            // a fresh host: no pid of an earlier incarnation, no watchdog device an earlier emulator left
            Files.deleteIfExists(nd.resolve("pid"));
            Files.deleteIfExists(nd.resolve(WATCHDOG_DEVICE));
            Process emulator = emulators.remove(node);
            if (emulator != null) emulator.destroyForcibly().waitFor();
            boolean armed = watchdog != null && role(node) == NodeRole.MEMBER && !withoutWatchdog.contains(node);
            if (armed) startEmulator(node);
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
                    "--id", node, "--peers", peerSpec(), "--dir", nd.toString(), "--token-file", dir.resolve("token").toString(), "--cluster", name,
                    "--clock-offset-file", nd.resolve(CLOCK_OFFSET).toString()));
            cmd.addAll(tls ? List.of("--pki", nd.resolve("pki").toString()) : List.of("--insecure"));
            if (watchdog != null && role(node) == NodeRole.MEMBER) cmd.addAll(List.of("--watchdog", nd.resolve(WATCHDOG_DEVICE).toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile())).redirectInput(new File("/dev/null"));
            // per-node run-time state for OCF agents (Dummy keeps its state in HA_RSCTMP, Stateful in HA_VARRUN), cleared
            // on restart as a reboot clears /run
            pb.environment().putAll(environment.apply(node));
            pb.environment().put("HA_RSCTMP", rsctmp.toString());
            pb.environment().put("HA_VARRUN", rsctmp.toString());
            Process p = pb.start();
            processes.put(node, p);
            // a node can die without the harness killing it (a fence device, a watchdog): what ran there ended no later
            // than the exit this JVM observes
            p.onExit().thenRun(() -> died(node, p, Instant.now(), exitCause(p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + node, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting " + node, e);
        }
    }

    /** "process exited (exit 137: signal 9)": a node fenced by SIGKILL, or one that died of something else. */
    private static String exitCause(Process p) {
        int code = p.exitValue();
        return "process exited (exit " + code + (code > 128 ? ": signal " + (code - 128) : "") + ")";
    }

    /**
     * Records the death of {@code p} at {@code at} (a time by which the harness knows it was dead), once, and removes
     * its pid file: fencing a node that is gone must not kill whatever process gets its pid next.
     */
    private synchronized void died(String node, Process p, Instant at, String cause) {
        if (!dead.add(p)) return;
        deaths.add(new ActivityChecker.Death(node, p.pid(), nanos(at), cause));
        try {
            Path f = pidFile(node);
            if (Files.exists(f) && Files.readString(f).trim().equals(Long.toString(p.pid()))) Files.delete(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the pid file of " + node + "'s dead process " + p.pid(), e);
        }
    }

    /**
     * The emulator of {@code node}'s watchdog, started with the node: the node arms its device when it first hears a
     * leader (seconds later), and tries again if the emulator had not created it yet. A small interpreted JVM: it
     * only polls one file.
     */
    private void startEmulator(String node) throws IOException {
        Path nd = nodeDir(node);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xint", "-Xmx16m", "-Xss256k",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), WatchdogEmulator.class.getName(),
                "--device", nd.resolve(WATCHDOG_DEVICE).toString(), "--timeout", watchdog.toMillis() + "ms", "--pid-file", nd.resolve("pid").toString());
        emulators.put(node, new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + "-watchdog.log").toFile())).redirectInput(new File("/dev/null")).start());
    }

    /** Whether {@code node}'s watchdog emulator killed its process because it was not fed. */
    public synchronized boolean watchdogFired(String node) {
        Process e = emulators.get(node);
        return e != null && !e.isAlive() && e.exitValue() == WatchdogEmulator.FIRED;
    }

    /**
     * Steps {@code node}'s wall clock to {@code offset} off the system clock (it reads it within 20 ms), as NTP or an
     * operator would step a host's clock; the machine's clock is not touched (see {@link SteppedClock}).
     */
    public void stepClock(String node, Duration offset) {
        Path f = nodeDir(node).resolve(CLOCK_OFFSET);
        Path tmp = nodeDir(node).resolve(CLOCK_OFFSET + ".tmp");
        try {
            Files.writeString(tmp, offset.toString());
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot step the clock of " + node, e);
        }
    }

    private NodeRole role(String node) {
        return nodes.stream().filter(n -> n.id().equals(node)).findFirst().map(Node::role).orElseThrow();
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
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // recorded once it is gone: the death the checker uses is never earlier than the real one
            died(node, p, Instant.now(), "killed by the harness");
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

    /** Every ledger line of every node. */
    public List<Ledger.Entry> ledger() {
        List<Ledger.Entry> all = new ArrayList<>();
        for (Node n : nodes) {
            Path f = nodeDir(n.id()).resolve("ledger");
            if (Files.exists(f)) all.addAll(Ledger.read(f));
        }
        return all;
    }

    /** Where the nodes' services leave their evidence (see {@link Evidence}). */
    public Path evidenceDir() { return LabNode.evidenceDir(dir); }

    /**
     * Every node process death so far, as the harness caused it (SIGKILL) or saw it (the process exited: fenced, or
     * killed by a watchdog), never from the cluster's own records.
     */
    public synchronized List<ActivityChecker.Death> deaths() { return List.copyOf(deaths); }

    /** A client of {@code node}'s admin API only (no fail-over to other nodes), each call waiting at most {@code deadline}. */
    public AdminClient adminOf(String node, Duration deadline) {
        Node n = nodes.stream().filter(x -> x.id().equals(node)).findFirst().orElseThrow(() -> new IllegalArgumentException("unknown node " + node));
        return AdminClient.connect(List.of(AgentAddresses.of(n)), credentials, deadline);
    }

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

    /** The loopback addresses of nodes 1 .. n that share the host's network: 127.0.0.1, 127.0.0.2, ... */
    static String[] loopbacks(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) out[i] = "127.0.0." + (i + 1);
        return out;
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
        // the emulators exit once their node is gone; one whose node never wrote its pid would wait for ever
        for (Process e : emulators.values()) e.destroy();
        // and are gone before the caller removes the directory their device files are in
        for (Process e : emulators.values()) {
            try {
                if (!e.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) e.destroyForcibly().waitFor();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (network != null) network.close();
    }
}
