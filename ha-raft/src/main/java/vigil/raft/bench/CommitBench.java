package vigil.raft.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import vigil.api.model.Primitive;
import vigil.engine.state.Command;
import vigil.raft.CommandResult;
import vigil.raft.LocalCluster;
import vigil.raft.VigilClient;

/**
 * {@code vigil bench commits}: starts a local three-process cluster (127.0.0.1-3, fsync on), keeps many small config
 * changes in flight for a while and prints the committed rate and latency percentiles: with mutual TLS (the default),
 * then on the same three processes with plain Ratis (each change its own request and log entry, no group commit),
 * then on a plaintext cluster. The last line is {@code commits_per_s=<n> p50_ms=<n> p99_ms=<n>} (TLS, group commit)
 * followed by {@code plaintext_commits_per_s=<n> ratis_commits_per_s=<n>}; a commit is one acknowledged config change.
 */
public final class CommitBench {
    private CommitBench() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int seconds = 20;
        int warmup = 3;
        int inFlight = 128;
        int resources = 8;
        int maxBatch = 2_000;
        int entriesInFlight = 2;
        Path dir = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[++i] : "";
                switch (a) {
                    case "--seconds" -> seconds = Integer.parseInt(v);
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    case "--in-flight" -> inFlight = Integer.parseInt(v);
                    case "--resources" -> resources = Integer.parseInt(v);
                    case "--max-batch" -> maxBatch = Integer.parseInt(v);
                    case "--entries-in-flight" -> entriesInFlight = Integer.parseInt(v);
                    case "--dir" -> dir = Path.of(v);
                    default -> {
                        err.println("bench commits: unknown option " + a
                                + " (options: --seconds N --warmup N --in-flight N --resources N --max-batch N --entries-in-flight N --dir DIR)");
                        return 2;
                    }
                }
            }
        } catch (NumberFormatException e) {
            err.println("bench commits: not a number: " + e.getMessage());
            return 2;
        }
        if (seconds < 1 || inFlight < 1 || resources < 1) {
            err.println("bench commits: --seconds, --in-flight and --resources must be >= 1");
            return 2;
        }
        try {
            if (dir == null) dir = Files.createTempDirectory("vigil-bench-");
            // the same three processes and fsync with mutual TLS (the default), then without group commit on them, then a
            // plaintext cluster: all in one run, so that the ratios survive a busy machine
            List<Result> tls = bench(dir.resolve("tls"), true, true, seconds, warmup, inFlight, resources, maxBatch, entriesInFlight, out, err);
            Result plain = bench(dir.resolve("plaintext"), false, false, seconds, warmup, inFlight, resources, maxBatch, entriesInFlight, out, err).get(0);
            Result vigil = tls.get(0);
            Result ratis = tls.get(1);
            out.printf(Locale.ROOT, "TLS / plaintext: %.2f; group commit / one entry per change: %.1f%n", ratio(vigil, plain), ratio(vigil, ratis));
            out.printf(Locale.ROOT, "commits_per_s=%.0f p50_ms=%.2f p99_ms=%.2f plaintext_commits_per_s=%.0f ratis_commits_per_s=%.0f%n", vigil.perSecond(),
                    vigil.p50(), vigil.p99(), plain.perSecond(), ratis.perSecond());
            return vigil.failedAll() || ratis.failedAll() || plain.failedAll() ? 1 : 0;
        } catch (IOException e) {
            err.println("bench commits: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("bench commits: interrupted");
            return 1;
        }
    }

    private static java.time.Duration selfCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    record Result(double perSecond, double p50, double p99, boolean failedAll) {}

    private static double ratio(Result a, Result b) { return b.perSecond() == 0 ? 0 : a.perSecond() / b.perSecond(); }

    /**
     * Starts a cluster and measures group commit on it; with {@code alsoOneByOne} then measures the same processes with
     * every change sent as its own Ratis request and log entry (the client's batch size 1, as many entries in flight
     * as changes).
     */
    private static List<Result> bench(Path dir, boolean tls, boolean alsoOneByOne, int seconds, int warmup, int inFlight, int resources, int maxBatch,
                                      int entriesInFlight, PrintStream out, PrintStream err) throws InterruptedException {
        out.printf("starting 3 nodes on 127.0.0.1-3 in %s (%s)%n", dir, tls ? "mutual TLS" : "plaintext");
        try (LocalCluster cluster = LocalCluster.start(dir, "bench", 3, List.of(), tls)) {
            List<Result> results = new ArrayList<>();
            try (VigilClient client = VigilClient.connect("bench", cluster.nodes(), cluster.clientTls(), cluster.secret(), maxBatch, entriesInFlight)) {
                List<Command> setup = new ArrayList<>();
                for (int r = 0; r < resources; r++) setup.add(new Command.PutResource(Primitive.builder("r" + r, "ocf:heartbeat:Dummy").build()));
                for (CommandResult res : client.submit(setup).join()) res.orThrow();
                results.add(measure(tls ? "TLS" : "plaintext", cluster, client, seconds, warmup, inFlight, resources, out, err));
            }
            if (alsoOneByOne) {
                try (VigilClient client = VigilClient.connect("bench", cluster.nodes(), cluster.clientTls(), cluster.secret(), 1, inFlight)) {
                    results.add(measure("Ratis, one entry per change", cluster, client, seconds, warmup, inFlight, resources, out, err));
                }
            }
            return results;
        }
    }

    private static Result measure(String label, LocalCluster cluster, VigilClient client, int seconds, int warmup, int inFlight, int resources,
                                  PrintStream out, PrintStream err) throws InterruptedException {
        out.printf("%s: %d resources; %d s warmup, then %d s with %d changes in flight%n", label, resources, warmup, seconds, inFlight);

        Semaphore permits = new Semaphore(inFlight);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long[] latencies = new long[4_000_000];
        AtomicInteger recorded = new AtomicInteger();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long okAtMeasure = -1;
        java.time.Duration cpuAtMeasure = null;
        java.time.Duration selfCpuAtMeasure = null;
        long entriesAtMeasure = 0;
        long lastOk = 0;
        long seq = 0;
        String[] errorText = new String[1];
        while (true) {
            long now = System.nanoTime();
            if (now >= end) break;
            if (okAtMeasure < 0 && now >= measureFrom) {
                okAtMeasure = ok.get();
                cpuAtMeasure = cluster.cpuTime();
                selfCpuAtMeasure = selfCpu();
                entriesAtMeasure = client.entriesSent();
            }
            if (now >= nextReport) {
                long o = ok.get();
                out.printf(Locale.ROOT, "%5.1f s  committed %8d  (%6d/s)  failed %d%s%n", (now - start) / 1e9, o, o - lastOk, failed.get(),
                        now < measureFrom ? "  warmup" : "");
                lastOk = o;
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
            if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) continue;
            long s = seq++;
            Command c = new Command.SetResourceMeta("r" + (s % resources), "bench-" + (s % 64), Long.toString(s));
            long t0 = System.nanoTime();
            boolean measured = t0 >= measureFrom;
            client.submit(List.of(c)).whenComplete((results, error) -> {
                long t1 = System.nanoTime();
                permits.release();
                if (error != null || !results.get(0).ok()) {
                    failed.incrementAndGet();
                    errorText[0] = error != null ? error.toString() : results.get(0).error().getMessage();
                    return;
                }
                if (t1 <= end) {
                    ok.incrementAndGet();
                    if (measured) {
                        int k = recorded.getAndIncrement();
                        if (k < latencies.length) latencies[k] = t1 - t0;
                    }
                }
            });
        }
        permits.tryAcquire(inFlight, 30, TimeUnit.SECONDS);
        long total = ok.get() - Math.max(0, okAtMeasure);
        int n = Math.min(recorded.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        double p50 = n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.round(0.50 * (n - 1)))] / 1e6;
        double p99 = n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.round(0.99 * (n - 1)))] / 1e6;
        if (cpuAtMeasure != null && total > 0) {
            double nodesMs = cluster.cpuTime().minus(cpuAtMeasure).toNanos() / 1e6;
            double selfMs = selfCpu().minus(selfCpuAtMeasure).toNanos() / 1e6;
            out.printf(Locale.ROOT, "log entries %d, %.1f commits per entry%n", client.entriesSent() - entriesAtMeasure,
                    total / (double) Math.max(1, client.entriesSent() - entriesAtMeasure));
            out.printf(Locale.ROOT, "cpu per 1000 commits: %.1f ms in the 3 nodes + %.1f ms in this client; %d cores, load average %.1f%n",
                    nodesMs * 1000 / total, selfMs * 1000 / total, Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        if (failed.get() > 0) err.println("bench commits: " + failed.get() + " changes failed, last: " + errorText[0]);
        out.printf(Locale.ROOT, "%s: %.0f commits/s, p50 %.2f ms, p99 %.2f ms%n", label, total / (double) seconds, p50, p99);
        return new Result(total / (double) seconds, p50, p99, failed.get() > 0 && total == 0);
    }
}
