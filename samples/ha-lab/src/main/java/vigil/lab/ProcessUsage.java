package vigil.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a process costs the host, read from Linux's /proc: CPU time (its own and that of its finished children, such
 * as resource agents), resident memory, thread count, and CPU time per thread name.
 *
 * @param cpuTicks   utime + stime + cutime + cstime, in clock ticks (USER_HZ, 100 on Linux)
 * @param rssKib     VmRSS
 * @param threads    Threads
 * @param threadCpu  CPU ticks by thread name (the kernel's 15-character comm, digits replaced by '#', so that pool
 *                   threads add up)
 */
record ProcessUsage(long cpuTicks, long rssKib, int threads, Map<String, Long> threadCpu) {
    static final double TICKS_PER_SECOND = 100.0;

    static ProcessUsage of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            long[] t = times(Files.readString(proc.resolve("stat")));
            long rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                if (line.startsWith("Threads:")) threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
            }
            Map<String, Long> perThread = new HashMap<>();
            try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                tasks.forEach(task -> {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                        long[] tt = times(stat);
                        perThread.merge(name, tt[0] + tt[1], Long::sum);
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended while we listed them
                    }
                });
            }
            return new ProcessUsage(t[0] + t[1] + t[2] + t[3], rss, threads, perThread);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + " (did the process exit?): " + e.getMessage(), e);
        }
    }

    /** utime, stime, cutime, cstime of a /proc stat line (fields 14-17; the name in parentheses may hold spaces). */
    static long[] times(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // f[0] is field 3 (state): field n is f[n - 3]
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }

    static boolean available() { return Files.isReadable(Path.of("/proc/self/stat")); }
}
