package vigil.engine.simulate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import vigil.api.spi.ProcessRunner;

/**
 * {@code vigil bench scheduler [--launcher PATH] [--sizes 1000,10000] [--nodes 100] [--dir DIR]}: writes Pacemaker
 * CIBs with that many primitives on {@code --nodes} nodes (half as many constraints as primitives, a mix of
 * location, colocation and order; every second primitive already running according to its lrm history), then
 * times, as whole processes, {@code <launcher> simulate --cib FILE} and, where installed, {@code crm_simulate -R -x
 * FILE} on each. Without {@code --launcher} Vigil runs as {@code java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp <this
 * classpath>} (the flags a launcher for short CLI runs should use too). Ends with one line for
 * the largest size: {@code vigil_s=<s> crm_simulate_s=<s> ratio=<crm_simulate_s / vigil_s>} (both 0 for
 * crm_simulate when it is not installed).
 */
public final class SchedulerBenchCommand {
    static final String USAGE = "usage: vigil bench scheduler [--launcher PATH] [--sizes 1000,10000] [--nodes 100] [--dir DIR]";
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private SchedulerBenchCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, ProcessRunner.local());
    }

    static int run(String[] args, PrintStream out, PrintStream err, ProcessRunner runner) {
        String launcher = null;
        List<Integer> sizes = List.of(1_000, 10_000);
        int nodes = 100;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("bench") || a.equals("scheduler")) && i < 2) continue;
            if (i + 1 >= args.length) return usage(err, a.startsWith("--") ? a + " needs a value" : "unknown argument \"" + a + "\"");
            String v = args[++i];
            try {
                switch (a) {
                    case "--launcher" -> launcher = v;
                    case "--dir" -> dir = Path.of(v);
                    case "--nodes" -> nodes = Integer.parseInt(v);
                    case "--sizes" -> {
                        List<Integer> s = new ArrayList<>();
                        for (String x : v.split(",")) s.add(Integer.parseInt(x.trim()));
                        sizes = s;
                    }
                    default -> { return usage(err, "unknown argument \"" + a + "\""); }
                }
            } catch (NumberFormatException e) {
                return usage(err, a + ": \"" + v + "\" is not a number");
            }
        }
        if (nodes < 1 || sizes.isEmpty() || sizes.stream().anyMatch(s -> s < 2)) return usage(err, "need --nodes >= 1 and sizes >= 2");
        boolean haveCrm = runner.run(List.of("crm_simulate", "--version"), Duration.ofSeconds(30)).exitCode() == 0;
        if (!haveCrm) out.println("crm_simulate is not installed (pacemaker-cli-utils): timing Vigil only");
        try {
            Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("vigil-bench");
            double vigilS = 0, crmS = 0;
            for (int size : sizes) {
                Path cib = work.resolve("bench-" + size + "x" + nodes + ".xml");
                out.printf(Locale.ROOT, "generating %d primitives on %d nodes (%d constraints, %d running) -> %s%n",
                        size, nodes, size / 2, (size + 1) / 2, cib);
                write(cib, size, nodes);
                out.printf(Locale.ROOT, "  %.1f MB%n", Files.size(cib) / 1e6);
                ProcessRunner.ProcessResult v = runner.run(vigilArgv(launcher, cib), TIMEOUT);
                if (!v.ok()) {
                    err.println("bench scheduler: vigil simulate failed on " + cib + " (exit " + v.exitCode() + (v.timedOut() ? ", timed out" : "") + "): "
                            + v.stderr().strip());
                    return 1;
                }
                vigilS = seconds(v.took());
                out.printf(Locale.ROOT, "  vigil simulate: %.3f s, %d summary lines%n", vigilS, CrmSimulate.summaryLines(v.stdout()).size());
                crmS = 0;
                if (haveCrm) {
                    ProcessRunner.ProcessResult c = runner.run(crmArgv(cib), TIMEOUT);
                    if (!c.ok()) {
                        err.println("bench scheduler: crm_simulate failed on " + cib + " (exit " + c.exitCode() + (c.timedOut() ? ", timed out" : "") + ")");
                        return 1;
                    }
                    crmS = seconds(c.took());
                    out.printf(Locale.ROOT, "  crm_simulate -R: %.3f s, %d summary lines (ratio %.1f)%n", crmS,
                            CrmSimulate.summaryLines(c.stdout()).size(), crmS / vigilS);
                    List<String> vl = SummaryComparison.normalize(CrmSimulate.summaryLines(v.stdout()), java.util.Map.of());
                    List<String> cl = SummaryComparison.normalize(CrmSimulate.summaryLines(c.stdout()), java.util.Map.of());
                    LineDifference d = LineDifference.of(vl, cl);
                    out.printf(Locale.ROOT, "  %d summary lines differ from crm_simulate's (%d only in Vigil's, %d only in crm_simulate's)%n",
                            d.onlyInVigil().size() + d.onlyInCrm().size(), d.onlyInVigil().size(), d.onlyInCrm().size());
                    d.onlyInVigil().stream().limit(EXAMPLES).forEach(l -> out.println("    only Vigil: " + l));
                    d.onlyInCrm().stream().limit(EXAMPLES).forEach(l -> out.println("    only crm_simulate: " + l));
                }
            }
            if (dir == null) deleteTree(work);
            out.printf(Locale.ROOT, "vigil_s=%.3f crm_simulate_s=%.3f ratio=%.1f%n", vigilS, crmS, crmS == 0 ? 0 : crmS / vigilS);
            return 0;
        } catch (IOException e) {
            err.println("bench scheduler: " + e.getMessage());
            return 1;
        }
    }

    /** {@code <launcher> simulate --cib FILE}, or this JVM's java and classpath running {@link SimulateCommand}. */
    static List<String> vigilArgv(String launcher, Path cib) {
        if (launcher != null) return List.of(launcher, "simulate", "--cib", cib.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A short-lived CLI process: the C1 compiler and the serial collector cost least CPU before the answer.
        return List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SimulateCommand.class.getName(), "--cib", cib.toString());
    }

    static List<String> crmArgv(Path cib) { return List.of("crm_simulate", "-R", "-x", cib.toString()); }

    private static double seconds(Duration d) { return d.toNanos() / 1e9; }

    private static int usage(PrintStream err, String problem) {
        err.println("bench scheduler: " + problem);
        err.println(USAGE);
        return 2;
    }

    /**
     * The benchmark CIB. Resources {@code r0..r<n-1>}; even ones run on node {@code i % nodes} (a start and a recurring
     * monitor in their history there). Constraint {@code k < n/2}: k%3==0 a location of r(2k) on a node (score 100,
     * every tenth -INFINITY), 1 a colocation of r(2k+1) with r(2k) (score 500, every fifth INFINITY), 2 an order
     * r(2k) then r(2k+1). Deterministic: the same arguments give the same bytes.
     */
    static void write(Path file, int n, int nodes) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" have-quorum=\"1\" dc-uuid=\"1\">\n");
            w.write("  <configuration>\n    <crm_config>\n      <cluster_property_set id=\"cib-bootstrap-options\">\n");
            w.write("        <nvpair id=\"opt-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/>\n");
            // Without probe results for every resource on every node, Pacemaker would plan a probe of each (a million
            // at 10,000 x 100) and take hours; a real cluster has those results. Vigil does not probe in a transition.
            w.write("        <nvpair id=\"opt-enable-startup-probes\" name=\"enable-startup-probes\" value=\"false\"/>\n");
            w.write("        <nvpair id=\"opt-no-quorum-policy\" name=\"no-quorum-policy\" value=\"stop\"/>\n");
            w.write("      </cluster_property_set>\n    </crm_config>\n    <nodes>\n");
            for (int i = 0; i < nodes; i++) w.write("      <node id=\"" + (i + 1) + "\" uname=\"" + node(i) + "\"/>\n");
            w.write("    </nodes>\n    <resources>\n");
            for (int i = 0; i < n; i++) {
                String r = "r" + i;
                w.write("      <primitive id=\"" + r + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations>"
                        + "<op id=\"" + r + "-monitor-10s\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations></primitive>\n");
            }
            w.write("    </resources>\n    <constraints>\n");
            for (int k = 0; k < n / 2; k++) {
                String a = "r" + (2 * k);
                String b = "r" + (2 * k + 1);
                switch (k % 3) {
                    case 0 -> w.write("      <rsc_location id=\"loc-" + k + "\" rsc=\"" + a + "\" node=\"" + node((k * 7) % nodes) + "\" score=\""
                            + (k % 10 == 9 ? "-INFINITY" : "100") + "\"/>\n");
                    case 1 -> w.write("      <rsc_colocation id=\"col-" + k + "\" rsc=\"" + b + "\" with-rsc=\"" + a + "\" score=\""
                            + (k % 5 == 4 ? "INFINITY" : "500") + "\"/>\n");
                    default -> w.write("      <rsc_order id=\"ord-" + k + "\" first=\"" + a + "\" then=\"" + b + "\" kind=\"Mandatory\"/>\n");
                }
            }
            w.write("    </constraints>\n  </configuration>\n  <status>\n");
            for (int i = 0; i < nodes; i++) {
                String nn = node(i);
                w.write("    <node_state id=\"" + (i + 1) + "\" uname=\"" + nn + "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">\n");
                w.write("      <lrm id=\"" + (i + 1) + "\">\n        <lrm_resources>\n");
                for (int r = 2 * i; r < n; r += 2 * nodes) running(w, "r" + r); // r(2j) runs on node j % nodes
                w.write("        </lrm_resources>\n      </lrm>\n    </node_state>\n");
            }
            w.write("  </status>\n</cib>\n");
        }
    }

    private static String node(int i) { return String.format(Locale.ROOT, "node%03d", i + 1); }

    private static void running(BufferedWriter w, String r) throws IOException {
        w.write("          <lrm_resource id=\"" + r + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n");
        w.write("            <lrm_rsc_op id=\"" + r + "_last_0\" operation_key=\"" + r + "_start_0\" operation=\"start\" crm_feature_set=\"3.16.1\""
                + " transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" transition-magic=\"0:0;1:1:0:00000000-0000-0000-0000-000000000000\""
                + " call-id=\"10\" rc-code=\"0\" op-status=\"0\" interval=\"0\" last-rc-change=\"1700000000\" exec-time=\"10\" queue-time=\"0\""
                + " op-digest=\"f2317cad3d54cec5d7d7aa7d0bf35cf8\"/>\n");
        w.write("            <lrm_rsc_op id=\"" + r + "_monitor_10000\" operation_key=\"" + r + "_monitor_10000\" operation=\"monitor\" crm_feature_set=\"3.16.1\""
                + " transition-key=\"2:1:0:00000000-0000-0000-0000-000000000000\" transition-magic=\"0:0;2:1:0:00000000-0000-0000-0000-000000000000\""
                + " call-id=\"11\" rc-code=\"0\" op-status=\"0\" interval=\"10000\" last-rc-change=\"1700000000\" exec-time=\"10\" queue-time=\"0\""
                + " op-digest=\"4811cef7f7f94e3a35a70be7916cb2fd\"/>\n");
        w.write("          </lrm_resource>\n");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** How many example lines of each side a differing size prints. */
    private static final int EXAMPLES = 5;

    /**
     * The lines of one summary missing from the other, counted as multisets: a line Vigil prints twice and
     * crm_simulate once differs once. (A line-by-line diff of 10,000-line summaries would need a 10^8-cell table.)
     */
    record LineDifference(List<String> onlyInVigil, List<String> onlyInCrm) {
        static LineDifference of(List<String> vigil, List<String> crm) {
            java.util.Map<String, Integer> balance = new java.util.TreeMap<>();
            for (String l : vigil) balance.merge(l, 1, Integer::sum);
            for (String l : crm) balance.merge(l, -1, Integer::sum);
            List<String> v = new java.util.ArrayList<>(), c = new java.util.ArrayList<>();
            balance.forEach((line, n) -> {
                for (int k = 0; k < Math.abs(n); k++) (n > 0 ? v : c).add(line);
            });
            return new LineDifference(List.copyOf(v), List.copyOf(c));
        }
    }
}
