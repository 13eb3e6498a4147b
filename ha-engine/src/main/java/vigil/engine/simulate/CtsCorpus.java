package vigil.engine.simulate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import vigil.api.VigilException;

/**
 * A directory of Pacemaker scheduler inputs ({@code NAME.xml}, e.g. Pacemaker 2.1.5's cts/scheduler/xml as committed
 * under ha-engine/src/test/resources/pacemaker-cts) with crm_simulate's transition summaries recorded beside them
 * ({@code recorded/NAME.summary}) and the floor of inputs Vigil agrees on ({@code agreeing.txt}).
 *
 * <p>Every input is simulated at a fixed instant, so a recording does not depend on the day it was made: the CIB's own
 * {@code execution-date} when it has one (crm_simulate uses it when not told a time), the time Pacemaker's test list
 * gives the few inputs it runs at a set time, and {@link #FIXED_TIME} for the others.
 */
public final class CtsCorpus {
    /** Where the committed corpus lives, relative to the repository root ({@code VIGIL_HOME}). */
    public static final String COMMITTED = "ha-engine/src/test/resources/pacemaker-cts";
    static final String FIXED_TIME = "2026-01-01T00:00:00Z";
    /** The per-test times of Pacemaker's own test list (cts/cts-scheduler at Pacemaker-2.1.5), in crm_simulate's syntax. */
    private static final Map<String, String> UPSTREAM_TIMES = Map.of(
            "date-1", "2005-020", "date-2", "2005-020T12:30", "date-3", "2005-020T11:30", "origin", "2014-05-07 00:28:00");
    private static final Pattern EXECUTION_DATE = Pattern.compile("<cib\\b[^>]*\\bexecution-date=\"(\\d+)\"");
    static final String RECORD_PREFIX = "# crm_simulate ";

    private final Path dir;

    public CtsCorpus(Path dir) { this.dir = dir; }

    /** The committed corpus of the repository at {@code home} (the launcher's VIGIL_HOME), or of the working directory. */
    public static CtsCorpus committed(String home) {
        Path root = home == null || home.isBlank() ? Path.of("") : Path.of(home);
        return new CtsCorpus(root.resolve(COMMITTED));
    }

    public Path dir() { return dir; }

    public Path input(String name) { return dir.resolve(name + ".xml"); }

    /** Input names (file names without .xml), sorted. */
    public List<String> names() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml")).map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw new VigilException(dir + ": cannot list the inputs: " + e.getMessage(), e);
        }
    }

    /** The arguments that fix crm_simulate's clock for this input (empty when the CIB carries its execution-date). */
    public List<String> timeArgs(String name) {
        String upstream = UPSTREAM_TIMES.get(name);
        if (upstream != null) return List.of("-t", upstream);
        if (executionDate(name).isPresent()) return List.of();
        return List.of("-t", FIXED_TIME);
    }

    /** The instant the input is planned at: the same one crm_simulate is given by {@link #timeArgs}. */
    public Instant effectiveTime(String name) {
        String upstream = UPSTREAM_TIMES.get(name);
        if (upstream != null) return parseCrmTime(upstream);
        return executionDate(name).orElse(Instant.parse(FIXED_TIME));
    }

    private Optional<Instant> executionDate(String name) {
        String head;
        try {
            byte[] b = Files.readAllBytes(input(name));
            head = new String(b, 0, Math.min(b.length, 4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = EXECUTION_DATE.matcher(head);
        return m.find() ? Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1)))) : Optional.empty();
    }

    /** The few ISO 8601 forms the test list uses: {@code 2005-020} (ordinal date), {@code 2005-020T12:30}, {@code 2014-05-07 00:28:00}; UTC. */
    static Instant parseCrmTime(String t) {
        if (t.matches("\\d{4}-\\d{3}")) return LocalDate.parse(t, DateTimeFormatter.ISO_ORDINAL_DATE).atStartOfDay().toInstant(ZoneOffset.UTC);
        if (t.matches("\\d{4}-\\d{3}T\\d{2}:\\d{2}")) {
            LocalDate d = LocalDate.parse(t.substring(0, 8), DateTimeFormatter.ISO_ORDINAL_DATE);
            return d.atTime(Integer.parseInt(t.substring(9, 11)), Integer.parseInt(t.substring(12, 14))).toInstant(ZoneOffset.UTC);
        }
        return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    }

    // ---------------------------------------------------------------- recordings

    public Path recordingDir() { return dir.resolve("recorded"); }

    /** crm_simulate's recorded summary for {@code name}: the lines of its "Transition Summary" section. */
    public Optional<List<String>> recording(String name) {
        Path f = recordingDir().resolve(name + ".summary");
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(f, StandardCharsets.UTF_8));
            lines.removeIf(l -> l.startsWith("#"));
            return Optional.of(lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a recording: a comment with the command that made it, then the summary lines. */
    public void writeRecording(String name, List<String> argsAfterInput, List<String> lines) {
        StringBuilder b = new StringBuilder(RECORD_PREFIX).append("-x ").append(name).append(".xml -S");
        for (String a : argsAfterInput) b.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        b.append('\n');
        for (String l : lines) b.append(l).append('\n');
        try {
            Files.createDirectories(recordingDir());
            Files.writeString(recordingDir().resolve(name + ".summary"), b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writeRecordingReadme(String version, int inputs) {
        String text = """
                The *.summary files here are the "Transition Summary" sections that Pacemaker's crm_simulate printed for
                the inputs of the directory above (each file starts with the command line that made it).

                Made by:    %s (Debian 12 package pacemaker-cli-utils)
                Inputs:     %d
                Command:    bin/vigil simulate-compare --record   (re-runs crm_simulate on every input; a few minutes)

                Each input is simulated at a fixed instant: the CIB's execution-date when it has one, the time Pacemaker's
                own test list (cts/cts-scheduler) gives date-1, date-2, date-3 and origin, and otherwise -t %s.
                Vigil's scheduler plans each input at the same instant when it is compared with these recordings.
                """.formatted(version, inputs, FIXED_TIME);
        try {
            Files.createDirectories(recordingDir());
            Files.writeString(recordingDir().resolve("README"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- the floor

    public Path floorFile() { return dir.resolve("agreeing.txt"); }

    /** The names listed in the floor file (empty when there is none). */
    public TreeSet<String> floor() {
        TreeSet<String> out = new TreeSet<>();
        if (!Files.isRegularFile(floorFile())) return out;
        try {
            for (String l : Files.readAllLines(floorFile(), StandardCharsets.UTF_8)) {
                String t = l.strip();
                if (!t.isEmpty() && !t.startsWith("#")) out.add(t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public void writeFloor(TreeSet<String> names, int total) {
        StringBuilder b = new StringBuilder();
        b.append("# Inputs of this directory on which Vigil's transition summary agrees with crm_simulate's recorded one\n");
        b.append("# (").append(names.size()).append(" of ").append(total).append("). The build fails when one of them stops agreeing;\n");
        b.append("# `bin/vigil simulate-compare --update-floor` adds the inputs that agree now (it never removes one).\n");
        for (String n : names) b.append(n).append('\n');
        try {
            Files.writeString(floorFile(), b.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
