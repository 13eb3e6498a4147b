package vigil.engine.simulate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import vigil.api.VigilException;
import vigil.api.spi.ProcessRunner;

/** Runs Pacemaker's {@code crm_simulate} (package pacemaker-cli-utils) and reads its transition summary. */
public final class CrmSimulate {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final ProcessRunner runner;

    public CrmSimulate(ProcessRunner runner) { this.runner = runner; }

    /** {@code crm_simulate --version}'s first line, e.g. "Pacemaker 2.1.5". */
    public String version() {
        ProcessRunner.ProcessResult r = runner.run(List.of("crm_simulate", "--version"), TIMEOUT);
        if (r.exitCode() == 127) throw notInstalled();
        if (!r.ok()) throw new VigilException("crm_simulate --version failed (exit " + r.exitCode() + "): " + firstLine(r.stderr()));
        return firstLine(r.stdout());
    }

    /**
     * The transition summary lines for {@code cib}, simulated with {@code extraArgs} (such as {@code -t DATE}).
     * Throws when crm_simulate is missing or fails.
     */
    public List<String> summary(Path cib, List<String> extraArgs) {
        ProcessRunner.ProcessResult r = runner.run(argv(cib, extraArgs), TIMEOUT);
        if (r.exitCode() == 127) throw notInstalled();
        if (!r.ok()) {
            throw new VigilException("crm_simulate failed on " + cib.getFileName() + " (exit " + r.exitCode() + "): " + firstLine(r.stderr()));
        }
        return summaryLines(r.stdout());
    }

    static List<String> argv(Path cib, List<String> extraArgs) {
        List<String> argv = new ArrayList<>(List.of("crm_simulate", "-x", cib.toString(), "-S"));
        argv.addAll(extraArgs);
        return argv;
    }

    /** The lines of crm_simulate's "Transition Summary:" section in its output {@code stdout}. */
    public static List<String> summaryLines(String stdout) {
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

    private static VigilException notInstalled() {
        return new VigilException("crm_simulate is not installed (apt-get install pacemaker-cli-utils)");
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
