package vigil.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.engine.executor.Ledger;

/** The workload the demo, the benchmark and the fault-injection runs share, and small questions about its state. */
final class LabScenario {
    static final String TICKER = "ticker";
    /** A promotable Java service (promoted-max 1) of the fault-injection workload. */
    static final String PROMOTABLE = "keeper";
    /** A cloned Java service of the fault-injection workload. */
    static final String CLONE = "beacon";
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

    /**
     * The fault-injection workload: {@link #workload}, plus a promotable Java service ({@code keeper}, promoted-max 1)
     * and a cloned one ({@code beacon}), each on all members but one, so that a lost node's instance moves. A Java
     * service reports no promotion score, so {@code keeper} gets its promotion scores from role-Promoted locations
     * (equal on every member), as a Pacemaker agent without master scores does.
     */
    static ClusterConfig chaosWorkload(boolean withDummy, Duration nodeTimeout, List<String> members) {
        String instances = Integer.toString(Math.max(1, members.size() - 1));
        Primitive keeper = Primitive.builder(PROMOTABLE, "java:" + PROMOTABLE)
                .operation(new Operation("monitor", Duration.ofMillis(1500), Duration.ofSeconds(5), null, Role.UNPROMOTED))
                .operation(new Operation("monitor", Duration.ofSeconds(1), Duration.ofSeconds(5), null, Role.PROMOTED))
                .build();
        Primitive beacon = Primitive.builder(CLONE, "java:" + CLONE).monitor(Duration.ofSeconds(1), Duration.ofSeconds(5)).build();
        String keeperClone = PROMOTABLE + "-clone";
        ClusterConfig.Builder b = workload(withDummy, nodeTimeout).toBuilder()
                .resource(new Clone(keeperClone, keeper, Meta.of(Map.of(Meta.PROMOTED_MAX, "1", Meta.CLONE_MAX, instances)), true))
                .resource(new Clone(CLONE + "-clone", beacon, Meta.of(Map.of(Meta.CLONE_MAX, instances)), false));
        for (String n : members) {
            b.constraint(new Constraint.Location(keeperClone + "-promotable-on-" + n, keeperClone, n, Score.of(10), Role.PROMOTED, null));
        }
        return b.build();
    }

    /** The primitives of {@code config} whose services leave evidence (the lab's Java services). */
    static Set<String> evidenced(ClusterConfig config) {
        Set<String> out = new TreeSet<>();
        config.primitives().filter(p -> p.type().equals("java:" + p.id()) && List.of(TICKER, PROMOTABLE, CLONE).contains(p.id()))
                .forEach(p -> out.add(p.id()));
        return out;
    }

    static Optional<String> runningOn(ClusterState s, String resource) {
        List<String> on = s.activeNodes(resource);
        return on.size() == 1 ? Optional.of(on.get(0)) : Optional.empty();
    }

    /**
     * Every member is online; every configured primitive runs (its start done) on exactly one node; every clone on
     * clone-max nodes (default: every member), a promotable one promoted on promoted-max of them.
     */
    static boolean settled(ClusterState s, List<Node> nodes) {
        for (Node n : nodes) if (s.node(n.id()).membership() != Membership.ONLINE) return false;
        int members = (int) nodes.stream().filter(n -> n.role() == NodeRole.MEMBER).count();
        for (Resource r : s.config().resources()) {
            for (Primitive p : r.primitives()) {
                List<String> on = s.activeNodes(p.id());
                if (on.stream().anyMatch(n -> s.resource(p.id(), n).pending())) return false;
                if (!(r instanceof Clone c)) {
                    if (on.size() != 1 || s.resource(p.id(), on.get(0)).role() != Role.STARTED) return false;
                    continue;
                }
                int want = Math.min(c.meta().cloneMax().orElse(members), members);
                if (on.size() != want) return false;
                long promoted = on.stream().filter(n -> s.resource(p.id(), n).role() == Role.PROMOTED).count();
                if (c.promotable() && promoted != Math.min(c.meta().promotedMax(), want)) return false;
            }
        }
        return true;
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
