package vigil.raft;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import vigil.api.VigilException;
import vigil.api.model.Node;

/**
 * Runs one Vigil node in its own JVM until SIGTERM (tests and benchmarks start clusters of these):
 * {@code NodeMain --id n1 --address 127.0.0.1:7001 --peers n1=127.0.0.1:7001,n2=... --data DIR --cluster NAME
 * --secret-file FILE [--snapshot-threshold N] [--segment-size BYTES] (--pki DIR | --insecure)}: with {@code --pki} mutual
 * TLS with the node certificate in DIR ({@code ca.crt}, {@code node.crt}, {@code node.key}). Prints {@code READY <id>}
 * once started.
 */
public final class NodeMain {
    private NodeMain() {}

    public static void main(String[] args) throws InterruptedException {
        int rc = run(args, System.out, System.err);
        if (rc != 0) System.exit(rc);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        VigilNode.Builder b = VigilNode.builder();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--insecure")) { // the one flag without a value
                    b.insecure();
                    continue;
                }
                String v = i + 1 < args.length ? args[++i] : "";
                switch (a) {
                    case "--id" -> b.id(v);
                    case "--address" -> b.address(v);
                    case "--peers" -> b.peers(parsePeers(v));
                    case "--data" -> b.dataDir(Path.of(v));
                    case "--cluster" -> b.clusterName(v);
                    case "--secret-file" -> b.secret(vigil.raft.admin.TokenAuth.readTokenFile(Path.of(v)));
                    case "--snapshot-threshold" -> b.snapshotThreshold(Long.parseLong(v));
                    case "--segment-size" -> b.logSegmentSize(Long.parseLong(v));
                    case "--node-timeout" -> b.nodeTimeout(Duration.parse(v));
                    case "--pki" -> b.tls(vigil.raft.tls.NodeTls.load(Path.of(v)));
                    default -> {
                        err.println("unknown option " + a + " (use --id --address --peers --data --cluster --secret-file --snapshot-threshold --segment-size --node-timeout --pki DIR | --insecure)");
                        return 2;
                    }
                }
            }
        } catch (NumberFormatException e) {
            err.println("invalid number: " + e.getMessage());
            return 2;
        } catch (VigilException e) {
            err.println(e.getMessage());
            return 2;
        }
        VigilNode node;
        try {
            node = b.start();
        } catch (VigilException | java.io.UncheckedIOException e) {
            err.println("cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "vigil-shutdown"));
        out.println("READY " + node.id());
        out.flush();
        stopped.await();
        return 0;
    }

    /** {@code n1=127.0.0.1:7001,n2=127.0.0.2:7001}; an id ending in {@code !} is a witness. */
    static List<Node> parsePeers(String text) {
        List<Node> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0) throw new vigil.api.ConfigException("--peers", "entry \"" + part + "\" is not id=host:port", "write n1=127.0.0.1:7001,...");
            String id = part.substring(0, eq).trim();
            String addr = part.substring(eq + 1).trim();
            out.add(id.endsWith("!") ? Node.witness(id.substring(0, id.length() - 1), addr) : Node.member(id, addr));
        }
        return out;
    }
}
