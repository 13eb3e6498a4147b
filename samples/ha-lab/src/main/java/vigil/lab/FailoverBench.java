package vigil.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;

/**
 * {@code vigil bench failover --runs N}: SIGKILL the node running the ticker, N times (every other time that node is
 * also the Raft leader), and measure the time until the ticker's start completed on another node (read from that
 * node's fsync'ed ledger), checking that the dead node's fence was confirmed before. Runs on a cluster with mutual TLS
 * (the default), then on a plaintext one, in one run. Ends with one line, TLS first:
 * {@code runs=<n> node_timeout_ms=<n> recovery_p50_ms=<x> recovery_p99_ms=<x> overhead_p50_ms=<x> overhead_p99_ms=<x>
 * plaintext_recovery_p50_ms=<x> plaintext_recovery_p99_ms=<x> plaintext_overhead_p50_ms=<x> plaintext_overhead_p99_ms=<x>}.
 */
public final class FailoverBench {
    private FailoverBench() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> a;
        int runs;
        long nodeTimeoutMs;
        try {
            a = Args.parse(args, List.of());
            runs = Args.integer(a, "runs", 20);
            nodeTimeoutMs = Args.longValue(a, "node-timeout-ms", 1000);
            if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
            if (nodeTimeoutMs < 100) throw new IllegalArgumentException("--node-timeout-ms must be at least 100");
        } catch (IllegalArgumentException e) {
            err.println("bench failover: " + e.getMessage() + " (usage: vigil bench failover [--runs N] [--node-timeout-ms MS])");
            return 2;
        }
        Duration nodeTimeout = Duration.ofMillis(nodeTimeoutMs);
        List<Double> tls = new ArrayList<>();
        List<Double> plaintext = new ArrayList<>();
        int rc = runs(true, runs, nodeTimeout, tls, out, err);
        if (rc == 0) rc = runs(false, runs, nodeTimeout, plaintext, out, err);
        if (rc != 0) return rc;
        double p50 = percentile(tls, 50);
        double p99 = percentile(tls, 99);
        double plainP50 = percentile(plaintext, 50);
        double plainP99 = percentile(plaintext, 99);
        out.printf(Locale.ROOT, "TLS / plaintext: recovery p50 %.2f, overhead p50 %.2f%n", p50 / plainP50,
                plainP50 - nodeTimeoutMs <= 0 ? 0 : (p50 - nodeTimeoutMs) / (plainP50 - nodeTimeoutMs));
        out.printf(Locale.ROOT, "runs=%d node_timeout_ms=%d recovery_p50_ms=%.1f recovery_p99_ms=%.1f overhead_p50_ms=%.1f overhead_p99_ms=%.1f "
                + "plaintext_recovery_p50_ms=%.1f plaintext_recovery_p99_ms=%.1f plaintext_overhead_p50_ms=%.1f plaintext_overhead_p99_ms=%.1f%n",
                tls.size(), nodeTimeoutMs, p50, p99, p50 - nodeTimeoutMs, p99 - nodeTimeoutMs,
                plainP50, plainP99, plainP50 - nodeTimeoutMs, plainP99 - nodeTimeoutMs);
        return 0;
    }

    /** {@code runs} kills on a new cluster, with mutual TLS or in plaintext; adds each recovery time (ms) to {@code recovery}, sorted. */
    private static int runs(boolean tls, int runs, Duration nodeTimeout, List<Double> recovery, PrintStream out, PrintStream err) {
        long nodeTimeoutMs = nodeTimeout.toMillis();
        String mode = tls ? "mutual TLS" : "plaintext";
        try (LocalCluster c = LocalCluster.start(LabScenario.labDir("vigil-bench-"), 3, 0, LabScenario.nodeJavaOptions(), false, tls)) {
            out.println("bench failover (" + mode + "): 3 node processes in " + c.dir() + ", node-timeout " + nodeTimeoutMs + " ms, " + runs + " runs");
            c.admin().applyConfig(c.baseConfig(LabScenario.workload(false, nodeTimeout)));
            for (int i = 1; i <= runs; i++) {
                ClusterState s = c.awaitValue(Duration.ofSeconds(90), "a settled cluster",
                        () -> c.status().filter(st -> LabScenario.settled(st, c.nodes())));
                if (i % 2 == 0 && !LabScenario.runningOn(s, LabScenario.TICKER).orElseThrow().equals(s.leader())) {
                    // every other run the ticker runs on the Raft leader, so that half the kills also cost an election
                    String leader = s.leader();
                    c.admin().move(LabScenario.TICKER, leader, Duration.ofMinutes(5));
                    c.await(Duration.ofSeconds(60), "the ticker on the leader", () -> c.status()
                            .filter(st -> LabScenario.settled(st, c.nodes()) && LabScenario.runningOn(st, LabScenario.TICKER).orElse("").equals(leader)).isPresent());
                    c.admin().clear(LabScenario.TICKER);
                    s = c.awaitValue(Duration.ofSeconds(90), "a settled cluster",
                            () -> c.status().filter(st -> LabScenario.settled(st, c.nodes())));
                }
                String victim = LabScenario.runningOn(s, LabScenario.TICKER).orElseThrow();
                boolean wasLeader = victim.equals(s.leader());
                Instant killed = c.kill(victim);
                String target = c.awaitValue(Duration.ofSeconds(60), "the ticker to start elsewhere",
                        () -> c.status().flatMap(st -> LabScenario.runningOn(st, LabScenario.TICKER)).filter(n -> !n.equals(victim)));
                Instant started = c.awaitValue(Duration.ofSeconds(10), "the start in the ledger",
                        () -> LabScenario.startedAt(c.ledger(), LabScenario.TICKER, target, killed));
                ClusterState after = c.status().orElseThrow();
                FenceEvent fence = after.fenceHistory().stream().filter(e -> e.target().equals(victim) && e.success()
                        && !e.at().isBefore(killed.minusMillis(5))).findFirst().orElse(null);
                if (fence == null) {
                    err.println("bench failover: run " + i + ": " + LabScenario.TICKER + " started on " + target + " without a confirmed fence of " + victim);
                    return 1;
                }
                Duration took = Duration.between(killed, started);
                recovery.add(took.toNanos() / 1e6);
                out.printf(Locale.ROOT, "%s run %d/%d: killed %s%s, fenced after %s ms, %s started on %s after %s ms%n", tls ? "TLS" : "plaintext", i, runs, victim,
                        wasLeader ? " (the leader)" : "", LabScenario.ms(Duration.between(killed, fence.at())), LabScenario.TICKER, target,
                        LabScenario.ms(took));
                c.launch(victim);
            }
        } catch (RuntimeException e) {
            err.println("bench failover (" + mode + "): " + e.getMessage());
            return 1;
        }
        recovery.sort(null);
        return 0;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
