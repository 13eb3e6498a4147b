package vigil.daemon;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.daemon.cli.CliContext;
import vigil.daemon.cli.UsageException;
import vigil.daemon.config.ConfigYaml;
import vigil.daemon.config.NodeConfig;
import vigil.daemon.logging.Logging;
import vigil.daemon.web.ClusterMeters;
import vigil.daemon.web.JvmMeters;
import vigil.daemon.web.StatusServer;
import vigil.raft.admin.AdminServer;
import vigil.raft.admin.TokenAuth;
import vigil.raft.tls.NodeTls;

/**
 * {@code vigil daemon --config FILE}: starts this node ({@link NodeRuntime}), then serves the admin API, the status
 * page and /metrics for it, until the process is told to stop (SIGTERM / SIGINT), when everything is closed in
 * reverse order.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    /** How long a stopping node waits for the cluster to move what runs on it (Pacemaker's shutdown-escalation default). */
    static final java.time.Duration STOP_TIMEOUT = vigil.raft.runtime.ClusterNode.STOP_TIMEOUT;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final NodeRuntime runtime;
    private final AdminServer admin;
    private final StatusServer web;
    private final NodeConfig config;

    private Daemon(NodeConfig config, NodeRuntimeFactory factory) {
        this.config = config;
        warnAboutUmask();
        String token = TokenAuth.readTokenFile(config.tokenFile());
        ClusterConfig bootstrap = config.clusterFile() == null || !Files.exists(config.clusterFile()) ? null : ConfigYaml.read(config.clusterFile());
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            runtime = factory.start(config, bootstrap, meters);
            open.add(runtime);
            if (runtime.servesAdminApi()) {
                admin = null;
            } else {
                String[] a = hostPort(config.self().admin());
                admin = AdminServer.start(runtime.cluster(), a[0], Integer.parseInt(a[1]), token,
                        config.insecure() ? null : NodeTls.load(config.pkiDir()));
                open.add(admin);
            }
            open.add(JvmMeters.bind(meters));
            open.add(ClusterMeters.bind(runtime.cluster(), runtime::localView, meters));
            if (config.http().isEmpty()) {
                web = null;
            } else {
                String[] h = hostPort(config.http());
                // HTTPS with the node's certificate (it follows rotation); plain HTTP only on an insecure lab node
                NodeTls tls = config.insecure() ? null : runtime.tls() != null ? runtime.tls() : NodeTls.load(config.pkiDir());
                web = StatusServer.start(new StatusServer.Sources(runtime.cluster(), runtime::localView, meters::scrape,
                        StatusServer.secretEquals(token)), h[0], Integer.parseInt(h[1]), tls == null ? null : tls.serverSslContext());
                open.add(web);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Vigil creates its own files owner-only, but Ratis creates its log files with the process's umask: a umask that
     * lets others read them is reported (the data dir itself is 0700, so they are still out of others' reach).
     */
    private static void warnAboutUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (!line.startsWith("Umask:")) continue;
                int umask = Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
                if ((umask & 077) != 077) {
                    LOG.warn("umask {} lets other users read files the Raft log creates; start the daemon with umask 077 (bin/vigil and "
                            + "the systemd unit's UMask=0077 do)", String.format("%04o", umask));
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux, or no /proc: nothing to check
        }
    }

    /** Starts the node and its servers with the node runtime found on the classpath. */
    public static Daemon start(NodeConfig config) { return new Daemon(config, factory()); }

    public static Daemon start(NodeConfig config, NodeRuntimeFactory factory) { return new Daemon(config, factory); }

    static NodeRuntimeFactory factory() {
        Iterator<NodeRuntimeFactory> it = ServiceLoader.load(NodeRuntimeFactory.class).iterator();
        if (!it.hasNext()) {
            throw new VigilException("this build has no node runtime (no vigil.daemon.NodeRuntimeFactory service on the classpath); "
                    + "build the full distribution (samples/ha-daemon) with the ha-raft node runtime");
        }
        return it.next();
    }

    static String[] hostPort(String hp) {
        int colon = hp.lastIndexOf(':');
        return new String[] {hp.substring(0, colon), hp.substring(colon + 1)};
    }

    public NodeRuntime runtime() { return runtime; }

    public int adminPort() { return admin == null ? Integer.parseInt(hostPort(config.self().admin())[1]) : admin.port(); }

    public int httpPort() { return web == null ? -1 : web.port(); }

    /**
     * {@code vigil daemon --config FILE}: runs this node until SIGTERM / SIGINT. A witness may serve several clusters
     * from one process (like corosync-qnetd): {@code --config} once per cluster, each the node.yaml its join wrote.
     */
    @Command(name = "daemon", description = "Run this node (member or witness) from its node config until SIGTERM or SIGINT; "
            + "a witness serves several clusters with one --config per cluster.")
    static final class Run implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE",
                description = "the node config (see vigil init); repeat it to run one witness for several clusters")
        List<Path> files;

        @Override
        public Integer call() {
            List<NodeConfig> configs = files.stream().map(NodeConfig::read).toList();
            checkSeveral(configs);
            Logging.node(configs.size() == 1 ? configs.get(0).node()
                    : configs.stream().map(c -> c.node() + "@" + c.cluster().name()).distinct().collect(java.util.stream.Collectors.joining(",")));
            List<Daemon> daemons = new java.util.concurrent.CopyOnWriteArrayList<>();
            try {
                for (NodeConfig c : configs) daemons.add(start(c));
            } catch (RuntimeException e) {
                daemons.forEach(Daemon::close);
                throw e;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean shuttingDown = new java.util.concurrent.atomic.AtomicBoolean();
            // SIGTERM (systemctl stop): leave the cluster cleanly, then close; 'vigil node stop' for this node ends the same way
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shuttingDown.set(true);
                daemons.forEach(Daemon::stop);
                stopped.countDown();
            }, "vigil-shutdown"));
            java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(daemons.size());
            for (int i = 0; i < daemons.size(); i++) whenStopped(daemons, i, configs.get(i), running, stopped, shuttingDown);
            PrintStream out = CliContext.of(spec).out();
            for (NodeConfig config : configs) {
                out.println("vigil: node " + config.node() + " (" + config.role().name().toLowerCase(java.util.Locale.ROOT) + ")"
                        + (configs.size() == 1 ? "" : " of cluster " + config.cluster().name()) + " running; admin API on "
                        + config.self().admin() + (config.http().isEmpty() ? "" : ", status page on " + (config.insecure() ? "http" : "https") + "://" + config.http() + "/")
                        + (config.insecure() ? "; WARNING: INSECURE (insecure: true): no TLS on any port" : "; mutual TLS on every port"));
            }
            out.flush();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        /**
         * When daemon {@code i} stops: if its node asked to start again (two-node mode: now the only voter, or to be
         * admitted by its peer), starts it
         * again from its config; else counts it as stopped (the process ends when all are).
         */
        private static void whenStopped(List<Daemon> daemons, int i, NodeConfig config, java.util.concurrent.atomic.AtomicInteger running,
                                        CountDownLatch stopped, java.util.concurrent.atomic.AtomicBoolean shuttingDown) {
            Daemon d = daemons.get(i);
            d.runtime().stopped().thenRun(() -> {
                if (d.runtime().restartRequested() && !shuttingDown.get()) {
                    d.close();
                    LOG.warn("{}: starting again (two-node mode)", config.node());
                    try {
                        daemons.set(i, start(config));
                        whenStopped(daemons, i, config, running, stopped, shuttingDown);
                        return;
                    } catch (RuntimeException e) {
                        LOG.error("{}: could not start again: {}", config.node(), e.toString());
                    }
                }
                if (daemons.size() > 1) {
                    // one cluster's node stopped ('vigil node stop'): its status page and meters go with it, the others serve on
                    d.close();
                    LOG.info("{} of cluster {} stopped; this process goes on serving the other clusters", config.node(), config.cluster().name());
                }
                if (running.decrementAndGet() == 0) stopped.countDown();
            });
        }

        /** Several configs: only witnesses, each of another cluster, on addresses of their own. */
        private void checkSeveral(List<NodeConfig> configs) {
            if (configs.size() < 2) return;
            java.util.Set<java.util.UUID> clusters = new java.util.HashSet<>();
            java.util.Set<String> addresses = new java.util.HashSet<>();
            for (int i = 0; i < configs.size(); i++) {
                NodeConfig c = configs.get(i);
                if (c.role() != vigil.api.model.NodeRole.WITNESS) {
                    throw new UsageException("--config: " + files.get(i) + " is the config of member " + c.node() + "; only a witness may serve "
                            + "several clusters from one process (run one daemon per member config)");
                }
                if (!clusters.add(c.cluster().id())) {
                    throw new UsageException("--config: " + files.get(i) + " is a second config for cluster " + c.cluster().name()
                            + " (" + c.cluster().id() + "); give each cluster's node.yaml once");
                }
                for (String a : java.util.stream.Stream.of(c.self().raft(), c.self().admin(), c.http()).filter(a -> !a.isEmpty()).toList()) {
                    if (!addresses.add(a)) {
                        throw new UsageException("--config: " + files.get(i) + " uses " + a + ", which another config given uses too; "
                                + "join each cluster with its own --raft, --admin and --http ports");
                    }
                }
            }
        }
    }

    /** Leaves the cluster cleanly (see {@link NodeRuntime#leave}), then closes everything; once. */
    public synchronized void stop() {
        if (open.isEmpty()) return;
        LOG.info("{}: stopping", config.node());
        runtime.leave(STOP_TIMEOUT);
        close();
    }

    @Override
    public synchronized void close() {
        List<AutoCloseable> reverse = new ArrayList<>(open);
        Collections.reverse(reverse);
        open.clear();
        for (AutoCloseable c : reverse) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", c.getClass().getSimpleName(), e);
            }
        }
    }
}
