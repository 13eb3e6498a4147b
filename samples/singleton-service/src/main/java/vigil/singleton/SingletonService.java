package vigil.singleton;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import vigil.api.Cluster;
import vigil.api.ClusterEvent;
import vigil.api.VigilException;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.raft.admin.TokenAuth;
import vigil.raft.runtime.ClusterNode;
import vigil.raft.tls.NodeTls;

/**
 * A small service embedding Vigil: three copies of this program form a cluster, and the cluster keeps the
 * {@link TickScheduler} active on exactly one of them.
 *
 * <pre>
 * java vigil.singleton.SingletonService --id n1 --peers n1=127.0.0.1:7001,n2=127.0.0.2:7001,n3=127.0.0.3:7001 \
 *     --data /var/lib/ticker --token-file /etc/ticker/token --ticks /var/log/ticks.log [--interval 200ms]
 * </pre>
 */
public final class SingletonService {
    /** The resource the cluster runs: a Java service registered under this name. */
    static final String RESOURCE = "ticker";

    private SingletonService() {}

    public static void main(String[] args) throws InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger(); // gRPC logs through java.util.logging: one log, one format
        SLF4JBridgeHandler.install();
        Map<String, String> opts;
        try {
            opts = options(args);
        } catch (IllegalArgumentException e) {
            System.err.println("singleton-service: " + e.getMessage());
            System.exit(2);
            return;
        }
        String id = opts.get("id");
        List<Node> peers = new ArrayList<>();
        for (String p : opts.get("peers").split(",")) {
            String[] kv = p.split("=", 2);
            peers.add(Node.member(kv[0], kv[1]));
        }
        Duration interval = vigil.api.model.Durations.parse("--interval", opts.getOrDefault("interval", "200ms"));
        TickScheduler ticker = new TickScheduler(id, Path.of(opts.get("ticks")), interval, InstantSource.system());
        ClusterNode node;
        try {
            ClusterNode.Builder b = ClusterNode.builder();
            // mutual TLS with this node's certificate (vigil certs issue makes one); --insecure only for a lab
            if (opts.containsKey("pki")) b.tls(NodeTls.load(Path.of(opts.get("pki")))); else if (opts.containsKey("insecure")) b.insecure();
            node = b.id(id).peers(peers).dataDir(Path.of(opts.get("data"))).clusterName("singleton")
                    .token(TokenAuth.readTokenFile(Path.of(opts.get("token-file")))).service(RESOURCE, ticker).start();
        } catch (VigilException e) {
            System.err.println("singleton-service: " + e.getMessage());
            System.exit(1);
            return;
        }
        Cluster cluster = node.cluster();
        cluster.subscribe(e -> {
            if (e instanceof ClusterEvent.ResourceActive a && a.resource().equals(RESOURCE)) System.out.println(id + ": ticker is active on " + a.node());
            if (e instanceof ClusterEvent.LeaderChanged l) System.out.println(id + ": leader is " + l.leader() + " (term " + l.term() + ")");
            if (e instanceof ClusterEvent.Fenced f) System.out.println(id + ": " + f.fence().target() + " fenced: " + (f.fence().success() ? "ok" : "failed"));
        });
        ensureConfigured(cluster);
        System.out.println("READY " + id);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    /**
     * Adds the ticker resource unless some node already did. Fencing is off: the ticker only appends to a file, and
     * a node that loses the cluster stops it itself (no-quorum-policy=stop); a service writing shared data would
     * configure a fence device instead.
     */
    static void ensureConfigured(Cluster cluster) throws InterruptedException {
        while (true) {
            try {
                cluster.updateConfig(c -> c.resource(RESOURCE).isPresent() ? c : c.toBuilder()
                        .properties(c.properties().toBuilder().stonithEnabled(false).build())
                        .resource(Primitive.builder(RESOURCE, "java:" + RESOURCE).monitor(Duration.ofSeconds(1), Duration.ofSeconds(5)).build())
                        .build());
                return;
            } catch (VigilException e) {
                Thread.sleep(300);
            }
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("expected --option value, got " + args[i]);
            m.put(args[i].substring(2), args[++i]);
        }
        for (String required : List.of("id", "peers", "data", "token-file", "ticks")) {
            if (!m.containsKey(required)) throw new IllegalArgumentException("missing --" + required);
        }
        return m;
    }

}
