package vigil.lab;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What the lab's services themselves say they did, kept outside the cluster: every activation of a {@link LabService}
 * (a start, until its stop) appends lines stamped with its activation id to its node's evidence file, a tick ten
 * times a second while it runs, and lines for its start, promote, demote and stop:
 *
 * <pre>ns=1732381234000000000 node=n1 pid=4242 resource=ticker activation=n1.5e1f0a.3 event=start
 * ns=1732381234100000000 node=n1 pid=4242 resource=ticker activation=n1.5e1f0a.3 event=tick</pre>
 *
 * Each line is one write() to a file opened for appending, so lines of concurrent writers never interleave, and a
 * written line survives a SIGKILL of its writer (it is in the page cache; the lab's machine itself does not crash).
 * The fault-injection checker reads these files, not the cluster's state, to learn what ran where.
 */
final class Evidence {
    private Evidence() {}

    enum Event { START, TICK, PROMOTE, DEMOTE, STOP }

    /** One line: {@code activation} names one start of {@code resource} on {@code node} by process {@code pid}. */
    record Line(long epochNanos, String node, long pid, String resource, String activation, Event event) {
        Line {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(event, "event");
        }

        String text() {
            return "ns=" + epochNanos + " node=" + node + " pid=" + pid + " resource=" + resource + " activation=" + activation
                    + " event=" + event.name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the line when it is not an evidence line */
        static Line parse(String line) {
            Map<String, String> f = new HashMap<>();
            for (String part : line.trim().split(" +")) {
                int eq = part.indexOf('=');
                if (eq > 0) f.put(part.substring(0, eq), part.substring(eq + 1));
            }
            try {
                return new Line(Long.parseLong(f.get("ns")), f.get("node"), Long.parseLong(f.get("pid")), f.get("resource"),
                        f.get("activation"), Event.valueOf(f.get("event").toUpperCase(Locale.ROOT)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not an evidence line: \"" + line + "\"", e);
            }
        }
    }

    /**
     * One activation as its lines show it. {@code stopNanos} is {@link Long#MAX_VALUE} while no stop line was seen;
     * {@code lastNanos} is the newest line other than the stop; {@code promotions} are [from, to) pairs, to
     * {@link Long#MAX_VALUE} while promoted.
     */
    record Activation(String id, String resource, String node, long pid, long startNanos, long stopNanos, long lastNanos,
                      int ticks, List<long[]> promotions) {
        @Override
        public String toString() {
            return resource + " activation " + id + " on " + node + " from " + instant(startNanos) + " to "
                    + (stopNanos == Long.MAX_VALUE ? "(no stop line)" : instant(stopNanos)) + ", " + ticks + " ticks, last line "
                    + instant(lastNanos);
        }
    }

    static String instant(long nanos) { return nanos == Long.MAX_VALUE ? "now" : Instant.ofEpochSecond(0, nanos).toString(); }

    /** Appends lines to one node's evidence file (shared by the services of one node process). */
    static final class Writer implements AutoCloseable {
        private final Path file;
        /**
         * A stream, not a FileChannel: a channel is an interruptible one, and a service thread interrupted during its
         * write (a stop interrupts the ticking thread) would close it for every service of the node, so that their
         * later stop and start lines could not be written.
         */
        private final FileOutputStream out;

        Writer(Path file) {
            this.file = file;
            try {
                if (file.getParent() != null) Files.createDirectories(file.getParent());
                out = new FileOutputStream(file.toFile(), true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open evidence file " + file + ": " + e.getMessage(), e);
            }
        }

        synchronized void append(Line line) {
            try {
                // one write() of the whole line: with O_APPEND it lands whole, after every earlier line
                out.write((line.text() + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to evidence file " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Reads the evidence files of a directory as they grow and folds their lines into activations (ticks are counted,
     * not kept, so that a run of hours needs little memory).
     */
    static final class Reader {
        private final Path dir;
        private final Map<Path, FileTail> tails = new HashMap<>();
        private final Map<String, Builder> activations = new LinkedHashMap<>();

        Reader(Path dir) { this.dir = dir; }

        /** Every activation seen so far, after reading what was appended since the last call. */
        synchronized List<Activation> activations() {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        for (String l : tails.computeIfAbsent(f, FileTail::new).newLines()) add(Line.parse(l));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read evidence in " + dir + ": " + e.getMessage(), e);
                }
            }
            return fold(activations.values());
        }

        private void add(Line l) {
            Builder b = activations.computeIfAbsent(l.activation(), id -> new Builder(l));
            b.add(l);
        }
    }

    /** Activations from lines in any order (for tests and for {@link Reader}). */
    static List<Activation> activations(List<Line> lines) {
        Map<String, Builder> out = new LinkedHashMap<>();
        lines.stream().sorted(java.util.Comparator.comparingLong(Line::epochNanos))
                .forEach(l -> out.computeIfAbsent(l.activation(), id -> new Builder(l)).add(l));
        return fold(out.values());
    }

    private static List<Activation> fold(Collection<Builder> builders) {
        List<Activation> out = new ArrayList<>();
        for (Builder b : builders) out.add(b.build());
        return out;
    }

    private static final class Builder {
        final Line first;
        long start = Long.MAX_VALUE;
        long stop = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int ticks;
        final List<long[]> promotions = new ArrayList<>();

        Builder(Line first) { this.first = first; }

        void add(Line l) {
            switch (l.event()) {
                case START -> start = Math.min(start, l.epochNanos());
                case TICK -> ticks++;
                case PROMOTE -> promotions.add(new long[] {l.epochNanos(), Long.MAX_VALUE});
                case DEMOTE -> {
                    if (!promotions.isEmpty() && promotions.get(promotions.size() - 1)[1] == Long.MAX_VALUE) {
                        promotions.get(promotions.size() - 1)[1] = l.epochNanos();
                    }
                }
                case STOP -> stop = Math.min(stop, l.epochNanos());
            }
            if (l.event() != Event.STOP) last = Math.max(last, l.epochNanos());
            // a line older than the start line still marks activity: the activation began no later than it
            start = Math.min(start, l.epochNanos());
        }

        Activation build() {
            List<long[]> p = new ArrayList<>();
            for (long[] x : promotions) p.add(new long[] {x[0], Math.min(x[1], stop)});
            return new Activation(first.activation(), first.resource(), first.node(), first.pid(), start, stop, last, ticks, List.copyOf(p));
        }
    }
}
