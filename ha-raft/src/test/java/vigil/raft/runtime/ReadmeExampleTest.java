package vigil.raft.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import vigil.raft.tls.NodeTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ManagedService;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;

/** Keeps the README's embedding example honest: the same lines, compiled and run on a one-node cluster. */
class ReadmeExampleTest {

    static final class Ticker implements ManagedService {
        final AtomicBoolean running = new AtomicBoolean();

        @Override public void start() { running.set(true); }
        @Override public void stop() { running.set(false); }
        @Override public boolean isRunning() { return running.get(); }
    }

    @Test
    void readmeExample_startsTheServiceOnTheOnlyNode(@TempDir Path dir) {
        String token = "readme-example-token";
        Ticker ticker = new Ticker();
        // what 'vigil init' makes on the first host (the cluster CA and this node's certificate)
        vigil.raft.tls.ClusterCa.create("scheduler", java.util.UUID.randomUUID()).issueNode("node1", List.of("127.0.0.1")).save(dir.resolve("pki"));
        // --- README example, adapted only in addresses and data dir ---
        ClusterNode node = ClusterNode.builder()
                .id("node1").clusterName("scheduler").token(token)
                .tls(NodeTls.load(dir.resolve("pki")))          // this node's certificate of the cluster CA: mutual TLS on every port
                .peers(List.of(Node.member("node1", "127.0.0.1:" + FreePorts.base(2, "127.0.0.1"))))
                .dataDir(dir.resolve("vigil"))
                .service("ticker", ticker)                      // ManagedService: start / stop / isRunning
                .start();
        node.cluster().updateConfig(c -> c.toBuilder()
                .properties(c.properties().toBuilder().stonithEnabled(false).build()) // no fence device: see below
                .replaceResource(Primitive.builder("ticker", "java:ticker").monitor(Duration.ofSeconds(2), Duration.ofSeconds(5)).build())
                .build());
        node.cluster().subscribe(event -> System.out.println(event));
        // ---
        try (node) {
            Await.until(Duration.ofSeconds(30), "ticker started", ticker::isRunning);
            // the service runs as soon as its start callback returned; the cluster records it once the result commits
            Await.until(Duration.ofSeconds(10), "ticker recorded active on node1",
                    () -> node.cluster().status().activeNodes("ticker").contains("node1"));
            assertTrue(ticker.isRunning());
        }
    }
}
