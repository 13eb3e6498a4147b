package vigil.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import vigil.api.model.ClusterProperties;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;

/**
 * {@code vigil bench false-fence --minutes N}: a 3-node cluster (separate node processes, stonith through SIGKILL of a
 * node's process) runs the lab workload for N minutes while a CPU hog keeps every core busy; nothing is killed, so every
 * fence is a spurious one: a node declared lost because it answered late. A fenced node is started again and the run
 * goes on. Ends with one line: {@code minutes=<n> spurious_fences=<n> node_timeout_ms=<n>}.
 */
public final class FalseFenceBench {
    private FalseFenceBench() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int minutes;
        long nodeTimeoutMs;
        try {
            Map<String, String> a = Args.parse(args, List.of());
            minutes = Args.integer(a, "minutes", 10);
            nodeTimeoutMs = Args.longValue(a, "node-timeout-ms", ClusterProperties.builder().build().nodeTimeout().toMillis());
            if (minutes < 1) throw new IllegalArgumentException("--minutes must be at least 1");
            if (nodeTimeoutMs < 100) throw new IllegalArgumentException("--node-timeout-ms must be at least 100");
        } catch (IllegalArgumentException e) {
            err.println("bench false-fence: " + e.getMessage() + " (usage: vigil bench false-fence [--minutes N] [--node-timeout-ms MS])");
            return 2;
        }
        Set<String> fences = new LinkedHashSet<>();
        List<Process> hogs = new ArrayList<>();
        try (LocalCluster c = LocalCluster.start(LabScenario.labDir("vigil-bench-"), 3, 0, LabScenario.nodeJavaOptions())) {
            out.println("bench false-fence: 3 node processes in " + c.dir() + ", node-timeout " + nodeTimeoutMs + " ms, " + minutes + " min under a CPU hog on "
                    + Runtime.getRuntime().availableProcessors() + " cores");
            c.admin().applyConfig(c.baseConfig(LabScenario.workload(true, Duration.ofMillis(nodeTimeoutMs))));
            c.awaitValue(Duration.ofSeconds(120), "a settled cluster", () -> c.status().filter(st -> LabScenario.settled(st, c.nodes())));
            Set<String> before = new LinkedHashSet<>();
            c.status().ifPresent(s -> s.fenceHistory().forEach(f -> before.add(key(f))));
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                hogs.add(new ProcessBuilder("sh", "-c", "while :; do :; done").redirectErrorStream(true).start());
            }
            long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
            long nextReport = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            int minute = 0;
            while (System.nanoTime() < end) {
                LocalCluster.sleep(Duration.ofSeconds(1));
                ClusterState s = c.status().orElse(null);
                if (s != null) {
                    for (FenceEvent f : s.fenceHistory()) {
                        if (!before.contains(key(f)) && fences.add(key(f))) out.println("spurious fence: " + f);
                    }
                }
                for (String n : c.restartDead()) out.println("restarted " + n + " (fenced)");
                if (System.nanoTime() >= nextReport) {
                    nextReport += Duration.ofMinutes(1).toNanos();
                    out.println("minute " + (++minute) + ": " + fences.size() + " spurious fences so far");
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            err.println("bench false-fence: " + e.getMessage());
            return 1;
        } finally {
            for (Process h : hogs) h.destroyForcibly();
        }
        out.printf(Locale.ROOT, "minutes=%d spurious_fences=%d node_timeout_ms=%d%n", minutes, fences.size(), nodeTimeoutMs);
        return 0;
    }

    private static String key(FenceEvent f) { return f.target() + "@" + f.at() + "/" + f.action(); }
}
