package vigil.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.engine.executor.Ledger;

/** The workload the demo, the benchmark and the fault-injection runs share, and small questions about its state. */
final class LabScenario {
    static final String TICKER = "ticker";
    static final String DUMMY = "dummy";
    static final Path DUMMY_AGENT = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");

    private LabScenario() {}

    static boolean dummyAvailable() { return Files.isExecutable(DUMMY_AGENT); }

    /** The ticker (a Java singleton service), and an OCF Dummy where Debian's resource-agents is installed. */
    static ClusterConfig workload(boolean withDummy, Duration nodeTimeout) {
        ClusterConfig.Builder b = ClusterConfig.builder()
                // stickiness, as most real clusters set it: a recovered node does not pull resources back
                .properties(ClusterProperties.builder().nodeTimeout(nodeTimeout).defaultStickiness(Score.of(100)).build())
                .resource(Primitive.builder(TICKER, "java:ticker").monitor(Duration.ofSeconds(1), Duration.ofSeconds(5)).build());
        if (withDummy) b.resource(Primitive.builder(DUMMY, "ocf:heartbeat:Dummy").monitor(Duration.ofSeconds(2), Duration.ofSeconds(10)).build());
        return b.build();
    }

    static Optional<String> runningOn(ClusterState s, String resource) {
        List<String> on = s.activeNodes(resource);
        return on.size() == 1 ? Optional.of(on.get(0)) : Optional.empty();
    }

    /** Every configured primitive runs (its start done) on exactly one online node, every member is online. */
    static boolean settled(ClusterState s, List<Node> nodes) {
        for (Node n : nodes) if (s.node(n.id()).membership() != Membership.ONLINE) return false;
        return s.config().primitives().allMatch(p -> {
            List<String> on = s.activeNodes(p.id());
            return on.size() == 1 && s.resource(p.id(), on.get(0)).role() == Role.STARTED && !s.resource(p.id(), on.get(0)).pending();
        });
    }

    /** When {@code resource}'s start (or migrate_from) ended successfully on {@code node} after {@code after}. */
    static Optional<Instant> startedAt(List<Ledger.Entry> ledger, String resource, String node, Instant after) {
        long a = LocalCluster.nanos(after);
        return ledger.stream()
                .filter(e -> e.resource().equals(resource) && e.node().equals(node) && !e.isBegin() && e.rc() == 0
                        && (e.action().equals("start") || e.action().equals("migrate_from")) && e.epochNanos() > a)
                .map(e -> Instant.ofEpochSecond(0, e.epochNanos())).min(Instant::compareTo);
    }

    static String ms(Duration d) { return String.format(java.util.Locale.ROOT, "%.0f", d.toNanos() / 1e6); }

    static Path labDir(String prefix) {
        try {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> nodeJavaOptions() {
        // several JVMs share two cores: small heaps, the client compiler, one GC thread
        return List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
    }
}
