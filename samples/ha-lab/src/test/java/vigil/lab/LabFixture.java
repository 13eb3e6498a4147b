package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.executor.Ledger;
import vigil.raft.admin.AdminClient;
import vigil.raft.agent.AgentAddresses;
import vigil.testkit.LabDir;

/**
 * A three-node lab cluster of separate processes shared by the scenarios of one IT class, with the questions those
 * scenarios ask of its status and ledgers. Deadlines are generous: several JVMs share two loaded cores.
 */
final class LabFixture implements AutoCloseable {
    // 2 s rather than the 1 s default: several JVMs share two loaded cores, and a node that stalls for node-timeout
    // is (rightly) fenced; the scenarios do not depend on the value
    static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
    static final Duration LONG = Duration.ofSeconds(120);
    static final Path DUMMY = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
    static final Path STATEFUL = Path.of("/usr/lib/ocf/resource.d/pacemaker/Stateful");

    final LocalCluster c;
    private boolean failed;

    private LabFixture(LocalCluster c) { this.c = c; }

    /** Starts three node processes and configures them (fencing by SIGKILL, node-timeout 1 s, stickiness 100). */
    static LabFixture start(String prefix) { return start(prefix, null, Set.of()); }

    /**
     * As {@link #start(String)}; with {@code watchdog} every node but {@code withoutWatchdog} runs with a watchdog
     * emulator and the cluster fences by watchdog only (see {@link LocalCluster#baseConfig}).
     */
    static LabFixture start(String prefix, Duration watchdog, Set<String> withoutWatchdog) {
        LocalCluster c = LocalCluster.builder(LabDir.create(prefix)).javaOptions(LabScenario.nodeJavaOptions()).watchdog(watchdog, withoutWatchdog).start();
        LabFixture f = new LabFixture(c);
        try {
            c.admin().applyConfig(c.baseConfig(ClusterConfig.builder()
                    .properties(ClusterProperties.builder().nodeTimeout(NODE_TIMEOUT).defaultStickiness(Score.of(100)).build()).build()));
            f.await("every node online", s -> c.members().stream().allMatch(n -> s.node(n).membership() == Membership.ONLINE));
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return f;
    }

    static Primitive dummy(String id) {
        return Primitive.builder(id, "ocf:heartbeat:Dummy").monitor(Duration.ofSeconds(2), Duration.ofSeconds(20)).build();
    }

    /** The status once {@code condition} holds (deadline {@link #LONG}). */
    ClusterState await(String what, Predicate<ClusterState> condition) {
        return c.awaitValue(LONG, what, () -> c.status().filter(condition));
    }

    void add(Resource... resources) {
        c.admin().updateConfig(cfg -> {
            ClusterConfig.Builder b = cfg.toBuilder();
            for (Resource r : resources) b.replaceResource(r);
            return b.build();
        });
    }

    /** Sets target-role Stopped on {@code resource} and waits until none of its primitives is active anywhere. */
    void disable(String resource) {
        c.admin().disable(resource);
        await(resource + " stopped everywhere", s -> s.config().resource(resource).orElseThrow().primitives().stream()
                .allMatch(p -> s.activeNodes(p.id()).isEmpty()));
    }

    String runningOn(String primitive) {
        return await(primitive + " running on one online node", s -> s.activeNodes(primitive).size() == 1
                && s.node(s.activeNodes(primitive).get(0)).isOnline()).activeNodes(primitive).get(0);
    }

    /** Restarts a dead node (as a rebooted host) and waits until every member is online again. */
    void restart(String node) {
        c.await(Duration.ofSeconds(30), node + " to be gone", () -> !c.isAlive(node));
        c.launch(node);
        awaitAllOnline();
    }

    /** Undoes what a failed scenario may have left: resumes paused nodes, restarts dead ones, waits for every member. */
    void heal() {
        c.members().forEach(c::resume);
        c.restartDead();
        awaitAllOnline();
    }

    /**
     * The status as {@code node}'s peers see it, asking only them (a paused node would hold a call until its deadline),
     * once {@code condition} holds.
     */
    ClusterState awaitWithout(String node, String what, Predicate<ClusterState> condition) {
        List<String> others = c.nodes().stream().filter(n -> !n.id().equals(node)).map(AgentAddresses::of).toList();
        try (AdminClient peers = AdminClient.connect(others, c.adminCredentials(), Duration.ofSeconds(2))) {
            return c.awaitValue(LONG, what, () -> {
                try {
                    return Optional.of(peers.status()).filter(condition);
                } catch (RuntimeException noLeaderYet) {
                    return Optional.empty();
                }
            });
        }
    }

    /**
     * Waits until every member is online, restarting any node process that is gone meanwhile: the cluster may fence
     * a node that answered late (e.g. one of two resumed at once), and a fenced host reboots.
     */
    ClusterState awaitAllOnline() {
        return await("every member online", s -> {
            c.restartDead();
            return !s.leader().isEmpty() && c.members().stream().allMatch(n -> s.node(n).membership() == Membership.ONLINE);
        });
    }

    /** The confirmed fence of {@code node} at or after {@code after}. */
    FenceEvent awaitFence(String node, Instant after) {
        return c.awaitValue(LONG, "a confirmed fence of " + node, () -> c.status().flatMap(s -> s.fenceHistory().stream()
                .filter(e -> e.target().equals(node) && e.success() && !e.at().isBefore(after)).findFirst()));
    }

    /** Ledger lines of {@code key} (a primitive id, or {@code id:0} for a clone instance), in time order. */
    List<Ledger.Entry> ledger(String key) {
        return c.ledger().stream().filter(e -> e.resource().equals(key)).sorted(Comparator.comparingLong(Ledger.Entry::epochNanos)).toList();
    }

    static Optional<Ledger.Entry> first(List<Ledger.Entry> entries, String node, String action, String phase, Instant after) {
        long a = LocalCluster.nanos(after);
        return entries.stream().filter(e -> e.node().equals(node) && e.action().equals(action) && e.phase().equals(phase) && e.epochNanos() > a)
                .findFirst();
    }

    Ledger.Entry awaitLedger(String key, String node, String action, String phase, Instant after) {
        return c.awaitValue(LONG, key + " " + action + " " + phase + " on " + node + " in the ledger",
                () -> first(ledger(key), node, action, phase, after));
    }

    /**
     * The activity checker finds nothing: over every ledger, the lab services' evidence and the node deaths the harness
     * caused or saw (never the cluster's fence records), no resource was active on more nodes than it may be.
     */
    void assertNoDoubleActivity() {
        ClusterState s = await("a status", x -> true);
        // the evidence before the ledger (see the chaos checker): a start between the two reads must not look unrecorded
        List<Evidence.Activation> activations = new Evidence.Reader(c.evidenceDir()).activations();
        List<ActivityChecker.Violation> v = ActivityChecker.check(c.ledger(), activations, c.deaths(),
                ActivityChecker.limits(s.config(), p -> false), LabScenario.evidenced(s.config()));
        assertEquals(List.of(), v, "no resource may be active on more nodes than it may be (logs in " + c.dir() + ")");
    }

    static Instant at(Ledger.Entry e) { return Instant.ofEpochSecond(0, e.epochNanos()); }

    static void assertBefore(Instant first, Instant then, String what) {
        assertTrue(first.isBefore(then), what + ": expected " + first + " before " + then);
    }

    void failed() { failed = true; }

    @Override
    public void close() {
        c.close();
        if (failed) {
            System.err.println("lab cluster kept for inspection in " + c.dir());
            return;
        }
        // a node process that is still exiting removes its own pid file meanwhile: walk again when a file vanished
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> s = Files.walk(c.dir())) {
                List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
                for (Path p : all) Files.deleteIfExists(p);
                return;
            } catch (IOException | UncheckedIOException e) {
                boolean vanished = e instanceof java.nio.file.NoSuchFileException || e.getCause() instanceof java.nio.file.NoSuchFileException;
                if (!vanished || attempt >= 5) throw e instanceof UncheckedIOException u ? u : new UncheckedIOException((IOException) e);
            }
        }
    }
}
