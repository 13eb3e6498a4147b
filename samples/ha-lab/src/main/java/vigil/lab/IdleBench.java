package vigil.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;

/**
 * {@code vigil bench idle --minutes N}: what an idle cluster costs its hosts. Starts three {@code vigil daemon}
 * processes with the launcher's defaults (each serving its status page and /metrics), configured like a small real
 * cluster (an OCF Dummy with a 10 s monitor where resource-agents is installed, a fence device for every node), waits
 * until everything runs and the JVMs warmed up, then measures each process for N minutes: CPU time (its own and its
 * finished children's, e.g. the monitor's agent runs), resident memory (the highest sample) and threads. Ends with
 * the worst node's figures: {@code cpu_s_per_min=<x> rss_mib=<x> threads=<n>}.
 */
public final class IdleBench {
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);

    private IdleBench() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        double minutes;
        int warmupSeconds;
        int topThreads;
        try {
            Map<String, String> a = Args.parse(args, List.of());
            for (String k : a.keySet()) {
                if (!List.of("minutes", "warmup-s", "threads").contains(k)) throw new IllegalArgumentException("unknown option --" + k);
            }
            minutes = Double.parseDouble(a.getOrDefault("minutes", "5"));
            warmupSeconds = Args.integer(a, "warmup-s", 60);
            topThreads = Args.integer(a, "threads", 0);
            if (!(minutes > 0)) throw new IllegalArgumentException("--minutes must be > 0");
            if (warmupSeconds < 0) throw new IllegalArgumentException("--warmup-s must be >= 0");
        } catch (IllegalArgumentException e) {
            err.println("bench idle: " + e.getMessage() + " (usage: vigil bench idle [--minutes N] [--warmup-s S] [--threads TOP])");
            return 2;
        }
        if (!ProcessUsage.available()) {
            err.println("bench idle: /proc is not readable: this benchmark reads process CPU and memory from Linux's /proc");
            return 1;
        }
        boolean dummy = LabScenario.dummyAvailable();
        java.nio.file.Path dir = LabScenario.labDir("vigil-idle-");
        try (LocalDaemons c = new LocalDaemons(dir, 3, port -> clusterYaml(dummy, dir, port))) {
            out.println("bench idle: 3 daemons (bin/vigil daemon) in " + c.dir() + (dummy ? ", an OCF Dummy with a 10 s monitor" : ", no resources")
                    + "; warm-up " + warmupSeconds + " s, then " + fmt(minutes) + " min measured");
            String settledLeader = LocalDaemons.awaitValue(Duration.ofMinutes(5), "every node online" + (dummy ? " and the Dummy started" : ""),
                    () -> settled(c, dummy));
            out.println("bench idle: cluster settled (leader " + settledLeader + "); warming up");
            sleep(Duration.ofSeconds(warmupSeconds));
            Map<String, ProcessUsage> first = new LinkedHashMap<>();
            Map<String, Long> maxRss = new HashMap<>();
            Map<String, Integer> maxThreads = new HashMap<>();
            for (String n : c.nodes()) first.put(n, ProcessUsage.of(c.pid(n)));
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            Map<String, ProcessUsage> last = new LinkedHashMap<>(first);
            while (System.nanoTime() < end) {
                sleep(Duration.ofNanos(Math.min(SAMPLE_EVERY.toNanos(), Math.max(0, end - System.nanoTime()))));
                for (String n : c.nodes()) {
                    if (!c.isAlive(n)) throw new IllegalStateException(n + " exited during the measurement (log " + c.dir().resolve(n + ".log") + ")");
                    ProcessUsage u = ProcessUsage.of(c.pid(n));
                    last.put(n, u);
                    maxRss.merge(n, u.rssKib(), Math::max);
                    maxThreads.merge(n, u.threads(), Math::max);
                }
            }
            double elapsedMin = (System.nanoTime() - start) / 60e9;
            String leader = c.admin().status().leader();
            double worstCpu = 0;
            double worstRss = 0;
            int worstThreads = 0;
            String busiest = c.nodes().get(0);
            for (String n : c.nodes()) {
                double cpu = (last.get(n).cpuTicks() - first.get(n).cpuTicks()) / ProcessUsage.TICKS_PER_SECOND / elapsedMin;
                double rss = maxRss.getOrDefault(n, first.get(n).rssKib()) / 1024.0;
                int threads = maxThreads.getOrDefault(n, first.get(n).threads());
                out.printf(Locale.ROOT, "%s%s: cpu_s_per_min=%.2f rss_mib=%.0f threads=%d%n", n, n.equals(leader) ? " (leader)" : "", cpu, rss, threads);
                if (cpu > worstCpu) busiest = n;
                worstCpu = Math.max(worstCpu, cpu);
                worstRss = Math.max(worstRss, rss);
                worstThreads = Math.max(worstThreads, threads);
            }
            if (topThreads > 0) printThreads(out, busiest, first.get(busiest), last.get(busiest), elapsedMin, topThreads);
            out.printf(Locale.ROOT, "cpu_s_per_min=%.2f rss_mib=%.0f threads=%d%n", worstCpu, worstRss, worstThreads);
            return 0;
        } catch (RuntimeException e) {
            err.println("bench idle: " + e.getMessage() + " (node logs in " + dir + ")");
            return 1;
        }
    }

    /** The threads of {@code node} that used the most CPU in the window, by name. */
    private static void printThreads(PrintStream out, String node, ProcessUsage before, ProcessUsage after, double minutes, int top) {
        List<Map.Entry<String, Long>> used = new ArrayList<>();
        after.threadCpu().forEach((name, ticks) -> used.add(Map.entry(name, ticks - before.threadCpu().getOrDefault(name, 0L))));
        used.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        out.println("busiest threads of " + node + " (CPU s per minute; '#' stands for digits):");
        for (Map.Entry<String, Long> e : used.subList(0, Math.min(top, used.size()))) {
            out.printf(Locale.ROOT, "  %-18s %.3f%n", e.getKey(), e.getValue() / ProcessUsage.TICKS_PER_SECOND / minutes);
        }
    }

    private static java.util.Optional<String> settled(LocalDaemons c, boolean dummy) {
        for (String n : c.nodes()) {
            if (!c.isAlive(n)) throw new IllegalStateException(n + " exited: " + c.lastLogLine(n));
        }
        try {
            ClusterState s = c.admin().status();
            if (s.leader().isEmpty()) return java.util.Optional.empty();
            for (String n : c.nodes()) if (s.node(n).membership() != Membership.ONLINE) return java.util.Optional.empty();
            if (dummy && (s.activeNodes(LabScenario.DUMMY).size() != 1)) return java.util.Optional.empty();
            return java.util.Optional.of(s.leader());
        } catch (RuntimeException notYet) {
            return java.util.Optional.empty();
        }
    }

    static String clusterYaml(boolean dummy, java.nio.file.Path dir, int port) {
        StringBuilder y = new StringBuilder("properties:\n  node-timeout: 1s\nnodes:\n");
        for (int i = 1; i <= 3; i++) y.append("  n").append(i).append(": {address: ").append(LocalDaemons.host("n" + i)).append(':').append(port).append("}\n");
        if (dummy) {
            y.append("resources:\n  ").append(LabScenario.DUMMY).append(":\n    type: ocf:heartbeat:Dummy\n")
                    .append("    operations:\n      - {name: monitor, interval: 10s, timeout: 20s}\n");
        }
        y.append("fence-devices:\n  ").append(LocalCluster.FENCE_DEVICE).append(":\n    type: process\n    host-map: {");
        for (int i = 1; i <= 3; i++) y.append(i > 1 ? ", " : "").append("n").append(i).append(": ").append(dir.resolve("n" + i + ".pid"));
        return y.append("}\n").toString();
    }

    private static String fmt(double v) { return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v); }

    private static void sleep(Duration d) { LocalCluster.sleep(d); }
}
