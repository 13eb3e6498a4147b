package vigil.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.daemon.logging.Logging;
import vigil.raft.admin.TokenAuth;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.runtime.ClusterNode;
import vigil.raft.tls.NodeTls;

/**
 * One node of a local lab cluster, as its own JVM process: a {@link ClusterNode} hosting the lab's Java services
 * ({@link LabService}: the {@code ticker} singleton, the promotable {@code keeper} and the cloned {@code beacon}, each
 * leaving evidence of running in the node's evidence file), OCF agents and the fencing adapters. It writes its pid
 * file, records every start / stop in its ledger, and exits on SIGTERM.
 *
 * <p>Arguments: {@code --id ID --peers id=host:port[/witness],... --dir DIR --token-file F --cluster NAME (--pki DIR | --insecure)},
 * and optionally {@code --watchdog DEVICE} (armed and fed by the node; the harness runs a {@link WatchdogEmulator} on it) and
 * {@code --clock-offset-file F} (the node's wall clock is the system's plus the offset in F, see {@link SteppedClock}). The
 * evidence file is {@code evidence/ID} beside {@code DIR}.
 */
public final class LabNode {
    private LabNode() {}

    public static void main(String[] args) throws Exception {
        Logging.init("INFO");
        Map<String, String> a = Args.parse(args, List.of("id", "peers", "dir", "token-file", "cluster"));
        String id = a.get("id");
        Logging.node(id);
        Path dir = Path.of(a.get("dir"));
        Files.createDirectories(dir);
        List<Node> peers = parsePeers(a.get("peers"));
        Files.writeString(dir.resolve("pid"), Long.toString(ProcessHandle.current().pid()));
        Evidence.Writer evidence = new Evidence.Writer(evidenceDir(dir.getParent()).resolve(id));
        ClusterNode.Builder b = ClusterNode.builder();
        if (a.containsKey("pki")) b.tls(NodeTls.load(Path.of(a.get("pki")))); else if (a.containsKey("insecure")) b.insecure();
        b.id(id).peers(peers).dataDir(dir.resolve("data")).clusterName(a.get("cluster"))
                .token(TokenAuth.readTokenFile(Path.of(a.get("token-file"))))
                .ledger(dir.resolve("ledger"))
                // storage fault tests want snapshots and closed log segments after a few dozen changes
                .snapshotThreshold(Long.getLong("vigil.lab.snapshot-threshold", 10_000))
                .logSegmentSize(Long.getLong("vigil.lab.segment-size", 8L << 20))
                .service(LabScenario.TICKER, new LabService(LabScenario.TICKER, id, false, evidence))
                .service(LabScenario.PROMOTABLE, new LabService(LabScenario.PROMOTABLE, id, true, evidence))
                .service(LabScenario.CLONE, new LabService(LabScenario.CLONE, id, false, evidence));
        if (a.containsKey("watchdog")) b.watchdog(Path.of(a.get("watchdog")));
        if (a.containsKey("clock-offset-file")) b.clock(new SteppedClock(Path.of(a.get("clock-offset-file"))));
        AtomicReference<ClusterNode> node = new AtomicReference<>(b.start());
        AtomicBoolean shuttingDown = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown.set(true);
            node.get().close();
            done.countDown();
        }, "shutdown"));
        System.out.println(Instant.now() + " " + id + " started");
        // two-node mode: the node closes itself to start again from its data directory (as the only voter once its peer
        // is fenced, or to be admitted by its peer), as the daemon does; the services and what they run stay
        while (true) {
            ClusterNode current = node.get();
            current.stopped().join();
            if (!current.restartRequested() || shuttingDown.get()) break;
            System.out.println(Instant.now() + " " + id + " starting again (two-node mode)");
            node.set(b.start());
            if (shuttingDown.get()) node.get().close(); // the hook closed the previous node while this one started
        }
        done.await();
    }

    /** Where the nodes of the lab cluster in {@code clusterDir} leave their services' evidence, one file per node. */
    static Path evidenceDir(Path clusterDir) { return clusterDir.resolve("evidence"); }

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
