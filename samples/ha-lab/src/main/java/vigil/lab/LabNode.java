package vigil.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import vigil.api.ManagedService;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.daemon.logging.Logging;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.runtime.ClusterNode;
import vigil.raft.tls.NodeTls;

/**
 * One node of a local lab cluster, as its own JVM process: a {@link ClusterNode} hosting the {@code ticker} Java
 * service (a singleton job that appends a tick per 100 ms to a file while it runs), OCF agents and the fencing
 * adapters. It writes its pid file, records every start / stop in its ledger, and exits on SIGTERM.
 *
 * <p>Arguments: {@code --id ID --peers id=host:port[/witness],... --dir DIR --token-file F --cluster NAME (--pki DIR | --insecure)}
 */
public final class LabNode {
    private LabNode() {}

    /** A singleton job: while it runs, it appends {@code <node> <epoch ms>} to a ticks file ten times a second. */
    static final class Ticker implements ManagedService {
        private final String node;
        private final Path ticks;
        private volatile Thread worker;

        Ticker(String node, Path ticks) {
            this.node = node;
            this.ticks = ticks;
        }

        @Override
        public synchronized void start() {
            if (worker != null) return;
            Thread t = new Thread(this::tick, "ticker");
            t.setDaemon(true);
            worker = t;
            t.start();
        }

        private void tick() {
            while (worker == Thread.currentThread()) {
                try {
                    Files.writeString(ticks, node + " " + System.currentTimeMillis() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        @Override
        public synchronized void stop() throws InterruptedException {
            Thread t = worker;
            worker = null;
            if (t != null) {
                t.interrupt();
                t.join(2000);
            }
        }

        @Override
        public boolean isRunning() { return worker != null; }
    }

    public static void main(String[] args) throws Exception {
        Logging.init("INFO");
        Map<String, String> a = Args.parse(args, List.of("id", "peers", "dir", "token-file", "cluster"));
        String id = a.get("id");
        Logging.node(id);
        Path dir = Path.of(a.get("dir"));
        Files.createDirectories(dir);
        List<Node> peers = parsePeers(a.get("peers"));
        Files.writeString(dir.resolve("pid"), Long.toString(ProcessHandle.current().pid()));
        ClusterNode.Builder b = ClusterNode.builder();
        if (a.containsKey("pki")) b.tls(NodeTls.load(Path.of(a.get("pki")))); else if (a.containsKey("insecure")) b.insecure();
        ClusterNode node = b.id(id).peers(peers).dataDir(dir.resolve("data")).clusterName(a.get("cluster"))
                .token(TokenAuth.readTokenFile(Path.of(a.get("token-file"))))
                .ledger(dir.resolve("ledger"))
                // storage fault tests want snapshots and closed log segments after a few dozen changes
                .snapshotThreshold(Long.getLong("vigil.lab.snapshot-threshold", 10_000))
                .logSegmentSize(Long.getLong("vigil.lab.segment-size", 8L << 20))
                .service("ticker", new Ticker(id, dir.getParent().resolve("ticks")))
                .start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            done.countDown();
        }, "shutdown"));
        System.out.println(Instant.now() + " " + id + " started");
        done.await();
    }

    /** {@code n1=127.0.0.1:7100,n2=127.0.0.2:7100,w=127.0.0.3:7100/witness}; the API port is the Raft port + 1. */
    static List<Node> parsePeers(String spec) {
        List<Node> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            String addr = kv[1];
            NodeRole role = NodeRole.MEMBER;
            if (addr.endsWith("/witness")) {
                role = NodeRole.WITNESS;
                addr = addr.substring(0, addr.length() - "/witness".length());
            }
            out.add(new Node(kv[0], addr, role, Map.of()));
        }
        return out;
    }

    static String apiAddress(Node n) { return AgentAddresses.of(n); }

    static Duration ms(long v) { return Duration.ofMillis(v); }
}
