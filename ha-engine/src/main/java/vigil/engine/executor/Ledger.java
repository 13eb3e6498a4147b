package vigil.engine.executor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An append-only record of when resources began and ended activity-changing operations on a node, for the
 * fault-injection checker. One line per event, written and fsync'ed before the executor goes on, so a line survives
 * a SIGKILL that follows it:
 *
 * <pre>ns=1732381234000000000 node=n1 resource=d1 action=start phase=begin
 * ns=1732381234012000000 node=n1 resource=d1 action=start phase=end rc=0</pre>
 *
 * {@code ns} is wall-clock time in nanoseconds since the epoch; {@code rc} the OCF code (198 for a timeout).
 */
public final class Ledger implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final InstantSource clock;

    /** One line. {@code rc} is -1 on begin lines. */
    public record Entry(long epochNanos, String node, String resource, String action, String phase, int rc) {
        public Entry {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(phase, "phase");
        }

        public boolean isBegin() { return phase.equals("begin"); }

        public String line() {
            return "ns=" + epochNanos + " node=" + node + " resource=" + resource + " action=" + action + " phase=" + phase
                    + (isBegin() ? "" : " rc=" + rc);
        }

        /** @throws IllegalArgumentException naming the line when it is not a ledger line */
        public static Entry parse(String line) {
            Map<String, String> f = new LinkedHashMap<>();
            for (String part : line.trim().split(" +")) {
                int eq = part.indexOf('=');
                if (eq > 0) f.put(part.substring(0, eq), part.substring(eq + 1));
            }
            try {
                return new Entry(Long.parseLong(f.get("ns")), f.get("node"), f.get("resource"), f.get("action"), f.get("phase"),
                        f.containsKey("rc") ? Integer.parseInt(f.get("rc")) : -1);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a ledger line: \"" + line + "\"", e);
            }
        }
    }

    private Ledger(Path file, FileChannel channel, InstantSource clock) {
        this.file = file;
        this.channel = channel;
        this.clock = clock;
    }

    /** Opens (creating it and its directory) {@code file} for appending. */
    public static Ledger open(Path file, InstantSource clock) {
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new Ledger(file, ch, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open ledger " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    public void begin(String node, String resource, String action) {
        append(new Entry(epochNanos(clock.instant()), node, resource, action, "begin", -1));
    }

    public void end(String node, String resource, String action, int rc) {
        append(new Entry(epochNanos(clock.instant()), node, resource, action, "end", rc));
    }

    /** Writes the line and forces it to disk before returning. */
    public synchronized void append(Entry e) {
        ByteBuffer buf = ByteBuffer.wrap((e.line() + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (buf.hasRemaining()) channel.write(buf);
            channel.force(true);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot append to ledger " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Every complete line of a ledger file; a torn last line (the writer was killed mid-write) is skipped. */
    public static List<Entry> read(Path file) {
        List<Entry> out = new ArrayList<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ledger " + file + ": " + e.getMessage(), e);
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            boolean last = i == lines.length - 1;
            if (lines[i].isBlank() || last) continue; // the part after the final newline is empty or torn
            out.add(Entry.parse(lines[i]));
        }
        return out;
    }

    static long epochNanos(Instant t) { return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano()); }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close ledger " + file + ": " + e.getMessage(), e);
        }
    }
}
