package vigil.engine.simulate;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import vigil.api.VigilException;
import vigil.api.spi.ProcessRunner;

/**
 * {@code vigil simulate-compare [--dir DIR] [--only NAME,...] [--limit N] [--verbose] [--live | --record] [--update-floor]}:
 * plans every Pacemaker scheduler input of DIR (default: the committed corpus, Pacemaker 2.1.5's cts/scheduler/xml)
 * with Vigil's scheduler and compares its transition summary strictly with crm_simulate's ({@link SummaryComparison}).
 *
 * <p>crm_simulate's summaries come from the recordings beside the inputs ({@link CtsCorpus}), so the comparison runs
 * without Pacemaker; {@code --live} runs crm_simulate instead (also used for a directory without recordings), and
 * {@code --record} runs it and rewrites the recordings. {@code --update-floor} adds the inputs that agree to the floor
 * file. Each input ends as agree, disagree, or unsupported (Vigil rejects a CIB feature it does not model, naming the
 * element). The last line is {@code agree=<n> disagree=<n> unsupported=<n> total=<n>}; the exit code is 1 when an input
 * of the floor no longer agrees, 2 for bad arguments or a missing crm_simulate.
 */
public final class CompareCommand {
    static final String USAGE = "usage: vigil simulate-compare [--dir DIR] [--only NAME,...] [--limit N] [--verbose] [--live | --record] [--update-floor]";

    private CompareCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, ProcessRunner.local(), System.getenv("VIGIL_HOME"));
    }

    static int run(String[] args, PrintStream out, PrintStream err, ProcessRunner runner, String home) {
        Path dir = null;
        int limit = Integer.MAX_VALUE;
        boolean live = false, record = false, updateFloor = false, verbose = false;
        TreeSet<String> only = new TreeSet<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "simulate-compare" -> { }
                case "--dir" -> {
                    if (i + 1 >= args.length) return usage(err, "--dir needs a directory");
                    dir = Path.of(args[++i]);
                }
                case "--only" -> {
                    if (i + 1 >= args.length) return usage(err, "--only needs input names (file names without .xml, comma-separated)");
                    for (String n : args[++i].split(",")) if (!n.isBlank()) only.add(n.strip().replaceAll("\\.xml$", ""));
                }
                case "--limit" -> {
                    if (i + 1 >= args.length) return usage(err, "--limit needs a number");
                    try {
                        limit = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        return usage(err, "--limit: \"" + args[i] + "\" is not a number");
                    }
                }
                case "--live" -> live = true;
                case "--record" -> record = true;
                case "--update-floor" -> updateFloor = true;
                case "--verbose", "-v" -> verbose = true;
                case "-h", "--help" -> { out.println(USAGE); return 0; }
                default -> { return usage(err, "unknown argument \"" + args[i] + "\""); }
            }
        }
        if (live && record) return usage(err, "--live and --record exclude each other (--record runs crm_simulate too)");
        CtsCorpus corpus = dir == null ? CtsCorpus.committed(home) : new CtsCorpus(dir);
        if (!Files.isDirectory(corpus.dir())) {
            err.println("simulate-compare: " + corpus.dir() + ": not a directory (give --dir with a directory of CIB XML files, e.g. Pacemaker's cts/scheduler/xml)");
            return 2;
        }
        List<String> names = corpus.names();
        if (!only.isEmpty()) {
            for (String n : only) if (!names.contains(n)) return usage(err, "--only: no input " + n + ".xml in " + corpus.dir());
            names = names.stream().filter(only::contains).toList();
        }
        names = names.stream().limit(limit).toList();
        boolean recorded = !live && !record && Files.isDirectory(corpus.recordingDir());
        CrmSimulate crm = new CrmSimulate(runner);
        if (!recorded) {
            try {
                String version = crm.version();
                out.println((record ? "recording " : "running ") + version + "'s crm_simulate on " + names.size() + " inputs");
                if (record) corpus.writeRecordingReadme(version, corpus.names().size());
            } catch (VigilException e) {
                err.println("simulate-compare: " + e.getMessage());
                return 2;
            }
        }
        List<String> missing = new ArrayList<>();
        int agree = 0, disagree = 0, unsupported = 0;
        TreeSet<String> agreeing = new TreeSet<>();
        Map<String, Integer> unsupportedWhy = new TreeMap<>();
        TreeSet<String> floor = corpus.floor();
        List<String> regressions = new ArrayList<>();
        for (String name : names) {
            List<String> crmLines;
            if (recorded) {
                var r = corpus.recording(name);
                if (r.isEmpty()) { missing.add(name); continue; }
                crmLines = r.get();
            } else {
                try {
                    crmLines = crm.summary(corpus.input(name), corpus.timeArgs(name));
                } catch (VigilException e) {
                    err.println("simulate-compare: " + e.getMessage());
                    return 2;
                }
                if (record) corpus.writeRecording(name, corpus.timeArgs(name), crmLines);
            }
            CorpusComparison.Verdict v = CorpusComparison.compare(corpus, name, crmLines);
            switch (v.kind()) {
                case AGREE -> { agree++; agreeing.add(name); }
                case UNSUPPORTED -> {
                    unsupported++;
                    out.println("UNSUPPORTED " + name + ": " + v.detail());
                    unsupportedWhy.merge(cause(v.detail()), 1, Integer::sum);
                }
                case DISAGREE -> {
                    disagree++;
                    if (floor.contains(name)) regressions.add(name);
                    List<String> shown = verbose || v.diff().size() <= 4 ? v.diff() : v.diff().subList(0, 4);
                    out.println("DIFF " + name + ": " + String.join(" | ", shown) + (shown.size() < v.diff().size() ? " | (+" + (v.diff().size() - shown.size()) + " more)" : ""));
                }
            }
        }
        if (!missing.isEmpty()) {
            err.println("simulate-compare: no recording for " + missing.size() + " inputs (e.g. " + missing.get(0)
                    + "): run `bin/vigil simulate-compare --record` to record crm_simulate's summaries");
            return 2;
        }
        if (!unsupportedWhy.isEmpty()) {
            out.println("unsupported inputs by cause:");
            unsupportedWhy.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(e -> out.println("  " + e.getValue() + "  " + e.getKey()));
        }
        int code = 0;
        if (!regressions.isEmpty()) {
            out.println("REGRESSION: " + regressions.size() + " inputs of the floor (" + corpus.floorFile().getFileName() + ") no longer agree: " + regressions);
            code = 1;
        }
        if (updateFloor) {
            if (!regressions.isEmpty()) {
                out.println("floor not updated: it only rises; make the inputs above agree again first");
            } else {
                TreeSet<String> risen = new TreeSet<>(floor);
                risen.addAll(agreeing);
                corpus.writeFloor(risen, corpus.names().size());
                out.println("floor: " + risen.size() + " inputs (" + (risen.size() - floor.size()) + " added)");
            }
        }
        out.println("agree=" + agree + " disagree=" + disagree + " unsupported=" + unsupported + " total=" + names.size());
        return code;
    }

    /** "cib/configuration/resources/bundle[@id='b1']: bundles are not supported" -> "bundle: bundles are not supported". */
    static String cause(String detail) {
        int colon = detail.indexOf(": ");
        if (colon < 0) return detail;
        String path = detail.substring(0, colon);
        String last = path.substring(path.lastIndexOf('/') + 1).replaceAll("\\[.*", "");
        return last + ": " + detail.substring(colon + 2).replaceAll("\"[^\"]*\"", "\"…\"");
    }

    private static int usage(PrintStream err, String problem) {
        err.println("simulate-compare: " + problem);
        err.println(USAGE);
        return 2;
    }
}
