package org.example.ticker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.raft.runtime.ClusterNode;
import vigil.raft.tls.NodeTls;

/**
 * Three copies of this program, one per host, keep one {@link Ticker} running on exactly one of them. Run it in a
 * directory that holds {@code pki/} (this node's certificate of the cluster CA, as {@code vigil certs issue} writes it)
 * and {@code token} (the admin token every node shares):
 *
 * <pre>java -cp ... org.example.ticker.TickerService node1</pre>
 */
public final class TickerService {
    private TickerService() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TickerService NODE_ID   (node1, node2 or node3)");
            System.exit(2);
        }
        String id = args[0];
        String token = Files.readString(Path.of("token")).trim();
        Ticker ticker = new Ticker(id);
        // --- README example: only this node's id, the addresses (loopback) and the directories differ
        ClusterNode node = ClusterNode.builder()
                .id(id).clusterName("scheduler").token(token)
                .tls(NodeTls.load(Path.of("pki")))   // this node's certificate of the cluster CA: mutual TLS on every port
                .peers(List.of(Node.member("node1", "127.0.0.1:9870"), Node.member("node2", "127.0.0.2:9870"),
                               Node.member("node3", "127.0.0.3:9870")))
                .dataDir(Path.of("data"))
                .service("ticker", ticker)                      // ManagedService: start / stop / isRunning
                .start();
        node.cluster().updateConfig(c -> c.toBuilder()
                .properties(c.properties().toBuilder().stonithEnabled(false).build()) // no fence device: see below
                .replaceResource(Primitive.builder("ticker", "java:ticker").monitor(Duration.ofSeconds(2), Duration.ofSeconds(5)).build())
                .build());
        node.cluster().subscribe(event -> System.out.println(event));
        // ---
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
        Thread.currentThread().join();
    }
}
