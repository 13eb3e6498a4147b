package vigil.engine.simulate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import vigil.api.spi.ProcessRunner;
import vigil.api.status.ClusterState;
import vigil.engine.cib.CibException;
import vigil.engine.cib.CibImporter;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.TransitionSummary;

/**
 * {@code vigil simulate-compare --dir DIR [--limit N] [--simulate]}: runs every CIB ({@code *.xml}) of DIR through
 * Vigil's scheduler and through Pacemaker's {@code crm_simulate -R} (or {@code -S}), and counts the CIBs whose
 * transition summaries agree. Summaries are compared as multisets of normalized lines: whitespace collapsed,
 * clone instance numbers dropped ({@code drbd:1} -> {@code drbd}; which instance number Pacemaker gives a copy is
 * arbitrary), trailing reasons dropped, lines about {@code stonith} resources removed (Vigil runs fence
 * devices itself instead of as cluster resources), and crm_simulate's "(blocked)" lines removed (actions it lists
 * but cannot take; Vigil's transition holds only actions it will take). Both sides plan at the same instant (crm_simulate {@code -t}).
 * Ends with {@code agree=<n> disagree=<n> unsupported=<n> total=<n>}; unsupported counts CIBs Vigil cannot import.
 */
public final class CompareCommand {
    static final String USAGE = "usage: vigil simulate-compare --dir DIR [--limit N] [--simulate]";
    private static final Duration CRM_TIMEOUT = Duration.ofMinutes(5);

    private CompareCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, ProcessRunner.local());
    }

    static int run(String[] args, PrintStream out, PrintStream err, ProcessRunner runner) {
        Path dir = null;
        int limit = Integer.MAX_VALUE;
        boolean simulate = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "simulate-compare" -> { }
                case "--dir" -> {
                    if (i + 1 >= args.length) return usage(err, "--dir needs a directory");
                    dir = Path.of(args[++i]);
                }
                case "--limit" -> {
                    if (i + 1 >= args.length) return usage(err, "--limit needs a number");
                    try {
                        limit = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        return usage(err, "--limit: \"" + args[i] + "\" is not a number");
                    }
                }
                case "--simulate" -> simulate = true;
                default -> { return usage(err, "unknown argument \"" + args[i] + "\""); }
            }
        }
        if (dir == null) return usage(err, "--dir DIR is required");
        if (!Files.isDirectory(dir)) {
            err.println("simulate-compare: " + dir + ": not a directory (give a directory of CIB XML files, e.g. Pacemaker's cts/scheduler/xml)");
            return 2;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().limit(limit).toList();
        } catch (IOException e) {
            err.println("simulate-compare: " + dir + ": " + e.getMessage());
            return 2;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        int agree = 0, disagree = 0, unsupported = 0;
        Map<String, Integer> unsupportedWhy = new TreeMap<>();
        Map<String, Integer> vigilOnly = new TreeMap<>();
        Map<String, Integer> crmOnly = new TreeMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            ClusterState state;
            try {
                state = CibImporter.read(f, now);
            } catch (CibException e) {
                unsupported++;
                unsupportedWhy.merge(e.problemKind(), 1, Integer::sum);
                continue;
            }
            Set<String> stonith = stonithResources(state);
            List<String> vigil;
            try {
                vigil = normalize(TransitionSummary.lines(state, Scheduler.plan(state)), stonith);
            } catch (RuntimeException e) {
                disagree++;
                out.println("DIFF " + name + ": Vigil's scheduler failed: " + e);
                continue;
            }
            ProcessRunner.ProcessResult r = runner.run(crmSimulateArgv(f, simulate, now), CRM_TIMEOUT);
            if (r.exitCode() == 127) {
                err.println("simulate-compare: crm_simulate is not installed (apt-get install pacemaker-cli-utils)");
                return 2;
            }
            if (!r.ok()) {
                disagree++;
                out.println("DIFF " + name + ": crm_simulate failed (exit " + r.exitCode() + "): " + firstLine(r.stderr()));
                continue;
            }
            List<String> crm = normalize(summaryLines(r.stdout()), stonith);
            List<String> onlyV = minus(vigil, crm);
            List<String> onlyC = minus(crm, vigil);
            if (onlyV.isEmpty() && onlyC.isEmpty()) {
                agree++;
            } else {
                disagree++;
                out.println("DIFF " + name + ": vigil-only " + brief(onlyV) + " crm_simulate-only " + brief(onlyC));
                for (String l : onlyV) vigilOnly.merge(verb(l), 1, Integer::sum);
                for (String l : onlyC) crmOnly.merge(verb(l), 1, Integer::sum);
            }
        }
        if (!unsupportedWhy.isEmpty()) {
            out.println("unsupported CIBs by cause:");
            unsupportedWhy.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(e -> out.println("  " + e.getValue() + "  " + e.getKey()));
        }
        if (!vigilOnly.isEmpty() || !crmOnly.isEmpty()) out.println("differing lines by action: vigil-only " + vigilOnly + " crm_simulate-only " + crmOnly);
        out.println("agree=" + agree + " disagree=" + disagree + " unsupported=" + unsupported + " total=" + files.size());
        return 0;
    }

    static List<String> crmSimulateArgv(Path cib, boolean simulate, Instant now) {
        return List.of("crm_simulate", "-x", cib.toString(), simulate ? "-S" : "-R", "-t", now.toString());
    }

    /** The lines of crm_simulate's "Transition Summary:" section. */
    static List<String> summaryLines(String stdout) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : stdout.split("\n")) {
            if (line.startsWith("Transition Summary:")) { in = true; continue; }
            if (!in) continue;
            if (line.isBlank() || !line.startsWith(" ")) break;
            out.add(line);
        }
        return out;
    }

    /** Sorted normalized lines, without those about {@code stonith} (see the class comment). */
    static List<String> normalize(List<String> lines, Set<String> stonith) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String n = l.trim().replaceAll("\\s+", " ");
            if (n.startsWith("* ")) n = n.substring(2);
            if (n.endsWith("(blocked)")) continue;
            int open = n.indexOf('(');
            int close = open < 0 ? -1 : n.indexOf(')', open);
            if (close > 0 && !n.startsWith("Fence")) n = n.substring(0, close + 1);
            n = n.replace("( ", "(").replace(" )", ")");
            String[] w = n.split(" ");
            if (w.length > 1 && !n.startsWith("Fence")) {
                String rsc = w[1].replaceAll(":[0-9]+$", "");
                if (stonith.contains(rsc)) continue;
                w[1] = rsc;
                n = String.join(" ", w);
            }
            out.add(n);
        }
        out.sort(null);
        return out;
    }

    private static Set<String> stonithResources(ClusterState s) {
        Set<String> ids = new java.util.HashSet<>();
        s.config().fenceDevices().forEach(d -> ids.add(d.id()));
        return ids;
    }

    private static List<String> minus(List<String> a, List<String> b) {
        List<String> rest = new ArrayList<>(b);
        List<String> out = new ArrayList<>();
        for (String x : a) if (!rest.remove(x)) out.add(x);
        return out;
    }

    private static String verb(String line) {
        return line.startsWith("Fence") ? "Fence" : line.split(" ")[0];
    }

    private static String brief(List<String> lines) {
        if (lines.size() <= 3) return lines.toString();
        return lines.subList(0, 3) + "+" + (lines.size() - 3);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static int usage(PrintStream err, String problem) {
        err.println("simulate-compare: " + problem);
        err.println(USAGE);
        return 2;
    }
}
