package vigil.lab.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import vigil.api.status.ClusterState;
import vigil.raft.admin.AdminClient;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;

/**
 * Hosts on 127.0.0.1, .2, ... each running {@code bin/vigil daemon} as its own process, set up and administered only
 * with {@code bin/vigil} commands and YAML files, as samples/ha-daemon/README.md tells an operator. Each host has its own
 * configuration directory (its {@code /etc/vigil}: node.yaml, token, data) and its own HA_RSCTMP, so an OCF Dummy's
 * state file marks it running on that host only. Host i serves Raft on P, the admin API on P+1 and the status page on
 * P+2 of 127.0.0.i. The cluster token is read from host 1's token file; the admin client is only used to observe.
 */
final class VigilHosts implements AutoCloseable {
    static final Path ROOT = repositoryRoot();
    static final Path VIGIL = ROOT.resolve("bin/vigil");

    final Path dir = LabDir.create("vo");
    final int port = FreePorts.base(3, "127.0.0.1", "127.0.0.2", "127.0.0.3");
    private final Map<String, Process> daemons = new LinkedHashMap<>();

    record Result(int code, String out, String err, Duration took) {
        @Override
        public String toString() { return "exit " + code + " after " + took.toMillis() + " ms\n--- stdout\n" + out + "--- stderr\n" + err; }
    }

    VigilHosts() {
        if (!Files.isDirectory(ROOT.resolve("samples/ha-lab/target/app/lib"))) {
            throw new IllegalStateException("bin/vigil has no build to run (samples/ha-lab/target/app/lib): run the tests through 'mvn verify'");
        }
    }

    static String ip(String node) { return "127.0.0." + node.substring(1); }

    String raft(String node) { return ip(node) + ":" + port; }

    String admin(String node) { return ip(node) + ":" + (port + 1); }

    String http(String node) { return "http://" + ip(node) + ":" + (port + 2); }

    /** A host's configuration directory (what /etc/vigil is on a real host). */
    Path etc(String node) { return dir.resolve(node); }

    Path nodeConfig(String node) { return etc(node).resolve("node.yaml"); }

    Path pidFile(String node) { return dir.resolve(node + ".pid"); }

    Path log(String node) { return dir.resolve(node + ".log"); }

    String logText(String node) {
        try {
            return Files.exists(log(node)) ? Files.readString(log(node)) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code bin/vigil ARGS} on {@code host} (its node config tells the command where the cluster is). */
    Result vigil(String host, String... args) {
        return run(host, null, args);
    }

    /** Runs {@code bin/vigil ARGS} on {@code host} with {@code stdin} as the operator's input. */
    Result run(String host, String stdin, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(VIGIL.toString());
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        environment(pb, host);
        long start = System.nanoTime();
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("vigil " + String.join(" ", args) + " did not finish within 5 minutes");
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err), Duration.ofNanos(System.nanoTime() - start));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void environment(ProcessBuilder pb, String host) {
        Map<String, String> env = pb.environment();
        env.put("VIGIL_SKIP_BUILD", "1"); // the build under test, never a rebuild in the middle of a test
        env.put("VIGIL_NODE_CONFIG", nodeConfig(host).toString());
        env.put("VIGIL_JAVA_OPTS", "-Xmx256m");
        env.remove("VIGIL_CLUSTER");
        env.remove("VIGIL_TOKEN_FILE");
    }

    /**
     * Sets up n1, n2, n3 as samples/ha-daemon/README.md says: {@code vigil init} on n1 and its daemon, {@code vigil config
     * apply -f} of {@code clusterYaml} ({@code ${dir}} stands for this lab's directory; its fence device may name the
     * hosts that join next), then for n2 and n3 a one-time token from {@code vigil token create} on n1, {@code vigil join}
     * with it and the daemon; waits until the three are Raft voters and online. No key or token is copied between hosts.
     */
    void setUp(String clusterYaml) {
        Result r = vigil("n1", "init", "--node", "n1", "--raft", raft("n1"), "--admin", admin("n1"), "--http", httpAddress("n1"), "--dir", etc("n1").toString());
        if (r.code() != 0) throw new AssertionError("init on n1: " + r);
        startDaemon("n1");
        awaitRunning("n1");
        Path clusterFile = dir.resolve("cluster.yaml");
        write(clusterFile, clusterYaml.replace("${dir}", dir.toString()));
        Result applied = vigil("n1", "config", "apply", "-f", clusterFile.toString(), "--yes");
        if (applied.code() != 0) throw new AssertionError("config apply on n1: " + applied);
        for (String n : List.of("n2", "n3")) join(n);
        awaitVoters(List.of("n1", "n2", "n3"));
    }

    /** A token from {@code vigil token create} on n1, then {@code vigil join} on {@code host} and its daemon. */
    void join(String host) {
        Result token = vigil("n1", "token", "create");
        if (token.code() != 0) throw new AssertionError("token create on n1: " + token);
        Result r = vigil(host, "join", "--node", host, "--raft", raft(host), "--admin", admin(host), "--http", httpAddress(host), "--dir", etc(host).toString(),
                "--cluster", admin("n1"), "--token", token.out().trim());
        if (r.code() != 0) throw new AssertionError("join on " + host + ": " + r);
        startDaemon(host);
        awaitRunning(host);
    }

    /** Waits until exactly {@code nodes} are the Raft voters and all of them are online. */
    void awaitVoters(List<String> nodes) {
        String[] last = {"no answer yet"};
        try {
            Await.until(Duration.ofSeconds(120), nodes + " Raft voters and online", () -> {
                try (AdminClient c = client(daemons.keySet())) {
                    var s = c.statusWithServer();
                    last[0] = "voters " + s.server().voters() + ", nodes " + s.state().nodes().values();
                    return ids(s.server().voters()).equals(new java.util.TreeSet<>(nodes)) && nodes.stream().allMatch(n -> s.state().node(n).isOnline());
                } catch (RuntimeException notYet) {
                    last[0] = notYet.toString();
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + last[0], e);
        }
    }

    /** The node ids of Raft voters as the admin API lists them ({@code id=host:port}). */
    static java.util.SortedSet<String> ids(List<String> voters) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        for (String v : voters) out.add(v.contains("=") ? v.substring(0, v.indexOf('=')) : v);
        return out;
    }

    String httpAddress(String node) { return ip(node) + ":" + (port + 2); }

    /** {@code bin/vigil daemon --config node.yaml} on {@code host}, in the background; waits until it says it runs. */
    void startDaemon(String host) {
        Process old = daemons.get(host);
        if (old != null && old.isAlive()) throw new IllegalStateException(host + " runs already");
        try {
            Path rsctmp = Files.createDirectories(etc(host).resolve("rsctmp"));
            ProcessBuilder pb = new ProcessBuilder(VIGIL.toString(), "daemon", "--config", nodeConfig(host).toString()).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(host).toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            environment(pb, host);
            pb.environment().put("HA_RSCTMP", rsctmp.toString());
            Process p = pb.start(); // bin/vigil execs java: this is the daemon's pid
            daemons.put(host, p);
            Files.writeString(pidFile(host), Long.toString(p.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitRunning(String host) {
        Await.until(Duration.ofSeconds(90), host + "'s daemon running (log " + log(host) + ")", () -> {
            if (!daemons.get(host).isAlive()) throw new AssertionError(host + "'s daemon exited:\n" + tail(host));
            return logText(host).contains("running; admin API on");
        });
    }

    boolean isRunning(String host) {
        Process p = daemons.get(host);
        return p != null && p.isAlive();
    }

    Process process(String host) { return daemons.get(host); }

    /** Sends {@code signal} (TERM, KILL, STOP, CONT) to the host's daemon. */
    void signal(String host, String signal) {
        try {
            Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(daemons.get(host).pid())).inheritIO().start();
            k.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the host's daemon to exit and returns its exit code. */
    int awaitExit(String host, Duration within) {
        try {
            Process p = daemons.get(host);
            if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(host + " still runs after " + within + ":\n" + tail(host) + "\n--- its threads\n" + threads(p));
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The threads of a running JVM (jcmd Thread.print), for a test that found it stuck. */
    static String threads(Process p) {
        try {
            Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            j.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "(jcmd failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    String tail(String host) {
        String t = logText(host);
        return t.length() > 6000 ? t.substring(t.length() - 6000) : t;
    }

    String token() {
        try {
            return Files.readString(etc("n1").resolve("token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster as any of the given hosts' admin APIs answers (for assertions only; the test acts through bin/vigil). */
    ClusterState status(String... hosts) {
        try (AdminClient c = client(List.of(hosts))) {
            return c.status();
        }
    }

    /** An admin client of the given hosts as the CLI on n1 is: the cluster token, over TLS checked against n1's CA certificate. */
    AdminClient client(java.util.Collection<String> hosts) {
        List<String> targets = new ArrayList<>();
        for (String h : hosts) if (isRunning(h)) targets.add(admin(h));
        return AdminClient.connect(targets, AdminClient.Credentials.token(token(), ClusterCa.readCertificates(etc("n1").resolve("pki").resolve(ClusterCa.CA_CERT))),
                Duration.ofSeconds(10));
    }

    ClusterState status() { return status(daemons.keySet().toArray(String[]::new)); }

    void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("bin/vigil"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("no bin/vigil above " + Path.of("").toAbsolutePath());
        return p;
    }


    @Override
    public void close() {
        for (Process p : daemons.values()) if (p.isAlive()) p.destroyForcibly();
        for (Process p : daemons.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
